//! `/metrics`: Prometheus text format through `prometheus-client`:
//! requests by tenant, endpoint, method and status; latency histograms;
//! feed and webhook backlog; connections open; request-log drops.
//!
//! Served on its own listener (`--metrics-bind ADDR`), or on the public port
//! behind the console's admin credential (`--metrics-public`). The console
//! fills [`MetricsAccess::set_admin_check`]; until it does, the public
//! `/metrics` answers `404`.
//!
//! Labels are bounded: `tenant` is an authenticated tenant's id (a tenant
//! of the database) or `none`, `endpoint` the route template (`/Users/{id}`,
//! never a raw path or id), `method` one of the methods SCIM uses or
//! `other`, `status` the status code.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Decides whether a request to the public `/metrics` carries the admin
/// credential (the console's session cookie or its password). Filled by
/// the console.
pub(crate) type AdminCheck =
    Arc<dyn Fn(&http::request::Parts) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// Who may read the public `/metrics`.
#[derive(Default, Clone)]
pub(crate) struct MetricsAccess {
    admin: Arc<OnceLock<AdminCheck>>,
}

impl MetricsAccess {
    /// Installs the admin check (once; later calls are ignored).
    #[allow(dead_code)] // the console calls it
    pub(crate) fn set_admin_check(&self, check: AdminCheck) {
        let _ = self.admin.set(check);
    }

    /// The check, once the console installed one.
    pub(crate) fn admin_check(&self) -> Option<&AdminCheck> {
        self.admin.get()
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    tenant: String,
    endpoint: &'static str,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    endpoint: &'static str,
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabel {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NameLabel {
    name: String,
}

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    store: Family<OperationLabel, Histogram>,
    webhook_backlog: Family<NameLabel, Gauge>,
    feed_backlog: Family<NameLabel, Gauge>,
    connections: Gauge<i64, std::sync::atomic::AtomicI64>,
    log_dropped: Counter<u64, AtomicU64>,
}

/// The server's metrics. Cheap to clone; recording is a few atomic
/// operations (and a label lookup).
#[derive(Clone)]
pub(crate) struct Metrics {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub(crate) fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "scim_requests",
            "SCIM requests answered, by tenant, endpoint (route template), method and status",
            requests.clone(),
        );
        // 0.5 ms .. about 8 s.
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.0005, 2.0, 15))) as fn() -> Histogram,
        );
        registry.register(
            "scim_request_duration_seconds",
            "Time to answer a SCIM request, by endpoint and method",
            latency.clone(),
        );
        // 0.1 ms .. about 1.6 s.
        let store = Family::<OperationLabel, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.0001, 2.0, 15))) as fn() -> Histogram,
        );
        registry.register(
            "scim_store_duration_seconds",
            "Time spent in the store (database), by operation",
            store.clone(),
        );
        let webhook_backlog = Family::<NameLabel, Gauge>::default();
        registry.register(
            "scim_webhook_backlog",
            "Change records a webhook endpoint has yet to deliver",
            webhook_backlog.clone(),
        );
        let feed_backlog = Family::<NameLabel, Gauge>::default();
        registry.register(
            "scim_feed_backlog",
            "Change records a feed consumer has yet to read",
            feed_backlog.clone(),
        );
        let connections = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
        registry.register(
            "scim_connections_open",
            "HTTP connections open on the public port",
            connections.clone(),
        );
        let log_dropped = Counter::<u64, AtomicU64>::default();
        registry.register(
            "scim_request_log_dropped",
            "Request-log entries dropped because the log's queue was full",
            log_dropped.clone(),
        );
        Metrics {
            inner: Arc::new(Inner {
                registry,
                requests,
                latency,
                store,
                webhook_backlog,
                feed_backlog,
                connections,
                log_dropped,
            }),
        }
    }

    /// Observes one store call (`operation`: `create`, `get`, `list`, …).
    pub(crate) fn store_call(&self, operation: &'static str, took: std::time::Duration) {
        self.inner
            .store
            .get_or_create(&OperationLabel { operation })
            .observe(took.as_secs_f64());
    }

    /// Counts one answered request. `tenant` must be an authenticated
    /// tenant (or `None`); `path` is turned into its route template.
    pub(crate) fn request(
        &self,
        tenant: Option<&str>,
        method: &http::Method,
        path: &str,
        status: u16,
        took: Duration,
    ) {
        let endpoint = endpoint(path);
        let method = method_label(method);
        self.inner
            .requests
            .get_or_create(&RequestLabels {
                tenant: tenant.unwrap_or("none").to_owned(),
                endpoint,
                method,
                status,
            })
            .inc();
        self.inner
            .latency
            .get_or_create(&RouteLabels { endpoint, method })
            .observe(took.as_secs_f64());
    }

    /// Sets the backlog of the webhook endpoint `endpoint` (the change
    /// records it has yet to deliver).
    pub(crate) fn set_webhook_backlog(&self, endpoint: &str, records: u64) {
        self.inner
            .webhook_backlog
            .get_or_create(&NameLabel {
                name: endpoint.to_owned(),
            })
            .set(i64::try_from(records).unwrap_or(i64::MAX));
    }

    /// Sets the backlog of the feed consumer `consumer`.
    pub(crate) fn set_feed_backlog(&self, consumer: &str, records: u64) {
        self.inner
            .feed_backlog
            .get_or_create(&NameLabel {
                name: consumer.to_owned(),
            })
            .set(i64::try_from(records).unwrap_or(i64::MAX));
    }

    /// Sets the connections open now.
    pub(crate) fn set_connections(&self, n: u64) {
        self.inner
            .connections
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// Sets the request-log drops so far.
    pub(crate) fn set_log_dropped(&self, total: u64) {
        let c = &self.inner.log_dropped;
        let now = c.get();
        if total > now {
            c.inc_by(total - now);
        }
    }

    /// The metrics in Prometheus text format.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.inner.registry).is_err() {
            tracing::error!("could not encode the metrics");
        }
        out
    }
}

