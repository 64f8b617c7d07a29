//! [`TenantAuth`]: the service's `Authenticator` over the `tenants` table.
//!
//! The tenant comes from the path (`/tenants/{id}/scim/v2/…`) and the bearer
//! token must be that tenant's: the SHA-256 digest of the presented token is
//! compared with the stored digest in constant time (and, until the time
//! `tenant rotate-token --keep-old-for` set, with the previous token's
//! digest too). Anything else is `401` (RFC 6750 §3.1).
//!
//! Cache policy:
//! - A known tenant is looked up on every request, on a reader connection
//!   (one primary-key read; never SQLite's single writer). Nothing about a
//!   known tenant is cached, so once `tenant remove` or `tenant
//!   rotate-token` has returned, the old token opens nothing, on every
//!   server process sharing the database.
//! - An unknown tenant id (no such row) is remembered for
//!   [`DEFAULT_UNKNOWN_TTL`], at most [`DEFAULT_MAX_UNKNOWN`] of them, the
//!   oldest forgotten first: a flood of made-up tenant ids costs one reader
//!   lookup per id and TTL, and never pushes anything else out. A tenant
//!   added under an id that was just probed opens after the TTL at most
//!   (ids are random UUIDs, so that does not happen by chance).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use scimkit_service::{AuthError, AuthRequest, Authenticator, Principal, TenantId, TokenHash};
use scimkit_sql::Tenants;
use subtle::ConstantTimeEq;

/// How long an unknown tenant id is remembered as unknown.
pub(crate) const DEFAULT_UNKNOWN_TTL: Duration = Duration::from_secs(2);

/// How many unknown tenant ids are remembered at most (the oldest is
/// forgotten first).
pub(crate) const DEFAULT_MAX_UNKNOWN: usize = 10_000;

/// `--auth-unknown-ttl-ms`, `--auth-max-unknown`: the unknown-tenant cache.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct AuthArgs {
    /// How long (milliseconds) a tenant id found unknown is answered `401`
    /// without asking the database again; 0 remembers none.
    #[arg(long, global = true, env = "SCIMKIT_AUTH_UNKNOWN_TTL_MS", default_value_t = DEFAULT_UNKNOWN_TTL.as_millis() as u64)]
    pub(crate) auth_unknown_ttl_ms: u64,
    /// How many unknown tenant ids are remembered at most (the oldest is
    /// forgotten first; known tenants are never cached, so never evicted).
    #[arg(long, global = true, env = "SCIMKIT_AUTH_MAX_UNKNOWN", default_value_t = DEFAULT_MAX_UNKNOWN)]
    pub(crate) auth_max_unknown: usize,
}

/// The bounded, time-limited set of tenant ids found unknown.
#[derive(Default)]
struct Unknown {
    /// Id -> when it was found unknown.
    seen: HashMap<String, Instant>,
    /// Ids in the order they were (last) found unknown; an entry whose time
    /// differs from `seen`'s is stale and skipped.
    order: VecDeque<(String, Instant)>,
}

impl Unknown {
    fn contains(&self, id: &str, ttl: Duration) -> bool {
        self.seen.get(id).is_some_and(|t| t.elapsed() < ttl)
    }

    fn insert(&mut self, id: &str, max: usize) {
        let now = Instant::now();
        self.seen.insert(id.to_owned(), now);
        self.order.push_back((id.to_owned(), now));
        while self.seen.len() > max {
            let Some((old, at)) = self.order.pop_front() else {
                break;
            };
            if self.seen.get(&old) == Some(&at) {
                self.seen.remove(&old);
            }
        }
        // Stale queue entries (ids found unknown again) are bounded too.
        if self.order.len() > 2 * max.max(1) {
            let seen = &self.seen;
            self.order.retain(|(id, at)| seen.get(id) == Some(at));
        }
    }

    fn remove(&mut self, id: &str) {
        self.seen.remove(id);
    }
}

