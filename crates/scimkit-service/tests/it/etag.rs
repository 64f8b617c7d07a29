//! `If-Match` / `If-None-Match` through `ScimService::handle` (RFC 7232
//! §3.1, §3.2, §2.3; RFC 7644 §3.14): a malformed header is `400`, never
//! ignored; `If-Match: *` survives a lost compare-and-swap.

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use http::HeaderValue;
use scimkit_schema::{Resource, ResourceSchema};
use scimkit_service::{
    ChangeRecord, EventKind, ListQuery, ListResult, MemoryStore, ResourceStore, ScimService,
    StaticTokens, StoreError, StoredResource, TenantId,
};
use serde_json::{Value, json};

fn service(store: impl ResourceStore) -> ScimService {
    ScimService::builder()
        .store(store)
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
        .build()
        .unwrap()
}

async fn send(
    s: &ScimService,
    method: &str,
    uri: &str,
    header: Option<(&str, &[u8])>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut b = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer t");
    if let Some((name, value)) = header {
        b = b.header(name, HeaderValue::from_bytes(value).unwrap());
    }
    if body.is_some() {
        b = b.header("content-type", "application/scim+json");
    }
    let body = body.map(|v| Bytes::from(v.to_string())).unwrap_or_default();
    let resp = s.handle(b.body(body).unwrap()).await;
    let status = resp.status().as_u16();
    let json = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
    (status, json)
}

fn user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})
}

fn rename(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": "replace", "path": "userName", "value": name}]})
}

/// A user at its second version: `(uri, stale ETag, current ETag)`.
async fn two_versions(s: &ScimService, name: &str) -> (String, String, String) {
    let (st, created) = send(s, "POST", "/scim/v2/Users", None, Some(user(name))).await;
    assert_eq!(st, 201);
    let uri = format!("/scim/v2/Users/{}", created["id"].as_str().unwrap());
    let old = created["meta"]["version"].as_str().unwrap().to_owned();
    let (st, now) = send(s, "PATCH", &uri, None, Some(rename(&format!("{name}-2")))).await;
    assert_eq!(st, 200);
    let cur = now["meta"]["version"].as_str().unwrap().to_owned();
    assert_ne!(old, cur);
    (uri, old, cur)
}

fn fill(template: &[u8], old: &str, cur: &str) -> Vec<u8> {
    let text: Vec<u8> = template.to_vec();
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(b"{old}") {
            out.extend_from_slice(old.as_bytes());
            i += 5;
        } else if text[i..].starts_with(b"{cur}") {
            out.extend_from_slice(cur.as_bytes());
            i += 5;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

#[tokio::test]
async fn conditional_headers() {
    let s = service(MemoryStore::new());
    // (method, header, value with {old}/{cur} placeholders, expected status)
    let cases: &[(&str, &str, &[u8], u16)] = &[
        // Malformed: 400, whatever the version.
        ("PUT", "if-match", b",", 400),
        ("PUT", "if-match", b" , , ", 400),
        ("PUT", "if-match", b"{old}\xE9", 400),
        ("PUT", "if-match", b"garbage", 400),
        ("PUT", "if-match", b"*, {cur}", 400),
        ("PUT", "if-match", b"W/\"unterminated", 400),
        ("PATCH", "if-match", b",", 400),
        ("PATCH", "if-match", b"{old}\xE9", 400),
        ("PATCH", "if-match", b"{cur} {cur}", 400),
        ("DELETE", "if-match", b",", 400),
        ("DELETE", "if-match", b"{old}\xE9", 400),
        ("GET", "if-none-match", b",", 400),
        ("GET", "if-none-match", b"{cur}\xE9", 400),
        ("GET", "if-none-match", b"unquoted", 400),
        // Well-formed.
        ("PUT", "if-match", b"{old}", 412),
        ("PUT", "if-match", b"W/\"1\xE9\"", 412),
        ("PUT", "if-match", b"{cur}", 200),
        ("PUT", "if-match", b"*", 200),
        ("PUT", "if-match", b"\"x\", , {cur}", 200),
        ("PUT", "if-none-match", b"{cur}", 412),
        ("PUT", "if-none-match", b"*", 412),
        ("PUT", "if-none-match", b"{old}", 200),
        ("PATCH", "if-match", b"{old}", 412),
        ("PATCH", "if-match", b"*", 200),
        ("PATCH", "if-match", b"{cur}", 200),
        ("DELETE", "if-match", b"{old}", 412),
        ("DELETE", "if-match", b"*", 204),
        ("DELETE", "if-match", b"{cur}", 204),
        ("GET", "if-none-match", b"{cur}", 304),
        ("GET", "if-none-match", b"*", 304),
        ("GET", "if-none-match", b"{old}", 200),
        ("GET", "if-match", b"{old}", 412),
        ("GET", "if-match", b"{cur}", 200),
    ];
    for (n, (method, name, template, want)) in cases.iter().enumerate() {
        let (uri, old, cur) = two_versions(&s, &format!("u{n}")).await;
        let value = fill(template, &old, &cur);
        let body = match *method {
            "PUT" => Some(user(&format!("u{n}-put"))),
            "PATCH" => Some(rename(&format!("u{n}-patch"))),
            _ => None,
        };
        let (got, json) = send(&s, method, &uri, Some((name, &value)), body).await;
        let shown = String::from_utf8_lossy(&value);
        assert_eq!(got, *want, "{method} {name}: {shown}: {json}");
        if got == 400 {
            let detail = json["detail"].as_str().unwrap();
            assert!(detail.to_ascii_lowercase().contains(name), "{detail}");
        }
        // A refused write left the resource alone.
        if *want >= 400 {
            let (_, now) = send(&s, "GET", &uri, None, None).await;
            assert_eq!(now["meta"]["version"], cur, "{method} {name}: {shown}");
        }
    }
}

#[tokio::test]
async fn bulk_versions_are_checked() {
    let s = service(MemoryStore::new());
    let cases: &[(&str, u16)] = &[
        (",", 400),
        ("W/\"1\"\u{1}", 400),
        ("{old}", 412),
        ("*", 200),
    ];
    for (n, (template, want)) in cases.iter().enumerate() {
        let (uri, old, cur) = two_versions(&s, &format!("b{n}")).await;
        let version = String::from_utf8(fill(template.as_bytes(), &old, &cur)).unwrap();
        let bulk = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            "Operations": [{
                "method": "PATCH",
                "path": uri.trim_start_matches("/scim/v2"),
                "version": version,
                "data": rename(&format!("b{n}-bulk")),
            }]
        });
        let (st, resp) = send(&s, "POST", "/scim/v2/Bulk", None, Some(bulk)).await;
        assert_eq!(st, 200);
        let got = &resp["Operations"][0]["status"];
        assert_eq!(got, &want.to_string(), "{version:?}: {resp}");
    }
}

