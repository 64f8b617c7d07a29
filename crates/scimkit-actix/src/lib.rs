//! # scimkit-actix
//!
//! Serve SCIM 2.0 from an [actix-web](https://docs.rs/actix-web) application:
//! [`scope`] returns a `Scope` that hands every request under its path to a
//! [`ScimService`] and sends back its response.
//! The adapter only translates (see `docs/ADAPTERS.md`): the engine admits
//! each request from its head before the body is read (an unauthenticated
//! client gets `401` without sending a byte of body), the adapter reads at
//! most the admitted limit (`413`, `400` come from the engine) and converts
//! requests and responses. Timeouts and connection limits are actix-web's
//! (`HttpServer::client_request_timeout`, `keep_alive`, `max_connections`).
//!
//! ```
//! use actix_web::{App, test};
//! use scimkit_service::{Config, MemoryStore, ScimService, StaticTokens, TenantId};
//!
//! # actix_web::rt::System::new().block_on(async {
//! let service = ScimService::builder()
//!     .store(MemoryStore::new())
//!     .authenticator(StaticTokens::new().with_token(TenantId::default(), "s3cret"))
//!     .config(Config::default().with_base_path("/scim/v2"))
//!     .build()
//!     .unwrap();
//! let app = test::init_service(App::new().service(scimkit_actix::scope("/scim/v2", service))).await;
//!
//! let req = test::TestRequest::get()
//!     .uri("/scim/v2/ServiceProviderConfig")
//!     .insert_header(("authorization", "Bearer s3cret"))
//!     .to_request();
//! let resp = test::call_service(&app, req).await;
//! assert_eq!(resp.status(), 200);
//! assert_eq!(resp.headers().get("content-type").unwrap(), "application/scim+json");
//! # });
//! ```
//!
//! To serve it: `HttpServer::new(move || App::new().service(scimkit_actix::scope("/scim/v2", service.clone())))`.

// docs.rs (`--cfg docsrs`, nightly) marks feature-gated items with the features they need.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's examples (the crates.io page) are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use scimkit_schema::ScimError;
use scimkit_service::{BodyError, error_response};

pub use scimkit_service::ScimService;

/// A `Scope` at `path` serving every SCIM endpoint of `service`; `path` should
/// be the service's configured base path (`/scim/v2`), or `/tenants/{tenant}/scim/v2`
/// with tenant URLs.
pub fn scope(path: &str, service: ScimService) -> actix_web::Scope {
    web::scope(path)
        .app_data(web::Data::new(service))
        .default_service(web::to(handle))
}

/// Hands one request to the engine: admits it from its head
/// ([`ScimService::admit`]: route, declared length, content type, caller)
/// before reading a byte of its body, then reads at most the admitted limit.
pub async fn handle(
    req: HttpRequest,
    mut payload: web::Payload,
    service: web::Data<ScimService>,
) -> HttpResponse {
    let Some(parts) = to_parts(&req) else {
        return into_actix(error_response(&ScimError::bad_request(
            "the request line or a header could not be read",
        )));
    };
    let admission = match service.admit(&parts).await {
        Ok(a) => a,
        Err(resp) => return into_actix(resp),
    };
    let limit = admission.body_limit();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(PayloadError::Overflow) => {
                return into_actix(admission.body_error(BodyError::TooLarge));
            }
            Err(_) => return into_actix(admission.body_error(BodyError::Unreadable)),
        };
        if body.len() + chunk.len() > limit {
            return into_actix(admission.body_error(BodyError::TooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    let resp = service
        .handle_admitted(admission, http::Request::from_parts(parts, body.freeze()))
        .await;
    into_actix(resp)
}

/// The request head as `http` types.
fn to_parts(req: &HttpRequest) -> Option<http::request::Parts> {
    let mut b = http::Request::builder()
        .method(http::Method::from_bytes(req.method().as_str().as_bytes()).ok()?)
        .uri(req.uri().to_string());
    for (name, value) in req.headers() {
        b = b.header(name.as_str(), value.as_bytes());
    }
    Some(b.body(()).ok()?.into_parts().0)
}

fn into_actix(resp: http::Response<Bytes>) -> HttpResponse {
    let (parts, body) = resp.into_parts();
    let status =
        StatusCode::from_u16(parts.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = HttpResponse::build(status);
    for (name, value) in &parts.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            out.append_header((n, v));
        }
    }
    out.body(body)
}
