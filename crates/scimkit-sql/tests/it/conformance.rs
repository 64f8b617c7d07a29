//! The store conformance suite: what every `ResourceStore` must do, written
//! against `&dyn ResourceStore` and run unchanged against each backend.

use std::collections::BTreeSet;
use std::sync::Arc;

use scimkit_filter::{parse_attr_path, parse_filter};
use scimkit_schema::eval::{CompiledFilter, SortKey};
use scimkit_schema::{Compat, Registry, Resource, ResourceSchema, Uniqueness};
use scimkit_service::{
    ListQuery, Member, ResourceStore, SortSpec, StoreError, StoredResource, TenantId, finish_list,
};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn registry() -> Registry {
    Registry::core()
}

fn users(r: &Registry) -> Arc<ResourceSchema> {
    r.resource_type("User").unwrap().clone()
}

fn groups(r: &Registry) -> Arc<ResourceSchema> {
    r.resource_type("Group").unwrap().clone()
}

/// A fresh tenant id, so tests sharing a database never see each other.
fn tenant() -> TenantId {
    TenantId::new(format!("t-{}", uuid::Uuid::new_v4().simple()))
}

fn user(name: &str, extra: Value) -> Resource {
    let mut v = json!({"schemas": [USER, ENT], "userName": name});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    Resource::from_value(v).unwrap()
}

