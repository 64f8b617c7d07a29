//! `SqlStore::with_registered_tenants`: writes check their tenant inside
//! their own transaction, so a removed tenant's writes fail and leave
//! nothing.

use scimkit_schema::{Registry, Resource};
use scimkit_service::{
    ChangeFeed, FeedQuery, Member, ResourceStore, Retention, StoreError, TenantId, TokenHash,
};
use scimkit_sql::SqlStore;
use serde_json::json;

fn user(name: &str) -> Resource {
    Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "emails": [{"value": format!("{name}@example.com")}]
    }))
    .unwrap()
}

fn gone<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    assert!(matches!(r, Err(StoreError::TenantGone)), "{r:?}");
}

async fn check(store: SqlStore) {
    let reg = Registry::core();
    let us = reg.resource_type("User").unwrap().clone();
    let gs = reg.resource_type("Group").unwrap().clone();
    let id = format!("t-{}", uuid::Uuid::new_v4().simple());
    let t = TenantId::new(id.clone());

    // Without the option, a tenant need not be registered (today's behaviour).
    store.create(&t, &us, user("free")).await.unwrap();

    let store = store.with_registered_tenants(true);
    gone(store.create(&t, &us, user("unregistered")).await);
    store
        .tenants()
        .add(&id, "T", &TokenHash::of(&id))
        .await
        .unwrap();
    let u = store.create(&t, &us, user("alive")).await.unwrap();
    let g = store
        .create(
            &t,
            &gs,
            Resource::from_value(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "G"}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let feed = |after: Option<scimkit_service::Cursor>| {
        let mut q = FeedQuery::tenant(t.clone());
        q.after = after;
        let store = &store;
        async move { store.read(&q).await.unwrap() }
    };
    let mut before = Vec::new();
    for _ in 0..600 {
        // PostgreSQL shows a record once older transactions have ended
        before = feed(None).await.records;
        if before.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(before.len(), 3, "the tenant's writes have their records");
    store
        .prune(&Retention::forever().with_max_records_per_tenant(Some(1)))
        .await
        .unwrap();
    assert!(feed(Some(before[0].cursor.clone())).await.gap.is_some());
    assert!(store.tenants().remove(&id).await.unwrap());
    // the tenant's feed went with it (records, and how far it was pruned)
    let after = feed(Some(before[0].cursor.clone())).await;
    assert!(after.records.is_empty(), "{:?}", after.records);
    assert!(after.gap.is_none());
    assert!(feed(None).await.records.is_empty());

    gone(store.create(&t, &us, user("late")).await);
    gone(
        store
            .replace(&t, &us, &u.id, user("late2"), None, &[])
            .await,
    );
    gone(store.delete(&t, &us, &u.id, None).await);
    gone(
        store
            .add_members(&t, &gs, &g.id, &[Member::new(u.id.clone())])
            .await,
    );
    let e = scimkit_schema::ScimError::from(StoreError::TenantGone);
    assert_eq!(e.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_tenants_cannot_write_sqlite() {
    let (store, _dir) = crate::backends::sqlite_store().await;
    check(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_tenants_cannot_write_postgres() {
    check(crate::backends::postgres_store().await).await;
}
