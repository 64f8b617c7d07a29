//! The IdP replay corpus (`tests/data/*.json`) against the server binary,
//! each file on a fresh tenant, on SQLite and on PostgreSQL.

use crate::harness::{Client, Db, Server, add_tenant};
use crate::replay::replay;

const FILES: [&str; 4] = [
    "entra_default",
    "entra_aadoptscim062020",
    "okta_put",
    "okta_patch",
];

fn load(name: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/tests/data/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every corpus file on its own tenant of one server.
async fn check(db: Db) {
    let tenants: Vec<_> = FILES.iter().map(|f| (f, add_tenant(&db, f))).collect();
    let server = Server::start(&db, &[]);
    let mut failures = Vec::new();
    for (file, (id, token)) in &tenants {
        let client = Client::new(server.tenant_url(id), token);
        match replay(&client, &load(file)).await {
            Ok(n) => assert!(n > 10, "{file}: only {n} steps"),
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nserver log:\n{}",
        failures.join("\n\n"),
        server.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idp_corpus_on_sqlite() {
    check(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idp_corpus_on_postgres() {
    check(Db::postgres().await).await;
}
