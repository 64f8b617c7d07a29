//! # scimkit-axum
//!
//! Serve SCIM 2.0 from an [axum](https://docs.rs/axum) application: [`router`]
//! returns a `Router` that hands every request to a
//! [`ScimService`] and sends back its response.
//! The adapter only translates (see `docs/ADAPTERS.md`): the engine admits
//! each request from its head before the body is read (an unauthenticated
//! client gets `401` without sending a byte of body), the adapter reads at
//! most the admitted limit (`413`, `408` and `400` come from the engine) and
//! passes the original URI, so the engine sees the full path whether the
//! router is merged or nested.
//!
//! [`serve`] is the hardened way to serve it on the internet (what
//! `axum::serve` cannot do): header-, body-, whole-request and idle
//! timeouts, a connection cap, and request targets with raw `"` (Entra ID's
//! SCIM Validator, curl) answered as if percent-encoded. See
//! [`ServeOptions`].
//!
//! ```no_run
//! # async fn run(service: scimkit_service::ScimService) -> std::io::Result<()> {
//! use std::time::Duration;
//!
//! let app = axum::Router::new().merge(scimkit_axum::router(service));
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! let options = scimkit_axum::ServeOptions::default()
//!     .with_header_timeout(Duration::from_secs(5))
//!     .with_max_connections(512);
//! scimkit_axum::serve_with(listener, app, options).await
//! # }
//! ```
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
//! // Drive it in-process (or serve it with scimkit_axum::serve).
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

// docs.rs (`--cfg docsrs`, nightly) marks feature-gated items with the features they need.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's examples (the crates.io page) are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod serve;

use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, Request, State};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use scimkit_service::BodyError;

pub use scimkit_service::ScimService;
pub use serve::{
    BodyReadDeadline, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_REQUEST_LINE, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_WRITE_TIMEOUT, ServeOptions, open_connections, serve, serve_with, serve_with_shutdown,
};

/// A `Router` serving every SCIM endpoint of `service` (at the service's
/// configured base path; merge it, or nest it at that path).
pub fn router(service: ScimService) -> Router {
    Router::new().fallback(handle).with_state(service)
}

/// Hands one request to the engine: admits it from its head
/// ([`ScimService::admit`]: route, declared length, content type, caller)
/// before reading a byte of its body, then reads at most the admitted
/// limit (by the [`BodyReadDeadline`] that [`serve`] sets, if any).
pub async fn handle(State(service): State<ScimService>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    if let Some(OriginalUri(uri)) = parts.extensions.get::<OriginalUri>() {
        parts.uri = uri.clone();
    }
    let admission = match service.admit(&parts).await {
        Ok(a) => a,
        Err(resp) => return into_axum(resp),
    };
    let limit = admission.body_limit();
    let read = read_body(body, limit, declared(&parts.headers));
    let read = match parts.extensions.get::<BodyReadDeadline>() {
        Some(d) => tokio::time::timeout_at(d.instant().into(), read)
            .await
            .unwrap_or(Err(BodyError::TimedOut)),
        None => read.await,
    };
    let bytes = match read {
        Ok(b) => b,
        Err(e) => return into_axum(admission.body_error(e)),
    };
    let resp = service
        .handle_admitted(admission, http::Request::from_parts(parts, bytes))
        .await;
    into_axum(resp)
}

/// The declared `Content-Length`, as a capacity hint.
fn declared(headers: &http::HeaderMap) -> usize {
    headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0)
}

/// Reads at most `limit` bytes: more is [`BodyError::TooLarge`] (counted,
/// whatever was declared), a failing connection [`BodyError::Unreadable`].
async fn read_body(body: Body, limit: usize, hint: usize) -> Result<Bytes, BodyError> {
    let mut stream = body.into_data_stream();
    let Some(first) = stream.next().await else {
        return Ok(Bytes::new());
    };
    let first = first.map_err(|_| BodyError::Unreadable)?;
    if first.len() > limit {
        return Err(BodyError::TooLarge);
    }
    let Some(second) = stream.next().await else {
        return Ok(first);
    };
    let mut buf = BytesMut::with_capacity(hint.min(limit).max(first.len()));
    buf.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        if buf.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
        next = stream.next().await;
    }
    Ok(buf.freeze())
}

fn into_axum(resp: http::Response<Bytes>) -> Response {
    resp.map(Body::from)
}
