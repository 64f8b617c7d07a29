//! [`TenantAuth`]: the service's `Authenticator` over the `tenants` table.
//!
//! The tenant comes from the path (`/tenants/{id}/scim/v2/…`) and the bearer
//! token must be that tenant's: the SHA-256 digest of the presented token is
//! compared with the stored digest in constant time. Anything else is `401`.
//!
//! Cache policy: a tenant's stored digest (or its absence) is cached in memory
//! for [`TTL`] (2 seconds). So a rotated or removed token stops working at
//! most 2 seconds after `tenant rotate-token` / `tenant remove`, on every
//! server process sharing the database, while a busy tenant costs one
//! indexed lookup every 2 seconds instead of one per request.

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use scimkit_service::{AuthError, AuthRequest, Authenticator, Principal, TenantId, TokenHash};
use scimkit_sql::Tenants;
use subtle::ConstantTimeEq;

/// How long a looked-up tenant is trusted before it is read again.
pub(crate) const TTL: Duration = Duration::from_secs(2);

/// At most this many tenants are cached (the cache is emptied beyond).
const MAX_CACHED: usize = 10_000;

#[derive(Clone, Copy)]
struct Entry {
    /// The token digest's hex text as bytes, `None` when there is no such tenant.
    digest: Option<[u8; 64]>,
    fetched: Instant,
}

/// Authenticates bearer tokens against the tenants table.
pub(crate) struct TenantAuth {
    tenants: Tenants,
    cache: RwLock<BTreeMap<String, Entry>>,
}

impl TenantAuth {
    pub(crate) fn new(tenants: Tenants) -> Self {
        TenantAuth {
            tenants,
            cache: RwLock::new(BTreeMap::new()),
        }
    }

    fn cached(&self, id: &str) -> Option<Entry> {
        let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
        cache.get(id).copied().filter(|e| e.fetched.elapsed() < TTL)
    }

    async fn lookup(&self, id: &str) -> Result<Entry, AuthError> {
        if let Some(e) = self.cached(id) {
            return Ok(e);
        }
        let found = self.tenants.find(id).await.map_err(|e| {
            tracing::error!(error = %e, "tenant lookup failed");
            AuthError::Invalid
        })?;
        let entry = Entry {
            digest: found.map(|(_, hash)| hex_bytes(&hash)),
            fetched: Instant::now(),
        };
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(id.to_owned(), entry);
        Ok(entry)
    }
}

fn hex_bytes(hash: &TokenHash) -> [u8; 64] {
    let mut out = [0u8; 64];
    out.copy_from_slice(hash.to_hex().as_bytes());
    out
}

#[async_trait]
impl Authenticator for TenantAuth {
    async fn authenticate(&self, req: &AuthRequest<'_>) -> Result<Principal, AuthError> {
        let token = req.bearer_token().ok_or(AuthError::Missing)?;
        let id = req.path_tenant.ok_or(AuthError::Invalid)?;
        let presented = hex_bytes(&TokenHash::of(token));
        let entry = self.lookup(id).await?;
        // Compare even when the tenant is unknown, so both cases take as long.
        let stored = entry.digest.unwrap_or([0u8; 64]);
        let same: bool = stored.ct_eq(&presented).into();
        if same && entry.digest.is_some() {
            Ok(Principal::new(TenantId::new(id), format!("tenant {id}")))
        } else {
            Err(AuthError::Invalid)
        }
    }
}
