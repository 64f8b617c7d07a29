//! Static bearer tokens per tenant, compared in constant time.

use std::fmt;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{AuthError, AuthRequest, Authenticator, MeRef, Principal};
use crate::TenantId;

/// A secret string (a bearer token). Its `Debug` is redacted.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself; do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s)
    }
}

/// The SHA-256 digest of a token: what [`StaticTokens`] keeps, so a
/// configuration file need not hold the tokens themselves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// The digest of `token`.
    pub fn of(token: &str) -> Self {
        TokenHash(Sha256::digest(token.as_bytes()).into())
    }

    /// Parses 64 hexadecimal digits (as printed by `sha256sum`).
    pub fn from_hex(hex: &str) -> Option<Self> {
        let hex = hex.trim().as_bytes();
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in hex.chunks(2).enumerate() {
            let s = std::str::from_utf8(pair).ok()?;
            out[i] = u8::from_str_radix(s, 16).ok()?;
        }
        Some(TokenHash(out))
    }

    /// The digest as 64 lowercase hexadecimal digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({})", self.to_hex())
    }
}

#[derive(Debug, Clone)]
struct Entry {
    hash: TokenHash,
    principal: Principal,
}

/// Bearer tokens, each belonging to one tenant.
///
/// Tokens are kept as SHA-256 digests and a presented token's digest is
/// compared with every entry in constant time. With tenant URLs
/// (`/tenants/{id}/…`), a token only opens its own tenant's URL.
///
/// ```
/// use scimkit_service::{StaticTokens, TenantId, MeRef};
/// let auth = StaticTokens::new()
///     .with_token(TenantId::new("acme"), "s3cret-acme")
///     .with_token_hash(
///         TenantId::new("globex"),
///         // sha256("s3cret-globex"), e.g. from a configuration file
///         scimkit_service::TokenHash::of("s3cret-globex"),
///     )
///     .with_me("s3cret-acme", MeRef::new("User", "2819c223"));
/// assert!(format!("{auth:?}").contains("TokenHash"));
/// assert!(!format!("{auth:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct StaticTokens {
    entries: Vec<Entry>,
}

impl StaticTokens {
    /// No tokens (every request is `401`).
    pub fn new() -> Self {
        StaticTokens::default()
    }

    /// Adds a token with full access to `tenant`.
    pub fn with_token(self, tenant: TenantId, token: impl Into<Secret>) -> Self {
        let token = token.into();
        self.with_token_hash(tenant, TokenHash::of(token.expose()))
    }

    /// Adds a token, given by its SHA-256 digest, with full access to `tenant`.
    pub fn with_token_hash(mut self, tenant: TenantId, hash: TokenHash) -> Self {
        let subject = format!("token {}…", &hash.to_hex()[..8]);
        self.entries.push(Entry {
            hash,
            principal: Principal::new(tenant, subject),
        });
        self
    }

    /// Adds a read-only token for `tenant` (writes get `403`).
    pub fn with_read_only_token(self, tenant: TenantId, token: impl Into<Secret>) -> Self {
        let mut s = self.with_token(tenant, token);
        if let Some(e) = s.entries.last_mut() {
            e.principal.read_only = true;
        }
        s
    }

    /// Makes `/Me` stand for `me` for callers with `token`.
    pub fn with_me(mut self, token: impl Into<Secret>, me: MeRef) -> Self {
        let hash = TokenHash::of(token.into().expose());
        for e in &mut self.entries {
            if e.hash == hash {
                e.principal.me = Some(me.clone());
            }
        }
        self
    }
}

#[async_trait]
impl Authenticator for StaticTokens {
    async fn authenticate(&self, req: &AuthRequest<'_>) -> Result<Principal, AuthError> {
        let token = req.bearer_token().ok_or(AuthError::Missing)?;
        let presented = TokenHash::of(token);
        // Compare against every entry, without stopping early.
        let mut found: Option<&Entry> = None;
        for e in &self.entries {
            let same: bool = e.hash.0.ct_eq(&presented.0).into();
            let tenant_ok = req
                .path_tenant
                .is_none_or(|t| t == e.principal.tenant.as_str());
            if same && tenant_ok && found.is_none() {
                found = Some(e);
            }
        }
        found.map(|e| e.principal.clone()).ok_or(AuthError::Invalid)
    }
}
