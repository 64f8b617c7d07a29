//! SQLite WAL checkpoints run in the background, not in the writer's commits.

use std::time::{Duration, Instant};

use scimkit_filter::parse_filter;
use scimkit_schema::eval::CompiledFilter;
use scimkit_schema::{Compat, Registry, Resource};
use scimkit_service::{ListQuery, ResourceStore, TenantId};
use serde_json::json;

/// With automatic checkpoints off on the writer, rows reach the database file
/// only through the background checkpointer: the file grows while the store
/// is open and idle, and after a restart every row is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checkpointer_moves_the_wal_into_the_database_file() {
    let (store, dir) = crate::backends::sqlite_store().await;
    let db = dir.path().join("scim.db");
    let size = || std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let registry = Registry::core();
    let rs = registry.resource_type("User").unwrap().clone();
    let t = TenantId::new("checkpoint");
    let before = size();
    for i in 0..2_000 {
        let u = Resource::from_value(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("cp{i}@example.com"),
            "displayName": "x".repeat(200),
            "emails": [{"type": "work", "value": format!("cp{i}@example.com")}]
        }))
        .unwrap();
        store.create(&t, &rs, u).await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while size() < before + 500_000 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        size() >= before + 500_000,
        "the database file stayed at {} bytes (was {before}): nothing was checkpointed",
        size()
    );
    // The WAL is bounded by the checkpoints, far below what 2,000 commits wrote.
    let wal = std::fs::metadata(dir.path().join("scim.db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(wal < 200 << 20, "WAL of {wal} bytes");
    // A read holds a reader connection open; closing the store still ends
    // with the writer folding the WAL into the file and removing it.
    assert!(store.get(&t, &rs, "no-such-id").await.unwrap().is_none());
    store.close().await;
    let wal = dir.path().join("scim.db-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "the WAL is still there after close: {:?}",
        std::fs::metadata(&wal).map(|m| m.len())
    );
    let reopened = scimkit_sql::SqlStore::sqlite(scimkit_sql::SqliteOptions::file(&db))
        .await
        .unwrap();
    let compat = Compat::default();
    let filter = parse_filter(r#"userName sw "cp""#, &compat.parse).unwrap();
    let compiled = CompiledFilter::new(&filter, &rs, &compat).unwrap();
    let mut q = ListQuery::all(&rs, 1);
    q.filter = Some(&filter);
    q.compiled = Some(&compiled);
    let listed = reopened.list(&t, &q).await.unwrap();
    assert_eq!(listed.total, 2_000);
    reopened.close().await;
}
