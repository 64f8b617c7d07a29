//! PostgreSQL pool connections and `PostgresOptions::ping_idle_after`: a
//! connection used more recently than that goes straight to its query (no
//! check round trip); one idle at least that long is checked first and
//! replaced when the server dropped it.

use std::time::Duration;

use scimkit_schema::Registry;
use scimkit_service::{ResourceStore, TenantId};
use scimkit_sql::{DEFAULT_PING_IDLE_AFTER, PostgresOptions, SqlStore};
use sqlx::{Connection, PgConnection};

/// A store with one connection for requests (and one for the feed's
/// `LISTEN`) whose connections carry `app` as their `application_name`, so
/// that the test can find and end them.
async fn store(app: &str, ping_idle_after: Duration) -> SqlStore {
    let url = crate::backends::postgres_url();
    let sep = if url.contains('?') { '&' } else { '?' };
    SqlStore::postgres(
        PostgresOptions::url(format!("{url}{sep}application_name={app}"))
            .schema(app)
            .max_connections(2)
            .ping_idle_after(ping_idle_after),
    )
    .await
    .unwrap()
}

/// Ends the server side of every connection named `app` but the feed's
/// listener, and waits until they are gone; how many there were.
async fn terminate(app: &str) -> i64 {
    let mut c = PgConnection::connect(&crate::backends::postgres_url())
        .await
        .unwrap();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE application_name = $1 AND query NOT ILIKE 'listen%'",
    )
    .bind(app)
    .fetch_one(&mut c)
    .await
    .unwrap();
    loop {
        let (left,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM pg_stat_activity \
                 WHERE application_name = $1 AND query NOT ILIKE 'listen%'",
        )
        .bind(app)
        .fetch_one(&mut c)
        .await
        .unwrap();
        if left == 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    c.close().await.unwrap();
    n
}

/// One read through the store (a user that does not exist).
async fn read(s: &SqlStore) -> Result<(), scimkit_service::StoreError> {
    let reg = Registry::core();
    let rs = reg.resource_type("User").unwrap();
    s.get(&TenantId::default(), rs, "no-such-user")
        .await
        .map(|_| ())
}

fn app() -> String {
    format!("scimkit_it_{}", uuid::Uuid::new_v4().simple())
}

#[test]
fn idle_connections_are_checked_after_a_second_by_default() {
    assert_eq!(DEFAULT_PING_IDLE_AFTER, Duration::from_secs(1));
}

/// At the edge, `Duration::ZERO`: every connection is checked, so a pooled
/// connection the server dropped is replaced before the read uses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_dropped_idle_connection_is_replaced_before_use() {
    let app = app();
    let s = store(&app, Duration::ZERO).await;
    read(&s).await.unwrap();
    // Every connection the pool holds (one, or two when a background task
    // of the store has one open too) is dropped by the server.
    assert!(terminate(&app).await >= 1, "no pooled connection to drop");
    read(&s).await.unwrap();
    s.close().await;
}

/// A connection used within `ping_idle_after` is not checked: the read
/// that meets a connection the server just dropped fails (the price of one
/// round trip less per request), and the broken connection is not reused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_recently_used_connection_is_not_checked() {
    let app = app();
    let s = store(&app, Duration::from_secs(3600)).await;
    read(&s).await.unwrap();
    // Every connection the pool holds (one, or two when a background task
    // of the store has one open too) is dropped by the server.
    assert!(terminate(&app).await >= 1, "no pooled connection to drop");
    assert!(read(&s).await.is_err(), "the dropped connection was used");
    read(&s).await.unwrap();
    s.close().await;
}
