//! `/metrics`: Prometheus text format (requests by tenant, endpoint, method
//! and status; latency histograms; store query time; feed and webhook
//! backlog; connections open).
//!
//! Served on its own listener (`--metrics-bind ADDR`), or on the public port
//! behind the console's admin credential (`--metrics-public`). The console
//! fills [`MetricsAccess::set_admin_check`]; until it does, the public
//! `/metrics` answers `404`.
//!
//! Labels are bounded: `tenant` is a known tenant's id or `other`,
//! `endpoint` the route template (`/Users/{id}`), never a raw path.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

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
    #[allow(dead_code)]
    pub(crate) fn admin_check(&self) -> Option<&AdminCheck> {
        self.admin.get()
    }
}

/// The server's metrics. Cheap to clone; every method is a few atomic
/// operations.
#[derive(Clone, Default)]
pub(crate) struct Metrics {
    // STUB (API commit): the prometheus-client registry comes next.
    _private: (),
}

#[allow(dead_code)] // STUB (API commit): wired in the next commits
impl Metrics {
    /// Sets the backlog of the webhook endpoint `endpoint` (the change
    /// records it has yet to deliver).
    pub(crate) fn set_webhook_backlog(&self, endpoint: &str, records: u64) {
        let _ = (endpoint, records);
    }

    /// Sets the backlog of the feed consumer `consumer`.
    pub(crate) fn set_feed_backlog(&self, consumer: &str, records: u64) {
        let _ = (consumer, records);
    }

    /// The metrics in Prometheus text format.
    pub(crate) fn render(&self) -> String {
        String::new()
    }
}