/// `GET /metrics` on the metrics listener (`--metrics-bind`).
pub(crate) async fn private_metrics(
    axum::extract::State(m): axum::extract::State<Metrics>,
) -> axum::response::Response {
    text(&m)
}

/// `GET /metrics` on the public port (`--metrics-public`): only with the
/// console's admin credential; `404` while no console installed a check,
/// `401` without the credential.
pub(crate) async fn public_metrics(
    axum::extract::State((m, access)): axum::extract::State<(Metrics, MetricsAccess)>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let (parts, _) = req.into_parts();
    let Some(check) = access.admin_check() else {
        return http::StatusCode::NOT_FOUND.into_response();
    };
    if !check(&parts).await {
        return http::StatusCode::UNAUTHORIZED.into_response();
    }
    text(&m)
}

fn text(m: &Metrics) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    m.set_connections(scimkit_axum::open_connections());
    (
        [(
            http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.render(),
    )
        .into_response()
}

/// The route template of a SCIM path: `/Users`, `/Users/{id}`,
/// `/Users/.search`, `/Bulk`, `/Schemas/{id}`, …; `other` for anything
/// else. Never a raw path segment.
pub(crate) fn endpoint(path: &str) -> &'static str {
    let rest = match path.strip_prefix("/tenants/") {
        Some(r) => r.split_once('/').map_or("", |(_, r)| r),
        None => path.trim_start_matches('/'),
    };
    let rest = rest.strip_prefix("scim/v2").unwrap_or(rest);
    let mut parts = rest.trim_start_matches('/').splitn(2, '/');
    let first = parts.next().unwrap_or("");
    let second = parts.next().filter(|s| !s.is_empty());
    match (first, second) {
        ("Users", None) => "/Users",
        ("Users", Some(".search")) => "/Users/.search",
        ("Users", Some(_)) => "/Users/{id}",
        ("Groups", None) => "/Groups",
        ("Groups", Some(".search")) => "/Groups/.search",
        ("Groups", Some(_)) => "/Groups/{id}",
        ("Bulk", None) => "/Bulk",
        (".search", None) => "/.search",
        ("Me", None) => "/Me",
        ("ServiceProviderConfig", None) => "/ServiceProviderConfig",
        ("Schemas", None) => "/Schemas",
        ("Schemas", Some(_)) => "/Schemas/{id}",
        ("ResourceTypes", None) => "/ResourceTypes",
        ("ResourceTypes", Some(_)) => "/ResourceTypes/{id}",
        _ => "other",
    }
}

fn method_label(m: &http::Method) -> &'static str {
    match *m {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::PUT => "PUT",
        http::Method::PATCH => "PATCH",
        http::Method::DELETE => "DELETE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_route_templates() {
        for (path, want) in [
            ("/tenants/abc/scim/v2/Users", "/Users"),
            ("/tenants/abc/scim/v2/Users/2819c223", "/Users/{id}"),
            ("/tenants/abc/scim/v2/Groups/.search", "/Groups/.search"),
            ("/tenants/abc/scim/v2/Schemas/urn:x", "/Schemas/{id}"),
            ("/scim/v2/Bulk", "/Bulk"),
            ("/tenants/abc/scim/v2/Whatever/x", "other"),
            ("/favicon.ico", "other"),
        ] {
            assert_eq!(endpoint(path), want, "{path}");
        }
    }

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::new();
        m.request(
            Some("t1"),
            &http::Method::GET,
            "/tenants/t1/scim/v2/Users/x",
            200,
            Duration::from_millis(3),
        );
        m.set_webhook_backlog("hook-a", 7);
        let text = m.render();
        assert!(text.contains("scim_requests_total{tenant=\"t1\",endpoint=\"/Users/{id}\",method=\"GET\",status=\"200\"} 1"), "{text}");
        assert!(
            text.contains("scim_request_duration_seconds_bucket"),
            "{text}"
        );
        assert!(
            text.contains("scim_webhook_backlog{name=\"hook-a\"} 7"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
