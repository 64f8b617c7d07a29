//! [`ScimService`]: the engine. One `handle` call per HTTP request; the
//! request goes through authentication, routing, parsing, validation, the
//! store, shaping and a SCIM response (see `docs/ARCHITECTURE.md`).

mod builder;
mod context;
mod dispatch;

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response};
use scimkit_schema::{Registry, ResourceSchema, ScimError};
use tracing::Instrument;

pub use builder::{BuildError, ScimServiceBuilder};
pub(crate) use context::Cx;

use crate::response::{self, ErrorHeaders, Failure};
use crate::route::{self, Route};
use crate::{AuthError, AuthRequest, Authenticator, Config, EventSink, ResourceStore};

/// The SCIM protocol engine: turns an `http::Request<Bytes>` into an
/// `http::Response<Bytes>`. Cheap to clone (shared state).
#[derive(Clone)]
pub struct ScimService {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) registry: Registry,
    pub(crate) store: Arc<dyn ResourceStore>,
    pub(crate) auth: Arc<dyn Authenticator>,
    pub(crate) events: Arc<dyn EventSink>,
    pub(crate) config: Config,
    /// Per resource type (registry order), what the default projection hides.
    pub(crate) hidden: Vec<crate::endpoints::Hidden>,
}

impl std::fmt::Debug for ScimService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimService")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Inner {
    /// The resource type served at `endpoint` (`Users`).
    pub(crate) fn resource_type(&self, endpoint: &str) -> Option<&Arc<ResourceSchema>> {
        self.registry.resource_type_by_endpoint(endpoint)
    }

    /// What the default projection hides for `rs`.
    pub(crate) fn hidden(&self, rs: &ResourceSchema) -> &crate::endpoints::Hidden {
        static NONE: std::sync::OnceLock<crate::endpoints::Hidden> = std::sync::OnceLock::new();
        self.registry
            .resource_types()
            .position(|r| r.name() == rs.name())
            .and_then(|i| self.hidden.get(i))
            .unwrap_or_else(|| NONE.get_or_init(crate::endpoints::Hidden::default))
    }
}

impl ScimService {
    /// Starts building a service.
    pub fn builder() -> ScimServiceBuilder {
        ScimServiceBuilder::default()
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The registry served (with the configured uniqueness applied).
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Handles one request. Never fails: every problem is a SCIM error response.
    pub async fn handle(&self, req: Request<Bytes>) -> Response<Bytes> {
        let start = Instant::now();
        let span = tracing::info_span!(
            "scim_request",
            method = %req.method(),
            path = %req.uri().path(),
            tenant = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_us = tracing::field::Empty,
        );
        let resp = self.handle_inner(req).instrument(span.clone()).await;
        let status = resp.status().as_u16();
        let micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
        span.record("status", status);
        span.record("duration_us", micros);
        span.in_scope(|| tracing::debug!(status, duration_us = micros, "handled"));
        resp
    }

    async fn handle_inner(&self, req: Request<Bytes>) -> Response<Bytes> {
        let (parts, body) = req.into_parts();
        let inner = &*self.inner;
        let cfg = &inner.config;
        let Some(loc) = route::locate(parts.uri.path(), &cfg.base_path, cfg.tenant_urls) else {
            return response::error(
                &ScimError::not_found(format!("no SCIM endpoint at {}", parts.uri.path())),
                &ErrorHeaders::default(),
            );
        };
        let limit = if loc.route == Route::Bulk {
            cfg.bulk_max_payload_size
        } else {
            cfg.max_body_size
        };
        if body.len() > limit {
            return response::error(
                &ScimError::new(
                    413,
                    None,
                    format!(
                        "the request body has {} bytes; the limit is {limit}",
                        body.len()
                    ),
                ),
                &ErrorHeaders::default(),
            );
        }
        if !body.is_empty()
            && let Err(e) = crate::request::check_content_type(&parts.headers)
        {
            return response::error(&e, &ErrorHeaders::default());
        }
        let auth_req = AuthRequest::new(&parts.method, &parts.headers, loc.path_tenant);
        let principal = match inner.auth.authenticate(&auth_req).await {
            Ok(p) => p,
            Err(e) => return self.auth_failure(&e),
        };
        tracing::Span::current().record("tenant", principal.tenant.as_str());
        let cx = Cx::new(inner, &principal, &parts, loc.prefix);
        match dispatch::dispatch(
            &cx,
            &parts.method,
            loc.route,
            &parts.headers,
            parts.uri.query(),
            &body,
        )
        .await
        {
            Ok(r) => r,
            Err(Failure { error, headers }) => {
                if error.status >= 500 {
                    tracing::error!(status = error.status, detail = %error.detail, "request failed");
                }
                response::error(&error, &headers)
            }
        }
    }

    fn auth_failure(&self, e: &AuthError) -> Response<Bytes> {
        let realm = self.inner.config.realm.replace('"', "'");
        match e {
            AuthError::Forbidden(detail) => response::error(
                &ScimError::new(403, None, detail.clone()),
                &ErrorHeaders::default(),
            ),
            _ => {
                let challenge = match e {
                    AuthError::Invalid => {
                        format!("Bearer realm=\"{realm}\", error=\"invalid_token\"")
                    }
                    _ => format!("Bearer realm=\"{realm}\""),
                };
                response::error(
                    &ScimError::new(401, None, e.to_string()),
                    &ErrorHeaders {
                        allow: None,
                        www_authenticate: Some(challenge),
                    },
                )
            }
        }
    }
}

/// The engine's future must be `Send` for multi-threaded runtimes.
#[allow(dead_code)]
fn assert_send(s: &ScimService, r: Request<Bytes>) {
    fn is_send<T: Send>(_: &T) {}
    is_send(&s.handle(r));
}
