//! The model (RFC 7643 §2, §3, §7, §8.7): the core schemas against the
//! RFC's §8.7.1 JSON, the discovery schemas (§8.7.2), the registry with
//! custom schemas and resource types, and schema-aware `Resource` access.

use scimkit_filter::{ParseOptions, parse_attr_path};
use scimkit_schema::{
    AttrType, AttributeDef, ENTERPRISE_USER_SCHEMA, Mutability, Registry, RegistryError, Resource,
    ResourceType, Returned, Schema, Uniqueness, core_schemas, meta_schemas,
};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/data/rfc7643/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One characteristic of an RFC attribute, with the RFC 7643 §2.2 default when absent.
fn characteristic(attr: &Value, key: &str) -> Value {
    match (attr.get(key), key) {
        (Some(v), _) => v.clone(),
        (None, "multiValued" | "required" | "caseExact") => json!(false),
        (None, "mutability") => json!("readWrite"),
        (None, "returned") => json!("default"),
        (None, "uniqueness") => json!("none"),
        (None, _) => json!([]),
    }
}

const CHARACTERISTICS: [&str; 9] = [
    "type",
    "multiValued",
    "required",
    "caseExact",
    "mutability",
    "returned",
    "uniqueness",
    "canonicalValues",
    "referenceTypes",
];

/// Compares attribute lists, writing each difference as `path: what`.
fn diff_attributes(prefix: &str, rfc: &[Value], ours: &[Value], out: &mut Vec<String>) {
    let name = |a: &Value| a["name"].as_str().unwrap_or_default().to_owned();
    for r in rfc {
        let path = format!("{prefix}{}", name(r));
        let Some(o) = ours.iter().find(|o| name(o) == name(r)) else {
            out.push(format!("{path}: missing"));
            continue;
        };
        for key in CHARACTERISTICS {
            let (rv, ov) = (characteristic(r, key), characteristic(o, key));
            if rv != ov {
                out.push(format!("{path}: {key} is {ov}, RFC says {rv}"));
            }
        }
        let subs = |a: &Value| a["subAttributes"].as_array().cloned().unwrap_or_default();
        diff_attributes(&format!("{path}."), &subs(r), &subs(o), out);
    }
    for o in ours {
        if !rfc.iter().any(|r| name(r) == name(o)) {
            out.push(format!("{prefix}{}: not in the RFC", name(o)));
        }
    }
    let order = |list: &[Value]| list.iter().map(name).collect::<Vec<_>>();
    let (mut ro, mut oo) = (order(rfc), order(ours));
    oo.retain(|n| ro.contains(n));
    ro.retain(|n| oo.contains(n));
    if ro != oo {
        out.push(format!("{prefix}*: order is {oo:?}, RFC says {ro:?}"));
    }
}

#[test]
fn core_schemas_match_rfc7643_8_7_1() {
    let rfc = fixture("8.7.1-schemas.json");
    let ours: Vec<Value> = core_schemas::core_schemas()
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
    let mut diffs = Vec::new();
    for r in rfc.as_array().unwrap() {
        let o = ours
            .iter()
            .find(|o| o["id"] == r["id"])
            .unwrap_or_else(|| panic!("no schema {}", r["id"]));
        assert_eq!(o["name"], r["name"]);
        assert_eq!(o["description"], r["description"]);
        let list = |v: &Value| v["attributes"].as_array().cloned().unwrap();
        let id = r["name"].as_str().unwrap();
        diff_attributes(&format!("{id}:"), &list(r), &list(o), &mut diffs);
    }
    // The deliberate differences, documented in `core_schemas`.
    assert_eq!(
        diffs,
        [
            "User:addresses.primary: not in the RFC",
            "Group:displayName: required is true, RFC says false",
            "Group:members.display: not in the RFC",
        ]
    );
}

