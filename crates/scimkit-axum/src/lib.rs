//! # scimkit-axum
//!
//! Serve SCIM 2.0 from an [axum](https://docs.rs/axum) application: [`router`]
//! returns a `Router` that hands every request to a
//! [`ScimService`] and sends back its response.
//! The adapter only translates (see `docs/ADAPTERS.md`): it enforces the body
//! limit (`413` as a SCIM error) and passes the original URI, so the engine
//! sees the full path whether the router is merged or nested.
//!
//! ```
//! use scimkit_service::{Config, MemoryStore, ScimService, StaticTokens, TenantId};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let service = ScimService::builder()
//!     .store(MemoryStore::new())
//!     .authenticator(StaticTokens::new().with_token(TenantId::default(), "s3cret"))
//!     .config(Config::default().with_base_path("/scim/v2"))
//!     .build()?;
//! let app = axum::Router::new().merge(scimkit_axum::router(service));
//!
//! // Drive it in-process (or serve it with axum::serve).
//! use tower::ServiceExt;
//! let response = app
//!     .oneshot(
//!         http::Request::get("/scim/v2/ServiceProviderConfig")
//!             .header("authorization", "Bearer s3cret")
//!             .body(axum::body::Body::empty())?,
//!     )
//!     .await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.headers()["content-type"], "application/scim+json");
//! # Ok(())
//! # }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
//! ```

use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, Request, State};
use axum::response::Response;
use bytes::Bytes;
use scimkit_schema::ScimError;
use scimkit_service::error_response;

pub use scimkit_service::ScimService;

/// A `Router` serving every SCIM endpoint of `service` (at the service's
/// configured base path; merge it, or nest it at that path).
pub fn router(service: ScimService) -> Router {
    Router::new().fallback(handle).with_state(service)
}

/// Hands one request to the engine.
pub async fn handle(State(service): State<ScimService>, req: Request) -> Response {
    let limit = service.config().body_limit();
    let (mut parts, body) = req.into_parts();
    if let Some(OriginalUri(uri)) = parts.extensions.get::<OriginalUri>() {
        parts.uri = uri.clone();
    }
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return into_axum(too_large(limit));
    }
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return into_axum(too_large(limit)),
    };
    let resp = service
        .handle(http::Request::from_parts(parts, bytes))
        .await;
    into_axum(resp)
}

fn too_large(limit: usize) -> http::Response<Bytes> {
    error_response(&ScimError::new(
        413,
        None,
        format!("the request body is larger than {limit} bytes"),
    ))
}

fn into_axum(resp: http::Response<Bytes>) -> Response {
    resp.map(Body::from)
}