fn name_of(r: &StoredResource) -> String {
    r.resource
        .as_map()
        .get("userName")
        .or_else(|| r.resource.as_map().get("displayName"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

pub(crate) async fn create_get_replace_delete(s: &dyn ResourceStore) {
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

pub(crate) async fn uniqueness(s: &dyn ResourceStore) {
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

pub(crate) async fn unique_display_name(s: &dyn ResourceStore) {
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

pub(crate) async fn tenant_isolation(s: &dyn ResourceStore) {
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

/// Lists through `finish_list` (what the engine does) and returns the
/// userNames (or displayNames) of the page and `totalResults`.
async fn list(
    s: &dyn ResourceStore,
    t: &TenantId,
    rs: &ResourceSchema,
    filter: Option<&str>,
    sort: Option<(&str, bool)>,
    start: u64,
    count: u64,
) -> (Vec<String>, u64) {
    let compat = Compat::default();
    let parsed = filter.map(|f| parse_filter(f, &compat.parse).unwrap().into_owned());
    let compiled = parsed
        .as_ref()
        .map(|f| CompiledFilter::new(f, rs, &compat).unwrap());
    let spec = sort.map(|(by, desc)| {
        let path = parse_attr_path(by, &compat.parse).unwrap().into_owned();
        let key = SortKey::new(&path, rs).unwrap();
        SortSpec::new(path, key, desc)
    });
    let mut q = ListQuery::all(rs, count);
    q.filter = parsed.as_ref();
    q.compiled = compiled.as_ref();
    q.sort = spec.as_ref();
    q.start_index = start;
    let result = s.list(t, &q).await.unwrap();
    let (page, total) = finish_list(&q, result).unwrap();
    (page.iter().map(name_of).collect(), total)
}

async fn seed(s: &dyn ResourceStore, t: &TenantId, rs: &ResourceSchema) {
    let people = [
        (
            "bjensen",
            json!({"externalId": "E-1", "displayName": "Barbara Jensen", "title": "Tour Guide", "active": true,
            "name": {"familyName": "Jensen", "givenName": "Barbara"},
            "emails": [{"type": "work", "value": "bjensen@example.com", "primary": true}, {"type": "home", "value": "babs@home.org"}],
            ENT: {"department": "Tour Operations", "employeeNumber": "701984", "manager": {"value": "m1"}}}),
        ),
        (
            "jsmith",
            json!({"externalId": "e-2", "displayName": "John Smith", "title": "Engineer", "active": false,
            "name": {"familyName": "Smith", "givenName": "John"},
            "emails": [{"type": "work", "value": "John.Smith@Example.com"}],
            ENT: {"department": "Engineering"}}),
        ),
        (
            "amartin",
            json!({"displayName": "Ann Martin", "name": {"familyName": "Martin"}, "nickName": "annie", "active": true,
            "emails": [{"type": "home", "value": "ann@example.org"}],
            "phoneNumbers": [{"type": "mobile", "value": "555-0100"}]}),
        ),
        ("zed", json!({"title": ""})),
    ];
    for (name, extra) in people {
        s.create(t, rs, user(name, extra)).await.unwrap();
        // distinct created timestamps
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
}

/// Every operator, caseExact and not, value paths, extension attributes,
/// `pr`, `not`, `or`, `null`; the expected userNames are written out.
const FILTERS: &[(&str, &[&str])] = &[
    (r#"userName eq "BJensen""#, &["bjensen"]),
    (r#"userName ne "bjensen""#, &["amartin", "jsmith", "zed"]),
    (r#"userName co "MART""#, &["amartin"]),
    (r#"userName sw "J""#, &["jsmith"]),
    (r#"userName ew "ED""#, &["zed"]),
    (r#"userName gt "j""#, &["jsmith", "zed"]),
    (r#"userName ge "jsmith""#, &["jsmith", "zed"]),
    (r#"userName lt "b""#, &["amartin"]),
    (r#"userName le "bjensen""#, &["amartin", "bjensen"]),
    (r#"externalId eq "e-1""#, &[]),
    (r#"externalId eq "E-1""#, &["bjensen"]),
    (r#"externalId pr"#, &["bjensen", "jsmith"]),
    (r#"displayName eq "john smith""#, &["jsmith"]),
    (r#"title pr"#, &["bjensen", "jsmith"]),
    (r#"not (title pr)"#, &["amartin", "zed"]),
    (r#"title eq null"#, &["amartin", "zed"]),
    (r#"title co "GUIDE""#, &["bjensen"]),
    (r#"active eq true"#, &["amartin", "bjensen"]),
    (r#"active ne true"#, &["jsmith", "zed"]),
    (r#"name.familyName eq "smith""#, &["jsmith"]),
    (
        r#"emails[type eq "work"].value eq "john.smith@example.com""#,
        &["jsmith"],
    ),
    (
        r#"emails[type eq "work" and value eq "BJENSEN@example.com"]"#,
        &["bjensen"],
    ),
    (
        r#"emails[type eq "home" and value eq "bjensen@example.com"]"#,
        &[],
    ),
    (r#"emails.value ew ".org""#, &["amartin", "bjensen"]),
    (r#"emails co "example.com""#, &["bjensen", "jsmith"]),
    (
        r#"emails[type eq "work" and primary eq true]"#,
        &["bjensen"],
    ),
    (r#"emails[not (type eq "work")]"#, &["amartin", "bjensen"]),
    (r#"emails pr"#, &["amartin", "bjensen", "jsmith"]),
    (r#"phoneNumbers.value pr"#, &["amartin"]),
    (
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "engineering""#,
        &["jsmith"],
    ),
    (r#"department sw "tour""#, &["bjensen"]),
    (
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1""#,
        &["bjensen"],
    ),
    (
        r#"userName eq "zed" or nickName eq "ANNIE""#,
        &["amartin", "zed"],
    ),
    (
        r#"(userName sw "b" or userName sw "j") and not (active eq false)"#,
        &["bjensen"],
    ),
    (r#"name pr and title pr"#, &["bjensen", "jsmith"]),
    (r#"name pr"#, &["amartin", "bjensen", "jsmith"]),
    (
        r#"meta.created gt "2000-01-01T00:00:00Z""#,
        &["amartin", "bjensen", "jsmith", "zed"],
    ),
    (r#"meta.lastModified lt "2000-01-01T00:00:00Z""#, &[]),
    (
        r#"meta.resourceType eq "User""#,
        &["amartin", "bjensen", "jsmith", "zed"],
    ),
    (r#"userName eq "o'brien\"; DROP TABLE resources; --""#, &[]),
];

pub(crate) async fn filters(s: &dyn ResourceStore) {
    let reg = registry();
    let rs = users(&reg);
    let t = tenant();
    seed(s, &t, &rs).await;
    // A look-alike in another tenant must never show.
    s.create(&tenant(), &rs, user("bjensen", json!({"title": "x"})))
        .await
        .unwrap();
    for (f, want) in FILTERS {
        let (got, total) = list(s, &t, &rs, Some(f), None, 1, 100).await;
        let got: BTreeSet<String> = got.into_iter().collect();
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want, "{f}");
        assert_eq!(total as usize, want.len(), "{f}");
    }
}

pub(crate) async fn sorting(s: &dyn ResourceStore) {
    let reg = registry();
    let rs = users(&reg);
    let t = tenant();
    seed(s, &t, &rs).await;
    let cases: &[(&str, bool, &[&str])] = &[
        ("userName", false, &["amartin", "bjensen", "jsmith", "zed"]),
        ("userName", true, &["zed", "jsmith", "bjensen", "amartin"]),
        (
            "meta.created",
            false,
            &["bjensen", "jsmith", "amartin", "zed"],
        ),
        (
            "meta.created",
            true,
            &["zed", "amartin", "jsmith", "bjensen"],
        ),
        (
            "displayName",
            true,
            &["zed", "jsmith", "bjensen", "amartin"],
        ),
        (
            "name.familyName",
            false,
            &["bjensen", "amartin", "jsmith", "zed"],
        ),
        ("emails", false, &["amartin", "bjensen", "jsmith", "zed"]),
    ];
    for (by, desc, want) in cases {
        let (got, total) = list(s, &t, &rs, None, Some((by, *desc)), 1, 100).await;
        assert_eq!(got, *want, "sortBy={by} descending={desc}");
        assert_eq!(total, 4);
    }
    // Resources without a value (absent or "") sort last ascending, first
    // descending; their order among themselves is not specified.
    for desc in [false, true] {
        let (mut got, _) = list(s, &t, &rs, None, Some(("title", desc)), 1, 100).await;
        if desc {
            got.reverse();
        }
        assert_eq!(got[..2], ["jsmith", "bjensen"], "title descending={desc}");
        let mut rest = got[2..].to_vec();
        rest.sort();
        assert_eq!(rest, ["amartin", "zed"], "title descending={desc}");
    }
    // With a filter.
    let (got, _) = list(
        s,
        &t,
        &rs,
        Some("active eq true"),
        Some(("userName", true)),
        1,
        100,
    )
    .await;
    assert_eq!(got, ["bjensen", "amartin"]);
}

pub(crate) async fn paging(s: &dyn ResourceStore) {
    let reg = registry();
    let rs = users(&reg);
    let t = tenant();
    for i in 0..7 {
        s.create(
            &t,
            &rs,
            user(
                &format!("user{i}"),
                json!({"title": if i % 2 == 0 { "even" } else { "odd" }}),
            ),
        )
        .await
        .unwrap();
    }
    let sort = Some(("userName", false));
    assert_eq!(
        list(s, &t, &rs, None, sort, 1, 3).await,
        (vec!["user0".into(), "user1".into(), "user2".into()], 7)
    );
    assert_eq!(
        list(s, &t, &rs, None, sort, 6, 3).await,
        (vec!["user5".into(), "user6".into()], 7)
    );
    assert_eq!(list(s, &t, &rs, None, sort, 8, 3).await, (vec![], 7));
    assert_eq!(list(s, &t, &rs, None, sort, 1, 0).await, (vec![], 7));
    let (page, total) = list(s, &t, &rs, Some(r#"title eq "even""#), sort, 2, 2).await;
    assert_eq!(
        (page, total),
        (vec!["user2".to_owned(), "user4".to_owned()], 4)
    );
    // Unsorted pages cover everything exactly once.
    let mut all = Vec::new();
    for start in [1, 3, 5, 7] {
        all.extend(list(s, &t, &rs, None, None, start, 2).await.0);
    }
    all.sort();
    assert_eq!(all, (0..7).map(|i| format!("user{i}")).collect::<Vec<_>>());
    // A filter the store may not push down still pages correctly.
    let (page, total) = list(s, &t, &rs, Some(r#"name pr or title eq "odd""#), sort, 2, 2).await;
    assert_eq!(
        (page, total),
        (vec!["user3".to_owned(), "user5".to_owned()], 3)
    );
}

fn member_values(r: &StoredResource) -> BTreeSet<String> {
    match r.resource.as_map().get("members") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|m| m["value"].as_str().unwrap().to_owned())
            .collect(),
        _ => BTreeSet::new(),
    }
}

pub(crate) async fn membership(s: &dyn ResourceStore) {
    let reg = registry();
    let gs = groups(&reg);
    let t = tenant();
    let g = s
        .create(
            &t,
            &gs,
            Resource::from_value(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Admins", "members": [{"value": "u1", "type": "User", "display": "One"}]}))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(member_values(&g), BTreeSet::from(["u1".to_owned()]));
    let got = s.get(&t, &gs, &g.id).await.unwrap().unwrap();
    assert_eq!(got.resource.as_map()["members"][0]["display"], "One");
    assert_eq!(got.resource.as_map()["members"][0]["type"], "User");

    let up = s
        .add_members(
            &t,
            &gs,
            &g.id,
            &[
                Member::new("u2").with_kind("User"),
                Member::new("u1"),
                Member::new("u3"),
            ],
        )
        .await
        .unwrap();
    let mut changed = up.changed.clone();
    changed.sort();
    assert_eq!(changed, ["u2", "u3"]);
    assert_ne!(up.resource.version, g.version);
    let got = s.get(&t, &gs, &g.id).await.unwrap().unwrap();
    assert_eq!(got.version, up.resource.version);
    assert_eq!(
        member_values(&got),
        BTreeSet::from(["u1".to_owned(), "u2".to_owned(), "u3".to_owned()])
    );

    // Adding only present members changes nothing, not even the version.
    let same = s
        .add_members(&t, &gs, &g.id, &[Member::new("u2")])
        .await
        .unwrap();
    assert!(same.changed.is_empty());
    assert_eq!(same.resource.version, got.version);

    let up = s
        .remove_members(&t, &gs, &g.id, &["u1".to_owned(), "nobody".to_owned()])
        .await
        .unwrap();
    assert_eq!(up.changed, ["u1"]);
    assert_ne!(up.resource.version, got.version);
    let got = s.get(&t, &gs, &g.id).await.unwrap().unwrap();
    assert_eq!(
        member_values(&got),
        BTreeSet::from(["u2".to_owned(), "u3".to_owned()])
    );

    // Filters see the members.
    let (names, _) = list(s, &t, &gs, Some(r#"members[value eq "u3"]"#), None, 1, 10).await;
    assert_eq!(names, ["Admins"]);
    let (names, _) = list(s, &t, &gs, Some(r#"members.value eq "u1""#), None, 1, 10).await;
    assert!(names.is_empty());
    // Replace rewrites the member list.
    let r = s
        .replace(
            &t,
            &gs,
            &g.id,
            Resource::from_value(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Admins", "members": [{"value": "u9"}]}),
            )
            .unwrap(),
            None,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(member_values(&r), BTreeSet::from(["u9".to_owned()]));
    assert_eq!(
        member_values(&s.get(&t, &gs, &g.id).await.unwrap().unwrap()),
        BTreeSet::from(["u9".to_owned()])
    );
    // Unknown group; other tenant.
    let e = s
        .add_members(&t, &gs, "no-such-group", &[Member::new("u1")])
        .await;
    assert!(matches!(e, Err(StoreError::NotFound { .. })), "{e:?}");
    let e = s
        .add_members(&tenant(), &gs, &g.id, &[Member::new("u1")])
        .await;
    assert!(matches!(e, Err(StoreError::NotFound { .. })), "{e:?}");
}

pub(crate) async fn concurrent_writers(s: &dyn ResourceStore) {
    let reg = registry();
    let rs = users(&reg);
    let gs = groups(&reg);
    let t = tenant();
    let u = s.create(&t, &rs, user("race", json!({}))).await.unwrap();
    // Many replaces with the same expected version: exactly one wins.
    let tries = (0..16).map(|i| {
        let (t, rs, id, v) = (t.clone(), rs.clone(), u.id.clone(), u.version.clone());
        async move {
            s.replace(
                &t,
                &rs,
                &id,
                user("race", json!({"title": format!("t{i}")})),
                Some(&v),
                &[],
            )
            .await
        }
    });
    let results = futures_join(tries).await;
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(StoreError::VersionMismatch { .. })))
    );
    // Concurrent creates of one name: exactly one wins.
    let tries = (0..16).map(|_| {
        let (t, rs) = (t.clone(), rs.clone());
        async move { s.create(&t, &rs, user("Same", json!({}))).await }
    });
    let results = futures_join(tries).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    // Concurrent member additions all land.
    let g = s
        .create(&t, &gs, Resource::from_value(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G"})).unwrap())
        .await
        .unwrap();
    let adds = (0..24).map(|i| {
        let (t, gs, id) = (t.clone(), gs.clone(), g.id.clone());
        async move {
            s.add_members(&t, &gs, &id, &[Member::new(format!("m{i:02}"))])
                .await
        }
    });
    for r in futures_join(adds).await {
        assert_eq!(r.unwrap().changed.len(), 1);
    }
    let got = s.get(&t, &gs, &g.id).await.unwrap().unwrap();
    assert_eq!(member_values(&got).len(), 24);
}

/// Many creates at once, some of them taking a name already in use (on
/// SQLite they share group commits): every distinct name lands with its
/// e-mail row, every duplicate fails alone as a `userName` conflict, and a
/// failed insert leaves nothing behind.
pub(crate) async fn concurrent_creates(s: &dyn ResourceStore) {
    let reg = registry();
    let rs = users(&reg);
    let t = tenant();
    s.create(&t, &rs, user("taken", json!({}))).await.unwrap();
    let tries = (0..40).map(|i| {
        let (t, rs) = (t.clone(), rs.clone());
        let name = if i % 10 == 3 {
            "TAKEN".to_owned()
        } else {
            format!("batch{i:02}")
        };
        let email = json!({"emails": [{"type": "work", "value": format!("{name}@batch.example")}]});
        async move { (name.clone(), s.create(&t, &rs, user(&name, email)).await) }
    });
    let results = futures_join(tries).await;
    let mut created = 0;
    for (name, r) in &results {
        if name == "TAKEN" {
            match r {
                Err(StoreError::Conflict { detail }) => {
                    assert!(detail.contains("userName"), "{detail}")
                }
                other => panic!("{name}: expected a conflict, got {other:?}"),
            }
        } else {
            let got = r.as_ref().unwrap();
            assert_eq!(name_of(got), *name);
            created += 1;
        }
    }
    assert_eq!(created, 36);
    let (names, total) = list(s, &t, &rs, Some(r#"userName sw "batch""#), None, 1, 100).await;
    assert_eq!(total, 36, "{names:?}");
    let (names, _) = list(
        s,
        &t,
        &rs,
        Some(r#"emails[type eq "work" and value eq "batch07@batch.example"]"#),
        None,
        1,
        100,
    )
    .await;
    assert_eq!(names, vec!["batch07".to_owned()]);
    // The duplicates left no e-mail rows: their address finds nobody.
    let (names, _) = list(
        s,
        &t,
        &rs,
        Some(r#"emails.value eq "TAKEN@batch.example""#),
        None,
        1,
        100,
    )
    .await;
    assert!(names.is_empty(), "{names:?}");
    let (names, total) = list(s, &t, &rs, Some(r#"userName eq "taken""#), None, 1, 100).await;
    assert_eq!((names.len(), total), (1, 1));
}

/// Runs futures concurrently on the current task.
async fn futures_join<F: std::future::Future>(fs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let fs: Vec<_> = fs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = fs.iter().map(|_| None).collect();
    let mut fs: Vec<_> = fs.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, slot) in fs.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}

fn group_doc(name: &str, members: &[&str]) -> Resource {
    let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
    Resource::from_value(
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": name, "members": members}),
    )
    .unwrap()
}

/// `missing_ids` answers, per tenant, which ids name no User or Group.
pub(crate) async fn missing_ids(s: &dyn ResourceStore) {
    let reg = registry();
    let (us, gs) = (users(&reg), groups(&reg));
    let t = tenant();
    let u = s.create(&t, &us, user("present", json!({}))).await.unwrap();
    let g = s.create(&t, &gs, group_doc("G", &[])).await.unwrap();
    let other = tenant();
    let foreign = s
        .create(&other, &us, user("foreign", json!({})))
        .await
        .unwrap();
    let ask = [
        u.id.clone(),
        "nobody".to_owned(),
        g.id.clone(),
        foreign.id.clone(),
        u.id.to_uppercase(),
    ];
    let mut missing = s
        .missing_ids(&t, &[us.as_ref(), gs.as_ref()], &ask)
        .await
        .unwrap();
    missing.sort();
    let mut want = vec!["nobody".to_owned(), foreign.id.clone(), u.id.to_uppercase()];
    want.sort();
    assert_eq!(missing, want, "only this tenant's ids, compared exactly");
    // Only the types asked for count.
    let missing = s
        .missing_ids(&t, &[us.as_ref()], std::slice::from_ref(&g.id))
        .await
        .unwrap();
    assert_eq!(missing, vec![g.id.clone()]);
}

/// Deleting a resource takes it out of every group that lists it, and those
/// groups get a new version; groups without it keep theirs.
pub(crate) async fn delete_leaves_groups(s: &dyn ResourceStore) {
    let reg = registry();
    let (us, gs) = (users(&reg), groups(&reg));
    let t = tenant();
    let u = s.create(&t, &us, user("leaver", json!({}))).await.unwrap();
    let stay = s.create(&t, &us, user("stayer", json!({}))).await.unwrap();
    let child = s.create(&t, &gs, group_doc("Child", &[])).await.unwrap();
    let a = s
        .create(&t, &gs, group_doc("A", &[&u.id, &stay.id, &child.id]))
        .await
        .unwrap();
    let b = s.create(&t, &gs, group_doc("B", &[&u.id])).await.unwrap();
    let c = s
        .create(&t, &gs, group_doc("C", &[&stay.id]))
        .await
        .unwrap();
    // The same id as a member in another tenant is not touched.
    let other = tenant();
    let o = s
        .create(&other, &gs, group_doc("O", &[&u.id]))
        .await
        .unwrap();

    s.delete(&t, &us, &u.id, None).await.unwrap();
    let got = |id: String, tt: TenantId| {
        let gs = gs.clone();
        async move { s.get(&tt, &gs, &id).await.unwrap().unwrap() }
    };
    let a2 = got(a.id.clone(), t.clone()).await;
    assert_eq!(
        member_values(&a2),
        BTreeSet::from([stay.id.clone(), child.id.clone()])
    );
    assert_ne!(
        a2.version, a.version,
        "a group that lost a member changes version"
    );
    assert!(a2.last_modified >= a.last_modified);
    let b2 = got(b.id.clone(), t.clone()).await;
    assert!(member_values(&b2).is_empty());
    assert_ne!(b2.version, b.version);
    let c2 = got(c.id.clone(), t.clone()).await;
    assert_eq!(
        c2.version, c.version,
        "an unrelated group keeps its version"
    );
    let o2 = got(o.id.clone(), other.clone()).await;
    assert_eq!(member_values(&o2), BTreeSet::from([u.id.clone()]));
    assert_eq!(o2.version, o.version);
    // A filter on the member finds nothing any more.
    let (names, _) = list(
        s,
        &t,
        &gs,
        Some(&format!("members[value eq \"{}\"]", u.id)),
        None,
        1,
        10,
    )
    .await;
    assert!(names.is_empty(), "{names:?}");

    // Deleting a group takes it out of its parent groups too.
    s.delete(&t, &gs, &child.id, None).await.unwrap();
    let a3 = got(a.id.clone(), t.clone()).await;
    assert_eq!(member_values(&a3), BTreeSet::from([stay.id.clone()]));
    assert_ne!(a3.version, a2.version);
}

/// More e-mail rows than one SQLite or PostgreSQL statement can bind.
const MANY_EMAILS: usize = 14_000;
/// More member rows than one statement of either database holds.
const MANY_MEMBERS: usize = 20_000;

/// Requests whose side rows need more bound parameters than one statement
/// may carry (SQLite 32,766, PostgreSQL 65,535) are written in several
/// statements of one transaction, not refused with a 500.
pub(crate) async fn many_binds(s: &dyn ResourceStore) {
    let reg = registry();
    let (us, gs) = (users(&reg), groups(&reg));
    let t = tenant();
    let emails = |n: usize| -> Value {
        (0..n)
            .map(|i| json!({"type": "work", "value": format!("e{i}@example.com")}))
            .collect()
    };
    let u = s
        .create(
            &t,
            &us,
            user("many-emails", json!({"emails": emails(MANY_EMAILS)})),
        )
        .await
        .unwrap();
    let got = s.get(&t, &us, &u.id).await.unwrap().unwrap();
    assert_eq!(
        got.resource.as_map()["emails"].as_array().unwrap().len(),
        MANY_EMAILS
    );
    let last = format!("emails.value eq \"e{}@example.com\"", MANY_EMAILS - 1);
    let (names, _) = list(s, &t, &us, Some(&last), None, 1, 10).await;
    assert_eq!(names, ["many-emails"], "the last e-mail row was written");
    let r = s
        .replace(
            &t,
            &us,
            &u.id,
            user("many-emails", json!({"emails": emails(MANY_EMAILS + 1)})),
            None,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        r.resource.as_map()["emails"].as_array().unwrap().len(),
        MANY_EMAILS + 1
    );

    // Members: created with the group, added, removed, all in one call each.
    let ids = |from: usize| -> Vec<String> {
        (from..from + MANY_MEMBERS)
            .map(|i| format!("m{i:06}"))
            .collect()
    };
    let first = ids(0);
    let refs: Vec<&str> = first.iter().map(String::as_str).collect();
    let g = s.create(&t, &gs, group_doc("Big", &refs)).await.unwrap();
    let second: Vec<Member> = ids(MANY_MEMBERS).into_iter().map(Member::new).collect();
    let up = s.add_members(&t, &gs, &g.id, &second).await.unwrap();
    assert_eq!(up.changed.len(), MANY_MEMBERS);
    let got = s.get(&t, &gs, &g.id).await.unwrap().unwrap();
    assert_eq!(member_values(&got).len(), 2 * MANY_MEMBERS);
    let up = s.remove_members(&t, &gs, &g.id, &first).await.unwrap();
    assert_eq!(up.changed.len(), MANY_MEMBERS);
    let got = s.get(&t, &gs, &g.id).await.unwrap().unwrap();
    let want: BTreeSet<String> = ids(MANY_MEMBERS).into_iter().collect();
    assert_eq!(member_values(&got), want);

    // Existence checks over more ids than one statement binds.
    let mut ask = ids(0);
    ask.extend(ids(MANY_MEMBERS));
    ask.push(u.id.clone());
    let missing = s
        .missing_ids(&t, &[us.as_ref(), gs.as_ref()], &ask)
        .await
        .unwrap();
    assert_eq!(missing.len(), 2 * MANY_MEMBERS);
    assert!(!missing.contains(&u.id));
}
