//! Validation (RFC 7643 §2–§3; RFC 7644 §3.3, §3.5.1, §3.5.2): one table of
//! cases, each an input, a request kind, a profile and the expected stored
//! form or error (status 400, `scimType`, words the detail must contain).

use scimkit_schema::validate::{RequestKind, validate};
use scimkit_schema::{
    AttrType as T, AttributeDef as A, Compat, ENTERPRISE_USER_SCHEMA, Mutability, Registry,
    Resource, ResourceType, Schema,
};
use serde_json::{Value, json};

const U: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const G: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT: &str = ENTERPRISE_USER_SCHEMA;
const D: &str = "urn:example:scim:Device";
const DX: &str = "urn:example:scim:DeviceExt";

/// The kind of request, with the stored resource for replace and PATCH.
enum Kind {
    Create,
    Replace(Value),
    Patch(Value),
}

/// What the case expects.
enum Want {
    /// The normalised resource.
    Ok(Value),
    /// Unchanged input.
    Same,
    /// `400`, this `scimType`, a detail containing these words.
    Err(&'static str, &'static [&'static str]),
}

struct Case {
    name: &'static str,
    strict: bool,
    rt: &'static str,
    kind: Kind,
    input: Value,
    want: Want,
}

/// The core registry plus a `Device` type with every attribute type and
/// mutability, and a required-extension `Badge` type.
fn registry() -> Registry {
    let mut r = Registry::core();
    r.add_schema(Schema::new(
        D,
        "Device",
        vec![
            A::new("name", T::String).required(),
            A::new("serial", T::String).mutability(Mutability::Immutable),
            A::new("slot", T::String)
                .case_exact()
                .mutability(Mutability::Immutable),
            A::new("count", T::Integer),
            A::new("weight", T::Decimal),
            A::new("seen", T::DateTime),
            A::new("blob", T::Binary),
            A::new("online", T::Boolean),
            A::new("token", T::String).mutability(Mutability::ReadOnly),
            A::new("ports", T::Complex)
                .multi_valued()
                .sub_attributes(vec![
                    A::new("number", T::Integer).required(),
                    A::new("label", T::String),
                ]),
            A::new("owner", T::Complex).sub_attributes(vec![
                A::new("id", T::String).mutability(Mutability::Immutable),
                A::new("name", T::String),
            ]),
        ],
    ))
    .unwrap();
    r.add_schema(Schema::new(
        DX,
        "DeviceExt",
        vec![
            A::new("site", T::String).required(),
            A::new("assetTag", T::String).mutability(Mutability::Immutable),
        ],
    ))
    .unwrap();
    r.add_resource_type(ResourceType::new("Device", "/Devices", D).with_extension(DX, false))
        .unwrap();
    r.add_resource_type(ResourceType::new("Badge", "/Badges", D).with_extension(DX, true))
        .unwrap();
    r
}

fn user(rest: Value) -> Value {
    let mut u = json!({"schemas": [U], "userName": "bjensen"});
    for (k, v) in rest.as_object().unwrap() {
        u[k] = v.clone();
    }
    u
}

fn device(rest: Value) -> Value {
    let mut u = json!({"schemas": [D], "name": "printer"});
    for (k, v) in rest.as_object().unwrap() {
        u[k] = v.clone();
    }
    u
}

fn check(registry: &Registry, case: &Case) {
    let rs = registry.resource_type(case.rt).unwrap();
    let compat = if case.strict {
        Compat::strict()
    } else {
        Compat::interoperable()
    };
    let before = match &case.kind {
        Kind::Create => None,
        Kind::Replace(v) | Kind::Patch(v) => Some(Resource::from_value(v.clone()).unwrap()),
    };
    let kind = match (&case.kind, &before) {
        (Kind::Replace(_), Some(b)) => RequestKind::Replace { existing: b },
        (Kind::Patch(_), Some(b)) => RequestKind::PatchResult { original: b },
        _ => RequestKind::Create,
    };
    let mut r = Resource::from_value(case.input.clone()).unwrap();
    let got = validate(&mut r, rs, kind, &compat);
    let name = case.name;
    match (&case.want, got) {
        (Want::Ok(want), Ok(())) => assert_eq!(
            serde_json::to_string_pretty(&r).unwrap(),
            serde_json::to_string_pretty(want).unwrap(),
            "{name}"
        ),
        (Want::Same, Ok(())) => assert_eq!(r.into_value(), case.input, "{name}"),
        (Want::Err(scim_type, words), Err(e)) => {
            assert_eq!(e.status, 400, "{name}: {e}");
            assert_eq!(
                e.scim_type.as_ref().unwrap().as_str(),
                *scim_type,
                "{name}: {e}"
            );
            for w in *words {
                assert!(e.detail.contains(w), "{name}: {w:?} not in {:?}", e.detail);
            }
        }
        (Want::Err(..), Ok(())) => panic!("{name}: expected an error, got {r:?}"),
        (_, Err(e)) => panic!("{name}: unexpected error {e}"),
    }
}

fn create(name: &'static str, strict: bool, input: Value, want: Want) -> Case {
    let rt = match input["schemas"].get(0).and_then(Value::as_str) {
        Some(G) => "Group",
        Some(D) => "Device",
        _ => "User",
    };
    Case {
        name,
        strict,
        rt,
        kind: Kind::Create,
        input,
        want,
    }
}

#[test]
fn create_table() {
    let registry = registry();
    let cases = vec![
        create("minimal user", true, user(json!({})), Want::Same),
        create(
            "keys in canonical case",
            true,
            json!({"SCHEMAS": [U], "USERNAME": "b", "Name": {"GIVENNAME": "B"}, "emails": [{"VALUE": "b@x", "Primary": true}]}),
            Want::Ok(
                json!({"schemas": [U], "userName": "b", "name": {"givenName": "B"}, "emails": [{"value": "b@x", "primary": true}]}),
            ),
        ),
        create(
            "unassigned values dropped",
            true,
            user(
                json!({"nickName": null, "emails": [], "name": {}, "phoneNumbers": [null, {"value": "1"}], "ims": [{}]}),
            ),
            Want::Ok(user(json!({"phoneNumbers": [{"value": "1"}]}))),
        ),
        create(
            "readOnly values dropped",
            true,
            user(json!({"id": "x", "meta": {"created": "nonsense"}, "groups": [{"value": "g"}]})),
            Want::Ok(user(json!({}))),
        ),
        create(
            "members.display kept (immutable, RFC 7643 §2.4)",
            true,
            json!({"schemas": [G], "displayName": "g", "members": [{"value": "u1", "display": "U"}]}),
            Want::Same,
        ),
        create(
            "writeOnly accepted",
            true,
            user(json!({"password": "s3cret"})),
            Want::Same,
        ),
        create(
            "canonicalValues not enforced",
            true,
            user(json!({"emails": [{"value": "a@b", "type": "school"}]})),
            Want::Same,
        ),
        create(
            "userName missing",
            true,
            json!({"schemas": [U]}),
            Want::Err("invalidValue", &["required attribute userName is missing"]),
        ),
        create(
            "userName null",
            false,
            json!({"schemas": [U], "userName": null}),
            Want::Err("invalidValue", &["userName"]),
        ),
        create(
            "group displayName missing",
            true,
            json!({"schemas": [G]}),
            Want::Err("invalidValue", &["displayName"]),
        ),
        create(
            "string type",
            true,
            user(json!({"title": 5})),
            Want::Err("invalidValue", &["title must be a string, not a number"]),
        ),
        create(
            "sub-attribute type",
            true,
            user(json!({"name": {"givenName": 1}})),
            Want::Err("invalidValue", &["name.givenName must be a string"]),
        ),
        create(
            "element type",
            true,
            user(json!({"emails": [{"value": "a"}, {"value": 3}]})),
            Want::Err("invalidValue", &["emails[1].value"]),
        ),
        create(
            "complex type",
            true,
            user(json!({"name": "Barbara"})),
            Want::Err("invalidValue", &["name must be an object"]),
        ),
        create(
            "multi-valued needs an array",
            true,
            user(json!({"emails": {"value": "a@b"}})),
            Want::Err(
                "invalidValue",
                &["emails is multi-valued and must be an array"],
            ),
        ),
        create(
            "boolean",
            true,
            user(json!({"active": 1})),
            Want::Err("invalidValue", &["active must be a boolean"]),
        ),
        create(
            "bool_strings off",
            true,
            user(json!({"active": "True"})),
            Want::Err("invalidValue", &["active must be a boolean"]),
        ),
        create(
            "bool_strings on",
            false,
            user(json!({"active": "True", "emails": [{"value": "a", "primary": "FALSE"}]})),
            Want::Ok(user(
                json!({"active": true, "emails": [{"value": "a", "primary": false}]}),
            )),
        ),
        create(
            "bool_strings other string",
            false,
            user(json!({"active": "yes"})),
            Want::Err("invalidValue", &["active", "\"yes\""]),
        ),
        create(
            "bool_strings only for booleans",
            false,
            user(json!({"title": true})),
            Want::Err("invalidValue", &["title must be a string"]),
        ),
        create(
            "two primaries",
            true,
            user(
                json!({"emails": [{"value": "a", "primary": true}, {"value": "b", "primary": false}, {"value": "c", "primary": true}]}),
            ),
            Want::Err("invalidValue", &["emails[2].primary", "emails[0]"]),
        ),
        create(
            "binary",
            true,
            user(json!({"x509Certificates": [{"value": "not base64!"}]})),
            Want::Err(
                "invalidValue",
                &["x509Certificates[0].value must be base64"],
            ),
        ),
        create(
            "binary ok",
            true,
            user(
                json!({"x509Certificates": [{"value": "TWFu"}, {"value": "TWE="}, {"value": "TQ=="}]}),
            ),
            Want::Same,
        ),
        create(
            "binary bad padding",
            true,
            user(json!({"x509Certificates": [{"value": "TQ="}]})),
            Want::Err("invalidValue", &["base64"]),
        ),
        create(
            "integer",
            true,
            device(
                json!({"count": 3, "weight": 1.5, "seen": "2008-01-23T04:56:22Z", "blob": "", "online": false}),
            ),
            Want::Same,
        ),
        create(
            "integer fraction",
            true,
            device(json!({"count": 3.5})),
            Want::Err("invalidValue", &["count must be an integer", "3.5"]),
        ),
        create(
            "integer string",
            true,
            device(json!({"count": "3"})),
            Want::Err("invalidValue", &["count must be an integer"]),
        ),
        create(
            "decimal",
            true,
            device(json!({"weight": "1.5"})),
            Want::Err("invalidValue", &["weight must be a decimal"]),
        ),
        create(
            "dateTime with fraction and offset",
            true,
            device(json!({"seen": "2015-09-01T12:30:00.123+02:00"})),
            Want::Same,
        ),
        create(
            "dateTime without zone (xsd)",
            true,
            device(json!({"seen": "2015-09-01T12:30:00"})),
            Want::Same,
        ),
        create(
            "dateTime invalid",
            true,
            device(json!({"seen": "2015-13-01T12:30:00Z"})),
            Want::Err("invalidValue", &["seen must be an xsd:dateTime"]),
        ),
        create(
            "dateTime date only",
            true,
            device(json!({"seen": "2015-09-01"})),
            Want::Err("invalidValue", &["seen"]),
        ),
        create(
            "required sub-attribute",
            true,
            device(json!({"ports": [{"number": 1}, {"label": "b"}]})),
            Want::Err(
                "invalidValue",
                &["required attribute ports[1].number is missing"],
            ),
        ),
        create(
            "readOnly custom dropped",
            true,
            device(json!({"token": "t"})),
            Want::Ok(device(json!({}))),
        ),
        create(
            "schemas missing",
            true,
            json!({"userName": "b"}),
            Want::Err("invalidValue", &["schemas is required"]),
        ),
        create(
            "schemas without base",
            true,
            json!({"schemas": [ENT], "userName": "b"}),
            Want::Err("invalidValue", &["base schema", U]),
        ),
        create(
            "schemas not an array",
            true,
            json!({"schemas": U, "userName": "b"}),
            Want::Err("invalidValue", &["schemas is multi-valued"]),
        ),
        create(
            "schemas case and duplicates",
            true,
            json!({"schemas": ["URN:ietf:params:scim:schemas:core:2.0:user", U], "userName": "b"}),
            Want::Ok(json!({"schemas": [U], "userName": "b"})),
        ),
        create(
            "schemas unknown strict",
            true,
            json!({"schemas": [U, "urn:x:y"], "userName": "b"}),
            Want::Err("invalidValue", &["schemas[1]", "urn:x:y"]),
        ),
        create(
            "schemas unknown lenient",
            false,
            json!({"schemas": [U, "urn:x:y"], "userName": "b"}),
            Want::Ok(json!({"schemas": [U], "userName": "b"})),
        ),
        create(
            "extension not in schemas",
            true,
            user(json!({ENT: {"department": "d"}})),
            Want::Err("invalidValue", &["schemas must list", ENT]),
        ),
        create(
            "extension in any case",
            true,
            json!({"schemas": [U, ENT], "userName": "b", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:USER": {"Department": "d"}}),
            Want::Ok(json!({"schemas": [U, ENT], "userName": "b", ENT: {"department": "d"}})),
        ),
        create(
            "extension not an object",
            true,
            json!({"schemas": [U, ENT], "userName": "b", ENT: "d"}),
            Want::Err("invalidValue", &[ENT, "JSON object"]),
        ),
        create(
            "extension attribute type",
            true,
            json!({"schemas": [U, ENT], "userName": "b", ENT: {"manager": {"value": 5}}}),
            Want::Err(
                "invalidValue",
                &["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"],
            ),
        ),
        create(
            "unknown attribute strict",
            true,
            user(json!({"shoeSize": 42})),
            Want::Err(
                "invalidSyntax",
                &["attribute shoeSize is not defined for resource type User"],
            ),
        ),
        create(
            "unknown attribute lenient",
            false,
            user(json!({"shoeSize": 42})),
            Want::Ok(user(json!({}))),
        ),
        create(
            "unknown sub-attribute strict",
            true,
            user(json!({"name": {"nick": "B"}})),
            Want::Err("invalidSyntax", &["name.nick"]),
        ),
        create(
            "unknown sub-attribute lenient",
            false,
            user(json!({"name": {"nick": "B", "givenName": "B"}})),
            Want::Ok(user(json!({"name": {"givenName": "B"}}))),
        ),
        create(
            "unknown extension strict",
            true,
            user(json!({"urn:example:custom:2.0:User": {"a": 1}})),
            Want::Err(
                "invalidSyntax",
                &["urn:example:custom:2.0:User is not a schema extension of resource type User"],
            ),
        ),
        create(
            "unknown extension lenient",
            false,
            user(json!({"urn:example:custom:2.0:User": {"a": 1}})),
            Want::Ok(user(json!({}))),
        ),
        create(
            "same attribute twice",
            true,
            json!({"schemas": [U], "userName": "a", "USERNAME": "b"}),
            Want::Err("invalidSyntax", &["userName is given more than once"]),
        ),
        create(
            "manager_as_string on",
            false,
            json!({"schemas": [U, ENT], "userName": "b", ENT: {"manager": "26118915"}}),
            Want::Ok(
                json!({"schemas": [U, ENT], "userName": "b", ENT: {"manager": {"value": "26118915"}}}),
            ),
        ),
        create(
            "manager_as_string off",
            true,
            json!({"schemas": [U, ENT], "userName": "b", ENT: {"manager": "26118915"}}),
            Want::Err("invalidValue", &["manager must be an object"]),
        ),
        create(
            "manager.displayName is readOnly",
            true,
            json!({"schemas": [U, ENT], "userName": "b", ENT: {"manager": {"value": "m", "displayName": "M"}}}),
            Want::Ok(
                json!({"schemas": [U, ENT], "userName": "b", ENT: {"manager": {"value": "m"}}}),
            ),
        ),
        create(
            "extension required attribute",
            true,
            json!({"schemas": [D, DX], "name": "p", DX: {"assetTag": "t"}}),
            Want::Err(
                "invalidValue",
                &["required attribute urn:example:scim:DeviceExt:site is missing"],
            ),
        ),
    ];
    for case in &cases {
        check(&registry, case);
    }
}

#[test]
fn required_extension() {
    let registry = registry();
    let badge = |input: Value, want: Want| Case {
        name: "badge",
        strict: true,
        rt: "Badge",
        kind: Kind::Create,
        input,
        want,
    };
    check(
        &registry,
        &badge(
            json!({"schemas": [D], "name": "p"}),
            Want::Err("invalidValue", &["extension", DX, "required"]),
        ),
    );
    check(
        &registry,
        &badge(
            json!({"schemas": [D, DX], "name": "p", DX: {"site": "s"}}),
            Want::Same,
        ),
    );
}

fn stored_device() -> Value {
    json!({
        "schemas": [D, DX],
        "id": "d1",
        "name": "printer",
        "serial": "SN-1",
        "slot": "A",
        "token": "server",
        "owner": {"id": "o1", "name": "Ops"},
        DX: {"site": "HQ", "assetTag": "T1"},
        "meta": {"resourceType": "Device", "version": "W/\"1\""}
    })
}

#[test]
fn replace_table() {
    let registry = registry();
    let stored = stored_device();
    let replace = |name, input, want| Case {
        name,
        strict: true,
        rt: "Device",
        kind: Kind::Replace(stored.clone()),
        input,
        want,
    };
    let cases = vec![
        replace(
            "readOnly kept from the stored resource, immutable omitted kept",
            json!({"schemas": [D, DX], "id": "other", "name": "scanner", "token": "client", "meta": {"version": "x"}, DX: {"site": "B"}}),
            Want::Ok(json!({
                // Kept values follow the client's, in definition order.
                "schemas": [D, DX], "name": "scanner", DX: {"site": "B", "assetTag": "T1"},
                "id": "d1", "meta": {"resourceType": "Device", "version": "W/\"1\""},
                "serial": "SN-1", "slot": "A", "token": "server", "owner": {"id": "o1"}
            })),
        ),
        replace(
            "immutable same value",
            json!({"schemas": [D, DX], "name": "p", "serial": "sn-1", "slot": "A", "owner": {"id": "o1", "name": "New"}, DX: {"site": "B", "assetTag": "T1"}}),
            Want::Ok(json!({
                "schemas": [D, DX], "name": "p", "serial": "sn-1", "slot": "A", "owner": {"id": "o1", "name": "New"},
                DX: {"site": "B", "assetTag": "T1"}, "id": "d1",
                "meta": {"resourceType": "Device", "version": "W/\"1\""}, "token": "server"
            })),
        ),
        replace(
            "immutable changed",
            json!({"schemas": [D], "name": "p", "serial": "SN-2"}),
            Want::Err("mutability", &["serial is immutable"]),
        ),
        replace(
            "immutable caseExact changed",
            json!({"schemas": [D], "name": "p", "slot": "a"}),
            Want::Err("mutability", &["slot"]),
        ),
        replace(
            "immutable sub-attribute changed",
            json!({"schemas": [D], "name": "p", "owner": {"id": "o2"}}),
            Want::Err("mutability", &["owner.id is immutable"]),
        ),
        replace(
            "immutable extension attribute changed",
            json!({"schemas": [D, DX], "name": "p", DX: {"site": "s", "assetTag": "T2"}}),
            Want::Err("mutability", &["urn:example:scim:DeviceExt:assetTag"]),
        ),
        replace(
            "required on replace",
            json!({"schemas": [D], "serial": "SN-1"}),
            Want::Err("invalidValue", &["required attribute name is missing"]),
        ),
    ];
    for case in &cases {
        check(&registry, case);
    }
    // An immutable attribute the stored resource lacks may be set.
    let bare = json!({"schemas": [D], "id": "d2", "name": "p"});
    check(
        &registry,
        &Case {
            name: "immutable set when unassigned",
            strict: true,
            rt: "Device",
            kind: Kind::Replace(bare),
            input: json!({"schemas": [D], "name": "p", "serial": "SN-9"}),
            want: Want::Ok(json!({"schemas": [D], "name": "p", "serial": "SN-9", "id": "d2"})),
        },
    );
}

#[test]
fn patch_result_table() {
    let registry = registry();
    let stored = stored_device();
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v = stored.clone();
        f(&mut v);
        v
    };
    let patch = |name, input, want| Case {
        name,
        strict: true,
        rt: "Device",
        kind: Kind::Patch(stored.clone()),
        input,
        want,
    };
    let cases = vec![
        patch("unchanged", stored.clone(), Want::Same),
        patch(
            "readWrite changed",
            edit(&|v| v["name"] = json!("scanner")),
            Want::Same,
        ),
        patch(
            "immutable changed",
            edit(&|v| v["serial"] = json!("SN-2")),
            Want::Err("mutability", &["serial is immutable"]),
        ),
        patch(
            "immutable removed",
            edit(&|v| {
                v.as_object_mut().unwrap().shift_remove("serial");
            }),
            Want::Err("mutability", &["serial is immutable and cannot be removed"]),
        ),
        patch(
            "immutable sub removed",
            edit(&|v| v["owner"] = json!({"name": "x"})),
            Want::Err("mutability", &["owner.id"]),
        ),
        patch(
            "readOnly changed",
            edit(&|v| v["id"] = json!("d9")),
            Want::Err("mutability", &["id is readOnly"]),
        ),
        patch(
            "readOnly removed",
            edit(&|v| {
                v.as_object_mut().unwrap().shift_remove("token");
            }),
            Want::Err("mutability", &["token is readOnly"]),
        ),
        patch(
            "required removed",
            edit(&|v| {
                v.as_object_mut().unwrap().shift_remove("name");
            }),
            Want::Err("invalidValue", &["required attribute name is missing"]),
        ),
        patch(
            "type checked",
            edit(&|v| v["count"] = json!("7")),
            Want::Err("invalidValue", &["count must be an integer"]),
        ),
    ];
    for case in &cases {
        check(&registry, case);
    }
    // Setting an unassigned immutable, and the service adding an extension's URI.
    let original = json!({"schemas": [D], "id": "d3", "name": "p"});
    check(
        &registry,
        &Case {
            name: "patch sets unassigned immutable, extension URI added",
            strict: true,
            rt: "Device",
            kind: Kind::Patch(original.clone()),
            input: json!({"schemas": [D], "id": "d3", "name": "p", "serial": "S", DX: {"site": "s"}}),
            want: Want::Ok(
                json!({"schemas": [D, DX], "id": "d3", "name": "p", "serial": "S", DX: {"site": "s"}}),
            ),
        },
    );
    // A stored resource lacking a required attribute is not rejected for it.
    let legacy = json!({"schemas": [D], "id": "d4"});
    check(
        &registry,
        &Case {
            name: "legacy resource",
            strict: true,
            rt: "Device",
            kind: Kind::Patch(legacy.clone()),
            input: json!({"schemas": [D], "id": "d4", "count": 1}),
            want: Want::Same,
        },
    );
    // Members of a group change freely (members.value is immutable per value).
    let group = json!({"schemas": [G], "id": "g1", "displayName": "g", "members": [{"value": "u1", "display": "U1"}]});
    check(
        &registry,
        &Case {
            name: "members replaced",
            strict: true,
            rt: "Group",
            kind: Kind::Patch(group),
            input: json!({"schemas": [G], "id": "g1", "displayName": "g", "members": [{"value": "u2"}]}),
            want: Want::Same,
        },
    );
}

/// U+0000 in any string or reference value is `400 invalidValue` naming the
/// attribute path, strict or not.
#[test]
fn nul_is_refused() {
    let registry = registry();
    let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    for strict in [true, false] {
        let cases = vec![
            create(
                "nul in userName",
                strict,
                json!({"schemas": [U], "userName": "b\u{0}"}),
                Want::Err("invalidValue", &["userName", "U+0000"]),
            ),
            create(
                "nul in a sub-attribute",
                strict,
                user(json!({"name": {"givenName": "a\u{0}b"}})),
                Want::Err("invalidValue", &["name.givenName", "U+0000"]),
            ),
            create(
                "nul in a multi-valued complex value",
                strict,
                user(json!({"emails": [{"value": "a@x"}, {"value": "\u{0}@x"}]})),
                Want::Err("invalidValue", &["emails[1].value", "U+0000"]),
            ),
            create(
                "nul in a reference",
                strict,
                user(json!({"profileUrl": "https://x/\u{0}"})),
                Want::Err("invalidValue", &["profileUrl", "U+0000"]),
            ),
            create(
                "nul in an extension attribute",
                strict,
                json!({"schemas": [U, ent], "userName": "b", ent: {"department": "\u{0}"}}),
                Want::Err("invalidValue", &["department", "U+0000"]),
            ),
            create(
                "nul in a password",
                strict,
                user(json!({"password": "hunter\u{0}2"})),
                Want::Err("invalidValue", &["password", "U+0000"]),
            ),
            create(
                "nul in a group member",
                strict,
                json!({"schemas": [G], "displayName": "g", "members": [{"value": "u\u{0}"}]}),
                Want::Err("invalidValue", &["members[0].value", "U+0000"]),
            ),
            create(
                "other control characters stay allowed",
                strict,
                user(json!({"nickName": "tab\there"})),
                Want::Same,
            ),
        ];
        for case in &cases {
            check(&registry, case);
        }
    }
}
