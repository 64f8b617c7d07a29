//! Filters, sorting and paging, through `finish_list` as the engine lists.

use super::support::*;
use std::collections::BTreeSet;

use scimkit_schema::ResourceSchema;
use scimkit_service::{ResourceStore, TenantId};
use serde_json::json;

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

pub(super) async fn filters(s: &dyn ResourceStore) {
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

pub(super) async fn sorting(s: &dyn ResourceStore) {
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

pub(super) async fn paging(s: &dyn ResourceStore) {
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
