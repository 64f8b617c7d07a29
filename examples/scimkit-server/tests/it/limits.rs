//! The list and database limits reach the engine and the store from the
//! command line: `--max-list-scan` (`400 tooMany` past it),
//! `--query-timeout-ms` (`503` past it).

use crate::harness::{Client, Db, Server, add_tenant, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_and_query_limits_come_from_flags() {
    let db = Db::sqlite();
    let (id, token) = add_tenant(&db, "Contoso");
    let server = Server::start(&db, &["--max-list-scan", "3"]);
    let c = Client::new(server.tenant_url(&id), &token);
    for i in 0..4 {
        let r = c.post("/Users", user(&format!("u{i}@example.com"))).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    // (path, status): a sort by a multi-valued attribute is done in memory.
    let cases = [
        ("/Users?sortBy=emails&count=1", 400),
        ("/Users?filter=userName%20eq%20%22u1%40example.com%22", 200),
        ("/Users?sortBy=userName&count=1", 200),
    ];
    for (path, want) in cases {
        let r = c.get(path).await;
        assert_eq!(r.status, want, "{path}: {}", r.text);
        if want == 400 {
            assert_eq!(r.json["scimType"], "tooMany", "{}", r.text);
        }
    }
    drop(server);

    let server = Server::start(&db, &["--query-timeout-ms", "0"]);
    let c = Client::new(server.tenant_url(&id), &token);
    let slow = (0..200)
        .map(|i| format!("title%20co%20%22x{i}%22"))
        .collect::<Vec<_>>()
        .join("%20or%20");
    let r = c.get(&format!("/Users?filter={slow}")).await;
    assert_eq!(r.status, 503, "{}", r.text);
}