/// Authenticates bearer tokens against the tenants table.
pub(crate) struct TenantAuth {
    tenants: Tenants,
    unknown: Mutex<Unknown>,
    unknown_ttl: Duration,
    max_unknown: usize,
}

impl TenantAuth {
    pub(crate) fn new(tenants: Tenants) -> Self {
        TenantAuth {
            tenants,
            unknown: Mutex::default(),
            unknown_ttl: DEFAULT_UNKNOWN_TTL,
            max_unknown: DEFAULT_MAX_UNKNOWN,
        }
    }

    /// The settings of `args`.
    #[must_use]
    pub(crate) fn with_args(self, args: &AuthArgs) -> Self {
        self.with_unknown_ttl(Duration::from_millis(args.auth_unknown_ttl_ms))
            .with_max_unknown(args.auth_max_unknown)
    }

    /// How long an unknown tenant id is remembered (default
    /// [`DEFAULT_UNKNOWN_TTL`]; zero remembers none).
    #[must_use]
    pub(crate) fn with_unknown_ttl(mut self, ttl: Duration) -> Self {
        self.unknown_ttl = ttl;
        self
    }

    /// How many unknown tenant ids are remembered at most (default
    /// [`DEFAULT_MAX_UNKNOWN`]).
    #[must_use]
    pub(crate) fn with_max_unknown(mut self, n: usize) -> Self {
        self.max_unknown = n;
        self
    }

    /// How many unknown tenant ids are remembered now.
    #[cfg(test)]
    fn unknown_len(&self) -> usize {
        self.unknown
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .seen
            .len()
    }

    fn known_unknown(&self, id: &str) -> bool {
        let u = self.unknown.lock().unwrap_or_else(|e| e.into_inner());
        u.contains(id, self.unknown_ttl)
    }

