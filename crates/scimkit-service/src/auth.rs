//! Authentication: from a request's headers (and the tenant named by its
//! path) to a [`Principal`] (RFC 7644 §2: the protocol relies on HTTP
//! authentication; IdPs send `Authorization: Bearer <token>`, RFC 6750).
//!
//! [`StaticTokens`] ships for the common case: a fixed set of bearer tokens,
//! each belonging to one tenant, compared in constant time.

mod static_tokens;

use async_trait::async_trait;
use http::{HeaderMap, Method};

pub use static_tokens::{Secret, StaticTokens, TokenHash};

use crate::TenantId;

/// The resource `/Me` stands for (RFC 7644 §3.11).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MeRef {
    /// The resource type's name (`User`).
    pub resource_type: String,
    /// The resource's id.
    pub id: String,
}

impl MeRef {
    /// A reference to a resource.
    pub fn new(resource_type: impl Into<String>, id: impl Into<String>) -> Self {
        MeRef {
            resource_type: resource_type.into(),
            id: id.into(),
        }
    }
}

/// Who is calling, and for which tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Principal {
    /// The tenant whose data the request reads and writes.
    pub tenant: TenantId,
    /// A name for logs (never the secret).
    pub subject: String,
    /// The resource `/Me` maps to, if any (`501` on `/Me` otherwise).
    pub me: Option<MeRef>,
    /// Whether the caller may only read (writes are `403`).
    pub read_only: bool,
}

impl Principal {
    /// A principal with full access to `tenant`.
    pub fn new(tenant: TenantId, subject: impl Into<String>) -> Self {
        Principal {
            tenant,
            subject: subject.into(),
            me: None,
            read_only: false,
        }
    }

    /// With the resource `/Me` stands for.
    pub fn with_me(mut self, me: MeRef) -> Self {
        self.me = Some(me);
        self
    }

    /// Read-only.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
}

/// What an authenticator sees of a request.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AuthRequest<'a> {
    /// The method.
    pub method: &'a Method,
    /// The request headers (`Authorization`, …).
    pub headers: &'a HeaderMap,
    /// The tenant named by the path (`/tenants/{id}/…`) when the service
    /// serves tenant URLs; the principal's tenant must be this one.
    pub path_tenant: Option<&'a str>,
}

impl<'a> AuthRequest<'a> {
    /// An authentication request.
    pub fn new(method: &'a Method, headers: &'a HeaderMap, path_tenant: Option<&'a str>) -> Self {
        AuthRequest {
            method,
            headers,
            path_tenant,
        }
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme
    /// case-insensitive, RFC 6750 §2.1), if any.
    pub fn bearer_token(&self) -> Option<&'a str> {
        let value = self
            .headers
            .get(http::header::AUTHORIZATION)?
            .to_str()
            .ok()?;
        let (scheme, token) = value.trim().split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    }
}

/// Why authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No credentials (`401` with `WWW-Authenticate`).
    #[error("authentication required: send Authorization: Bearer <token>")]
    Missing,
    /// Credentials that are not valid here (`401` with `WWW-Authenticate`).
    #[error("the bearer token is not valid for this service")]
    Invalid,
    /// Valid credentials without the right to do this (`403`).
    #[error("{0}")]
    Forbidden(String),
}

/// Decides who a request comes from.
#[async_trait]
pub trait Authenticator: Send + Sync + 'static {
    /// Authenticates a request. When `req.path_tenant` is set, the returned
    /// principal's tenant must be that tenant (else return an error).
    async fn authenticate(&self, req: &AuthRequest<'_>) -> Result<Principal, AuthError>;
}
