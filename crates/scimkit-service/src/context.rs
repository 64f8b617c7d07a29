//! What every endpoint needs: the service's shared state ([`Inner`]), the
//! caller and the base URL of this request (RFC 7644 §3.1 `Location`,
//! RFC 7643 §3.1 `meta.location`).
//!
//! A leaf of the engine: it names the traits and the `Config`, never an
//! endpoint or `service.rs`, so `service.rs → endpoints → context` point one
//! way (checked by `tests/it/architecture.rs`).

use std::sync::Arc;

use http::request::Parts;
use scimkit_schema::{Compat, Registry, ResourceSchema};

use crate::report::Recorder;
use crate::{Authenticator, Config, EventSink, Principal, ResourceStore, TenantId};

/// The state a [`crate::ScimService`] shares between requests.
pub(crate) struct Inner {
    pub(crate) registry: Registry,
    pub(crate) store: Arc<dyn ResourceStore>,
    pub(crate) auth: Arc<dyn Authenticator>,
    pub(crate) events: Arc<dyn EventSink>,
    pub(crate) feed: Option<Arc<dyn crate::ChangeFeed>>,
    pub(crate) config: Config,
}

impl Inner {
    /// The resource type served at `endpoint` (`Users`).
    pub(crate) fn resource_type(&self, endpoint: &str) -> Option<&Arc<ResourceSchema>> {
        self.registry.resource_type_by_endpoint(endpoint)
    }
}

/// A request's context.
pub(crate) struct Cx<'a> {
    pub(crate) svc: &'a Inner,
    pub(crate) principal: &'a Principal,
    /// `scheme://host/prefix`, without trailing `/`.
    pub(crate) base: String,
    /// What the request's [`crate::RequestReport`] will say.
    pub(crate) report: &'a Recorder,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(
        svc: &'a Inner,
        principal: &'a Principal,
        parts: &Parts,
        prefix: &str,
        report: &'a Recorder,
    ) -> Self {
        let cfg = &svc.config;
        let mut base = match &cfg.public_origin {
            Some(o) => o.clone(),
            None => {
                let h = &parts.headers;
                let fwd = |name: &str| {
                    cfg.trust_forwarded_headers
                        .then(|| h.get(name).and_then(|v| v.to_str().ok()))
                        .flatten()
                        .and_then(|v| v.split(',').next())
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                };
                let scheme = fwd("x-forwarded-proto")
                    .or_else(|| parts.uri.scheme_str())
                    .unwrap_or("http");
                let host = fwd("x-forwarded-host")
                    .or_else(|| h.get(http::header::HOST).and_then(|v| v.to_str().ok()))
                    .or_else(|| parts.uri.authority().map(|a| a.as_str()))
                    .unwrap_or("localhost");
                format!("{scheme}://{host}")
            }
        };
        base.push_str(prefix);
        Cx {
            svc,
            principal,
            base,
            report,
        }
    }

    pub(crate) fn tenant(&self) -> &TenantId {
        &self.principal.tenant
    }

    pub(crate) fn compat(&self) -> &Compat {
        &self.svc.config.compat
    }

    /// `{base}{endpoint}/{id}`.
    pub(crate) fn location(&self, rs: &ResourceSchema, id: &str) -> String {
        let ep = rs.resource_type().endpoint.trim_start_matches('/');
        format!("{}/{ep}/{id}", self.base)
    }

    /// `{base}/{path}` for discovery resources.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }
}
