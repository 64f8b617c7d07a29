//! The translator checked against the in-memory evaluator: for every filter of
//! a corpus, the store's answer equals `CompiledFilter::matches` over the
//! same resources, and the filters that must go to SQL exactly do.

use chrono::{TimeZone, Utc};
use scimkit_filter::parse_filter;
use scimkit_schema::eval::{CompiledFilter, SortKey};
use scimkit_schema::{Compat, Registry};
use serde_json::{Value, json};

use crate::SqlStore;
use crate::record::ListQuery;

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn users() -> Vec<Value> {
    vec![
        json!({"userName": "bjensen@example.com", "externalId": "ext-1", "displayName": "Barbara Jensen",
               "name": {"givenName": "Barbara", "familyName": "Jensen"}, "active": true, "title": "Tour Guide",
               "emails": [{"type": "work", "value": "BJensen@Example.com", "primary": true}, {"type": "home", "value": "babs@home.org"}],
               ENT: {"employeeNumber": "701984", "department": "Tour Operations", "manager": {"value": "m-1"}},
               "x509Certificates": [], "nickName": ""}),
        json!({"userName": "jsmith", "externalId": "EXT-2", "displayName": "John Smith", "active": false,
               "name": {"givenName": "John", "familyName": "Smith"}, "title": "Engineer",
               "emails": [{"type": "work", "value": "jsmith@example.com"}],
               ENT: {"department": "Engineering"}}),
        json!({"userName": "Ünïcode", "displayName": "Émile", "active": true, "nickName": "emi",
               "emails": [{"type": "other", "value": "emile@example.org"}], "phoneNumbers": [{"value": "555-1234", "type": "mobile"}]}),
        json!({"userName": "nobody"}),
        json!({"userName": "o'brien\"; DROP TABLE resources; --", "title": "100% _real_", "displayName": "O'Brien"}),
    ]
}

