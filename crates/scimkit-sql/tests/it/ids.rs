//! Resource ids: version 7 UUIDs, so new ids append to the id indexes.

use scimkit_schema::{Registry, Resource};
use scimkit_service::{ResourceStore, TenantId};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_are_time_ordered_uuids() {
    let (store, _dir) = crate::backends::sqlite_store().await;
    let registry = Registry::core();
    let rs = registry.resource_type("User").unwrap().clone();
    let t = TenantId::new("ids");
    let mut ids = Vec::new();
    for i in 0..5 {
        let u = Resource::from_value(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("id{i}"),
        }))
        .unwrap();
        ids.push(store.create(&t, &rs, u).await.unwrap().id);
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    for id in &ids {
        let u = uuid::Uuid::parse_str(id).unwrap();
        assert_eq!(u.get_version_num(), 7, "{id}");
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ids, "ids in creation order sort in creation order");
    store.close().await;
}