    /// The digests that open tenant `id` now (current, and the previous one
    /// while it is kept), `None` for an unknown tenant.
    async fn digests(&self, id: &str) -> Result<Option<Vec<[u8; 64]>>, AuthError> {
        if self.known_unknown(id) {
            return Ok(None);
        }
        let found = self.tenants.credentials(id).await.map_err(|e| {
            tracing::error!(error = %e, "tenant lookup failed");
            AuthError::Invalid
        })?;
        let mut u = self.unknown.lock().unwrap_or_else(|e| e.into_inner());
        let Some(c) = found else {
            if !self.unknown_ttl.is_zero() && self.max_unknown > 0 {
                u.insert(id, self.max_unknown);
            }
            return Ok(None);
        };
        u.remove(id);
        let mut digests = vec![hex_bytes(&c.token)];
        if let Some((old, until)) = c.old_token
            && Utc::now() < until
        {
            digests.push(hex_bytes(&old));
        }
        Ok(Some(digests))
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
        let digests = self.digests(id).await?;
        // Compare even when the tenant is unknown, so both cases take as long.
        let known = digests.is_some();
        let mut same = false;
        for d in digests.unwrap_or_else(|| vec![[0u8; 64]]) {
            same |= bool::from(d.ct_eq(&presented));
        }
        if same && known {
            Ok(Principal::new(TenantId::new(id), format!("tenant {id}")))
        } else {
            Err(AuthError::Invalid)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use scimkit_service::{AuthRequest, Authenticator, TokenHash};
    use scimkit_sql::{SqlStore, SqliteOptions};

    use super::*;

    fn request<'a>(headers: &'a http::HeaderMap, tenant: &'a str) -> AuthRequest<'a> {
        AuthRequest::new(&http::Method::GET, headers, Some(tenant))
    }

    fn bearer(token: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        h
    }

    /// 20,000 made-up tenant ids: the unknown set stays at its bound, the
    /// writer is never taken, and the real tenant still authenticates
    /// (nothing of it was evicted, and its lookups stay off the writer).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unknown_tenants_are_bounded_and_never_touch_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::sqlite(SqliteOptions::file(dir.path().join("a.db")))
            .await
            .unwrap();
        let w0 = store.writer_uses();
        store
            .tenants()
            .add("real", "Real", &TokenHash::of("real-token"))
            .await
            .unwrap();
        assert!(store.writer_uses() > w0, "the counter sees writes");
        const MAX: usize = 1_000;
        let auth = TenantAuth::new(store.tenants()).with_max_unknown(MAX);
        let good = bearer("real-token");
        auth.authenticate(&request(&good, "real")).await.unwrap();
        let writes_before = store.writer_uses();
        let bad = bearer("guess");
        for i in 0..20_000 {
            let id = format!("made-up-{i}");
            assert!(auth.authenticate(&request(&bad, &id)).await.is_err());
            assert!(auth.unknown_len() <= MAX, "unknown set grew past its bound");
        }
        assert_eq!(auth.unknown_len(), MAX);
        // The newest unknown ids are remembered, the oldest forgotten.
        assert!(auth.known_unknown("made-up-19999"));
        assert!(!auth.known_unknown("made-up-0"));
        auth.authenticate(&request(&good, "real")).await.unwrap();
        assert_eq!(
            store.writer_uses(),
            writes_before,
            "authentication used the writer connection"
        );
        store.close().await;
    }

    /// A TTL of zero remembers no unknown id; an expired entry is asked
    /// again.
    #[tokio::test]
    async fn unknown_ttl_edges() {
        let store = SqlStore::sqlite(SqliteOptions::in_memory()).await.unwrap();
        let bad = bearer("guess");
        let off = TenantAuth::new(store.tenants()).with_unknown_ttl(Duration::ZERO);
        assert!(off.authenticate(&request(&bad, "nope")).await.is_err());
        assert_eq!(off.unknown_len(), 0);
        let short = TenantAuth::new(store.tenants()).with_unknown_ttl(Duration::from_millis(50));
        assert!(short.authenticate(&request(&bad, "later")).await.is_err());
        assert!(short.known_unknown("later"));
        // The tenant appears: within the TTL it is still refused, after it opens.
        store
            .tenants()
            .add("later", "Later", &TokenHash::of("tok"))
            .await
            .unwrap();
        let good = bearer("tok");
        assert!(short.authenticate(&request(&good, "later")).await.is_err());
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert!(short.authenticate(&request(&good, "later")).await.is_ok());
        assert!(!short.known_unknown("later"));
    }

    /// Removal and rotation take effect at the next request; a kept old
    /// token works until its time, then stops.
    #[tokio::test]
    async fn removal_and_rotation_cut_at_once_and_kept_tokens_expire() {
        let store = SqlStore::sqlite(SqliteOptions::in_memory()).await.unwrap();
        let t = store.tenants();
        t.add("a", "A", &TokenHash::of("one")).await.unwrap();
        let auth = TenantAuth::new(store.tenants());
        let ok = |token: &'static str| {
            let auth = &auth;
            async move {
                let h = bearer(token);
                auth.authenticate(&request(&h, "a")).await.is_ok()
            }
        };
        assert!(ok("one").await);
        t.rotate_token("a", &TokenHash::of("two"), None)
            .await
            .unwrap();
        assert!(
            !ok("one").await,
            "plain rotation cuts the old token at once"
        );
        assert!(ok("two").await);
        let until = Utc::now() + chrono::Duration::milliseconds(300);
        t.rotate_token("a", &TokenHash::of("three"), Some(until))
            .await
            .unwrap();
        assert!(ok("two").await, "the kept token works until its time");
        assert!(ok("three").await);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(!ok("two").await, "the kept token stops after its time");
        assert!(ok("three").await);
        t.rotate_token(
            "a",
            &TokenHash::of("four"),
            Some(Utc::now() + chrono::Duration::hours(1)),
        )
        .await
        .unwrap();
        t.rotate_token("a", &TokenHash::of("five"), None)
            .await
            .unwrap();
        assert!(!ok("four").await, "a plain rotation also ends a kept token");
        assert!(t.remove("a").await.unwrap());
        assert!(!ok("five").await, "removal cuts at once");
    }
}
