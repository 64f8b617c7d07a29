//! Secrets at rest: `password` (RFC 7643 §4.1.1: `mutability: writeOnly`,
//! `returned: never`) is stored as an Argon2id hash in the PHC string format
//! (`$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`, RFC 9106), never in clear,
//! unless [`Config::password_storage`](crate::Config::password_storage) says
//! otherwise.
//!
//! The policy applies to every top-level single-valued string attribute the
//! schema marks `returned: never` (in the core schemas: User `password`), on
//! every write path: POST, PUT, PATCH and each Bulk operation (RFC 7644 §3.3,
//! §3.5.1, §3.5.2, §3.7).
//!
//! - **PATCH** hashes only a value that changed: a PATCH that does not touch
//!   `password` keeps the stored hash byte for byte; one that removes it
//!   removes it.
//! - **PUT without `password`** keeps the stored one. RFC 7644 §3.5.1 lets a
//!   server clear omitted `readWrite` attributes, but `password` is
//!   `writeOnly` and never returned, so a client that replaces a user from
//!   what it read (Okta's GET-then-PUT) cannot send it back: clearing it would
//!   wipe the password on every profile update. To clear it, PATCH
//!   `{"op": "remove", "path": "password"}`.
//! - Sending the current password again (a PUT or PATCH that repeats it) keeps
//!   the stored hash, so the write changes nothing and keeps its version.
//!
//! Hashing is CPU- and memory-heavy by design: it runs on the blocking pool
//! ([`crate::blocking::offload`]), at most
//! [`PasswordHashing::max_concurrent`] at a time; up to
//! [`PasswordHashing::max_queued`] more wait their turn, and beyond that a
//! write answers `503` (retry later) instead of queueing without bound.
//!
//! [`verify_password`] checks a presented password against a stored hash, for
//! embedders that let provisioned users sign in.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::{Algorithm, Argon2, Params, Version};
use password_hash::rand_core::OsRng;
use password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use scimkit_schema::{
    AttrType, AttributeDef, Resource, ResourceSchema, Returned, ScimError, get_ci, remove_ci,
};
use serde_json::{Map, Value};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::context::Cx;

/// Argon2 memory cost by default, in KiB (19 MiB: OWASP's recommended
/// minimum for Argon2id with 2 iterations).
pub const DEFAULT_ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// Argon2 iterations by default.
pub const DEFAULT_ARGON2_ITERATIONS: u32 = 2;
/// Argon2 lanes by default.
pub const DEFAULT_ARGON2_PARALLELISM: u32 = 1;
/// How many passwords are hashed at once by default, per
/// [`PasswordHashing`] (each holds [`DEFAULT_ARGON2_MEMORY_KIB`] and one
/// blocking thread while it runs).
pub const DEFAULT_MAX_CONCURRENT_PASSWORD_HASHES: usize = 4;
/// How many writes may wait for a hashing slot by default; one more is `503`.
pub const DEFAULT_MAX_QUEUED_PASSWORD_HASHES: usize = 64;

/// Argon2id cost parameters (RFC 9106 §3.1), checked when built.
///
/// ```
/// use scimkit_service::Argon2Params;
/// let cheap = Argon2Params::new(8, 1, 1).unwrap(); // tests only
/// assert_eq!(cheap.memory_kib(), 8);
/// assert!(Argon2Params::new(4, 1, 1).is_err()); // below 8 KiB per lane
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argon2Params {
    params: Params,
}

/// Argon2 parameters that Argon2 cannot use.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid Argon2 parameters: {0}")]
pub struct InvalidArgon2Params(String);

impl Argon2Params {
    /// `memory_kib` KiB (at least 8 per lane), `iterations` passes (at
    /// least 1), `parallelism` lanes (at least 1).
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<Argon2Params, InvalidArgon2Params> {
        Params::new(memory_kib, iterations, parallelism, None)
            .map(|params| Argon2Params { params })
            .map_err(|e| InvalidArgon2Params(e.to_string()))
    }

    /// Memory cost in KiB.
    pub fn memory_kib(&self) -> u32 {
        self.params.m_cost()
    }

    /// Iterations.
    pub fn iterations(&self) -> u32 {
        self.params.t_cost()
    }

    /// Lanes.
    pub fn parallelism(&self) -> u32 {
        self.params.p_cost()
    }
}

impl Default for Argon2Params {
    /// [`DEFAULT_ARGON2_MEMORY_KIB`], [`DEFAULT_ARGON2_ITERATIONS`],
    /// [`DEFAULT_ARGON2_PARALLELISM`].
    fn default() -> Self {
        Argon2Params {
            params: Params::new(
                DEFAULT_ARGON2_MEMORY_KIB,
                DEFAULT_ARGON2_ITERATIONS,
                DEFAULT_ARGON2_PARALLELISM,
                None,
            )
            .unwrap_or_default(),
        }
    }
}

