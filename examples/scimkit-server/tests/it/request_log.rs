//! The provisioning log and `/metrics` of the real server: each answered
//! request lands in the database with the switches that fired and the SCIM
//! error, bounded by `--request-log-max-entries`, kept across a restart;
//! `/metrics` on `--metrics-bind` counts the requests by route template.

use scimkit_service::Switch;
use scimkit_sql::{PostgresOptions, RequestLogQuery, SqlStore, SqliteOptions};
use serde_json::json;

use crate::harness::{Client, Db, Server, add_tenant, labelled, user};

async fn open(db: &Db) -> SqlStore {
    match db.sqlite_path() {
        Some(p) => SqlStore::sqlite(SqliteOptions::file(p)).await.unwrap(),
        None => SqlStore::postgres(PostgresOptions::url(db.url()))
            .await
            .unwrap(),
    }
}

async fn check(db: Db) {
    let (tenant, token) = add_tenant(&db, "Contoso");
    let mut server = Server::start(
        &db,
        &[
            "--metrics-bind",
            "127.0.0.1:0",
            "--request-log-max-entries",
            "5",
            "--log-bodies",
        ],
    );
    let metrics = labelled(&server.stdout, "Metrics on").unwrap().to_owned();
    let c = Client::new(server.tenant_url(&tenant), &token);
    let mut body = user("bjensen");
    body["password"] = json!("hunter2-secret");
    let created = c.post("/Users", body).await;
    assert_eq!(created.status, 201);
    let id = created.json["id"].as_str().unwrap().to_owned();
    // Entra's PATCH: "Replace" and "False".
    let entra = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
    assert_eq!(c.patch(&format!("/Users/{id}"), entra).await.status, 200);
    let bad = c.get("/Users?filter=userName%20eq").await;
    assert_eq!(bad.status, 400);

    let text = reqwest::get(&metrics).await.unwrap().text().await.unwrap();
    assert!(
        text.contains(&format!(
            "scim_requests_total{{tenant=\"{tenant}\",endpoint=\"/Users/{{id}}\",method=\"PATCH\",status=\"200\"}} 1"
        )),
        "{text}"
    );
    assert!(
        text.contains("endpoint=\"/Users\",method=\"GET\",status=\"400\"} 1"),
        "{text}"
    );
    assert!(!text.contains(&id), "no raw id in a label: {text}");
    assert!(
        text.contains("scim_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("scim_connections_open"), "{text}");
    // Store time, by operation: the create and the PATCH's read and replace.
    for op in ["create", "get", "replace"] {
        assert!(
            text.contains(&format!(
                "scim_store_duration_seconds_count{{operation=\"{op}\"}}"
            )),
            "{op}: {text}"
        );
    }
    // Without --metrics-public, the public port has no /metrics.
    let public = reqwest::get(format!("{}/metrics", server.origin))
        .await
        .unwrap();
    assert_ne!(public.status(), 200);

    for _ in 0..3 {
        assert_eq!(c.get(&format!("/Users/{id}")).await.status, 200);
    }
    assert!(server.terminate().success());

    // After the restart (the log is in the database): bounded to 5.
    let store = open(&db).await;
    let log = store.request_log();
    let page = log.list(&RequestLogQuery::tenant(&tenant)).await.unwrap();
    assert_eq!(page.entries.len(), 5, "{:?}", page.entries);
    let failed = log
        .list(&RequestLogQuery::tenant(&tenant).status_class(4))
        .await
        .unwrap();
    let f = &failed.entries[0];
    assert_eq!(f.scim_type.as_deref(), Some("invalidFilter"));
    assert_eq!(f.filter.as_deref(), Some("userName eq"));
    let fired = log
        .list(&RequestLogQuery::tenant(&tenant).switch(Switch::BoolStrings))
        .await
        .unwrap();
    let e = &fired.entries[0];
    assert!(
        e.switches.contains(Switch::OpNameAnyCase),
        "{:?}",
        e.switches
    );
    assert_eq!(e.resource_type.as_deref(), Some("User"));
    assert_eq!(e.resource_id.as_deref(), Some(id.as_str()));
    assert_eq!(e.method, "PATCH");
    assert!(e.request_body.as_deref().unwrap().contains("False"));
    assert!(e.response_body.is_some());
    // The create was pruned (only the newest 5 are kept); no body ever holds the password.
    for entry in &page.entries {
        assert_ne!(entry.method, "POST");
    }
    let all = log.list(&RequestLogQuery::all()).await.unwrap();
    for entry in &all.entries {
        let bodies = format!("{:?}{:?}", entry.request_body, entry.response_body);
        assert!(!bodies.contains("hunter2-secret"), "{bodies}");
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_log_and_metrics_on_sqlite() {
    check(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_log_and_metrics_on_postgres() {
    check(Db::postgres().await).await;
}

/// `--request-log-max-entries 0` keeps no provisioning log at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_entries_keeps_no_log() {
    let db = Db::sqlite();
    let (tenant, token) = add_tenant(&db, "Contoso");
    let mut server = Server::start(&db, &["--request-log-max-entries", "0"]);
    let c = Client::new(server.tenant_url(&tenant), &token);
    assert_eq!(c.post("/Users", user("bjensen")).await.status, 201);
    assert_eq!(c.get("/Users?filter=userName%20eq").await.status, 400);
    assert!(server.terminate().success());
    let store = open(&db).await;
    let page = store
        .request_log()
        .list(&RequestLogQuery::all())
        .await
        .unwrap();
    assert!(page.entries.is_empty(), "{:?}", page.entries);
    store.close().await;
}
