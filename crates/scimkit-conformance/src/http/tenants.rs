//! Tenant isolation through every endpoint: one tenant never sees, changes,
//! collides with or refers to another tenant's resources; another tenant's
//! id is `404`, like an unknown one.

use serde_json::json;

use super::client::Suite;
use super::fixture::{TOKEN_A, TOKEN_B, group, patch, user};

/// Tenants chosen by token (tenants `a` and `b` on one URL).
pub(super) async fn run_by_token(s: &Suite) {
    let b = Some(TOKEN_B);
    let created = s
        .req("POST", "/Users")
        .json(user("tenant-a-user"))
        .check(201)
        .await;
    let id = created.id();
    let g = s
        .req("POST", "/Groups")
        .json(group("tenant-a-group"))
        .check(201)
        .await;
    let gid = g.id();
    let item = format!("/Users/{id}");

    // Item endpoints: 404 for b, with no hint of a's data.
    let r = s.req("GET", &item).token(b).check(404).await;
    assert!(!r.json["detail"].as_str().unwrap().contains("tenant-a"));
    s.req("PUT", &item)
        .token(b)
        .json(user("stolen"))
        .check(404)
        .await;
    s.req("PATCH", &item)
        .token(b)
        .json(patch(
            json!([{"op": "replace", "path": "active", "value": false}]),
        ))
        .check(404)
        .await;
    s.req("DELETE", &item).token(b).check(404).await;
    s.req("PATCH", &format!("/Groups/{gid}"))
        .token(b)
        .json(patch(
            json!([{"op": "add", "path": "members", "value": [{"value": "x"}]}]),
        ))
        .check(404)
        .await;
    // Lists, filters, searches: nothing of a's.
    let r = s
        .req("GET", "/Users?filter=userName%20eq%20%22tenant-a-user%22")
        .token(b)
        .check(200)
        .await;
    assert_eq!(r.json["totalResults"], 0);
    let r = s.req("GET", "/Users").token(b).check(200).await;
    assert!(!r.listed("userName").contains(&"tenant-a-user".to_owned()));
    let search = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName eq \"tenant-a-user\" or displayName eq \"tenant-a-group\""
    });
    let r = s
        .req("POST", "/Users/.search")
        .token(b)
        .json(search.clone())
        .check(200)
        .await;
    assert_eq!(r.json["totalResults"], 0);
    let r = s
        .req("POST", "/.search")
        .token(b)
        .json(search.clone())
        .check(200)
        .await;
    assert_eq!(r.json["totalResults"], 0);
    let r = s.req("POST", "/.search").json(search).check(200).await;
    assert_eq!(r.json["totalResults"], 2, "a sees its own");
    // Bulk: b's operations on a's ids are 404.
    let r = s
        .req("POST", "/Bulk")
        .token(b)
        .json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
            {"method": "PATCH", "path": item, "data": patch(json!([{"op": "replace", "path": "active", "value": false}]))},
            {"method": "DELETE", "path": format!("/Groups/{gid}")}
        ]}))
        .check(200)
        .await;
    assert_eq!(r.json["Operations"][0]["status"], "404");
    assert_eq!(r.json["Operations"][1]["status"], "404");
    // Uniqueness is per tenant: b may use a's userName and group name.
    s.req("POST", "/Users")
        .token(b)
        .json(user("tenant-a-user"))
        .check(201)
        .await;
    s.req("POST", "/Groups")
        .token(b)
        .json(group("tenant-a-group"))
        .check(201)
        .await;
    // /Me: b's token maps to nothing.
    s.req("GET", "/Me").token(b).check(501).await;
    // a's resource is untouched.
    let r = s.req("GET", &item).token(Some(TOKEN_A)).check(200).await;
    assert_eq!(r.json["active"], true);
    assert_eq!(r.etag(), created.etag());
}

/// Tenant URLs: `/tenants/{id}/scim/v2/…`; a token opens only its tenant's URL.
pub(super) async fn run_by_path(origin: &str) {
    let a = Suite::new(origin.to_owned(), "/tenants/a/scim/v2");
    let b = Suite::new(origin.to_owned(), "/tenants/b/scim/v2");
    let created = a
        .req("POST", "/Users")
        .json(user("path-user"))
        .check(201)
        .await;
    let id = created.id();
    let loc = created.header("location").unwrap();
    assert_eq!(loc, a.url(&format!("/Users/{id}")));
    assert!(loc.contains("/tenants/a/scim/v2/Users/"));
    // a's token on b's URL, b's token on a's URL: 401 on every endpoint.
    for (suite, token) in [(&b, TOKEN_A), (&a, TOKEN_B)] {
        for (m, p) in [
            ("GET", "/Users".to_owned()),
            ("GET", format!("/Users/{id}")),
            ("GET", "/ServiceProviderConfig".to_owned()),
            ("POST", "/Users".to_owned()),
            ("POST", "/Bulk".to_owned()),
            ("POST", "/.search".to_owned()),
        ] {
            let r = suite
                .req(m, &p)
                .token(Some(token))
                .json(json!({}))
                .check(401)
                .await;
            assert!(r.header("www-authenticate").is_some());
        }
    }
    // b on its own URL: nothing of a's.
    let tb = Some(TOKEN_B);
    b.req("GET", &format!("/Users/{id}"))
        .token(tb)
        .check(404)
        .await;
    let r = b
        .req("GET", "/Users?filter=userName%20eq%20%22path-user%22")
        .token(tb)
        .check(200)
        .await;
    assert_eq!(r.json["totalResults"], 0);
    b.req("POST", "/Users")
        .token(tb)
        .json(user("path-user"))
        .check(201)
        .await;
    // Outside any tenant URL: 404.
    let none = Suite::new(origin.to_owned(), "/scim/v2");
    assert_eq!(none.req("GET", "/Users").status_only().await, 404);
    // Discovery under a tenant URL carries that URL.
    let spc = a.req("GET", "/ServiceProviderConfig").check(200).await;
    assert_eq!(
        spc.json["meta"]["location"],
        a.url("/ServiceProviderConfig")
    );
}