/// How secrets (`returned: never` attributes such as `password`) are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordStorage {
    /// Not stored at all: the value is accepted and discarded.
    Drop,
    /// An Argon2id PHC string with a random salt (the default).
    Hash(Argon2Params),
    /// As sent, for stores that encrypt or hash on their own.
    KeepAsSent,
}

impl Default for PasswordStorage {
    fn default() -> Self {
        PasswordStorage::Hash(Argon2Params::default())
    }
}

/// The bound on concurrent password hashing: at most `max_concurrent` run,
/// at most `max_queued` wait, more answer `503`. Clones share their slots
/// (one budget for every service built from clones of one
/// [`Config`](crate::Config)).
#[derive(Clone)]
pub struct PasswordHashing {
    max_concurrent: usize,
    max_queued: usize,
    slots: Arc<Semaphore>,
    queued: Arc<AtomicUsize>,
}

impl std::fmt::Debug for PasswordHashing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHashing")
            .field("max_concurrent", &self.max_concurrent)
            .field("max_queued", &self.max_queued)
            .finish_non_exhaustive()
    }
}

impl Default for PasswordHashing {
    fn default() -> Self {
        PasswordHashing::new(
            DEFAULT_MAX_CONCURRENT_PASSWORD_HASHES,
            DEFAULT_MAX_QUEUED_PASSWORD_HASHES,
        )
    }
}

/// Decrements the waiting count when a waiter leaves (served or cancelled).
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl PasswordHashing {
    /// At most `max_concurrent` (at least 1) hashes at once, `max_queued`
    /// waiting.
    pub fn new(max_concurrent: usize, max_queued: usize) -> PasswordHashing {
        let max_concurrent = max_concurrent.clamp(1, Semaphore::MAX_PERMITS);
        PasswordHashing {
            max_concurrent,
            max_queued,
            slots: Arc::new(Semaphore::new(max_concurrent)),
            queued: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Hashes that may run at once.
    pub fn max_concurrent(&self) -> usize {
        self.max_concurrent
    }

    /// Hashes that may wait for a slot.
    pub fn max_queued(&self) -> usize {
        self.max_queued
    }

    /// A slot, after waiting in line if need be; `503` when the line is full.
    async fn slot(&self) -> Result<OwnedSemaphorePermit, ScimError> {
        if let Ok(p) = Arc::clone(&self.slots).try_acquire_owned() {
            return Ok(p);
        }
        if self.queued.fetch_add(1, Ordering::AcqRel) >= self.max_queued {
            self.queued.fetch_sub(1, Ordering::AcqRel);
            return Err(ScimError::new(
                503,
                None,
                format!(
                    "the server is hashing passwords for {} other requests; retry later",
                    self.max_concurrent + self.max_queued
                ),
            ));
        }
        let _waiting = Queued(&self.queued);
        Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map_err(|_| ScimError::internal("internal server error"))
    }

    /// Runs `f` on the blocking pool once a slot is free; the slot is held
    /// until `f` returns, even if the request is cancelled meanwhile.
    async fn run<T, F>(&self, f: F) -> Result<T, ScimError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let slot = self.slot().await?;
        crate::blocking::offload(move || {
            let out = f();
            drop(slot);
            out
        })
        .await
    }
}

/// Hashes `password` with Argon2id and a random 128-bit salt from the
/// operating system; returns the PHC string. CPU- and memory-heavy: call it
/// off async workers.
pub fn hash_password(params: &Argon2Params, password: &str) -> Result<String, ScimError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ScimError::internal("internal server error")
        })
}

/// Whether `presented` is the password whose Argon2id PHC string is
/// `stored` (as kept under [`PasswordStorage::Hash`]). Compares in constant
/// time (argon2's verifier); anything that is not an Argon2id PHC string
/// gives `false`. CPU- and memory-heavy like hashing: call it off async
/// workers.
///
/// ```
/// use scimkit_service::{Argon2Params, hash_password, verify_password};
/// let stored = hash_password(&Argon2Params::new(8, 1, 1).unwrap(), "t1ger!").unwrap();
/// assert!(stored.starts_with("$argon2id$"));
/// assert!(verify_password(&stored, "t1ger!"));
/// assert!(!verify_password(&stored, "t1ger"));
/// assert!(!verify_password("t1ger!", "t1ger!")); // a clear value is no hash
/// ```
pub fn verify_password(stored: &str, presented: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    if hash.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    Argon2::default()
        .verify_password(presented.as_bytes(), &hash)
        .is_ok()
}

/// Which write a resource comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// POST: nothing stored yet.
    Create,
    /// PUT: an omitted secret keeps its stored value.
    Replace,
    /// PATCH: the result of applying the operations to the stored resource.
    Patch,
}

