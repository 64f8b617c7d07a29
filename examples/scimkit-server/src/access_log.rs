//! One structured log line per request: method, path, tenant, status,
//! duration, and for failures the SCIM error's `scimType` and `detail`
//! (RFC 7644 §3.12). With `--log-bodies`, also the query, the request
//! headers and both bodies.
//!
//! Everything printed goes through [`scimkit_service::redact`]: credential
//! headers (`Authorization`, `Proxy-Authorization`, `Cookie`, `X-Api-Key`,
//! …), credential query parameters (`access_token`, `api_key`, …) and
//! `returned: never` attributes (`password`, also inside PATCH operations
//! and Bulk data) never reach the log.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use scimkit_service::BodyError;
use scimkit_service::redact::{self, Redactor};

/// What the access log writes.
#[derive(Debug, Clone)]
pub(crate) struct LogOptions {
    /// Log headers and bodies too.
    pub(crate) bodies: bool,
    /// The largest request body read (the engine's limit).
    pub(crate) body_limit: usize,
    /// Which body attributes are secret (from the served registry).
    pub(crate) redactor: Arc<Redactor>,
}

/// The tenant id of a `/tenants/{id}/…` path.
fn tenant_of(path: &str) -> &str {
    path.strip_prefix("/tenants/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("-")
}

/// `scimType` and `detail` of a SCIM error body.
fn scim_error(body: &[u8]) -> (String, String) {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("-").to_owned();
    (text("scimType"), text("detail"))
}

/// The middleware.
pub(crate) async fn log_request(
    State(opts): State<LogOptions>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let tenant = tenant_of(&path).to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let req = if opts.bodies {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, opts.body_limit).await {
            Ok(b) => b,
            Err(_) => {
                // The engine's one 413 body (and `Connection: close`: the
                // rest of the body is unread).
                return scimkit_service::body_error_response(BodyError::TooLarge, opts.body_limit)
                    .map(Body::from);
            }
        };
        tracing::info!(
            %method,
            path,
            query = redact::redact_query(&query),
            tenant,
            headers = redact::redact_headers(&parts.headers),
            body = opts.redactor.redact_body(&bytes),
            "request"
        );
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    if status < 400 && !opts.bodies {
        tracing::info!(%method, path, tenant, status, duration_ms, "handled");
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_else(|_| Bytes::new());
    if status >= 400 {
        let (scim_type, detail) = scim_error(&bytes);
        // A detail may echo a query parameter (a broken escape): scrub credentials.
        let detail = redact::scrub(&detail, &redact::secret_query_values(&query));
        if status >= 500 {
            tracing::error!(%method, path, tenant, status, duration_ms, scim_type, detail, "failed");
        } else {
            tracing::warn!(%method, path, tenant, status, duration_ms, scim_type, detail, "failed");
        }
    } else {
        tracing::info!(%method, path, tenant, status, duration_ms, "handled");
    }
    if opts.bodies {
        tracing::info!(
            %method,
            path,
            tenant,
            status,
            body = redact::scrub(
                &opts.redactor.redact_body(&bytes),
                &redact::secret_query_values(&query)
            ),
            "response"
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_comes_from_the_path() {
        assert_eq!(tenant_of("/tenants/abc/scim/v2/Users"), "abc");
        assert_eq!(tenant_of("/scim/v2/Users"), "-");
    }

    #[test]
    fn credentials_are_redacted() {
        let mut h = http::HeaderMap::new();
        for (n, v) in [
            ("authorization", "Bearer s3cret"),
            ("x-api-key", "k3y"),
            ("content-type", "application/scim+json"),
        ] {
            h.insert(n, http::HeaderValue::from_static(v));
        }
        let text = redact::redact_headers(&h);
        assert!(!text.contains("s3cret") && !text.contains("k3y"), "{text}");
        assert!(text.contains("authorization: <redacted>"), "{text}");
        assert!(text.contains("application/scim+json"), "{text}");
    }
}
