//! Projection (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §2.2 `returned`) over the
//! RFC 7643 §8.2 full User, with the §8.3 Enterprise User extension added
//! where a case needs it.

use scimkit_filter::ParseOptions;
use scimkit_schema::project::{Projection, project};
use scimkit_schema::{
    AttrType, AttributeDef, ENTERPRISE_USER_SCHEMA, Registry, Resource, ResourceType, Returned,
    Schema,
};
use serde_json::{Value, json};

const ENT: &str = ENTERPRISE_USER_SCHEMA;

fn full_user() -> Value {
    let path = format!(
        "{}/tests/data/project/full_user.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The §8.3 Enterprise User: the full user plus the extension.
fn enterprise_user() -> Value {
    let mut u = full_user();
    u["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT]);
    u[ENT] = json!({
        "employeeNumber": "701984",
        "costCenter": "4130",
        "organization": "Universal Studios",
        "division": "Theme Park",
        "department": "Tour Operations",
        "manager": {
            "value": "26118915-6090-4c49-9c12-0011050119a5",
            "$ref": "../Users/26118915-6090-4c49-9c12-0011050119a5",
            "displayName": "John Smith"
        }
    });
    u
}

fn without(mut v: Value, keys: &[&str]) -> Value {
    for k in keys {
        v.as_object_mut().unwrap().shift_remove(*k);
    }
    v
}

/// `schemas` and `id` of the full user plus `rest`.
fn always(rest: Value) -> Value {
    let mut out = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646"
    });
    for (k, v) in rest.as_object().unwrap() {
        out[k] = v.clone();
    }
    out
}

fn check(resource: &Value, attributes: Option<&str>, excluded: Option<&str>, want: &Value) {
    let registry = Registry::core();
    let users = registry.resource_type("User").unwrap();
    let p = Projection::parse(attributes, excluded, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("attributes={attributes:?} excluded={excluded:?}: {e}"));
    let got = project(&Resource::from_value(resource.clone()).unwrap(), users, &p);
    // Compare the bytes: key order is part of the contract.
    assert_eq!(
        serde_json::to_string_pretty(&got).unwrap(),
        serde_json::to_string_pretty(want).unwrap(),
        "attributes={attributes:?} excludedAttributes={excluded:?}"
    );
}

#[test]
fn core_user_table() {
    let u = full_user();
    let cases: Vec<(Option<&str>, Option<&str>, Value)> = vec![
        // Default: everything but `returned: never` (password).
        (None, None, without(u.clone(), &["password"])),
        (Some(""), Some("  "), without(u.clone(), &["password"])),
        (
            Some("userName"),
            None,
            always(json!({"userName": "bjensen@example.com"})),
        ),
        (
            Some(" userName , displayName "),
            None,
            always(json!({"userName": "bjensen@example.com", "displayName": "Babs Jensen"})),
        ),
        (
            Some("USERNAME"),
            None,
            always(json!({"userName": "bjensen@example.com"})),
        ),
        (
            Some("name.givenName"),
            None,
            always(json!({"name": {"givenName": "Barbara"}})),
        ),
        (
            Some("Name.FamilyName,name.givenName"),
            None,
            always(json!({"name": {"familyName": "Jensen", "givenName": "Barbara"}})),
        ),
        (
            Some("name"),
            None,
            always(json!({"name": u["name"].clone()})),
        ),
        (
            Some("emails.value"),
            None,
            always(
                json!({"emails": [{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}]}),
            ),
        ),
        (
            Some("emails.primary"),
            None,
            always(json!({"emails": [{"primary": true}]})),
        ),
        (
            Some("urn:ietf:params:scim:schemas:core:2.0:User:userName"),
            None,
            always(json!({"userName": "bjensen@example.com"})),
        ),
        (
            Some("meta.created"),
            None,
            always(json!({"meta": {"created": "2010-01-23T04:56:22Z"}})),
        ),
        (Some("password"), None, always(json!({}))),
        (Some("noSuchAttribute"), None, always(json!({}))),
        (Some("id"), None, always(json!({}))),
        (
            Some("groups.display"),
            None,
            always(json!({"groups": [
                {"display": "Tour Guides"}, {"display": "Employees"}, {"display": "US Employees"}
            ]})),
        ),
        (
            None,
            Some("meta,emails"),
            without(u.clone(), &["password", "meta", "emails"]),
        ),
        // `always` attributes cannot be excluded.
        (None, Some("id,schemas"), without(u.clone(), &["password"])),
        (None, Some("password"), without(u.clone(), &["password"])),
        (
            None,
            Some("noSuchAttribute"),
            without(u.clone(), &["password"]),
        ),
        (None, Some("emails.type,name.middleName"), {
            let mut w = without(u.clone(), &["password"]);
            for e in w["emails"].as_array_mut().unwrap() {
                e.as_object_mut().unwrap().shift_remove("type");
            }
            w["name"]
                .as_object_mut()
                .unwrap()
                .shift_remove("middleName");
            w
        }),
    ];
    for (a, e, want) in &cases {
        check(&u, *a, *e, want);
    }
}

#[test]
fn enterprise_extension_table() {
    let u = enterprise_user();
    let both = json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT]);
    let with_schemas = |rest: Value| {
        let mut v = always(rest);
        v["schemas"] = both.clone();
        v
    };
    let ent_dept = format!("{ENT}:department");
    let ent_mgr = format!("{ENT}:manager.value");
    let ent_mgr_whole = format!("{ENT}:manager");
    let cases: Vec<(Option<&str>, Option<&str>, Value)> = vec![
        (None, None, without(u.clone(), &["password"])),
        (
            Some(&ent_dept),
            None,
            with_schemas(json!({ENT: {"department": "Tour Operations"}})),
        ),
        // Unqualified names of extension attributes resolve too.
        (
            Some("department"),
            None,
            with_schemas(json!({ENT: {"department": "Tour Operations"}})),
        ),
        (
            Some(&ent_mgr),
            None,
            with_schemas(
                json!({ENT: {"manager": {"value": "26118915-6090-4c49-9c12-0011050119a5"}}}),
            ),
        ),
        (
            Some(&ent_mgr_whole),
            None,
            with_schemas(json!({ENT: {"manager": u[ENT]["manager"].clone()}})),
        ),
        (Some(ENT), None, with_schemas(json!({ENT: u[ENT].clone()}))),
        (
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"),
            None,
            with_schemas(json!({ENT: u[ENT].clone()})),
        ),
        // The extension object goes; `schemas` still names the resource's schemas.
        (None, Some(ENT), without(u.clone(), &["password", ENT])),
        (None, Some(&ent_dept), {
            let mut w = without(u.clone(), &["password"]);
            w[ENT].as_object_mut().unwrap().shift_remove("department");
            w
        }),
        // Nothing selected in the extension: it is omitted.
        (
            Some("userName"),
            None,
            with_schemas(json!({"userName": "bjensen@example.com"})),
        ),
    ];
    for (a, e, want) in &cases {
        check(&u, *a, *e, want);
    }
}

