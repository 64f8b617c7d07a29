//! Create, read, compare-and-swap replace, delete; uniqueness; tenant isolation.

use super::support::*;
use std::sync::Arc;

use scimkit_schema::{Resource, ResourceSchema, Uniqueness};
use scimkit_service::{ResourceStore, StoreError};
use serde_json::json;

pub(super) async fn create_get_replace_delete(s: &dyn ResourceStore) {
    let reg = registry();
    let rs = users(&reg);
    let t = tenant();
    let created = s
        .create(
            &t,
            &rs,
            user(
                "bjensen",
                json!({"name": {"givenName": "Barbara"}, ENT: {"department": "Tour"}}),
            ),
        )
        .await
        .unwrap();
    assert!(!created.id.is_empty());
    assert_eq!(created.created, created.last_modified);
    assert_eq!(created.resource.id(), Some(created.id.as_str()));
    assert_eq!(created.resource.as_map()["meta"]["resourceType"], "User");
    let got = s.get(&t, &rs, &created.id).await.unwrap().unwrap();
    assert_eq!(got.version, created.version);
    assert_eq!(got.created, created.created);
    assert_eq!(got.resource, created.resource);
    assert_eq!(got.resource.as_map()[ENT]["department"], "Tour");

    // Compare-and-swap replace.
    let replaced = s
        .replace(
            &t,
            &rs,
            &created.id,
            user("bjensen", json!({"title": "Guide"})),
            Some(&created.version),
            &[],
        )
        .await
        .unwrap();
    assert_ne!(replaced.version, created.version);
    assert_eq!(replaced.created, created.created);
    assert!(replaced.last_modified >= created.last_modified);
    let got = s.get(&t, &rs, &created.id).await.unwrap().unwrap();
    assert_eq!(got.resource.as_map()["title"], "Guide");
    assert!(got.resource.as_map().get("name").is_none());
    let stale = s
        .replace(
            &t,
            &rs,
            &created.id,
            user("bjensen", json!({})),
            Some(&created.version),
            &[],
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::VersionMismatch { ref current, .. }) if *current == replaced.version),
        "{stale:?}"
    );
    let bogus = s
        .replace(
            &t,
            &rs,
            &created.id,
            user("bjensen", json!({})),
            Some("not-a-version"),
            &[],
        )
        .await;
    assert!(
        matches!(bogus, Err(StoreError::VersionMismatch { .. })),
        "{bogus:?}"
    );
    // Unconditional replace.
    let again = s
        .replace(&t, &rs, &created.id, user("bjensen", json!({})), None, &[])
        .await
        .unwrap();
    assert_ne!(again.version, replaced.version);
    let missing = s
        .replace(&t, &rs, "no-such-id", user("x", json!({})), None, &[])
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );

    // Delete, conditional and not.
    let stale = s.delete(&t, &rs, &created.id, Some(&created.version)).await;
    assert!(
        matches!(stale, Err(StoreError::VersionMismatch { .. })),
        "{stale:?}"
    );
    s.delete(&t, &rs, &created.id, Some(&again.version))
        .await
        .unwrap();
    assert!(s.get(&t, &rs, &created.id).await.unwrap().is_none());
    let gone = s.delete(&t, &rs, &created.id, None).await;
    assert!(matches!(gone, Err(StoreError::NotFound { .. })), "{gone:?}");
}

pub(super) async fn uniqueness(s: &dyn ResourceStore) {
    let reg = registry();
    let rs = users(&reg);
    let t = tenant();
    let a = s.create(&t, &rs, user("bjensen", json!({}))).await.unwrap();
    let dup = s.create(&t, &rs, user("BJensen", json!({}))).await;
    match dup {
        Err(StoreError::Conflict { detail }) => assert!(detail.contains("userName"), "{detail}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Another tenant may use the name.
    s.create(&tenant(), &rs, user("bjensen", json!({})))
        .await
        .unwrap();
    // A replace may not take a used name; keeping one's own is fine.
    let b = s.create(&t, &rs, user("jsmith", json!({}))).await.unwrap();
    let taken = s
        .replace(&t, &rs, &b.id, user("BJENSEN", json!({})), None, &[])
        .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict { .. })),
        "{taken:?}"
    );
    s.replace(&t, &rs, &a.id, user("BJENSEN", json!({})), None, &[])
        .await
        .unwrap();
    // The failed writes changed nothing.
    assert_eq!(
        name_of(&s.get(&t, &rs, &b.id).await.unwrap().unwrap()),
        "jsmith"
    );
    // After a delete the name is free again.
    s.delete(&t, &rs, &a.id, None).await.unwrap();
    s.create(&t, &rs, user("bjensen", json!({}))).await.unwrap();
    // externalId is not unique.
    s.create(&t, &rs, user("u1", json!({"externalId": "e"})))
        .await
        .unwrap();
    s.create(&t, &rs, user("u2", json!({"externalId": "e"})))
        .await
        .unwrap();
}

pub(super) async fn unique_display_name(s: &dyn ResourceStore) {
    let reg = registry();
    let plain = groups(&reg);
    let t = tenant();
    let g = |name: &str| {
        Resource::from_value(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name})).unwrap()
    };
    // Not unique by default.
    s.create(&t, &plain, g("Admins")).await.unwrap();
    s.create(&t, &plain, g("admins")).await.unwrap();
    // Unique when the schema says so (the engine's configuration).
    let mut base = plain.base().clone();
    for a in &mut base.attributes {
        if a.name == "displayName" {
            a.uniqueness = Uniqueness::Server;
        }
    }
    let unique = ResourceSchema::new(plain.resource_type().clone(), Arc::new(base), Vec::new());
    let t = tenant();
    s.create(&t, &unique, g("Admins")).await.unwrap();
    let dup = s.create(&t, &unique, g("ADMINS")).await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { ref detail }) if detail.contains("displayName")),
        "{dup:?}"
    );
}

pub(super) async fn tenant_isolation(s: &dyn ResourceStore) {
    let reg = registry();
    let rs = users(&reg);
    let (t1, t2) = (tenant(), tenant());
    let a = s
        .create(&t1, &rs, user("bjensen", json!({})))
        .await
        .unwrap();
    assert!(s.get(&t2, &rs, &a.id).await.unwrap().is_none());
    let r = s
        .replace(&t2, &rs, &a.id, user("x", json!({})), None, &[])
        .await;
    assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}");
    let d = s.delete(&t2, &rs, &a.id, None).await;
    assert!(matches!(d, Err(StoreError::NotFound { .. })), "{d:?}");
    let ids = list(s, &t2, &rs, Some(r#"userName eq "bjensen""#), None, 1, 100)
        .await
        .0;
    assert!(ids.is_empty());
    let ids = list(s, &t2, &rs, None, None, 1, 100).await.0;
    assert!(ids.is_empty());
    // The other resource type is separate too.
    let reg_g = groups(&reg);
    assert!(s.get(&t1, &reg_g, &a.id).await.unwrap().is_none());
    assert!(s.get(&t1, &rs, &a.id).await.unwrap().is_some());
}
