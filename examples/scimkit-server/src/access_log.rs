//! One structured log line per request: method, path, tenant, status,
//! duration, and for failures the SCIM error's `scimType` and `detail`
//! (RFC 7644 §3.12). With `--log-bodies`, also the request headers (the
//! `Authorization` header redacted, always) and both bodies.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use scimkit_schema::ScimError;

/// What the access log writes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogOptions {
    /// Log headers and bodies too.
    pub(crate) bodies: bool,
    /// The largest request body read (the engine's limit).
    pub(crate) body_limit: usize,
}

/// The tenant id of a `/tenants/{id}/…` path.
fn tenant_of(path: &str) -> &str {
    path.strip_prefix("/tenants/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("-")
}

/// The request headers as text, `Authorization` redacted.
fn headers_text(headers: &http::HeaderMap) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(name.as_str());
        out.push_str(": ");
        if name == http::header::AUTHORIZATION || name == http::header::COOKIE {
            out.push_str("<redacted>");
        } else {
            out.push_str(value.to_str().unwrap_or("<binary>"));
        }
    }
    out
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
    let req = if opts.bodies {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, opts.body_limit).await {
            Ok(b) => b,
            Err(_) => {
                let e = ScimError::new(
                    413,
                    None,
                    format!("the request body is larger than {} bytes", opts.body_limit),
                );
                return scimkit_service::error_response(&e).map(Body::from);
            }
        };
        tracing::info!(
            %method,
            path,
            query = parts.uri.query().unwrap_or(""),
            tenant,
            headers = headers_text(&parts.headers),
            body = %String::from_utf8_lossy(&bytes),
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
            body = %String::from_utf8_lossy(&bytes),
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
    fn authorization_is_redacted() {
        let mut h = http::HeaderMap::new();
        h.insert(
            "authorization",
            http::HeaderValue::from_static("Bearer s3cret"),
        );
        h.insert(
            "content-type",
            http::HeaderValue::from_static("application/scim+json"),
        );
        let text = headers_text(&h);
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("authorization: <redacted>"), "{text}");
        assert!(text.contains("application/scim+json"), "{text}");
    }
}