#[test]
fn rfc_schema_json_reads_into_schema_and_registry() {
    // The RFC's JSON form (with `meta`) is accepted by `add_schema_json`, and
    // reads back into the same characteristics as the built-in schemas.
    let rfc = fixture("8.7.1-schemas.json");
    let mut registry = Registry::new();
    for s in rfc.as_array().unwrap() {
        registry.add_schema_json(s).unwrap();
    }
    let user = registry
        .schema("urn:ietf:params:scim:schemas:core:2.0:USER")
        .unwrap();
    let user_name = user.attribute("USERNAME").unwrap();
    assert_eq!(user_name.uniqueness, Uniqueness::Server);
    assert!(user_name.required);
    let x509 = user.attribute("x509Certificates").unwrap();
    assert_eq!(
        x509.sub_attribute("value").unwrap().attr_type,
        AttrType::Binary
    );
    assert_eq!(
        registry.add_schema_json(&rfc[0]),
        Err(RegistryError::DuplicateSchema(
            "urn:ietf:params:scim:schemas:core:2.0:User".into()
        ))
    );
    // Our own serialised schemas read back unchanged.
    for s in core_schemas::core_schemas()
        .into_iter()
        .chain(meta_schemas::meta_schemas())
    {
        let back: Schema = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }
}

#[test]
fn every_characteristic_serialises() {
    let password = core_schemas::user_schema()
        .attribute("password")
        .unwrap()
        .clone();
    assert_eq!(
        serde_json::to_value(&password).unwrap(),
        json!({"name": "password", "type": "string", "multiValued": false,
               "description": password.description, "required": false, "caseExact": false,
               "mutability": "writeOnly", "returned": "never", "uniqueness": "none"})
    );
    let members = core_schemas::group_schema()
        .attribute("members")
        .unwrap()
        .clone();
    let r = members.sub_attribute("$REF").unwrap();
    assert_eq!(r.reference_types, ["User", "Group"]);
    assert_eq!(r.mutability, Mutability::Immutable);
    // Defaults of RFC 7643 §2.2 when a definition leaves them out.
    let minimal: AttributeDef =
        serde_json::from_value(json!({"name": "x", "type": "string"})).unwrap();
    assert_eq!(minimal, AttributeDef::new("x", AttrType::String));
    assert_eq!(
        (minimal.mutability, minimal.returned, minimal.uniqueness),
        (Mutability::ReadWrite, Returned::Default, Uniqueness::None)
    );
}

#[test]
fn discovery_schemas_rfc7643_8_7_2_with_errata() {
    let spc = meta_schemas::service_provider_config_schema();
    assert_eq!(
        spc.id,
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    );
    let names: Vec<&str> = spc.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "documentationUri",
            "patch",
            "bulk",
            "filter",
            "changePassword",
            "sort",
            "etag",
            "authenticationSchemes"
        ]
    );
    assert!(
        spc.attributes
            .iter()
            .all(|a| a.mutability == Mutability::ReadOnly)
    );
    let bulk = spc.attribute("bulk").unwrap();
    assert_eq!(
        bulk.sub_attribute("maxPayloadSize").unwrap().attr_type,
        AttrType::Integer
    );
    // erratum 8011: `type` and `primary` of authenticationSchemes
    let schemes = spc.attribute("authenticationSchemes").unwrap();
    assert!(schemes.multi_valued);
    assert!(schemes.sub_attribute("type").unwrap().required);
    assert!(schemes.sub_attribute("primary").is_some());

    let rt = meta_schemas::resource_type_schema();
    // erratum 7522
    assert!(rt.attribute("schemaExtensions").unwrap().multi_valued);
    assert!(rt.attribute("schema").unwrap().case_exact);

    let schema = meta_schemas::schema_schema();
    let attrs = schema.attribute("attributes").unwrap();
    // erratum 5607
    assert!(attrs.sub_attribute("referenceTypes").unwrap().multi_valued);
    let subs = attrs.sub_attribute("subAttributes").unwrap();
    assert_eq!(subs.sub_attributes.len(), attrs.sub_attributes.len() - 1);
    assert!(
        attrs
            .sub_attribute("type")
            .unwrap()
            .canonical_values
            .iter()
            .any(|v| v == "binary")
    );
    // Not resource types.
    let registry = Registry::core();
    for s in meta_schemas::meta_schemas() {
        assert!(registry.resource_type_by_schema(&s.id).is_none());
    }
}