/// A resource type with `request` attributes and sub-attributes.
fn badge_registry() -> Registry {
    let mut r = Registry::new();
    r.add_schema(Schema::new(
        "urn:example:scim:Badge",
        "Badge",
        vec![
            AttributeDef::new("label", AttrType::String),
            AttributeDef::new("secret", AttrType::String).returned(Returned::Request),
            AttributeDef::new("lock", AttrType::Complex).sub_attributes(vec![
                AttributeDef::new("code", AttrType::String),
                AttributeDef::new("pin", AttrType::String).returned(Returned::Request),
                AttributeDef::new("hash", AttrType::String).returned(Returned::Never),
            ]),
        ],
    ))
    .unwrap();
    r.add_resource_type(ResourceType::new(
        "Badge",
        "/Badges",
        "urn:example:scim:Badge",
    ))
    .unwrap();
    r
}

#[test]
fn request_and_never_sub_attributes() {
    let registry = badge_registry();
    let rs = registry.resource_type("Badge").unwrap();
    let badge = Resource::from_value(json!({
        "schemas": ["urn:example:scim:Badge"],
        "id": "b1",
        "label": "front door",
        "secret": "s3",
        "lock": {"code": "A", "pin": "1234", "hash": "x"}
    }))
    .unwrap();
    let head = json!({"schemas": ["urn:example:scim:Badge"], "id": "b1"});
    let with = |rest: Value| {
        let mut v = head.clone();
        for (k, x) in rest.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let cases: Vec<(Option<&str>, Option<&str>, Value)> = vec![
        (
            None,
            None,
            with(json!({"label": "front door", "lock": {"code": "A"}})),
        ),
        (Some("secret"), None, with(json!({"secret": "s3"}))),
        (Some("lock"), None, with(json!({"lock": {"code": "A"}}))),
        (
            Some("lock.pin"),
            None,
            with(json!({"lock": {"pin": "1234"}})),
        ),
        (
            Some("lock,lock.pin"),
            None,
            with(json!({"lock": {"code": "A", "pin": "1234"}})),
        ),
        (Some("lock.hash"), None, with(json!({}))),
        (
            None,
            Some("lock.code"),
            with(json!({"label": "front door"})),
        ),
    ];
    for (a, e, want) in &cases {
        let p = Projection::parse(*a, *e, &ParseOptions::default()).unwrap();
        assert_eq!(
            &project(&badge, rs, &p),
            want,
            "attributes={a:?} excluded={e:?}"
        );
    }
}

#[test]
fn parse_errors() {
    let opts = ParseOptions::default();
    let cases: &[(Option<&str>, Option<&str>, &str, &str)] = &[
        (
            Some("userName,,name"),
            None,
            "invalidPath",
            "empty attribute name",
        ),
        (Some("user name"), None, "invalidPath", "\"user name\""),
        (
            Some("emails[type eq \"work\"]"),
            None,
            "invalidPath",
            "attributes",
        ),
        (
            None,
            Some("name..givenName"),
            "invalidPath",
            "excludedAttributes",
        ),
        (
            Some("userName"),
            Some("emails"),
            "invalidSyntax",
            "mutually exclusive",
        ),
    ];
    for (a, e, scim_type, detail) in cases {
        let err = Projection::parse(*a, *e, &opts).unwrap_err();
        assert_eq!(err.status, 400, "{a:?} {e:?}");
        assert_eq!(
            err.scim_type.as_ref().unwrap().as_str(),
            *scim_type,
            "{a:?} {e:?}: {err}"
        );
        assert!(err.detail.contains(detail), "{a:?} {e:?}: {}", err.detail);
    }
}

#[test]
fn from_lists_matches_parse() {
    let opts = ParseOptions::default();
    let a = Projection::from_lists(&["userName".into(), " name.givenName ".into()], &[], &opts)
        .unwrap();
    let b = Projection::parse(Some("userName,name.givenName"), None, &opts).unwrap();
    assert_eq!(a, b);
    assert!(!a.is_default());
    assert!(Projection::default().is_default());
    assert_eq!(
        Projection::parse(None, None, &opts).unwrap(),
        Projection::default()
    );
    let err = Projection::from_lists(&["userName".into()], &["emails".into()], &opts).unwrap_err();
    assert_eq!(err.scim_type.unwrap().as_str(), "invalidSyntax");
}
