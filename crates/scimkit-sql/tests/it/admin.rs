//! `SqlStore::admin`: the console's credential and sessions, on SQLite and
//! PostgreSQL.

use chrono::{Duration, Utc};
use scimkit_service::TokenHash;
use scimkit_sql::SqlStore;

use crate::backends;

async fn check(store: &SqlStore) {
    // Tenants in bounded pages (what the console lists).
    let t = store.tenants();
    for id in ["t1", "t2", "t3"] {
        t.add(id, id, &TokenHash::of(id)).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let ids = |p: Vec<scimkit_sql::Tenant>| p.into_iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(t.page(0, 2).await.unwrap()), ["t1", "t2"]);
    assert_eq!(ids(t.page(2, 2).await.unwrap()), ["t3"]);

    let a = store.admin();
    assert_eq!(a.password_hash().await.unwrap(), None);
    assert!(a.init_password_hash("one").await.unwrap());
    assert!(!a.init_password_hash("two").await.unwrap(), "set once");
    assert_eq!(a.password_hash().await.unwrap().as_deref(), Some("one"));

    let later = Utc::now() + Duration::hours(1);
    for i in 0..5 {
        let id = TokenHash::of(&format!("s{i}"));
        a.open_session(&id, &format!("c{i}"), later, 3)
            .await
            .unwrap();
    }
    assert_eq!(a.session_count().await.unwrap(), 3, "at most 3 sessions");
    assert!(
        a.session(&TokenHash::of("s0")).await.unwrap().is_none(),
        "the oldest went"
    );
    let s4 = a.session(&TokenHash::of("s4")).await.unwrap().unwrap();
    assert_eq!(s4.csrf, "c4");
    assert!(s4.expires > Utc::now());

    // An expired session is removed when the next one opens.
    let past = Utc::now() - Duration::seconds(1);
    a.open_session(&TokenHash::of("old"), "x", past, 10)
        .await
        .unwrap();
    assert!(
        a.session(&TokenHash::of("old"))
            .await
            .unwrap()
            .unwrap()
            .expires
            < Utc::now()
    );
    a.open_session(&TokenHash::of("new"), "y", later, 10)
        .await
        .unwrap();
    assert!(a.session(&TokenHash::of("old")).await.unwrap().is_none());

    assert!(a.close_session(&TokenHash::of("s4")).await.unwrap());
    assert!(!a.close_session(&TokenHash::of("s4")).await.unwrap());

    a.reset_password_hash("three").await.unwrap();
    assert_eq!(a.password_hash().await.unwrap().as_deref(), Some("three"));
    assert_eq!(
        a.session_count().await.unwrap(),
        0,
        "a reset closes every session"
    );
}

#[tokio::test]
async fn sqlite_admin_credential_and_sessions_survive_a_restart() {
    let (store, dir) = backends::sqlite_store().await;
    check(&store).await;
    store.close().await;
    let store = SqlStore::sqlite(scimkit_sql::SqliteOptions::file(dir.path().join("scim.db")))
        .await
        .unwrap();
    assert_eq!(
        store.admin().password_hash().await.unwrap().as_deref(),
        Some("three")
    );
    store.close().await;
}

#[tokio::test]
async fn postgres_admin_credential_and_sessions() {
    let store = backends::postgres_store().await;
    check(&store).await;
}
