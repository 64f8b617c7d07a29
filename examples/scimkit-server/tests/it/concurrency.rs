//! Two server processes on one PostgreSQL database under concurrent writes:
//! uniqueness and membership hold across processes.

use crate::harness::{Client, Db, Server, add_member, add_tenant, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_postgres_database() {
    let _heavy = crate::harness::HEAVY.lock().await;
    let db = Db::postgres().await;
    let (id, token) = add_tenant(&db, "Contoso");
    let one = Server::start(&db, &[]);
    let two = Server::start(&db, &[]);
    let clients = [
        Client::new(one.tenant_url(&id), &token),
        Client::new(two.tenant_url(&id), &token),
    ];

    // Many concurrent creates of one userName: exactly one wins.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..24 {
        let c = clients[i % 2].clone();
        tasks.spawn(async move { c.post("/Users", user("race@example.com")).await.status });
    }
    let mut statuses = Vec::new();
    while let Some(s) = tasks.join_next().await {
        statuses.push(s.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );

    // Concurrent member adds to one group: none is lost.
    let group = clients[0]
        .post(
            "/Groups",
            serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Race",
            }),
        )
        .await;
    assert_eq!(group.status, 201, "{}", group.text);
    let gid = group.json["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for i in 0..30 {
        let u = clients[i % 2]
            .post("/Users", user(&format!("m{i}@example.com")))
            .await;
        assert_eq!(u.status, 201, "{}", u.text);
        ids.push(u.json["id"].as_str().unwrap().to_owned());
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, uid) in ids.iter().enumerate() {
        let (c, path, body) = (
            clients[i % 2].clone(),
            format!("/Groups/{gid}"),
            add_member(uid),
        );
        tasks.spawn(async move { c.patch(&path, body).await });
    }
    while let Some(r) = tasks.join_next().await {
        let r = r.unwrap();
        assert!(matches!(r.status, 200 | 204), "{}", r.text);
    }
    let got = clients[1].get(&format!("/Groups/{gid}")).await;
    let mut members: Vec<String> = got.json["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    members.sort();
    ids.sort();
    assert_eq!(members, ids, "every concurrent member add is kept");
}
