//! What the engine tells about each request it answered, and why:
//! [`RequestReport`], attached to every response of
//! [`crate::ScimService::handle`] / [`crate::ScimService::handle_admitted`] /
//! [`crate::ScimService::admit`] as an `http::Response` extension, and
//! recorded on the request's `scim_request` tracing span (fields
//! `switches`, `scim_type`, `error_detail`, `resource_type`, `resource_id`,
//! `filter`).
//!
//! ```
//! use bytes::Bytes;
//! use scimkit_service::{Config, MemoryStore, RequestReport, ScimService, StaticTokens, Switch, TenantId};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let service = ScimService::builder()
//!     .store(MemoryStore::new())
//!     .authenticator(StaticTokens::new().with_token(TenantId::default(), "s3cret"))
//!     .config(Config::default().with_base_path("/scim/v2"))
//!     .build()?;
//! let request = http::Request::post("/scim/v2/Users")
//!     .header("authorization", "Bearer s3cret")
//!     .header("content-type", "application/scim+json")
//!     .body(Bytes::from(r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!                           "userName": "bjensen", "active": "True"}"#))?;
//! let response = service.handle(request).await;
//! assert_eq!(response.status(), 201);
//! let report = RequestReport::of(&response).unwrap();
//! // Entra ID's "True": smoothed over by the `bool_strings` switch.
//! assert!(report.switches.contains(Switch::BoolStrings));
//! assert_eq!(report.resource.as_ref().unwrap().resource_type, "User");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

use std::sync::{Mutex, PoisonError};

use scimkit_schema::{ScimError, Switches};

use crate::TenantId;

/// What the engine did with one request, and why it answered as it did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestReport {
    /// The authenticated tenant (`None` when authentication failed or did not run).
    pub tenant: Option<TenantId>,
    /// The response's status code.
    pub status: u16,
    /// The compatibility switches that fired (`docs/COMPATIBILITY.md`).
    pub switches: Switches,
    /// For an error response, the SCIM error it carries.
    pub error: Option<ErrorReport>,
    /// The resource the request touched (its type, and its id once known:
    /// from the path, or the id a POST created).
    pub resource: Option<ResourceRef>,
    /// The decoded `filter` of a list or `/.search` request (percent- and
    /// `+`-decoded, as parsed).
    pub filter: Option<String>,
}

impl RequestReport {
    /// The report attached to a response of the engine.
    pub fn of<B>(response: &http::Response<B>) -> Option<&RequestReport> {
        response.extensions().get::<RequestReport>()
    }
}

/// The SCIM error of an error response (RFC 7644 §3.12).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorReport {
    /// The HTTP status.
    pub status: u16,
    /// The `scimType`, when there is one (`invalidFilter`, `uniqueness`, …).
    pub scim_type: Option<String>,
    /// The `detail`: what failed, and where (a `500`'s is generic).
    pub detail: String,
}

impl ErrorReport {
    /// The report of a SCIM error.
    pub fn of(e: &ScimError) -> Self {
        ErrorReport {
            status: e.status,
            scim_type: e.scim_type.as_ref().map(|t| t.as_str().to_owned()),
            detail: e.detail.clone(),
        }
    }
}

/// A resource a request touched.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResourceRef {
    /// The resource type's name (`User`, `Group`).
    pub resource_type: String,
    /// Its id, when the request names one or created one.
    pub id: Option<String>,
}

impl ResourceRef {
    /// A reference to `resource_type` / `id`.
    pub fn new(resource_type: impl Into<String>, id: Option<String>) -> Self {
        ResourceRef {
            resource_type: resource_type.into(),
            id,
        }
    }
}

/// What a request's handlers record while it runs: shared by reference in
/// the request's context, so a lock rather than `&mut` (the engine's future
/// must be `Send`). Every record is a few words, taken a few times a request.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    parts: Mutex<Parts>,
}

#[derive(Debug, Default)]
struct Parts {
    switches: Switches,
    resource: Option<ResourceRef>,
    filter: Option<String>,
    /// Credential values of the query, scrubbed from an error's detail.
    query_secrets: Vec<String>,
}

impl Recorder {
    fn with(&self, f: impl FnOnce(&mut Parts)) {
        f(&mut self.parts.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Adds the switches that fired.
    pub(crate) fn switches(&self, s: Switches) {
        if !s.is_empty() {
            self.with(|p| p.switches = p.switches.union(s));
        }
    }

    /// Runs the synchronous `f`, recording the switches it applied.
    pub(crate) fn capture<R>(&self, f: impl FnOnce() -> R) -> R {
        let (r, s) = Switches::capture(f);
        self.switches(s);
        r
    }

    /// The resource touched (the first one recorded wins the type; an id
    /// fills in a missing one).
    pub(crate) fn resource(&self, resource_type: &str, id: Option<&str>) {
        self.with(|p| match &mut p.resource {
            Some(r) if r.resource_type == resource_type => {
                if r.id.is_none() {
                    r.id = id.map(str::to_owned);
                }
            }
            Some(_) => {}
            None => p.resource = Some(ResourceRef::new(resource_type, id.map(str::to_owned))),
        });
    }

    /// The decoded filter.
    pub(crate) fn filter(&self, filter: &str) {
        self.with(|p| {
            if p.filter.is_none() {
                p.filter = Some(filter.to_owned());
            }
        });
    }

    /// For a failed request: drops a filter that names a secret
    /// (`returned: never`) attribute (`password eq "…"` is refused, and
    /// its value must not reach a log), and marks that the error's detail
    /// must be scrubbed of the query's credential values (`finish`).
    pub(crate) fn scrub(&self, registry: &scimkit_schema::Registry, query: &str) {
        self.with(|p| {
            if let Some(f) = &p.filter {
                let redactor = crate::redact::Redactor::new(registry);
                let secret = f
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|w| !w.is_empty() && redactor.is_secret_key(w));
                if secret {
                    p.filter = Some("<redacted: the filter names a secret attribute>".to_owned());
                }
            }
            p.query_secrets = crate::redact::secret_query_values(query)
                .into_iter()
                .map(str::to_owned)
                .collect();
        });
    }

    /// The report of the finished request.
    pub(crate) fn finish(
        &self,
        tenant: Option<TenantId>,
        status: u16,
        error: Option<ErrorReport>,
    ) -> RequestReport {
        let p = std::mem::take(&mut *self.parts.lock().unwrap_or_else(PoisonError::into_inner));
        let mut error = error;
        if let Some(e) = &mut error
            && !p.query_secrets.is_empty()
        {
            let secrets: Vec<&str> = p.query_secrets.iter().map(String::as_str).collect();
            e.detail = crate::redact::scrub(&e.detail, &secrets);
        }
        RequestReport {
            tenant,
            status,
            switches: p.switches,
            error,
            resource: p.resource,
            filter: p.filter,
        }
    }
}
