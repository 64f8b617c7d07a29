//! Typed views (RFC 7643 §8): every example of §8 reads into its view and
//! writes back to the same JSON, directly and through `Resource`.

use scimkit_schema::messages::ServiceProviderConfig;
use scimkit_schema::views::{
    Email, EnterpriseUser, Group, Manager, Member, Meta, Name, ResourceTypeResource,
    SchemaResource, User,
};
use scimkit_schema::{ENTERPRISE_USER_SCHEMA, Registry, Resource, core_schemas};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/data/rfc7643/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Reads `json` as `T`, writes it back, and compares.
fn check<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(json: &Value) -> T {
    let view: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(&serde_json::to_value(&view).unwrap(), json);
    view
}

/// The same through `Resource`: `TryFrom<&Resource>` then `From<T> for Resource`.
fn check_resource<T>(json: &Value) -> T
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + Clone,
    T: for<'a> TryFrom<&'a Resource, Error = scimkit_schema::ScimError>,
    Resource: From<T>,
{
    let view = check::<T>(json);
    let resource = Resource::from_value(json.clone()).unwrap();
    let from_resource = T::try_from(&resource).unwrap();
    assert_eq!(from_resource, view);
    assert_eq!(Resource::from(from_resource).into_value(), *json);
    view
}

#[test]
fn rfc7643_8_1_minimal_user() {
    let user: User = check_resource(&fixture("8.1-minimal-user.json"));
    assert_eq!(user.user_name.as_deref(), Some("bjensen@example.com"));
    let meta = user.meta.unwrap();
    assert_eq!(meta.version.as_deref(), Some("W/\"3694e05e9dff590\""));
    assert_eq!(
        meta.created_at().unwrap().to_rfc3339(),
        "2010-01-23T04:56:22+00:00"
    );
    assert!(meta.extra.is_empty());
}

#[test]
fn rfc7643_8_2_full_user() {
    let user: User = check_resource(&fixture("8.2-full-user.json"));
    assert_eq!(
        user.name.as_ref().unwrap().middle_name.as_deref(),
        Some("Jane")
    );
    assert_eq!(
        user.primary_email().unwrap().value.as_deref(),
        Some("bjensen@example.com")
    );
    assert_eq!(user.addresses[0].primary, Some(true));
    assert_eq!(user.groups[2].display.as_deref(), Some("US Employees"));
    assert_eq!(user.photos[1].kind.as_deref(), Some("thumbnail"));
    assert_eq!(user.x509_certificates.len(), 1);
    assert!(user.enterprise.is_none());
    // Every member of the example is a field of the view: nothing in `extra`.
    assert!(user.extra.is_empty());
    assert!(user.emails.iter().all(|e| e.extra.is_empty()));
    assert!(user.addresses.iter().all(|a| a.extra.is_empty()));
}

#[test]
fn rfc7643_8_3_enterprise_user() {
    let user: User = check_resource(&fixture("8.3-enterprise-user.json"));
    let ent = user.enterprise.unwrap();
    assert_eq!(ent.employee_number.as_deref(), Some("701984"));
    let manager = ent.manager.unwrap();
    assert_eq!(manager.display_name.as_deref(), Some("John Smith"));
    assert_eq!(
        manager.reference.as_deref(),
        Some("../Users/26118915-6090-4610-87e4-49d8ca9f808d")
    );
    assert!(user.extra.is_empty() && ent.extra.is_empty());
}

#[test]
fn rfc7643_8_4_group() {
    let group: Group = check_resource(&fixture("8.4-group.json"));
    assert_eq!(group.members.len(), 2);
    assert_eq!(
        group.members[1].display.as_deref(),
        Some("Mandy Pepperidge")
    );
    assert!(group.extra.is_empty());
}

#[test]
fn rfc7643_8_5_service_provider_config() {
    let config: ServiceProviderConfig = check(&fixture("8.5-service-provider-config.json"));
    assert_eq!(config.bulk.max_payload_size, 1_048_576);
    assert_eq!(config.filter.max_results, 200);
    assert!(config.etag.supported);
    assert_eq!(config.authentication_schemes[1].scheme_type, "httpbasic");
    assert_eq!(config.authentication_schemes[0].primary, Some(true));
    assert!(config.extra.is_empty());
}

#[test]
fn rfc7643_8_6_resource_types() {
    let list = fixture("8.6-resource-types.json");
    for rt in list.as_array().unwrap() {
        let view: ResourceTypeResource = check_resource(rt);
        assert!(view.extra.is_empty());
    }
    // The same JSON from the built-in definitions (the RFC's example makes
    // the enterprise extension required; the core registry does not).
    let ours: Vec<Value> = core_schemas::core_resource_types()
        .into_iter()
        .zip(list.as_array().unwrap())
        .map(|(rt, rfc)| {
            let meta: Meta = serde_json::from_value(rfc["meta"].clone()).unwrap();
            let mut v =
                serde_json::to_value(ResourceTypeResource::of_resource_type(rt).with_meta(meta))
                    .unwrap();
            if let Some(ext) = v.pointer_mut("/schemaExtensions/0/required") {
                *ext = json!(true);
            }
            v
        })
        .collect();
    assert_eq!(Value::Array(ours), list);
}

/// Fills in the RFC 7643 §2.2 defaults the RFC's JSON leaves out, and drops
/// empty lists, so that two attribute definitions compare by meaning.
fn normalise(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.contains_key("type") && m.contains_key("multiValued") {
                for (k, d) in [
                    ("required", json!(false)),
                    ("caseExact", json!(false)),
                    ("mutability", json!("readWrite")),
                    ("returned", json!("default")),
                    ("uniqueness", json!("none")),
                ] {
                    m.entry(k).or_insert(d);
                }
            }
            m.retain(|_, v| v.as_array().is_none_or(|a| !a.is_empty()));
            m.values_mut().for_each(normalise);
        }
        Value::Array(a) => a.iter_mut().for_each(normalise),
        _ => {}
    }
}