const DEVICE_EXT: &str = "urn:example:params:scim:schemas:extension:acme:2.0:Device";

fn custom_registry() -> Registry {
    let mut registry = Registry::core();
    registry
        .add_schema_json(&json!({
            "id": "urn:example:params:scim:schemas:core:2.0:Device",
            "name": "Device",
            "description": "A device",
            "attributes": [
                {"name": "serialNumber", "type": "string", "multiValued": false, "required": true,
                 "caseExact": true, "mutability": "immutable", "returned": "default",
                 "uniqueness": "global"},
                {"name": "owner", "type": "complex", "multiValued": false, "subAttributes": [
                    {"name": "value", "type": "string"},
                    {"name": "$ref", "type": "reference", "referenceTypes": ["User"]}
                ]},
                {"name": "tags", "type": "string", "multiValued": true}
            ]
        }))
        .unwrap();
    registry
        .add_schema_json(&json!({
            "id": DEVICE_EXT,
            "name": "AcmeDevice",
            "attributes": [{"name": "assetTag", "type": "string"},
                           {"name": "warranty", "type": "complex", "subAttributes": [
                               {"name": "expires", "type": "dateTime"}]}]
        }))
        .unwrap();
    registry
        .add_resource_type_json(&json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Device",
            "name": "Device",
            "endpoint": "/Devices",
            "description": "Devices",
            "schema": "urn:example:params:scim:schemas:core:2.0:Device",
            "schemaExtensions": [{"schema": DEVICE_EXT, "required": true}],
            "meta": {"resourceType": "ResourceType", "location": "/v2/ResourceTypes/Device"}
        }))
        .unwrap();
    registry
}

#[test]
fn registry_custom_schema_and_resource_type() {
    let registry = custom_registry();
    let devices = registry.resource_type_by_endpoint("devices").unwrap();
    assert_eq!(devices.name(), "Device");
    assert_eq!(devices.extensions().collect::<Vec<_>>().len(), 1);
    assert!(devices.extensions().all(|(_, required)| required));
    let serial = devices.base().attribute("SERIALNUMBER").unwrap();
    assert_eq!(
        (serial.case_exact, serial.mutability, serial.uniqueness),
        (true, Mutability::Immutable, Uniqueness::Global)
    );
    // Errors are values.
    let mut r = registry.clone();
    assert!(matches!(
        r.add_resource_type(ResourceType::new("Gadget", "/Gadgets", "urn:nope")),
        Err(RegistryError::UnknownSchema { .. })
    ));
    assert!(matches!(
        r.add_resource_type(ResourceType::new("device", "/Other", DEVICE_EXT)),
        Err(RegistryError::DuplicateResourceType(_))
    ));
    assert!(matches!(
        r.add_schema_json(&json!({"id": 5})),
        Err(RegistryError::InvalidJson { .. })
    ));
    assert!(matches!(
        r.add_resource_type_json(&json!({"name": "X"})),
        Err(RegistryError::InvalidJson { .. })
    ));
    // A custom extension added to User at run time, from Rust.
    r.add_schema(Schema::new(
        "urn:example:params:scim:schemas:extension:acme:2.0:User",
        "AcmeUser",
        vec![AttributeDef::new("badge", AttrType::Integer)],
    ))
    .unwrap();
    r.add_extension(
        "user",
        "urn:example:params:scim:schemas:extension:acme:2.0:user",
        false,
    )
    .unwrap();
    let users = r.resource_type("USER").unwrap();
    assert_eq!(users.resource_type().schema_extensions.len(), 2);
    let p = parse_attr_path(
        "urn:example:params:scim:schemas:extension:acme:2.0:User:badge",
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(
        users.resolve(&p).unwrap().extension_uri(),
        Some("urn:example:params:scim:schemas:extension:acme:2.0:User")
    );
}

/// Where a path leads: `(schema id or "common", attribute, sub-attribute)`.
type Target<'a> = Option<(&'a str, &'a str, Option<&'a str>)>;

