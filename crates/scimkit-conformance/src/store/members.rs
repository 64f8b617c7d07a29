//! Group membership: add and remove members, `missing_ids`, deletes that
//! leave groups, requests with more side rows than one statement binds.

use super::support::*;
use std::collections::BTreeSet;

use scimkit_schema::Resource;
use scimkit_service::{Member, ResourceStore, StoreError, TenantId};
use serde_json::{Value, json};

pub(super) async fn membership(s: &dyn ResourceStore) {
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

/// `missing_ids` answers, per tenant, which ids name no User or Group.
pub(super) async fn missing_ids(s: &dyn ResourceStore) {
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
pub(super) async fn delete_leaves_groups(s: &dyn ResourceStore) {
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
pub(super) async fn many_binds(s: &dyn ResourceStore) {
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
