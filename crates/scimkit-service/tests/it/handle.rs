//! `ScimService::handle` without a framework: a table of requests and the
//! status each must get.

use bytes::Bytes;
use scimkit_service::{Config, MemoryStore, ScimService, StaticTokens, TenantId};
use serde_json::{Value, json};

fn service(config: Config) -> ScimService {
    ScimService::builder()
        .store(MemoryStore::new())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
        .config(config)
        .build()
        .unwrap()
}

async fn check(s: &ScimService, method: &str, uri: &str, body: Option<Value>, want: u16) -> Value {
    let mut b = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer t");
    if body.is_some() {
        b = b.header("content-type", "application/scim+json");
    }
    let body = body.map(|v| Bytes::from(v.to_string())).unwrap_or_default();
    let resp = s.handle(b.body(body).unwrap()).await;
    let status = resp.status().as_u16();
    let json = if resp.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(resp.body()).unwrap()
    };
    assert_eq!(status, want, "{method} {uri}: {json}");
    json
}

fn user(n: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": n})
}

#[tokio::test]
async fn base_paths_and_statuses() {
    let root = service(Config::default().with_base_path(""));
    let cases: Vec<(&str, &str, Option<Value>, u16)> = vec![
        ("GET", "/ServiceProviderConfig", None, 200),
        ("POST", "/Users", Some(user("a")), 201),
        ("GET", "/scim/v2/Users", None, 404),
        ("GET", "/", None, 404),
        ("GET", "/Users?count=2&startIndex=1", None, 200),
        ("GET", "/Users?filter=userName%20eq%20%22a%22", None, 200),
        ("GET", "/Users?filter=%ZZ", None, 400),
        ("GET", "/Users?sortOrder=sideways", None, 400),
    ];
    for (m, p, b, want) in cases {
        check(&root, m, p, b, want).await;
    }
}

#[tokio::test]
async fn bulk_disabled_is_501() {
    let s = service(Config::default().with_bulk(false, 0, 1024));
    let body =
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": []});
    check(&s, "POST", "/scim/v2/Bulk", Some(body), 501).await;
    let spc = check(&s, "GET", "/scim/v2/ServiceProviderConfig", None, 200).await;
    assert_eq!(spc["bulk"]["supported"], false);
}

#[tokio::test]
async fn public_origin_sets_locations() {
    let s = service(Config::default().with_public_origin("https://id.example.com/"));
    let created = check(&s, "POST", "/scim/v2/Users", Some(user("loc")), 201).await;
    let loc = created["meta"]["location"].as_str().unwrap();
    assert!(
        loc.starts_with("https://id.example.com/scim/v2/Users/"),
        "{loc}"
    );
}

#[tokio::test]
async fn group_display_name_is_not_unique_by_default() {
    let s = service(Config::default());
    let g =
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Same"});
    check(&s, "POST", "/scim/v2/Groups", Some(g.clone()), 201).await;
    check(&s, "POST", "/scim/v2/Groups", Some(g), 201).await;
}

#[tokio::test]
async fn custom_resource_types_get_every_endpoint() {
    use scimkit_schema::{AttrType, AttributeDef, Registry, ResourceType, Schema};
    let mut registry = Registry::core();
    let schema = Schema::new(
        "urn:example:scim:Device",
        "Device",
        vec![
            AttributeDef::new("serial", AttrType::String).required(),
            AttributeDef::new("model", AttrType::String),
        ],
    );
    registry.add_schema(schema).unwrap();
    registry
        .add_resource_type(ResourceType::new(
            "Device",
            "/Devices",
            "urn:example:scim:Device",
        ))
        .unwrap();
    let s = ScimService::builder()
        .registry(registry)
        .store(MemoryStore::new())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
        .build()
        .unwrap();
    let d = json!({"schemas": ["urn:example:scim:Device"], "serial": "SN-1", "model": "X"});
    let created = check(&s, "POST", "/scim/v2/Devices", Some(d), 201).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["meta"]["resourceType"], "Device");
    let list = check(
        &s,
        "GET",
        "/scim/v2/Devices?filter=serial%20eq%20%22SN-1%22",
        None,
        200,
    )
    .await;
    assert_eq!(list["totalResults"], 1);
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "path": "model", "value": "Y"}]});
    let p = check(
        &s,
        "PATCH",
        &format!("/scim/v2/Devices/{id}"),
        Some(patch),
        200,
    )
    .await;
    assert_eq!(p["model"], "Y");
    let rts = check(&s, "GET", "/scim/v2/ResourceTypes", None, 200).await;
    assert_eq!(rts["totalResults"], 3);
    check(&s, "DELETE", &format!("/scim/v2/Devices/{id}"), None, 204).await;
}

/// A query component that cannot be decoded is `400 invalidSyntax` saying
/// which parameter and where, never repeating its bytes: it may be a
/// credential (`access_token=…`) and error details end up in logs.
#[tokio::test]
async fn undecodable_query_errors_do_not_echo_the_value() {
    let s = service(Config::default().with_base_path(""));
    let cases = [
        (
            "/Users?access_token=s3cretXYZ%ZZ",
            "the value of query parameter \"access_token\" has a malformed percent-escape at byte 9",
        ),
        (
            "/Users?filter=ok&s3cretXYZ%E9=1",
            "the name of query parameter 2 is not UTF-8",
        ),
        (
            "/Users?password=s3cretXYZ%FF",
            "the value of query parameter \"password\" is not UTF-8",
        ),
    ];
    for (uri, want) in cases {
        let body = check(&s, "GET", uri, None, 400).await;
        assert_eq!(body["scimType"], "invalidSyntax", "{uri}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.starts_with(want), "{uri}: {detail}");
        assert!(!detail.contains("s3cretXYZ"), "{uri} echoed: {detail}");
    }
}