/// Resolves `path` against `rt` and checks where it leads: `(schema id or
/// "common", attribute name, sub-attribute name)`, or `None` when unknown.
fn check_resolve(
    registry: &Registry,
    rt: &str,
    path: &str,
    expected: Option<(&str, &str, Option<&str>)>,
) {
    let rs = registry.resource_type(rt).unwrap();
    let p = parse_attr_path(path, &ParseOptions::default()).unwrap();
    let got = rs.resolve(&p).map(|r| {
        (
            r.schema.map_or("common", |s| s.id.as_str()),
            r.attr.name.as_str(),
            r.sub.map(|s| s.name.as_str()),
        )
    });
    assert_eq!(got, expected, "{rt} {path}");
}

#[test]
fn names_and_uris_resolve_case_insensitively() {
    let registry = custom_registry();
    let user = "urn:ietf:params:scim:schemas:core:2.0:User";
    let cases: &[(&str, &str, Target<'_>)] = &[
        ("User", "userName", Some((user, "userName", None))),
        ("user", "USERNAME", Some((user, "userName", None))),
        (
            "User",
            "Name.FamilyName",
            Some((user, "name", Some("familyName"))),
        ),
        (
            "User",
            "emails.VALUE",
            Some((user, "emails", Some("value"))),
        ),
        ("User", "ID", Some(("common", "id", None))),
        (
            "User",
            "meta.LASTMODIFIED",
            Some(("common", "meta", Some("lastModified"))),
        ),
        (
            "User",
            "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:username",
            Some((user, "userName", None)),
        ),
        (
            "User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:MANAGER.displayname",
            Some((ENTERPRISE_USER_SCHEMA, "manager", Some("displayName"))),
        ),
        (
            "User",
            "department",
            Some((ENTERPRISE_USER_SCHEMA, "department", None)),
        ),
        ("User", "members", None),
        ("User", "name.nope", None),
        (
            "Group",
            "MEMBERS.$REF",
            Some((
                "urn:ietf:params:scim:schemas:core:2.0:Group",
                "members",
                Some("$ref"),
            )),
        ),
        (
            "device",
            "Owner.$ref",
            Some((
                "urn:example:params:scim:schemas:core:2.0:Device",
                "owner",
                Some("$ref"),
            )),
        ),
        (
            "Device",
            "urn:example:params:scim:schemas:extension:ACME:2.0:device:warranty.EXPIRES",
            Some((DEVICE_EXT, "warranty", Some("expires"))),
        ),
        ("Device", "userName", None),
    ];
    for (rt, path, expected) in cases {
        check_resolve(&registry, rt, path, *expected);
    }
    assert!(
        registry
            .schema("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUP")
            .is_some()
    );
    assert!(
        registry
            .resource_type_by_schema("urn:ietf:params:scim:schemas:core:2.0:user")
            .is_some()
    );
}

fn path(s: &str) -> scimkit_filter::AttrPath<'_> {
    parse_attr_path(s, &ParseOptions::default()).unwrap()
}

