//! What the in-process tests share: a service whose one bearer token is
//! [`TOKEN`], and a request through `ScimService::handle`.

use bytes::Bytes;
use scimkit_service::{Config, ResourceStore, ScimService, StaticTokens, TenantId};
use serde_json::Value;

/// The bearer token of [`service`] (default tenant).
pub(crate) const TOKEN: &str = "t";

/// A service over `store` with `config`, opened by [`TOKEN`].
pub(crate) fn service(store: impl ResourceStore, config: Config) -> ScimService {
    ScimService::builder()
        .store(store)
        .authenticator(StaticTokens::new().with_token(TenantId::default(), TOKEN))
        .config(config)
        .build()
        .unwrap()
}

/// Sends `method uri` with [`TOKEN`] (and `body` as SCIM JSON) and returns
/// the status and the parsed body (`Null` when empty or not JSON).
pub(crate) async fn call(
    s: &ScimService,
    method: &str,
    uri: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut b = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {TOKEN}"));
    if body.is_some() {
        b = b.header("content-type", "application/scim+json");
    }
    let body = body.map(|v| Bytes::from(v.to_string())).unwrap_or_default();
    let resp = s.handle(b.body(body).unwrap()).await;
    let json = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
    (resp.status().as_u16(), json)
}
