//! [`ScimService`]: the engine. One `handle` call per HTTP request; the
//! request goes through authentication, routing, parsing, validation, the
//! store, shaping and a SCIM response (see `docs/ARCHITECTURE.md`).

mod admission;
mod builder;
mod dispatch;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures_util::FutureExt as _;
use http::request::Parts;
use http::{Request, Response};
use scimkit_schema::{Registry, ScimError};
use tracing::Instrument;

pub use admission::Admission;
pub use builder::{BuildError, ScimServiceBuilder};

use crate::context::{Cx, Inner};
use crate::report::Recorder;
use crate::response::{self, BodyError, ErrorHeaders, Failure, body_error_response};
use crate::route::{self, Route};
use crate::{AuthError, AuthRequest, Config, ErrorReport, Principal};

/// The SCIM protocol engine: turns an `http::Request<Bytes>` into an
/// `http::Response<Bytes>`. Cheap to clone (shared state).
#[derive(Clone)]
pub struct ScimService {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ScimService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimService")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
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

    /// The change feed given to [`ScimServiceBuilder::feed`], if any.
    pub fn feed(&self) -> Option<&Arc<dyn crate::ChangeFeed>> {
        self.inner.feed.as_ref()
    }

    /// The registry served (with the configured uniqueness applied).
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Handles one request. Never fails: every problem is a SCIM error
    /// response, a panic anywhere below (store, authenticator, event sink)
    /// included (`500`, logged). The one-call form of [`ScimService::admit`]
    /// then [`ScimService::handle_admitted`], for callers that already hold
    /// the whole body.
    pub async fn handle(&self, req: Request<Bytes>) -> Response<Bytes> {
        let (parts, body) = req.into_parts();
        match self.admit(&parts).await {
            Ok(admission) => {
                self.handle_admitted(admission, Request::from_parts(parts, body))
                    .await
            }
            Err(resp) => resp,
        }
    }

    /// Decides from the request head alone, before any body byte is read:
    /// routes the path (`404`), checks the declared `Content-Length` against
    /// the limit of that endpoint (`413`; `/Bulk` has its own), the
    /// `Content-Type` (`415`) and authenticates the caller (`401`/`403`),
    /// checking the principal's tenant against a tenant URL's. `Err` is the
    /// response to send without reading the body. Adapters call this first,
    /// read at most [`Admission::body_limit`] bytes, then call
    /// [`ScimService::handle_admitted`] (see `docs/ADAPTERS.md`).
    // The error is the response to send as is; boxing it would only add an
    // allocation to every rejection.
    #[allow(clippy::result_large_err)]
    pub async fn admit(&self, parts: &Parts) -> Result<Admission, Response<Bytes>> {
        let start = Instant::now();
        let span = tracing::info_span!(
            "scim_request",
            method = %parts.method,
            path = %parts.uri.path(),
            tenant = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_us = tracing::field::Empty,
            switches = tracing::field::Empty,
            scim_type = tracing::field::Empty,
            error_detail = tracing::field::Empty,
            resource_type = tracing::field::Empty,
            resource_id = tracing::field::Empty,
            filter = tracing::field::Empty,
        );
        let outcome = AssertUnwindSafe(self.admit_inner(parts))
            .catch_unwind()
            .instrument(span.clone())
            .await
            .unwrap_or_else(|p| Err(span.in_scope(|| panicked(p.as_ref()))));
        match outcome {
            Ok((principal, body_limit, path_tenant)) => Ok(Admission {
                principal,
                body_limit,
                path_tenant,
                span,
                start,
            }),
            Err(mut resp) => {
                finish(&span, start, &mut resp, &Recorder::default(), None);
                Err(resp)
            }
        }
    }

    /// Handles a request admitted by [`ScimService::admit`], with its body
    /// (at most [`Admission::body_limit`] bytes). Never fails, never
    /// unwinds: a panic below becomes a logged `500`.
    pub async fn handle_admitted(
        &self,
        admission: Admission,
        req: Request<Bytes>,
    ) -> Response<Bytes> {
        let Admission {
            principal,
            path_tenant,
            span,
            start,
            ..
        } = admission;
        let recorder = Recorder::default();
        // For scrubbing an error's detail (it may echo a query parameter).
        let uri = req.uri().clone();
        let mut resp =
            AssertUnwindSafe(self.handle_inner(&principal, path_tenant.as_deref(), req, &recorder))
                .catch_unwind()
                .instrument(span.clone())
                .await
                .unwrap_or_else(|p| span.in_scope(|| panicked(p.as_ref())));
        if resp.status().as_u16() >= 400 {
            recorder.scrub(&self.inner.registry, uri.query().unwrap_or(""));
        }
        finish(
            &span,
            start,
            &mut resp,
            &recorder,
            Some(principal.tenant.clone()),
        );
        resp
    }

    fn body_limit_for(&self, route: Route<'_>) -> usize {
        let cfg = &self.inner.config;
        if route == Route::Bulk {
            cfg.bulk_max_payload_size
        } else {
            cfg.max_body_size
        }
    }

