//! Concurrent writers: compare-and-swap, unique names and member additions
//! under contention.

use super::support::*;

use scimkit_schema::Resource;
use scimkit_service::{Member, ResourceStore, StoreError};
use serde_json::json;

pub(super) async fn concurrent_writers(s: &dyn ResourceStore) {
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
pub(super) async fn concurrent_creates(s: &dyn ResourceStore) {
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
