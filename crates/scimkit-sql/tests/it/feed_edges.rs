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

/// PostgreSQL: a delete that keeps racing membership changes (a trigger
/// adds the user to another group inside each attempt) fails with `503`
/// after `with_delete_attempts` attempts and changes nothing; with more
/// attempts than races it succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_racing_membership_changes_gives_up_with_503() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap().clone();
    let groups = reg.resource_type("Group").unwrap().clone();
    let schema = format!("scimkit_it_{}", uuid::Uuid::new_v4().simple());
    let store = backends::postgres_store_in(&schema).await;
    assert_eq!(scimkit_sql::DEFAULT_DELETE_ATTEMPTS, 8);
    let mut c = sqlx::PgConnection::connect(&backends::postgres_url())
        .await
        .unwrap();
    for stmt in [
        format!("CREATE SEQUENCE \"{schema}\".race"),
        format!(
            "CREATE FUNCTION \"{schema}\".race() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             INSERT INTO \"{schema}\".group_members (tenant_id, group_id, member_id, member_id_lower, type, group_type) \
             SELECT OLD.tenant_id, r.id, OLD.id, lower(OLD.id), 'User', r.resource_type FROM \"{schema}\".resources r \
             WHERE r.tenant_id = OLD.tenant_id AND r.resource_type = 'Group' ORDER BY r.id \
             OFFSET nextval('\"{schema}\".race') - 1 LIMIT 1; RETURN OLD; END $$"
        ),
        format!(
            "CREATE TRIGGER race BEFORE DELETE ON \"{schema}\".resources FOR EACH ROW \
             WHEN (OLD.resource_type = 'User') EXECUTE FUNCTION \"{schema}\".race()"
        ),
    ] {
        sqlx::query(&stmt).execute(&mut c).await.unwrap();
    }
    let t = tenant();
    for g in ["g1", "g2", "g3"] {
        let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": g});
        store
            .create(&t, &groups, Resource::from_value(body).unwrap())
            .await
            .unwrap();
    }
    let u = store
        .create(
            &t,
            &users,
            Resource::from_value(user_body("racer")).unwrap(),
        )
        .await
        .unwrap();
    // each attempt meets one more group: two attempts are not enough
    let two = store.clone().with_delete_attempts(2);
    let e = two.delete(&t, &users, &u.id, None).await.unwrap_err();
    assert!(
        matches!(e, scimkit_service::StoreError::Unavailable(_)),
        "{e:?}"
    );
    assert_eq!(scimkit_schema::ScimError::from(e).status, 503);
    assert!(store.get(&t, &users, &u.id).await.unwrap().is_some());
    // the third group (that attempt is rolled back with its membership),
    // then no more: the second attempt of this delete wins
    let records = store
        .with_delete_attempts(2)
        .delete(&t, &users, &u.id, None)
        .await
        .unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].kind, scimkit_service::EventKind::Deleted);
}