/// The attributes the policy covers: `(extension URI, name)`.
fn secret_attributes(rs: &ResourceSchema) -> Vec<(Option<&str>, &str)> {
    fn secret(a: &AttributeDef) -> bool {
        a.returned == Returned::Never && a.attr_type == AttrType::String && !a.multi_valued
    }
    let mut out: Vec<(Option<&str>, &str)> = rs
        .base()
        .attributes
        .iter()
        .filter(|a| secret(a))
        .map(|a| (None, a.name.as_str()))
        .collect();
    for (ext, _) in rs.extensions() {
        out.extend(
            ext.attributes
                .iter()
                .filter(|a| secret(a))
                .map(|a| (Some(ext.id.as_str()), a.name.as_str())),
        );
    }
    out
}

fn container<'m>(
    root: &'m Map<String, Value>,
    ext: Option<&str>,
) -> Option<&'m Map<String, Value>> {
    match ext {
        None => Some(root),
        Some(uri) => get_ci(root, uri).and_then(|(_, v)| v.as_object()),
    }
}

fn container_mut<'m>(
    root: &'m mut Map<String, Value>,
    ext: Option<&str>,
) -> Option<&'m mut Map<String, Value>> {
    match ext {
        None => Some(root),
        Some(uri) => scimkit_schema::get_ci_mut(root, uri).and_then(Value::as_object_mut),
    }
}

/// Applies [`Config::password_storage`](crate::Config::password_storage) to
/// a validated resource about to be stored; `existing` is the stored resource
/// for PUT and PATCH.
pub(crate) async fn prepare(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    new: &mut Resource,
    existing: Option<&Resource>,
    write: Write,
) -> Result<(), ScimError> {
    let policy = &cx.svc.config.password_storage;
    for (ext, name) in secret_attributes(rs) {
        let old = existing
            .and_then(|r| container(r.as_map(), ext))
            .and_then(|c| get_ci(c, name))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_null());
        let Some(slot) = container_mut(new.as_map_mut(), ext) else {
            continue;
        };
        let sent = remove_ci(slot, name).filter(|v| !v.is_null());
        if *policy == PasswordStorage::Drop {
            // Nothing kept, not even a value stored under an earlier policy.
            continue;
        }
        let keep = match (sent, old) {
            // PUT without the secret keeps it (module docs).
            (None, Some(old)) if write == Write::Replace => Some(old),
            (None, _) => None,
            // Untouched by a PATCH (or sent back exactly as stored).
            (Some(sent), Some(old)) if sent == old => Some(old),
            (Some(sent), old) => match policy {
                PasswordStorage::Drop => None,
                PasswordStorage::KeepAsSent => Some(sent),
                PasswordStorage::Hash(params) => {
                    let Value::String(clear) = sent else {
                        return Err(ScimError::invalid_value(format!("{name} must be a string")));
                    };
                    let old = old.and_then(|v| v.as_str().map(str::to_owned));
                    let params = params.clone();
                    let stored = cx
                        .svc
                        .config
                        .password_hashing
                        .run(move || match old {
                            // The same password again keeps its hash (and the version).
                            Some(old) if verify_password(&old, &clear) => Ok(old),
                            _ => hash_password(&params, &clear),
                        })
                        .await??;
                    Some(Value::String(stored))
                }
            },
        };
        if let (Some(v), Some(slot)) = (keep, container_mut(new.as_map_mut(), ext)) {
            slot.insert(name.to_owned(), v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Argon2Params {
        Argon2Params::new(8, 1, 1).unwrap_or_default()
    }

    #[test]
    fn hashes_are_salted_argon2id_phc_strings() {
        let a = hash_password(&cheap(), "pw").unwrap_or_default();
        let b = hash_password(&cheap(), "pw").unwrap_or_default();
        assert!(a.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{a}");
        assert_ne!(a, b, "a random salt each time");
        let cases = [
            (a.as_str(), "pw", true),
            (a.as_str(), "pW", false),
            (a.as_str(), "", false),
            (b.as_str(), "pw", true),
            ("pw", "pw", false),
            ("", "", false),
            ("$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "pw", false),
        ];
        for (stored, presented, want) in cases {
            assert_eq!(
                verify_password(stored, presented),
                want,
                "{stored} {presented}"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashing_is_bounded() {
        let gate = PasswordHashing::new(1, 1);
        // Hold the only slot.
        let held = gate.slot().await;
        assert!(held.is_ok());
        // One waits in line…
        let waiting = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.run(|| 7).await })
        };
        while gate.queued.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        // …the next is turned away.
        let refused = gate.run(|| 8).await;
        assert!(matches!(refused, Err(e) if e.status == 503));
        drop(held);
        assert!(matches!(waiting.await, Ok(Ok(7))));
        assert_eq!(gate.queued.load(Ordering::Acquire), 0);
        assert!(matches!(gate.run(|| 9).await, Ok(9)));
    }
}
