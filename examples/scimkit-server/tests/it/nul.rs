//! U+0000 inside a string gets the same answer on every store (issue: SQLite
//! stored it, PostgreSQL would have failed with a `500`): `400 invalidValue`
//! for a body, `400 invalidFilter` for a filter, and nothing is written.

use crate::harness::{Client, Db, Server, add_tenant, user};

async fn check(db: Db) {
    let (tenant, token) = add_tenant(&db, "Contoso");
    let server = Server::start(&db, &[]);
    let c = Client::new(server.tenant_url(&tenant), &token);

    let mut with_nul = user("nul@example.com");
    with_nul["displayName"] = serde_json::json!("Barbara\u{0}Jensen");
    let r = c.post("/Users", with_nul).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json["scimType"], "invalidValue", "{}", r.text);
    assert!(
        r.text.contains("displayName"),
        "names the attribute: {}",
        r.text
    );

    let created = c.post("/Users", user("clean@example.com")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let patch = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "name.givenName", "value": "a\u{0}b"}],
    });
    let r = c.patch(&format!("/Users/{id}"), patch).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json["scimType"], "invalidValue", "{}", r.text);

    let r = c
        .get("/Users?filter=userName%20eq%20%22a%5Cu0000b%22")
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json["scimType"], "invalidFilter", "{}", r.text);

    // Nothing of the refused writes is stored.
    let all = c.get("/Users").await;
    assert_eq!(all.json["totalResults"], 1, "{}", all.text);
    assert!(
        all.json["Resources"][0].get("name").is_none(),
        "{}",
        all.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_in_strings_is_refused_on_sqlite() {
    check(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_in_strings_is_refused_on_postgres() {
    check(Db::postgres().await).await;
}
