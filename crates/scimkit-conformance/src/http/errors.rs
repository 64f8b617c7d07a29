//! RFC 7644 §3.12: every failure is a SCIM error with the right status,
//! `scimType` and headers; §3.1 content types; §8.1 media type.

use serde_json::json;

use super::client::Suite;
use super::fixture::{TOKEN_READ_ONLY, user};

pub(super) async fn run(s: &Suite) {
    // 401 with a Bearer challenge: no token, wrong token, wrong scheme.
    for token in [None, Some("wrong-token")] {
        let r = s.req("GET", "/Users").token(token).check(401).await;
        let challenge = r.header("www-authenticate").expect("WWW-Authenticate");
        assert!(
            challenge.starts_with("Bearer realm=\"conformance\""),
            "{challenge}"
        );
    }
    let r = s
        .req("GET", "/Users")
        .token(None)
        .header("authorization", "Basic YTpi")
        .check(401)
        .await;
    assert!(r.header("www-authenticate").is_some());
    // 403 for a read-only caller's writes, reads allowed.
    s.req("GET", "/Users")
        .token(Some(TOKEN_READ_ONLY))
        .check(200)
        .await;
    s.req("POST", "/Users")
        .token(Some(TOKEN_READ_ONLY))
        .json(user("read-only-write"))
        .check(403)
        .await;
    s.req("POST", "/Bulk")
        .token(Some(TOKEN_READ_ONLY))
        .json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": []}))
        .check(403)
        .await;

    // 400 invalidSyntax for bad JSON and for a body that is not an object.
    let r = s
        .req("POST", "/Users")
        .raw("{\"userName\": ", Some("application/scim+json"))
        .check(400)
        .await;
    assert_eq!(r.scim_type(), Some("invalidSyntax"));
    let r = s
        .req("POST", "/Users")
        .raw("[1, 2]", Some("application/json"))
        .check(400)
        .await;
    assert_eq!(r.scim_type(), Some("invalidSyntax"));
    let r = s
        .req("PATCH", "/Users/x")
        .raw("nope", Some("application/json"))
        .check(400)
        .await;
    assert_eq!(r.scim_type(), Some("invalidSyntax"));
    // Missing required attribute: 400 invalidValue.
    let r = s
        .req("POST", "/Users")
        .json(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}))
        .check(400)
        .await;
    assert!(r.scim_type().is_some(), "{}", r.json);

    // 415 for a non-JSON body; JSON with charset and no Content-Type are fine.
    s.req("POST", "/Users")
        .raw(
            serde_json::to_vec(&user("ct-text")).unwrap(),
            Some("text/plain"),
        )
        .check(415)
        .await;
    s.req("POST", "/Users")
        .raw(
            serde_json::to_vec(&user("ct-charset")).unwrap(),
            Some("application/json; charset=utf-8"),
        )
        .check(201)
        .await;
    s.req("POST", "/Users")
        .raw(
            serde_json::to_vec(&user("ct-scim-charset")).unwrap(),
            Some("application/scim+json;charset=UTF-8"),
        )
        .check(201)
        .await;
    s.req("POST", "/Users")
        .raw(serde_json::to_vec(&user("ct-none")).unwrap(), None)
        .check(201)
        .await;

    // 413 beyond the body limit (64 KiB here).
    let mut big = user("big");
    big["displayName"] = json!("x".repeat(70 * 1024));
    s.req("POST", "/Users").json(big).check(413).await;

    // 404 for unknown ids, endpoints and paths.
    s.req("GET", "/Users/00000000-0000-0000-0000-000000000000")
        .check(404)
        .await;
    s.req("DELETE", "/Users/nope").check(404).await;
    s.req("PUT", "/Users/nope")
        .json(user("nope"))
        .check(404)
        .await;
    s.req("PATCH", "/Users/nope")
        .json(super::fixture::patch(
            json!([{"op": "replace", "path": "active", "value": false}]),
        ))
        .check(404)
        .await;
    s.req("GET", "/Widgets").check(404).await;
    s.req("GET", "/Users/a/b").check(404).await;
    let outside = s.req_url("GET", format!("{}/elsewhere/Users", s.origin));
    assert_eq!(outside.status_only().await, 404);

    // 405 with Allow for a method an endpoint does not take.
    let r = s.req("PATCH", "/Users").json(json!({})).check(405).await;
    assert_eq!(r.header("allow"), Some("GET, POST"));
    let r = s
        .req("POST", "/Users/some-id")
        .json(json!({}))
        .check(405)
        .await;
    assert_eq!(r.header("allow"), Some("GET, PUT, PATCH, DELETE"));
    let r = s.req("GET", "/Bulk").check(405).await;
    assert_eq!(r.header("allow"), Some("POST"));
    s.req("GET", "/Users/.search").check(405).await;
    s.req("GET", "/.search").check(405).await;

    // 400 for bad query parameters.
    let r = s.req("GET", "/Users?filter=userName%20eq").check(400).await;
    assert_eq!(r.scim_type(), Some("invalidFilter"));
    let r = s
        .req("GET", "/Users?filter=nosuchattr%20eq%20%22x%22")
        .check(400)
        .await;
    assert_eq!(r.scim_type(), Some("invalidFilter"));
    let r = s
        .req("GET", "/Users?filter=active%20eq%20%22yes%22")
        .check(400)
        .await;
    assert_eq!(r.scim_type(), Some("invalidFilter"));
    s.req("GET", "/Users?sortBy=nosuchattr").check(400).await;
    let r = s.req("GET", "/Users?startIndex=abc").check(400).await;
    assert_eq!(r.scim_type(), Some("invalidValue"));
    s.req("GET", "/Users?attributes=userName&excludedAttributes=name")
        .check(400)
        .await;
    let r = s
        .req("POST", "/Users/.search")
        .json(json!({"filter": "userName eq \"x\""}))
        .check(400)
        .await;
    assert_eq!(r.scim_type(), Some("invalidSyntax"));
    // /Me without a mapped resource: 501.
    s.req("GET", "/Me").check(501).await;
}
