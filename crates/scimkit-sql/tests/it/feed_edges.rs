//! The feed's limits at their edges: a prune larger than one chunk, and
//! PostgreSQL wake-ups after the LISTEN connection is killed.

use std::time::Duration;

use scimkit_schema::{Registry, Resource};
use scimkit_service::feed::follow_every;
use scimkit_service::{ChangeFeed, FeedQuery, ResourceStore, Retention};
use scimkit_sql::{PostgresOptions, SqlStore};
use sqlx::Connection as _;

use crate::backends;
use crate::feed::{all_of, next_record, settled, tenant, user_body};

async fn create(store: &SqlStore, t: &scimkit_service::TenantId, n: usize) {
    let users = Registry::core().resource_type("User").unwrap().clone();
    for i in 0..n {
        let r = Resource::from_value(user_body(&format!("u{i}"))).unwrap();
        store.create(t, &users, r).await.unwrap();
    }
}

/// `with_feed_prune_chunk(2)`: pruning 7 records takes four statements,
/// and every record that should go goes (by count and by age), with the
/// pruned mark at the newest one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prune_of_several_chunks_deletes_them_all() {
    let (sqlite, _dir) = backends::sqlite_store().await;
    let schema = format!("scimkit_it_{}", uuid::Uuid::new_v4().simple());
    let postgres = backends::postgres_store_in(&schema).await;
    assert_eq!(scimkit_sql::DEFAULT_PRUNE_CHUNK, 10_000);
    for (name, store) in [("sqlite", sqlite), ("postgres", postgres)] {
        let store = store.with_feed_prune_chunk(2);
        let (t, u) = (tenant(), tenant());
        create(&store, &t, 8).await;
        create(&store, &u, 5).await;
        let all = settled(&store, &t, 8).await;
        settled(&store, &u, 5).await;
        let n = store
            .prune(&Retention::forever().with_max_records_per_tenant(Some(1)))
            .await
            .unwrap();
        assert_eq!(n, 7 + 4, "{name}");
        assert_eq!(all_of(&store, &t).await, all[7..].to_vec(), "{name}");
        let page = store
            .read(&FeedQuery::tenant(t.clone()).after(all[0].cursor.clone()))
            .await
            .unwrap();
        assert_eq!(
            page.gap.map(|g| g.pruned_through),
            Some(all[6].cursor.clone())
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
        let everything = Retention::forever().with_max_age(Some(Duration::ZERO));
        assert_eq!(store.prune(&everything).await.unwrap(), 2, "{name}");
        assert!(all_of(&store, &t).await.is_empty(), "{name}");
    }
}

/// The pids of the LISTEN connections of the pool named `app`.
async fn listeners(admin: &mut sqlx::PgConnection, app: &str) -> Vec<i32> {
    let rows: Vec<(i32,)> = sqlx::query_as(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'",
    )
    .bind(app)
    .fetch_all(admin)
    .await
    .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

/// PostgreSQL: the listener's connection is killed (`pg_terminate_backend`);
/// once it is back, a commit of another store (another process) still wakes
/// a follower whose fallback poll is an hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_wakes_after_the_listen_connection_is_killed() {
    let users = Registry::core().resource_type("User").unwrap().clone();
    let schema = format!("scimkit_it_{}", uuid::Uuid::new_v4().simple());
    // The follower's store names its connections, so the test finds its
    // listener among those of other tests.
    let app = format!(
        "feedlisten{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let url = backends::postgres_url();
    let sep = if url.contains('?') { '&' } else { '?' };
    let named = format!("{url}{sep}application_name={app}");
    let reader = std::sync::Arc::new(
        SqlStore::postgres(
            PostgresOptions::url(&named)
                .schema(&schema)
                .max_connections(4),
        )
        .await
        .unwrap(),
    );
    let writer = backends::postgres_store_in(&schema).await;
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut old = Vec::new();
    for _ in 0..600 {
        old = listeners(&mut admin, &app).await;
        if !old.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(old.len(), 1, "the store listens on one connection");
    let t = tenant();
    let mut s = Box::pin(follow_every(
        reader.clone() as std::sync::Arc<dyn ChangeFeed>,
        FeedQuery::tenant(t.clone()),
        Duration::from_secs(3600),
    ));
    let killed: (bool,) = sqlx::query_as("SELECT pg_terminate_backend($1)")
        .bind(old[0])
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert!(killed.0);
    let mut new = Vec::new();
    for _ in 0..600 {
        new = listeners(&mut admin, &app).await;
        if new.iter().any(|p| *p != old[0]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        new.iter().any(|p| *p != old[0]),
        "the listener came back: {new:?}"
    );
    // let the follower settle after the wake-up the reconnection gave it
    let waiting = tokio::spawn(async move { next_record(&mut s).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = Resource::from_value(user_body("after-kill")).unwrap();
    writer.create(&t, &users, r).await.unwrap();
    let got = waiting.await.unwrap();
    assert_eq!(got.tenant, t);
}
