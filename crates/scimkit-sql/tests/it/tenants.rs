//! `SqlStore::with_registered_tenants`: writes check their tenant inside
//! their own transaction, so a removed tenant's writes fail and leave
//! nothing.

use scimkit_schema::{Registry, Resource};
use scimkit_service::{Member, ResourceStore, StoreError, TenantId, TokenHash};
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
    assert!(store.tenants().remove(&id).await.unwrap());

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
