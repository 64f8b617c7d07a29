//! What the engine itself logs (its `tracing` span and events, at every
//! level) holds no credential: not the query string, not a body, not a
//! header.

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use scimkit_service::{MemoryStore, ScimService, StaticTokens, TenantId};
use serde_json::json;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_engine_logs_no_credential() {
    let buf = Buffer::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Other tests of this binary run on other threads without a subscriber;
    // a callsite they reached first may have cached "never interested".
    tracing::callsite::rebuild_interest_cache();
    let s = ScimService::builder()
        .store(MemoryStore::new())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "PLANTED-TOKEN"))
        .build()
        .unwrap();
    let requests = [
        (
            "POST",
            "/scim/v2/Users?access_token=PLANTED-QUERY",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                   "userName": "visible-user", "password": "PLANTED-PW"}),
        ),
        (
            "GET",
            "/scim/v2/Users?api_key=PLANTED-KEY%ZZ",
            serde_json::Value::Null,
        ),
        ("GET", "/nowhere?token=PLANTED-404", serde_json::Value::Null),
    ];
    for (method, uri, body) in requests {
        let body = if body.is_null() {
            Bytes::new()
        } else {
            Bytes::from(body.to_string())
        };
        let req = http::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", "Bearer PLANTED-TOKEN")
            .header("x-api-key", "PLANTED-APIKEY")
            .body(body)
            .unwrap();
        s.handle(req).await;
    }
    let log = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("/scim/v2/Users"), "{log}");
    assert!(!log.contains("PLANTED"), "{log}");
}
