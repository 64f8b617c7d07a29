//! `MemoryStore`: versions, compare-and-swap, uniqueness, indexes, tenants,
//! and the membership hooks under concurrency.

use std::sync::Arc;

use scimkit_filter::parse_filter;
use scimkit_schema::eval::CompiledFilter;
use scimkit_schema::{Compat, Registry, Resource};
use scimkit_service::{
    ListQuery, Member, MemoryStore, ResourceStore, StoreError, TenantId, finish_list,
};
use serde_json::json;

fn user(name: &str, ext: &str) -> Resource {
    Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name, "externalId": ext
    }))
    .unwrap()
}

#[tokio::test]
async fn versions_and_uniqueness() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap();
    let s = MemoryStore::new();
    let t = TenantId::new("t");
    let a = s.create(&t, users, user("Alice", "x1")).await.unwrap();
    assert_eq!(
        a.resource.as_map()["meta"]["version"],
        format!("W/\"{}\"", a.version)
    );
    assert!(matches!(
        s.create(&t, users, user("alice", "x2")).await,
        Err(StoreError::Conflict { .. })
    ));
    s.create(&TenantId::new("other"), users, user("alice", "x1"))
        .await
        .unwrap();
    let b = s
        .replace(
            &t,
            users,
            &a.id,
            user("alice2", "x1"),
            Some(&a.version),
            &[],
        )
        .await
        .unwrap();
    assert_ne!(b.version, a.version);
    assert_eq!(b.created, a.created);
    assert!(matches!(
        s.replace(
            &t,
            users,
            &a.id,
            user("alice3", "x1"),
            Some(&a.version),
            &[]
        )
        .await,
        Err(StoreError::VersionMismatch { .. })
    ));
    assert!(matches!(
        s.delete(&t, users, &a.id, Some(&a.version)).await,
        Err(StoreError::VersionMismatch { .. })
    ));
    // The old userName is free again after the rename.
    s.create(&t, users, user("ALICE", "x3")).await.unwrap();
    s.delete(&t, users, &a.id, Some(&b.version)).await.unwrap();
    assert!(s.get(&t, users, &a.id).await.unwrap().is_none());
    assert!(matches!(
        s.delete(&t, users, &a.id, None).await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn indexed_and_scanned_filters_agree() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap();
    let s = MemoryStore::new();
    let t = TenantId::default();
    for i in 0..50 {
        s.create(&t, users, user(&format!("User{i}"), &format!("E{}", i % 5)))
            .await
            .unwrap();
    }
    let compat = Compat::default();
    for (text, want) in [
        (r#"userName eq "user7""#, 1),
        (r#"userName eq "USER7" and externalId eq "E2""#, 1),
        (r#"userName eq "user7" and externalId eq "E3""#, 0),
        (r#"externalId eq "E3""#, 10),
        (r#"externalId eq "e3""#, 0),
        (r#"userName eq "nobody""#, 0),
        (r#"userName sw "user1""#, 11),
        (r#"userName eq "user7" or externalId eq "E1""#, 11),
    ] {
        let f = parse_filter(text, &compat.parse).unwrap().into_owned();
        let cf = CompiledFilter::new(&f, users, &compat).unwrap();
        let mut q = ListQuery::all(users, 100);
        q.filter = Some(&f);
        q.compiled = Some(&cf);
        let (page, total) = finish_list(&q, s.list(&t, &q).await.unwrap()).unwrap();
        assert_eq!(total, want, "{text}");
        assert_eq!(page.len() as u64, want, "{text}");
    }
}

/// The number of resources of `rs` that `text` matches, by a list.
async fn count(s: &MemoryStore, rs: &scimkit_schema::ResourceSchema, text: &str) -> u64 {
    let compat = Compat::default();
    let f = parse_filter(text, &compat.parse).unwrap().into_owned();
    let cf = CompiledFilter::new(&f, rs, &compat).unwrap();
    let mut q = ListQuery::all(rs, 1000);
    q.filter = Some(&f);
    q.compiled = Some(&cf);
    finish_list(&q, s.list(&TenantId::default(), &q).await.unwrap())
        .unwrap()
        .1
}

/// Scans read each resource's `FlatResource`, which every write rebuilds.
#[tokio::test]
async fn scans_see_every_write() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap();
    let groups = reg.resource_type("Group").unwrap();
    let s = MemoryStore::new();
    let t = TenantId::default();
    let mut ids = Vec::new();
    for i in 0..40 {
        let u = s
            .create(&t, users, user(&format!("user{i}"), &format!("E{i}")))
            .await
            .unwrap();
        ids.push(u);
    }
    assert_eq!(count(&s, users, r#"userName sw "user3""#).await, 11);
    let old = &ids[3];
    s.replace(&t, users, &old.id, user("renamed", "E3"), None, &[])
        .await
        .unwrap();
    assert_eq!(count(&s, users, r#"userName sw "user3""#).await, 10);
    assert_eq!(count(&s, users, r#"userName sw "RENA""#).await, 1);
    s.delete(&t, users, &ids[30].id, None).await.unwrap();
    assert_eq!(count(&s, users, r#"userName sw "user3""#).await, 9);

    let g = Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G"
    }))
    .unwrap();
    let g = s.create(&t, groups, g).await.unwrap();
    assert_eq!(count(&s, groups, r#"members[value eq "m5"]"#).await, 0);
    s.add_members(&t, groups, &g.id, &[Member::new("m5")])
        .await
        .unwrap();
    assert_eq!(count(&s, groups, r#"members[value eq "m5"]"#).await, 1);
    s.remove_members(&t, groups, &g.id, &["m5".into()])
        .await
        .unwrap();
    assert_eq!(count(&s, groups, r#"members[value eq "m5"]"#).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_member_additions_lose_nothing() {
    let reg = Registry::core();
    let groups = reg.resource_type("Group").unwrap().clone();
    let s = Arc::new(MemoryStore::new());
    let t = TenantId::default();
    let g = Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G"
    }))
    .unwrap();
    let g = s.create(&t, &groups, g).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (s, t, groups, id) = (s.clone(), t.clone(), groups.clone(), g.id.clone());
        tasks.push(tokio::spawn(async move {
            s.add_members(&t, &groups, &id, &[Member::new(format!("m{i}"))])
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().changed.len(), 1);
    }
    let got = s.get(&t, &groups, &g.id).await.unwrap().unwrap();
    assert_eq!(
        got.resource.as_map()["members"].as_array().unwrap().len(),
        40
    );
    let upd = s
        .remove_members(&t, &groups, &g.id, &["m3".into(), "nope".into()])
        .await
        .unwrap();
    assert_eq!(upd.changed, ["m3"]);
    let same = s
        .add_members(&t, &groups, &g.id, &[Member::new("m4")])
        .await
        .unwrap();
    assert!(same.changed.is_empty());
    assert_eq!(same.resource.version, upd.resource.version);
}
