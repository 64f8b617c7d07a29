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
//!
//! The same middleware writes the request log (the provisioning log the
//! console shows: [`scimkit_sql::RequestLogWriter`], from the engine's
//! [`RequestReport`]) and counts the request in the metrics.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;
use scimkit_service::RequestReport;
use scimkit_service::redact::{self, Redactor};
use scimkit_sql::{RequestLogEntry, RequestLogWriter};

use crate::metrics::Metrics;

/// What the access log writes.
#[derive(Debug, Clone)]
pub(crate) struct LogOptions {
    /// Log headers and bodies too.
    pub(crate) bodies: bool,
    /// The largest request body read (the engine's limit).
    pub(crate) body_limit: usize,
    /// Which body attributes are secret (from the served registry).
    pub(crate) redactor: Arc<Redactor>,
    /// Where each answered request is recorded (the provisioning log).
    pub(crate) request_log: Option<RequestLogWriter>,
    /// The request counters and latency histograms.
    pub(crate) metrics: Metrics,
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
    // With `--log-bodies` the request body is logged as the engine read it,
    // after the response: reading it here, ahead of the engine, would read
    // the bodies of requests the engine refuses from their head (no token,
    // too large), which head-first admission exists to avoid.
    let (req, seen) = if opts.bodies {
        let (parts, body) = req.into_parts();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let tap = seen.clone();
        let limit = opts.body_limit;
        let stream = body.into_data_stream().map(move |chunk| {
            if let Ok(c) = &chunk {
                let mut s = tap.lock().unwrap_or_else(PoisonError::into_inner);
                let room = limit.saturating_sub(s.len());
                s.extend_from_slice(&c[..c.len().min(room)]);
            }
            chunk
        });
        let headers = redact::redact_headers(&parts.headers);
        (
            Request::from_parts(parts, Body::from_stream(stream)),
            Some((headers, seen)),
        )
    } else {
        (req, None)
    };
    let time = chrono::Utc::now();
    let resp = next.run(req).await;
    let took = start.elapsed();
    let report = resp.extensions().get::<RequestReport>().cloned();
    let mut req_body = None;
    if let Some((headers, seen)) = seen {
        let bytes = std::mem::take(&mut *seen.lock().unwrap_or_else(PoisonError::into_inner));
        let body = opts.redactor.redact_body(&bytes);
        tracing::info!(
            %method,
            path,
            query = redact::redact_query(&query),
            tenant,
            headers,
            body,
            "request"
        );
        req_body = Some(body);
    }
    let status = resp.status().as_u16();
    let authenticated = report
        .as_ref()
        .and_then(|r| r.tenant.as_ref())
        .map(|t| t.as_str().to_owned());
    opts.metrics
        .request(authenticated.as_deref(), &method, &path, status, took);
    let duration_ms = took.as_secs_f64() * 1000.0;
    let mut entry = report.map(|r| {
        let mut e = RequestLogEntry::new(
            authenticated.clone().unwrap_or_else(|| tenant.clone()),
            method.as_str(),
            path.as_str(),
            status,
        );
        e.time = time;
        e.duration_us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        e.filter = r.filter;
        e.switches = r.switches;
        if let Some(err) = r.error {
            e.scim_type = err.scim_type;
            // A detail may echo a query parameter (a broken escape): scrub credentials.
            e.detail = Some(redact::scrub(
                &err.detail,
                &redact::secret_query_values(&query),
            ));
        }
        if let Some(res) = r.resource {
            e.resource_type = Some(res.resource_type);
            e.resource_id = res.id;
        }
        e.request_body = req_body;
        e
    });
    if status < 400 && !opts.bodies {
        tracing::info!(%method, path, tenant, status, duration_ms, "handled");
        write_entry(&opts, entry);
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
        let body = redact::scrub(
            &opts.redactor.redact_body(&bytes),
            &redact::secret_query_values(&query),
        );
        tracing::info!(%method, path, tenant, status, body, "response");
        if let Some(e) = entry.as_mut() {
            e.response_body = Some(body);
        }
    }
    write_entry(&opts, entry);
    Response::from_parts(parts, Body::from(bytes))
}

/// Hands the entry to the request log (never waits: a full queue drops it).
fn write_entry(opts: &LogOptions, entry: Option<RequestLogEntry>) {
    if let (Some(w), Some(e)) = (&opts.request_log, entry)
        && !w.log(e)
    {
        opts.metrics.set_log_dropped(w.dropped());
    }
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
