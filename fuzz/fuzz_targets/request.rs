//! Whole HTTP requests through `ScimService::handle` on the memory store.
//!
//! The input reads like an HTTP/1.1 request: `METHOD TARGET`, header lines
//! `name: value`, an empty line, then the body. A bearer token is added unless
//! the input brings its own `Authorization`. Each input runs against a fresh
//! service holding one user and one group.
//!
//! Nothing may panic, no request may yield a `500`, and every error must be a
//! SCIM error body whose `status` is the response's status.
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use scimkit_service::{Config, MemoryStore, ScimService, StaticTokens, TenantId};

const TOKEN: &str = "s3cret";

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"))
    })
}

fn request(method: &str, target: &str, body: &'static str) -> http::Request<Bytes> {
    http::Request::builder()
        .method(method)
        .uri(target)
        .header("host", "scim.example.com")
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/scim+json")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap_or_else(|e| panic!("seed request: {e}"))
}

async fn service() -> ScimService {
    let service = ScimService::builder()
        .store(MemoryStore::new())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), TOKEN))
        .config(Config::default().with_base_path("/scim/v2"))
        .build()
        .unwrap_or_else(|e| panic!("service: {e}"));
    let user = service
        .handle(request(
            "POST",
            "/scim/v2/Users",
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen",
                "externalId":"bj","name":{"givenName":"Barbara","familyName":"Jensen"},
                "emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
                "addresses":[{"type":"work","country":"US"}]}"#,
        ))
        .await;
    assert_eq!(user.status(), 201, "seed user");
    let group = service
        .handle(request(
            "POST",
            "/scim/v2/Groups",
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Tour Guides"}"#,
        ))
        .await;
    assert_eq!(group.status(), 201, "seed group");
    service
}

/// Splits the input into method, target, headers and body.
fn parse(data: &[u8]) -> Option<http::Request<Bytes>> {
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split('\n');
    let (method, target) = lines.next()?.split_once(' ')?;
    let mut b = http::Request::builder()
        .method(http::Method::from_bytes(method.as_bytes()).ok()?)
        .uri(http::Uri::try_from(target).ok()?);
    let mut has_auth = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = http::HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        let value = http::HeaderValue::from_bytes(value.trim().as_bytes()).ok()?;
        has_auth |= name == http::header::AUTHORIZATION;
        b = b.header(name, value);
    }
    if !has_auth {
        b = b.header("authorization", format!("Bearer {TOKEN}"));
    }
    b.body(Bytes::copy_from_slice(body)).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some(req) = parse(data) else {
        return;
    };
    runtime().block_on(async {
        let service = service().await;
        let resp = service.handle(req).await;
        let status = resp.status().as_u16();
        assert_ne!(status, 500, "a 500: {:?}", String::from_utf8_lossy(resp.body()));
        if status >= 400 {
            let v: serde_json::Value = serde_json::from_slice(resp.body())
                .unwrap_or_else(|e| panic!("a {status} without a JSON body: {e}"));
            assert_eq!(
                v["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
                "a {status} that is not a SCIM error: {v}"
            );
            assert_eq!(v["status"], status.to_string(), "status mismatch: {v}");
        } else if !resp.body().is_empty() {
            serde_json::from_slice::<serde_json::Value>(resp.body())
                .unwrap_or_else(|e| panic!("a {status} body that is not JSON: {e}"));
        }
    });
});
