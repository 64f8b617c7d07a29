//! Connection and time limits: at most `readers` SQLite reader connections
//! open however many reads run at once, and a query past its deadline is
//! stopped with `503` (SQLite `sqlite3_interrupt`, PostgreSQL
//! `statement_timeout`).

use std::sync::Arc;
use std::time::Duration;

use scimkit_filter::parse_filter;
use scimkit_schema::eval::CompiledFilter;
use scimkit_schema::{Compat, Registry, Resource, ResourceSchema};
use scimkit_service::{ListQuery, ResourceStore, StoreError, TenantId, finish_list};
use scimkit_sql::{PostgresOptions, SqlStore, SqliteOptions};
use serde_json::json;

fn user(i: usize) -> Resource {
    Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("user{i:05}"),
        "title": format!("Title number {i}"),
    }))
    .unwrap()
}

/// A filter that makes the database work: 200 substring tests per row.
fn expensive() -> String {
    (0..200)
        .map(|i| format!(r#"title co "no such title {i}""#))
        .collect::<Vec<_>>()
        .join(" or ")
}

async fn seed(s: &SqlStore, t: &TenantId, rs: &ResourceSchema, n: usize) {
    for i in 0..n {
        s.create(t, rs, user(i)).await.unwrap();
    }
}

async fn list(
    s: &SqlStore,
    t: &TenantId,
    rs: &ResourceSchema,
    text: &str,
) -> Result<u64, StoreError> {
    let compat = Compat::default();
    let f = parse_filter(text, &compat.parse).unwrap().into_owned();
    let cf = CompiledFilter::new(&f, rs, &compat).unwrap();
    let mut q = ListQuery::all(rs, 10);
    q.filter = Some(&f);
    q.compiled = Some(&cf);
    let r = s.list(t, &q).await?;
    Ok(finish_list(&q, r)?.1)
}

fn is_503(e: &StoreError) -> bool {
    matches!(e, StoreError::Unavailable(_))
        && scimkit_schema::ScimError::from(StoreError::Unavailable(e.to_string())).status == 503
}

/// A SQLite read past `query_timeout` is interrupted: `503`, and the reader
/// serves the next read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_slow_reads_are_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let reg = Registry::core();
    let rs = reg.resource_type("User").unwrap();
    let t = TenantId::default();
    let s = SqlStore::sqlite(SqliteOptions::file(&path).query_timeout(Duration::from_secs(600)))
        .await
        .unwrap();
    seed(&s, &t, rs, 1_000).await;
    assert_eq!(list(&s, &t, rs, &expensive()).await.unwrap(), 0);
    s.close().await;

    let s = SqlStore::sqlite(
        SqliteOptions::file(&path)
            .readers(1)
            .query_timeout(Duration::ZERO),
    )
    .await
    .unwrap();
    let e = list(&s, &t, rs, &expensive()).await.unwrap_err();
    assert!(is_503(&e), "{e:?}");
    assert!(e.to_string().contains("query timeout"), "{e}");
    s.close().await;
}

/// However many reads run at once, at most `readers` connections open; a
/// read that finds none free within `reader_wait` fails with `503`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_readers_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let reg = Registry::core();
    let rs = reg.resource_type("User").unwrap().clone();
    let t = TenantId::default();
    let s = SqlStore::sqlite(SqliteOptions::file(&path)).await.unwrap();
    seed(&s, &t, &rs, 1_000).await;
    s.close().await;

    for (readers, wait) in [(2u32, Duration::from_secs(60)), (1, Duration::ZERO)] {
        let s = Arc::new(
            SqlStore::sqlite(
                SqliteOptions::file(&path)
                    .readers(readers)
                    .reader_wait(wait)
                    .query_timeout(Duration::from_secs(600)),
            )
            .await
            .unwrap(),
        );
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (s, t, rs) = (s.clone(), t.clone(), rs.clone());
            tasks.push(tokio::spawn(async move {
                list(&s, &t, &rs, &expensive()).await
            }));
        }
        let mut busy = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(n) => assert_eq!(n, 0),
                Err(e) => {
                    assert!(is_503(&e), "{e:?}");
                    busy += 1;
                }
            }
        }
        let stats = s.read_stats();
        assert!(
            stats.most_readers_open <= u64::from(readers),
            "{readers} readers: {stats:?}"
        );
        if wait.is_zero() {
            assert!(busy > 0, "no read waited with a single reader and no wait");
        } else {
            assert_eq!(busy, 0, "reads failed with a 60 s wait");
        }
        s.close().await;
    }
}

/// A PostgreSQL statement past `statement_timeout` is cancelled: `503`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_slow_statements_are_cancelled() {
    let schema = format!("scimkit_it_{}", uuid::Uuid::new_v4().simple());
    let reg = Registry::core();
    let rs = reg.resource_type("User").unwrap();
    let t = TenantId::default();
    let s = crate::backends::postgres_store_in(&schema).await;
    seed(&s, &t, rs, 1_000).await;
    assert_eq!(list(&s, &t, rs, &expensive()).await.unwrap(), 0);
    s.close().await;
    let s = SqlStore::postgres(
        PostgresOptions::url(crate::backends::postgres_url())
            .schema(&schema)
            .statement_timeout(Duration::from_millis(1)),
    )
    .await
    .unwrap();
    let e = list(&s, &t, rs, &expensive()).await.unwrap_err();
    assert!(is_503(&e), "{e:?}");
    s.close().await;
}