#[test]
fn resource_get_and_set_by_path() {
    let registry = Registry::core();
    let users = registry.resource_type("User").unwrap();
    let mut user = Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_USER_SCHEMA],
        "userName": "bjensen",
        "Name": {"GivenName": "Barbara"},
        "emails": [{"value": "a@example.com", "type": "work"}, {"value": "b@example.com"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}
        }
    }))
    .unwrap();
    // (path, expected value)
    let gets: &[(&str, Option<Value>)] = &[
        ("username", Some(json!("bjensen"))),
        ("name.givenName", Some(json!("Barbara"))),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenname",
            Some(json!("Barbara")),
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            Some(json!("26118915-6090-4610-87e4-49d8ca9f808d")),
        ),
        (
            "manager.value",
            Some(json!("26118915-6090-4610-87e4-49d8ca9f808d")),
        ),
        ("name.familyName", None),
        ("nickName", None),
        ("nope", None),
    ];
    for (p, expected) in gets {
        assert_eq!(user.get(users, &path(p)).cloned(), *expected, "get {p}");
    }
    assert_eq!(
        user.values(users, &path("emails.value")),
        [&json!("a@example.com"), &json!("b@example.com")]
    );

    // set: canonical key case, parents and extension objects created
    user.set(users, &path("NAME.familyname"), json!("Jensen"))
        .unwrap();
    user.set(users, &path("name.givenName"), json!("Babs"))
        .unwrap();
    user.set(
        users,
        &path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"),
        json!("Tour Operations"),
    )
    .unwrap();
    user.set(users, &path("costCenter"), json!("4130")).unwrap();
    // Keys are written in canonical case, in place (`Name` → `name`, `GivenName` → `givenName`).
    assert!(!user.as_map().contains_key("Name"));
    assert_eq!(
        user.as_map()["name"],
        json!({"givenName": "Babs", "familyName": "Jensen"}),
    );
    assert_eq!(
        user.as_map()[ENTERPRISE_USER_SCHEMA],
        json!({"manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"},
               "department": "Tour Operations", "costCenter": "4130"})
    );
    let err = user
        .set(users, &path("emails.value"), json!("x"))
        .unwrap_err();
    assert_eq!(err.scim_type.unwrap().as_str(), "noTarget");
    let err = user.set(users, &path("nope"), json!("x")).unwrap_err();
    assert_eq!(err.scim_type.unwrap().as_str(), "invalidPath");

    // remove: an emptied extension object goes too
    let mut fresh = Resource::from_value(json!({
        ENTERPRISE_USER_SCHEMA: {"department": "X"}
    }))
    .unwrap();
    assert_eq!(fresh.remove(users, &path("department")), Some(json!("X")));
    assert!(fresh.as_map().is_empty());
}

#[test]
fn unknown_extension_attributes_are_preserved() {
    let registry = Registry::core();
    let users = registry.resource_type("User").unwrap();
    let input = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_USER_SCHEMA,
                    "urn:example:unknown:2.0:Thing"],
        "userName": "bjensen",
        "x-vendor": {"a": [1, 2]},
        "urn:example:unknown:2.0:Thing": {"color": "blue"},
        ENTERPRISE_USER_SCHEMA: {"department": "Ops", "futureField": true}
    });
    let mut user = Resource::from_value(input.clone()).unwrap();
    user.set(users, &path("department"), json!("Sales"))
        .unwrap();
    user.set(users, &path("userName"), json!("babs")).unwrap();
    let out = user.into_value();
    assert_eq!(
        out["urn:example:unknown:2.0:Thing"],
        json!({"color": "blue"})
    );
    assert_eq!(out["x-vendor"], json!({"a": [1, 2]}));
    assert_eq!(
        out[ENTERPRISE_USER_SCHEMA],
        json!({"department": "Sales", "futureField": true})
    );
    // Nothing is dropped, and the untouched keys keep their order
    // (a value that is set moves to the end: deterministic either way).
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    let mut in_keys: Vec<&String> = input.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), in_keys.len());
    in_keys.retain(|k| *k != "userName" && *k != ENTERPRISE_USER_SCHEMA);
    let untouched: Vec<&String> = keys
        .iter()
        .copied()
        .filter(|k| in_keys.contains(k))
        .collect();
    assert_eq!(untouched, in_keys);
}