    #[allow(clippy::result_large_err)]
    async fn admit_inner(
        &self,
        parts: &Parts,
    ) -> Result<(Principal, usize, Option<String>), Response<Bytes>> {
        let inner = &*self.inner;
        let cfg = &inner.config;
        let Some(loc) = route::locate(parts.uri.path(), &cfg.base_path, cfg.tenant_urls) else {
            return Err(response::error(
                &ScimError::not_found(format!("no SCIM endpoint at {}", parts.uri.path())),
                &ErrorHeaders::default(),
            ));
        };
        let limit = self.body_limit_for(loc.route);
        let declared = declared_length(&parts.headers)
            .map_err(|e| response::error(&e, &ErrorHeaders::default()))?;
        if declared.is_some_and(|n| n > limit) {
            return Err(body_error_response(BodyError::TooLarge, limit));
        }
        let has_body = declared.is_some_and(|n| n > 0)
            || parts.headers.contains_key(http::header::TRANSFER_ENCODING);
        if has_body && let Err(e) = crate::request::check_content_type(&parts.headers) {
            return Err(response::error(&e, &ErrorHeaders::default()));
        }
        let auth_req = AuthRequest::new(&parts.method, &parts.headers, loc.path_tenant);
        let principal = match inner.auth.authenticate(&auth_req).await {
            Ok(p) => p,
            Err(e) => return Err(self.auth_failure(&e)),
        };
        if let Some(pt) = loc.path_tenant
            && principal.tenant.as_str() != pt
        {
            // The authenticator broke its contract (`Authenticator::authenticate`);
            // the engine does not let one tenant's token open another's URL.
            tracing::warn!(
                path_tenant = pt,
                principal_tenant = principal.tenant.as_str(),
                "authenticator returned a principal of another tenant; answering 401"
            );
            return Err(self.auth_failure(&AuthError::Invalid));
        }
        tracing::Span::current().record("tenant", principal.tenant.as_str());
        Ok((principal, limit, loc.path_tenant.map(str::to_owned)))
    }

    async fn handle_inner(
        &self,
        principal: &Principal,
        admitted_tenant: Option<&str>,
        req: Request<Bytes>,
        recorder: &Recorder,
    ) -> Response<Bytes> {
        let (parts, body) = req.into_parts();
        let inner = &*self.inner;
        let cfg = &inner.config;
        let Some(loc) = route::locate(parts.uri.path(), &cfg.base_path, cfg.tenant_urls) else {
            return response::error(
                &ScimError::not_found(format!("no SCIM endpoint at {}", parts.uri.path())),
                &ErrorHeaders::default(),
            );
        };
        if loc.path_tenant != admitted_tenant {
            // An admission is for one request's head; another path is another request.
            return self.auth_failure(&AuthError::Invalid);
        }
        let limit = self.body_limit_for(loc.route);
        if body.len() > limit {
            return body_error_response(BodyError::TooLarge, limit);
        }
        if !body.is_empty()
            && let Err(e) = crate::request::check_content_type(&parts.headers)
        {
            return response::error(&e, &ErrorHeaders::default());
        }
        let cx = Cx::new(inner, principal, &parts, loc.prefix, recorder);
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

/// Records the outcome on the request's span and attaches the
/// [`RequestReport`] to the response.
pub(crate) fn finish(
    span: &tracing::Span,
    start: Instant,
    resp: &mut Response<Bytes>,
    recorder: &Recorder,
    tenant: Option<crate::TenantId>,
) {
    let status = resp.status().as_u16();
    let micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
    let error = resp.extensions_mut().remove::<ErrorReport>();
    let report = recorder.finish(tenant, status, error);
    span.record("status", status);
    span.record("duration_us", micros);
    if !report.switches.is_empty() {
        span.record("switches", tracing::field::display(report.switches));
    }
    if let Some(e) = &report.error {
        if let Some(t) = &e.scim_type {
            span.record("scim_type", t.as_str());
        }
        span.record("error_detail", e.detail.as_str());
    }
    if let Some(r) = &report.resource {
        span.record("resource_type", r.resource_type.as_str());
        if let Some(id) = &r.id {
            span.record("resource_id", id.as_str());
        }
    }
    if let Some(f) = &report.filter {
        span.record("filter", f.as_str());
    }
    span.in_scope(|| tracing::debug!(status, duration_us = micros, "handled"));
    resp.extensions_mut().insert(report);
}

/// A panic below the engine (a store, an authenticator, an event sink, a
/// bug): logged, answered `500`. Locks the engine holds recover from
/// poisoning, so the next request is served normally.
fn panicked(payload: &(dyn std::any::Any + Send)) -> Response<Bytes> {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a handler panicked; answering 500");
    response::error(
        &ScimError::internal("internal server error"),
        &ErrorHeaders::default(),
    )
}

/// The declared `Content-Length`, if any; several differing values or one
/// that is not a number is `400` (RFC 9110 §8.6).
fn declared_length(headers: &http::HeaderMap) -> Result<Option<usize>, ScimError> {
    let mut found: Option<usize> = None;
    for v in headers.get_all(http::header::CONTENT_LENGTH) {
        let n = v
            .to_str()
            .ok()
            .and_then(|t| t.trim().parse::<usize>().ok())
            .ok_or_else(|| ScimError::bad_request("the Content-Length header is not a number"))?;
        if found.is_some_and(|f| f != n) {
            return Err(ScimError::bad_request(
                "the request has several different Content-Length headers",
            ));
        }
        found = Some(n);
    }
    Ok(found)
}

/// The engine's future must be `Send` for multi-threaded runtimes.
#[allow(dead_code)]
fn assert_send(s: &ScimService, r: Request<Bytes>) {
    fn is_send<T: Send>(_: &T) {}
    is_send(&s.handle(r));
}

#[allow(dead_code)]
fn assert_admit_send(s: &ScimService, p: &Parts) {
    fn is_send<T: Send>(_: &T) {}
    is_send(&s.admit(p));
}
