//! `sortBy` ordering (RFC 7644 §3.4.2.3): by type, `caseExact` respected,
//! multi-valued by the primary value or else the first, missing values last.

use std::cmp::Ordering::{self, Equal, Greater, Less};

use scimkit_filter::{ParseOptions, parse_attr_path};
use scimkit_schema::Resource;
use scimkit_schema::eval::{SortKey, compare_resources};
use serde_json::{Value, json};

use super::{fixture, users};

/// Sorts the fixtures (in the given order, stable) by `sort_by` and compares
/// the resulting order with `want`.
fn check_order(sort_by: &str, input: &[&str], want: &[&str]) {
    let rs = users();
    let path = parse_attr_path(sort_by, &ParseOptions::default()).unwrap();
    let key = SortKey::new(&path, &rs).unwrap();
    let mut list: Vec<(&str, Resource)> = input.iter().map(|n| (*n, fixture(n))).collect();
    list.sort_by(|a, b| key.compare(&a.1, &b.1));
    let got: Vec<&str> = list.iter().map(|(n, _)| *n).collect();
    assert_eq!(got, want, "sortBy={sort_by}");
}

/// Compares two ad-hoc resources with `compare_resources`.
fn check_pair(sort_by: &str, a: Value, b: Value, want: Ordering) {
    let rs = users();
    let path = parse_attr_path(sort_by, &ParseOptions::default()).unwrap();
    let (ra, rb) = (
        Resource::from_value(a.clone()).unwrap(),
        Resource::from_value(b.clone()).unwrap(),
    );
    assert_eq!(
        compare_resources(&ra, &rb, &path, &rs),
        want,
        "sortBy={sort_by}: {a} vs {b}"
    );
    assert_eq!(
        compare_resources(&rb, &ra, &path, &rs),
        want.reverse(),
        "sortBy={sort_by}: {b} vs {a}"
    );
}

const ALL: [&str; 6] = ["jsmith", "intern", "split", "empty", "unicode", "custom"];

#[test]
fn fixtures_in_order() {
    // userName is not caseExact; "é" sorts after ASCII letters.
    check_order(
        "userName",
        &ALL,
        &["intern", "split", "custom", "empty", "jsmith", "unicode"],
    );
    // "" counts as no value; missing values keep their order, last.
    check_order(
        "title",
        &ALL,
        &["jsmith", "intern", "split", "empty", "unicode", "custom"],
    );
    // dateTimes as instants: 2010 < 2011-05-13T06:42:34.500+02:00.
    check_order(
        "meta.created",
        &["intern", "empty", "jsmith"],
        &["jsmith", "intern", "empty"],
    );
    // emails: the primary value (jsmith@…), else the first (split@x.com).
    check_order(
        "emails",
        &ALL,
        &["intern", "jsmith", "split", "empty", "unicode", "custom"],
    );
    check_order(
        "emails.value",
        &ALL,
        &["intern", "jsmith", "split", "empty", "unicode", "custom"],
    );
    check_order("emails.type", &["jsmith", "split"], &["split", "jsmith"]);
    // booleans: false before true.
    check_order(
        "active",
        &ALL,
        &["intern", "jsmith", "split", "empty", "unicode", "custom"],
    );
    check_order(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        &["intern", "jsmith"],
        &["jsmith", "intern"],
    );
}

#[test]
fn pairs() {
    let cases = [
        // caseExact false: case ignored; true: code-point order.
        (
            "userName",
            json!({"userName": "a"}),
            json!({"userName": "B"}),
            Less,
        ),
        (
            "userName",
            json!({"userName": "ABC"}),
            json!({"userName": "abc"}),
            Equal,
        ),
        (
            "externalId",
            json!({"externalId": "a"}),
            json!({"externalId": "B"}),
            Greater,
        ),
        // dateTime: instants, not text.
        (
            "meta.lastModified",
            json!({"meta": {"lastModified": "2011-05-13T06:42:34+02:00"}}),
            json!({"meta": {"lastModified": "2011-05-13T04:42:35Z"}}),
            Less,
        ),
        // numbers: numerically, integers and decimals mixed.
        (
            "level",
            ext(json!({"level": 10})),
            ext(json!({"level": 9})),
            Greater,
        ),
        (
            "score",
            ext(json!({"score": 2.5})),
            ext(json!({"score": 10})),
            Less,
        ),
        (
            "level",
            ext(json!({"level": 3})),
            ext(json!({"level": 3.0})),
            Equal,
        ),
        // missing, null, empty and wrongly typed values sort last.
        ("userName", json!({"userName": "z"}), json!({}), Less),
        (
            "userName",
            json!({"userName": "z"}),
            json!({"userName": null}),
            Less,
        ),
        (
            "level",
            ext(json!({"level": 1})),
            ext(json!({"level": "1"})),
            Less,
        ),
        (
            "emails",
            json!({"emails": [{"value": "z@x"}]}),
            json!({"emails": []}),
            Less,
        ),
        ("userName", json!({}), json!({"userName": null}), Equal),
        // multi-valued: primary wins over position.
        (
            "emails",
            json!({"emails": [{"value": "a@x"}, {"value": "z@x", "primary": true}]}),
            json!({"emails": [{"value": "m@x"}]}),
            Greater,
        ),
        (
            "tags",
            ext(json!({"tags": ["b", "a"]})),
            ext(json!({"tags": ["A", "z"]})),
            Greater,
        ),
        // unknown attribute: no order.
        ("nope", json!({"nope": 1}), json!({"nope": 2}), Equal),
    ];
    for (sort_by, a, b, want) in cases {
        check_pair(sort_by, a, b, want);
    }
}

#[test]
fn sort_key_errors() {
    let rs = users();
    for (sort_by, words) in [("nope", "nope"), ("name", "sub-attributes")] {
        let path = parse_attr_path(sort_by, &ParseOptions::default()).unwrap();
        let e = SortKey::new(&path, &rs).unwrap_err();
        assert_eq!(e.status, 400, "{sort_by}");
        assert!(e.detail.contains(words), "{sort_by}: {}", e.detail);
    }
}

fn ext(v: Value) -> Value {
    json!({ super::CORNER: v })
}

/// `sortBy` on a `returned: never` attribute is `400 invalidValue` naming it:
/// the order of the results would reveal the secret.
#[test]
fn secrets_are_not_sortable() {
    let rs = users();
    for sort_by in [
        "password",
        "PassWord",
        "urn:ietf:params:scim:schemas:core:2.0:User:password",
        "pin",
        "keys.secret",
        "vault",
        "vault.value",
    ] {
        let path = parse_attr_path(sort_by, &ParseOptions::default()).unwrap();
        let err = SortKey::new(&path, &rs).unwrap_err();
        assert_eq!(err.status, 400, "{sort_by}");
        assert_eq!(
            err.scim_type.as_ref().map(|t| t.as_str()),
            Some("invalidValue"),
            "{sort_by}"
        );
        assert!(err.detail.contains(sort_by), "{sort_by}: {}", err.detail);
        assert!(err.detail.contains("never returned"), "{}", err.detail);
    }
    for ok in ["keys.kid", "vault.label"] {
        let path = parse_attr_path(ok, &ParseOptions::default()).unwrap();
        assert!(SortKey::new(&path, &rs).is_ok(), "{ok}");
    }
}