#[test]
fn rfc7643_8_7_1_schema_representation() {
    // The schemas read into `SchemaResource` with their `meta`, and write back
    // the same JSON but for the defaults the RFC leaves out: the crate writes
    // every characteristic explicitly (strict output).
    for rfc in fixture("8.7.1-schemas.json").as_array().unwrap() {
        let view: SchemaResource = serde_json::from_value(rfc.clone()).unwrap();
        assert!(
            view.schemas.is_empty(),
            "§8.7.1 has no `schemas` (erratum 8417)"
        );
        assert_eq!(
            view.meta.as_ref().unwrap().resource_type.as_deref(),
            Some("Schema")
        );
        assert!(view.extra.is_empty());
        let (mut ours, mut want) = (serde_json::to_value(&view).unwrap(), rfc.clone());
        normalise(&mut ours);
        normalise(&mut want);
        assert_eq!(ours, want);
        // and through `Resource`
        let resource = Resource::from(&view);
        assert_eq!(SchemaResource::try_from(&resource).unwrap(), view);
    }
}

#[test]
fn unknown_members_are_kept_everywhere() {
    let json = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_USER_SCHEMA,
                    "urn:example:acme:2.0:User"],
        "userName": "bjensen",
        "name": {"givenName": "Barbara", "phoneticName": "BAR-ba-ra"},
        "emails": [{"value": "b@example.com", "verified": true}],
        "addresses": [{"country": "US", "geo": {"lat": 1.5}}],
        "groups": [{"value": "g1", "origin": "ldap"}],
        ENTERPRISE_USER_SCHEMA: {"department": "Ops", "manager": {"value": "m", "level": 2},
                                 "badge": 7},
        "urn:example:acme:2.0:User": {"shoeSize": 44},
        "meta": {"resourceType": "User", "etagSource": "db"},
        "x-vendor": null
    });
    let user: User = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(
        user.extra["urn:example:acme:2.0:User"],
        json!({"shoeSize": 44})
    );
    assert_eq!(
        user.name.as_ref().unwrap().extra["phoneticName"],
        "BAR-ba-ra"
    );
    assert_eq!(user.emails[0].extra["verified"], true);
    let ent = user.enterprise.as_ref().unwrap();
    assert_eq!(ent.extra["badge"], 7);
    assert_eq!(ent.manager.as_ref().unwrap().extra["level"], 2);
    assert_eq!(user.meta.as_ref().unwrap().extra["etagSource"], "db");
    // an unknown member's explicit null is kept too (it is not a view field)
    assert_eq!(serde_json::to_value(&user).unwrap(), json);
}

#[test]
fn null_and_empty_mean_unassigned() {
    // RFC 7643 §2.5: null, [] and absent are the same state; the view writes none.
    let user: User = serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "a", "displayName": null, "emails": [], "name": null
    }))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&user).unwrap(),
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"})
    );
}

#[test]
fn wrong_types_are_scim_errors() {
    for bad in [
        json!({"userName": 5}),
        json!({"active": "yes"}),
        json!({"emails": {"value": "not-an-array"}}),
        json!({"name": "Barbara"}),
        json!({ENTERPRISE_USER_SCHEMA: {"manager": "26118915"}}),
    ] {
        let resource = Resource::from_value(bad.clone()).unwrap();
        let err = User::try_from(&resource).unwrap_err();
        assert_eq!(
            (err.status, err.scim_type.as_ref().map(|t| t.as_str())),
            (400, Some("invalidValue")),
            "{bad}"
        );
        assert!(err.detail.contains("User"), "{}", err.detail);
        assert!(User::try_from(resource).is_err());
    }
    let err = Group::try_from(&Resource::from_value(json!({"members": [1]})).unwrap()).unwrap_err();
    assert_eq!(err.status, 400);
}

#[test]
fn constructors_build_valid_resources() {
    let registry = Registry::core();
    let users = registry.resource_type("User").unwrap();
    let mut user = User::new("bjensen");
    user.name = Some(Name::new("Barbara", "Jensen"));
    user.emails.push(
        Email::new("b@example.com")
            .with_type("work")
            .with_primary(true),
    );
    let mut ent = EnterpriseUser::new();
    ent.manager = Some(Manager::new("m1"));
    user.set_enterprise(ent.clone());
    user.set_enterprise(ent);
    assert_eq!(user.schemas.len(), 2, "the extension URI is listed once");
    let resource = Resource::from(&user);
    let p = scimkit_filter::parse_attr_path(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        &scimkit_filter::ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(resource.get(users, &p), Some(&json!("m1")));

    let mut group = Group::new("Tour Guides");
    group.members.push(Member::new("2819c223"));
    assert_eq!(
        Resource::from(group).into_value(),
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
               "displayName": "Tour Guides", "members": [{"value": "2819c223"}]})
    );
}

#[test]
fn list_response_of_typed_users() {
    use scimkit_schema::messages::ListResponse;
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2,
        "itemsPerPage": 2,
        "startIndex": 1,
        "Resources": [fixture("8.1-minimal-user.json"), fixture("8.3-enterprise-user.json")]
    });
    let page: ListResponse<User> = check(&body);
    assert_eq!(
        page.resources[1]
            .enterprise
            .as_ref()
            .unwrap()
            .cost_center
            .as_deref(),
        Some("4130")
    );
}
