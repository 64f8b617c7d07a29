//! The JSON form of every node kind (feature `serde`).

use scimkit_filter::{ParseOptions, parse_filter, parse_patch_path};
use serde_json::{Value, json};

fn filter_json(input: &str) -> Value {
    serde_json::to_value(parse_filter(input, &ParseOptions::default()).unwrap()).unwrap()
}

fn path_json(input: &str) -> Value {
    serde_json::to_value(parse_patch_path(input, &ParseOptions::default()).unwrap()).unwrap()
}

#[test]
fn filter_nodes() {
    let cases: Vec<(&str, Value)> = vec![
        (
            r#"userName eq "bjensen""#,
            json!({"cmp": "eq", "path": {"attr": "userName"}, "value": "bjensen"}),
        ),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName SW "B""#,
            json!({"cmp": "sw", "path": {
                "attr": "name", "sub": "givenName",
                "schema": "urn:ietf:params:scim:schemas:core:2.0:User"
            }, "value": "B"}),
        ),
        (
            "a eq null",
            json!({"cmp": "eq", "path": {"attr": "a"}, "value": null}),
        ),
        (
            "a ne true",
            json!({"cmp": "ne", "path": {"attr": "a"}, "value": true}),
        ),
        (
            "a gt 42",
            json!({"cmp": "gt", "path": {"attr": "a"}, "value": 42}),
        ),
        (
            "a gt -42",
            json!({"cmp": "gt", "path": {"attr": "a"}, "value": -42}),
        ),
        (
            "a gt 18446744073709551615",
            json!({"cmp": "gt", "path": {"attr": "a"}, "value": 18446744073709551615u64}),
        ),
        (
            "a lt 2.5",
            json!({"cmp": "lt", "path": {"attr": "a"}, "value": 2.5}),
        ),
        (
            "a lt 1e3",
            json!({"cmp": "lt", "path": {"attr": "a"}, "value": 1000.0}),
        ),
        ("title pr", json!({"pr": {"attr": "title"}})),
        (
            "a pr and b pr and c pr",
            json!({"and": [{"pr": {"attr": "a"}}, {"pr": {"attr": "b"}}, {"pr": {"attr": "c"}}]}),
        ),
        (
            "a pr or b pr",
            json!({"or": [{"pr": {"attr": "a"}}, {"pr": {"attr": "b"}}]}),
        ),
        ("not (a pr)", json!({"not": {"pr": {"attr": "a"}}})),
        (
            r#"emails[type eq "work"]"#,
            json!({"valuePath": {"attr": "emails"},
                   "filter": {"cmp": "eq", "path": {"attr": "type"}, "value": "work"}}),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(filter_json(input), want, "{input}");
    }
}

#[test]
fn patch_path_nodes() {
    assert_eq!(
        path_json("name.familyName"),
        json!({"attr": "name", "sub": "familyName"})
    );
    assert_eq!(
        path_json(r#"members[value eq "x"]"#),
        json!({"valuePath": {"attr": "members"},
               "filter": {"cmp": "eq", "path": {"attr": "value"}, "value": "x"}})
    );
    assert_eq!(
        path_json(r#"addresses[type eq "work"].streetAddress"#),
        json!({"valuePath": {"attr": "addresses"},
               "filter": {"cmp": "eq", "path": {"attr": "type"}, "value": "work"},
               "subAttr": "streetAddress"})
    );
}

#[test]
fn field_order_is_fixed() {
    let f = parse_filter(r#"urn:x:y:name.givenName eq "x""#, &ParseOptions::default()).unwrap();
    assert_eq!(
        serde_json::to_string(&f).unwrap(),
        r#"{"cmp":"eq","path":{"attr":"name","sub":"givenName","schema":"urn:x:y"},"value":"x"}"#
    );
    let p = parse_patch_path(r#"a[b pr].c"#, &ParseOptions::default()).unwrap();
    assert_eq!(
        serde_json::to_string(&p).unwrap(),
        r#"{"valuePath":{"attr":"a"},"filter":{"pr":{"attr":"b"}},"subAttr":"c"}"#
    );
}
