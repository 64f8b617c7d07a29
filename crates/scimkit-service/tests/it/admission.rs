//! Head-first admission (`ScimService::admit`), the engine's own tenant
//! check, body-error responses, and panics turned into `500`s.

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use scimkit_service::{
    AuthError, AuthRequest, Authenticator, BodyError, Config, EventSink, MemoryStore, Principal,
    ProvisioningEvent, ScimService, StaticTokens, TenantId, body_error_response,
};
use serde_json::json;

/// Trusts any bearer token and always answers tenant `a`, whatever the path
/// says: the careless authenticator the engine must not trust.
struct Careless;

#[async_trait]
impl Authenticator for Careless {
    async fn authenticate(&self, req: &AuthRequest<'_>) -> Result<Principal, AuthError> {
        if req.headers.contains_key("x-panic") {
            panic!("authenticator bug");
        }
        req.bearer_token().ok_or(AuthError::Missing)?;
        Ok(Principal::new(TenantId::new("a"), "careless"))
    }
}

/// Panics on its first event, then behaves.
#[derive(Default)]
struct PanicOnce(AtomicBool);

#[async_trait]
impl EventSink for PanicOnce {
    async fn publish(&self, _event: ProvisioningEvent) {
        if !self.0.swap(true, Ordering::SeqCst) {
            panic!("event sink bug");
        }
    }
}

fn careless(config: Config) -> ScimService {
    ScimService::builder()
        .store(MemoryStore::new())
        .authenticator(Careless)
        .events(std::sync::Arc::new(PanicOnce::default()))
        .config(config)
        .build()
        .unwrap()
}

fn request(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> http::Request<Bytes> {
    let mut b = http::Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Bytes::from(body.to_owned())).unwrap()
}

async fn status(s: &ScimService, req: http::Request<Bytes>) -> u16 {
    s.handle(req).await.status().as_u16()
}

#[tokio::test]
async fn the_engine_checks_the_principals_tenant_against_the_path() {
    let s = careless(Config::default().with_tenant_urls(true));
    let auth = [("authorization", "Bearer anything")];
    let cases = [
        ("/tenants/a/scim/v2/Users", 200),
        ("/tenants/b/scim/v2/Users", 401),
        ("/tenants/a%2F/scim/v2/Users", 401),
    ];
    for (uri, want) in cases {
        let resp = s.handle(request("GET", uri, &auth, "")).await;
        assert_eq!(resp.status().as_u16(), want, "{uri}");
        if want == 401 {
            assert!(resp.headers().contains_key("www-authenticate"), "{uri}");
        }
    }
}

/// What the head alone decides, before any body byte exists.
#[tokio::test]
async fn admit_decides_from_the_head() {
    let s = ScimService::builder()
        .store(MemoryStore::new())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
        .config(
            Config::default()
                .with_max_body_size(1000)
                .with_bulk(true, 10, 5000),
        )
        .build()
        .unwrap();
    let json_ct = ("content-type", "application/scim+json");
    type Case<'a> = (
        &'a str,
        &'a str,
        Vec<(&'a str, &'a str)>,
        Result<usize, u16>,
    );
    let cases: Vec<Case<'_>> = vec![
        // An unauthenticated 1,000,000-byte POST is refused from its head.
        (
            "POST",
            "/scim/v2/Users",
            vec![("content-length", "1000000"), json_ct],
            Err(413),
        ),
        (
            "POST",
            "/scim/v2/Users",
            vec![("content-length", "1000"), json_ct],
            Err(401),
        ),
        (
            "POST",
            "/scim/v2/Users",
            vec![
                ("content-length", "1000"),
                json_ct,
                ("authorization", "Bearer t"),
            ],
            Ok(1000),
        ),
        (
            "POST",
            "/scim/v2/Users",
            vec![
                ("content-length", "1001"),
                json_ct,
                ("authorization", "Bearer t"),
            ],
            Err(413),
        ),
        // Bulk has its own limit.
        (
            "POST",
            "/scim/v2/Bulk",
            vec![
                ("content-length", "5000"),
                json_ct,
                ("authorization", "Bearer t"),
            ],
            Ok(5000),
        ),
        (
            "POST",
            "/scim/v2/Bulk",
            vec![
                ("content-length", "5001"),
                json_ct,
                ("authorization", "Bearer t"),
            ],
            Err(413),
        ),
        (
            "POST",
            "/scim/v2/Users",
            vec![
                ("content-length", "10"),
                ("content-type", "text/xml"),
                ("authorization", "Bearer t"),
            ],
            Err(415),
        ),
        (
            "POST",
            "/scim/v2/Users",
            vec![("content-length", "ten"), ("authorization", "Bearer t")],
            Err(400),
        ),
        (
            "GET",
            "/elsewhere",
            vec![("authorization", "Bearer t")],
            Err(404),
        ),
    ];
    for (method, uri, headers, want) in cases {
        let (parts, ()) = http::Request::builder()
            .method(method)
            .uri(uri)
            .body(())
            .unwrap()
            .into_parts();
        let mut parts = parts;
        for (k, v) in &headers {
            parts.headers.append(*k, v.parse().unwrap());
        }
        let got = s
            .admit(&parts)
            .await
            .map(|a| a.body_limit())
            .map_err(|r| r.status().as_u16());
        assert_eq!(got, want, "{method} {uri} {headers:?}");
    }
}

#[test]
fn body_errors_have_one_response_each() {
    for (e, want) in [
        (BodyError::TooLarge, 413),
        (BodyError::TimedOut, 408),
        (BodyError::Unreadable, 400),
    ] {
        let r = body_error_response(e, 1234);
        assert_eq!(r.status().as_u16(), want, "{e:?}");
        assert_eq!(r.headers()["content-type"], "application/scim+json");
        assert_eq!(r.headers()["connection"], "close");
        let body: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
        assert_eq!(body["status"], want.to_string(), "{e:?}");
        if want == 413 {
            assert!(body["detail"].as_str().unwrap().contains("1234"), "{body}");
        }
    }
}

/// A panic in an authenticator or event sink is a `500` SCIM error, and
/// the next request is served normally.
#[tokio::test]
async fn panics_are_500s_and_the_service_keeps_serving() {
    let s = careless(Config::default());
    let auth = ("authorization", "Bearer x");
    let ct = ("content-type", "application/scim+json");
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "u"})
        .to_string();
    let resp = s
        .handle(request(
            "GET",
            "/scim/v2/Users",
            &[auth, ("x-panic", "1")],
            "",
        ))
        .await;
    assert_eq!(resp.status(), 500);
    let body: serde_json::Value = serde_json::from_slice(resp.body()).unwrap();
    assert_eq!(body["status"], "500");
    assert_eq!(
        status(&s, request("GET", "/scim/v2/Users", &[auth], "")).await,
        200
    );
    // The event sink panics on the first create.
    assert_eq!(
        status(&s, request("POST", "/scim/v2/Users", &[auth, ct], &user)).await,
        500
    );
    assert_eq!(
        status(&s, request("GET", "/scim/v2/Users", &[auth], "")).await,
        200
    );
}