/// A store whose next `replace` loses a compare-and-swap race: another
/// writer changes the resource just before it.
#[derive(Default)]
struct Racing {
    inner: MemoryStore,
    armed: AtomicBool,
}

#[async_trait]
impl ResourceStore for Racing {
    async fn create(
        &self,
        t: &TenantId,
        rs: &ResourceSchema,
        r: Resource,
    ) -> Result<StoredResource, StoreError> {
        self.inner.create(t, rs, r).await
    }
    async fn get(
        &self,
        t: &TenantId,
        rs: &ResourceSchema,
        id: &str,
    ) -> Result<Option<StoredResource>, StoreError> {
        self.inner.get(t, rs, id).await
    }
    async fn replace(
        &self,
        t: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        r: Resource,
        expected: Option<&str>,
        change: &[EventKind],
    ) -> Result<StoredResource, StoreError> {
        if self.armed.swap(false, Ordering::SeqCst) {
            let mut other = r.clone();
            other
                .as_map_mut()
                .insert("nickName".into(), "the other writer".into());
            self.inner.replace(t, rs, id, other, None, change).await?;
        }
        self.inner.replace(t, rs, id, r, expected, change).await
    }
    async fn delete(
        &self,
        t: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        expected: Option<&str>,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        self.inner.delete(t, rs, id, expected).await
    }
    async fn list(&self, t: &TenantId, q: &ListQuery<'_>) -> Result<ListResult, StoreError> {
        self.inner.list(t, q).await
    }
}

#[tokio::test]
async fn if_match_any_retries_a_lost_race() {
    let store = std::sync::Arc::new(Racing::default());
    let s = ScimService::builder()
        .shared_store(store.clone())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
        .build()
        .unwrap();
    // (method, If-Match, expected status)
    let cases: &[(&str, Option<&[u8]>, u16)] = &[
        ("PUT", Some(b"*"), 200),
        ("PATCH", Some(b"*"), 200),
        ("PUT", None, 200),
        ("PUT", Some(b"{cur}"), 412),
        ("PATCH", Some(b"{cur}"), 412),
    ];
    for (n, (method, header, want)) in cases.iter().enumerate() {
        let (uri, old, cur) = two_versions(&s, &format!("r{n}")).await;
        let value = header.map(|h| fill(h, &old, &cur));
        let body = match *method {
            "PUT" => user(&format!("r{n}-won")),
            _ => rename(&format!("r{n}-won")),
        };
        store.armed.store(true, Ordering::SeqCst);
        let (got, json) = send(
            &s,
            method,
            &uri,
            value.as_deref().map(|v| ("if-match", v)),
            Some(body),
        )
        .await;
        assert_eq!(got, *want, "{method} {header:?}: {json}");
        if got == 200 {
            assert_eq!(json["userName"], format!("r{n}-won"));
        }
    }
}