const FILTERS: &[(&str, bool)] = &[
    // (filter, must be exact in SQL)
    (r#"userName eq "bjensen@example.com""#, true),
    (r#"userName eq "BJENSEN@example.com""#, true),
    (r#"userName eq "ünïcode""#, true),
    (r#"externalId eq "ext-1""#, true),
    (r#"externalId eq "EXT-1""#, true),
    (r#"displayName eq "barbara jensen""#, true),
    (
        r#"emails[type eq "work"].value eq "bjensen@example.com""#,
        true,
    ),
    (
        r#"emails[type eq "work" and value eq "jsmith@EXAMPLE.com"]"#,
        true,
    ),
    (r#"emails.value eq "babs@home.org""#, true),
    (r#"emails[value eq "babs@home.org"]"#, true),
    (r#"emails co "example""#, true),
    (r#"emails[type eq "home" or value ew ".org"]"#, true),
    (r#"emails[not (type eq "work")]"#, true),
    (r#"emails.type ne "work""#, true),
    (r#"userName sw "J""#, true),
    (r#"userName ew ".COM""#, true),
    (r#"userName co "smi""#, true),
    (r#"userName gt "j""#, true),
    (r#"userName le "jsmith""#, true),
    (r#"userName co "%""#, true),
    (r#"title co "%""#, true),
    (r#"title co "_r""#, true),
    (r#"title sw "tour""#, true),
    (r#"title eq "engineer""#, true),
    (r#"title ne "engineer""#, true),
    (r#"title pr"#, true),
    (r#"nickName pr"#, true),
    (r#"nickName eq null"#, true),
    (r#"title ne null"#, true),
    (r#"not (title pr)"#, true),
    (r#"not (title eq "Engineer")"#, true),
    (r#"name.familyName eq "jensen""#, true),
    (r#"name.givenName sw "J" or name.familyName sw "J""#, true),
    (r#"name pr"#, false),
    (r#"active eq true"#, true),
    (r#"active eq false"#, true),
    (r#"active ne true"#, true),
    (
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "engineering""#,
        true,
    ),
    (r#"department sw "tour""#, true),
    (
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m-1""#,
        true,
    ),
    (r#"employeeNumber gt "7""#, true),
    (r#"meta.created gt "2020-01-01T00:00:00Z""#, true),
    (r#"meta.lastModified lt "2020-01-01T00:00:00Z""#, true),
    (r#"meta.created eq "2021-01-01T00:00:01+00:00""#, true),
    (r#"meta.resourceType eq "User""#, false),
    (r#"id pr"#, true),
    (r#"phoneNumbers pr"#, false),
    (r#"phoneNumbers.value pr"#, true),
    (r#"x509Certificates.value pr"#, true),
    (r#"title eq "Émile""#, false),
    (r#"displayName eq "ÉMILE""#, true),
    (
        r#"userName eq "bjensen@example.com" and title eq "ÉMILE""#,
        false,
    ),
    (
        r#"userName eq "bjensen@example.com" or title eq "ÉMILE""#,
        false,
    ),
    (
        r#"(userName eq "jsmith" or userName eq "nobody") and active eq false"#,
        true,
    ),
    (r#"userName eq "o'brien\"; DROP TABLE resources; --""#, true),
    (
        r#"schemas eq "urn:ietf:params:scim:schemas:core:2.0:User""#,
        true,
    ),
    (r#"not (emails[type eq "work"])"#, true),
    (r#"emails[type eq "work" and primary eq true]"#, true),
];

async fn check(store: &SqlStore, tenant: &str) {
    let registry = Registry::core();
    let rs = registry.resource_type("User").unwrap();
    let compat = Compat::default();
    let mut stored = Vec::new();
    for (i, u) in users().into_iter().enumerate() {
        let mut doc = u.as_object().unwrap().clone();
        doc.insert(
            "schemas".into(),
            json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT]),
        );
        let now = Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, i as u32).unwrap();
        let (rec, _) = store
            .insert(tenant, rs, &format!("u{i}"), doc, now)
            .await
            .unwrap();
        stored.push(rec);
    }
    // Another tenant's look-alike must never show.
    store
        .insert(
            &format!("{tenant}-other"),
            rs,
            "u0",
            users()[0].as_object().unwrap().clone(),
            Utc::now(),
        )
        .await
        .unwrap();
    for (text, must_be_exact) in FILTERS {
        let f = parse_filter(text, &compat.parse).unwrap();
        let compiled = CompiledFilter::new(&f, rs, &compat).unwrap();
        let mut want: Vec<&str> = stored
            .iter()
            .filter(|r| compiled.matches(&r.to_resource("User")))
            .map(|r| r.id.as_str())
            .collect();
        want.sort_unstable();
        let q = ListQuery {
            filter: Some(&compiled),
            sort: None,
            start_index: 1,
            count: None,
            load_members: true,
        };
        let page = store
            .query(tenant, rs, &q)
            .await
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        // What the store declined, the engine finishes in memory.
        let mut got: Vec<&str> = page
            .records
            .iter()
            .filter(|r| page.filter_pushed_down || compiled.matches(&r.to_resource("User")))
            .map(|r| r.id.as_str())
            .collect();
        got.sort_unstable();
        assert_eq!(got, want, "{text}");
        if page.paged {
            assert_eq!(page.total, want.len(), "{text}");
        }
        assert_eq!(
            page.filter_pushed_down, *must_be_exact,
            "{text}: pushed down"
        );
    }
    // Sorting and paging agree with SortKey.
    for (path, desc) in [
        ("userName", false),
        ("userName", true),
        ("meta.created", true),
        ("title", false),
        ("name.familyName", false),
    ] {
        let key = SortKey::new(
            &scimkit_filter::parse_attr_path(path, &compat.parse).unwrap(),
            rs,
        )
        .unwrap();
        let mut want: Vec<_> = stored
            .iter()
            .map(|r| (r.to_resource("User"), r.id.clone()))
            .collect();
        want.sort_by(|a, b| {
            let o = key.compare(&a.0, &b.0);
            if desc { o.reverse() } else { o }
        });
        let want: Vec<String> = want.into_iter().map(|(_, id)| id).collect();
        let mut got = Vec::new();
        for start in [1usize, 3, 5] {
            let q = ListQuery {
                filter: None,
                sort: Some((&key, desc)),
                start_index: start,
                count: Some(2),
                load_members: true,
            };
            let page = store.query(tenant, rs, &q).await.unwrap();
            if page.paged {
                assert_eq!(page.total, want.len(), "{path}");
                got.extend(page.records.into_iter().map(|r| r.id));
            } else {
                assert!(!page.sort_pushed_down, "{path}");
                let mut all: Vec<_> = page
                    .records
                    .iter()
                    .map(|r| (r.to_resource("User"), r.id.clone()))
                    .collect();
                all.sort_by(|a, b| {
                    let o = key.compare(&a.0, &b.0);
                    if desc { o.reverse() } else { o }
                });
                got.extend(all.into_iter().skip(start - 1).take(2).map(|(_, id)| id));
            }
        }
        assert_eq!(got, want, "sort by {path} desc={desc}");
    }
}

#[tokio::test]
async fn sqlite_agrees_with_the_evaluator() {
    let store = SqlStore::sqlite(crate::SqliteOptions::in_memory())
        .await
        .unwrap();
    check(&store, "t1").await;
}

/// The same on a database file, whose reads go through the connections of
/// `sqlite::readers` (the in-memory database above reads through sqlx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_agrees_with_the_evaluator() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::sqlite(crate::SqliteOptions::file(dir.path().join("agree.db")))
        .await
        .unwrap();
    check(&store, "t1").await;
    store.close().await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_agrees_with_the_evaluator() {
    let url = std::env::var("SCIMKIT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("scimkit_unit_{}", uuid::Uuid::new_v4().simple());
    let store = SqlStore::postgres(crate::PostgresOptions::url(url).schema(schema))
        .await
        .unwrap();
    check(&store, "t1").await;
}
