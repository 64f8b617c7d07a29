//! The engine's configuration: where it is mounted, its limits (advertised
//! in `/ServiceProviderConfig`, RFC 7643 §5) and its leniencies.

use scimkit_schema::patch::{
    DEFAULT_MAX_PATCH_OPERATIONS, DEFAULT_MAX_PATCH_VALUES_PER_OPERATION, PatchLimits,
};
use scimkit_schema::{Compat, Profile};

/// The default of [`Config::patch_offload_values`]: a PATCH carrying more
/// values than this is applied on tokio's blocking pool (applying 1,000
/// values takes well under a millisecond; 10,000 several).
pub const DEFAULT_PATCH_OFFLOAD_VALUES: usize = 1_000;

/// The default of [`Config::write_retries`]: how many times one PUT, PATCH or
/// DELETE is attempted when it keeps losing its compare-and-swap race to
/// other writers of the same resource.
pub const DEFAULT_WRITE_RETRIES: usize = 64;
use crate::password::{PasswordHashing, PasswordStorage};

/// How the engine behaves. Start from [`Config::default()`] and adjust with
/// the `with_*` methods.
///
/// ```
/// use scimkit_service::Config;
/// use scimkit_schema::Profile;
/// let config = Config::default()
///     .with_base_path("/scim/v2")
///     .with_profile(Profile::Entra)
///     .with_max_results(200)
///     .with_patch_returns_no_content(true);
/// assert_eq!(config.max_results, 200);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The path the SCIM endpoints live under (`/scim/v2`; `""` for the root).
    pub base_path: String,
    /// Serve tenant URLs: `/tenants/{id}{base_path}/…`, one per customer; the
    /// caller's credentials must belong to the tenant named in the path.
    pub tenant_urls: bool,
    /// `scheme://host[:port]` for `Location` and `meta.location`. When unset,
    /// it comes from the request (`Host`, and `X-Forwarded-Proto` /
    /// `X-Forwarded-Host` when [`Config::trust_forwarded_headers`] is on).
    pub public_origin: Option<String>,
    /// Read `X-Forwarded-Proto` and `X-Forwarded-Host` (behind a proxy you trust).
    pub trust_forwarded_headers: bool,
    /// The leniencies in force (from a [`Profile`] by default).
    pub compat: Compat,
    /// The largest request body accepted (`413` beyond), except for `/Bulk`.
    pub max_body_size: usize,
    /// `filter.maxResults`: the most resources one list response holds.
    pub max_results: u64,
    /// The most resources one list request may examine in memory (a filter
    /// the store can only narrow, a sort it cannot push down, the pages of
    /// `POST /.search`); beyond it the request fails with `400 tooMany`
    /// (RFC 7644 §3.12). Default [`crate::DEFAULT_MAX_LIST_SCAN`].
    pub max_list_scan: u64,
    /// Whether `/Bulk` is served.
    pub bulk_supported: bool,
    /// `bulk.maxOperations`.
    pub bulk_max_operations: u64,
    /// `bulk.maxPayloadSize` in bytes.
    pub bulk_max_payload_size: usize,
    /// Answer a successful PATCH with `204 No Content` instead of `200` and
    /// the resource (RFC 7644 §3.5.2 allows either).
    pub patch_returns_no_content: bool,
    /// Answer a successful PATCH with `204 No Content` for these resource
    /// types only (names, case-insensitive), e.g. `Group`: a `200` would carry
    /// the whole member list, which for a large group is megabytes per
    /// one-member change. Entra ID and Okta accept `204` for group PATCHes.
    pub patch_no_content_types: Vec<String>,
    /// Treat Group `displayName` as unique per tenant (`409 uniqueness`).
    /// RFC 7643 §4.2 does not require it; Entra ID and Okta match groups by it.
    pub unique_group_display_name: bool,
    /// The realm in `WWW-Authenticate: Bearer realm="…"`.
    pub realm: String,
    /// The URI of human-readable help, advertised as `documentationUri`.
    pub documentation_uri: Option<String>,
    /// The most operations one PATCH request may hold; beyond, `413` with a
    /// SCIM error naming the count and the limit (as RFC 7644 §3.7.4 answers
    /// a Bulk request over `maxOperations`). Checked before any work.
    pub patch_max_operations: usize,
    /// The most values one PATCH operation may carry (the elements of the
    /// arrays in its `value`, e.g. members added); beyond, `400 tooMany`
    /// naming the operation and its path. Checked before any work.
    pub patch_max_values_per_operation: usize,
    /// A PATCH carrying more values than this (in all its operations) is
    /// applied and validated on tokio's blocking pool, so that it does not
    /// stall the async worker serving other requests; smaller ones run inline.
    pub patch_offload_values: usize,
    /// How many times one PUT, PATCH or DELETE is attempted while it loses
    /// its compare-and-swap race (another writer changed the resource between
    /// its read and its write); then `409` ("changing too fast; retry").
    /// Bounds the store work one request can cause on a contended resource.
    pub write_retries: usize,
    /// How long the change feed keeps records: what a server's background
    /// pruning passes to [`crate::ChangeFeed::prune`] (default
    /// [`crate::Retention::default`]: 30 days, 1,000,000 records per
    /// tenant). The engine itself prunes nothing.
    pub feed_retention: crate::Retention,
    /// How `password` and other `returned: never` attributes are stored
    /// (default: an Argon2id hash; see [`PasswordStorage`]).
    pub password_storage: PasswordStorage,
    /// The bound on concurrent password hashing (see [`PasswordHashing`]).
    pub password_hashing: PasswordHashing,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_path: "/scim/v2".to_owned(),
            tenant_urls: false,
            public_origin: None,
            trust_forwarded_headers: false,
            compat: Profile::default().compat(),
            max_body_size: 1024 * 1024,
            max_results: 1000,
            max_list_scan: crate::DEFAULT_MAX_LIST_SCAN,
            bulk_supported: true,
            bulk_max_operations: 1000,
            bulk_max_payload_size: 1024 * 1024,
            patch_returns_no_content: false,
            patch_no_content_types: Vec::new(),
            unique_group_display_name: false,
            realm: "scim".to_owned(),
            documentation_uri: None,
            patch_max_operations: DEFAULT_MAX_PATCH_OPERATIONS,
            patch_max_values_per_operation: DEFAULT_MAX_PATCH_VALUES_PER_OPERATION,
            patch_offload_values: DEFAULT_PATCH_OFFLOAD_VALUES,
            write_retries: DEFAULT_WRITE_RETRIES,
            feed_retention: crate::Retention::default(),
            password_storage: PasswordStorage::default(),
            password_hashing: PasswordHashing::default(),
        }
    }
}

impl Config {
    /// Sets [`Config::base_path`] (a trailing `/` is dropped).
    pub fn with_base_path(mut self, path: impl Into<String>) -> Self {
        let mut p: String = path.into();
        while p.ends_with('/') {
            p.pop();
        }
        self.base_path = p;
        self
    }

    /// Sets [`Config::tenant_urls`].
    pub fn with_tenant_urls(mut self, on: bool) -> Self {
        self.tenant_urls = on;
        self
    }

    /// Sets [`Config::public_origin`] (a trailing `/` is dropped).
    pub fn with_public_origin(mut self, origin: impl Into<String>) -> Self {
        let mut o: String = origin.into();
        while o.ends_with('/') {
            o.pop();
        }
        self.public_origin = Some(o);
        self
    }

    /// Sets [`Config::trust_forwarded_headers`].
    pub fn with_trust_forwarded_headers(mut self, on: bool) -> Self {
        self.trust_forwarded_headers = on;
        self
    }

    /// Uses a profile's leniencies.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.compat = profile.compat();
        self
    }

    /// Uses these leniencies.
    pub fn with_compat(mut self, compat: Compat) -> Self {
        self.compat = compat;
        self
    }

    /// Sets [`Config::max_body_size`].
    pub fn with_max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Sets [`Config::max_results`] (at least 1).
    pub fn with_max_results(mut self, n: u64) -> Self {
        self.max_results = n.max(1);
        self
    }

    /// Sets [`Config::max_list_scan`].
    pub fn with_max_list_scan(mut self, n: u64) -> Self {
        self.max_list_scan = n;
        self
    }

    /// Sets the Bulk limits (`maxOperations`, `maxPayloadSize`); `supported`
    /// off makes `/Bulk` answer `501`.
    pub fn with_bulk(
        mut self,
        supported: bool,
        max_operations: u64,
        max_payload_size: usize,
    ) -> Self {
        self.bulk_supported = supported;
        self.bulk_max_operations = max_operations;
        self.bulk_max_payload_size = max_payload_size;
        self
    }

    /// Sets [`Config::patch_returns_no_content`].
    pub fn with_patch_returns_no_content(mut self, on: bool) -> Self {
        self.patch_returns_no_content = on;
        self
    }

    /// Sets [`Config::patch_no_content_types`]: PATCH on these resource types
    /// answers `204 No Content` (with the new `ETag`), others `200` with the
    /// resource (unless [`Config::patch_returns_no_content`] is on).
    ///
    /// ```
    /// use scimkit_service::Config;
    /// let config = Config::default().with_patch_no_content_for(["Group"]);
    /// assert!(config.patch_no_content("group"));
    /// assert!(!config.patch_no_content("User"));
    /// ```
    pub fn with_patch_no_content_for<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.patch_no_content_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Whether a successful PATCH on resource type `name` answers `204`.
    pub fn patch_no_content(&self, name: &str) -> bool {
        self.patch_returns_no_content
            || self
                .patch_no_content_types
                .iter()
                .any(|t| t.eq_ignore_ascii_case(name))
    }

    /// Sets [`Config::unique_group_display_name`].
    pub fn with_unique_group_display_name(mut self, on: bool) -> Self {
        self.unique_group_display_name = on;
        self
    }

    /// Sets [`Config::realm`].
    pub fn with_realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// Sets [`Config::documentation_uri`].
    pub fn with_documentation_uri(mut self, uri: impl Into<String>) -> Self {
        self.documentation_uri = Some(uri.into());
        self
    }

    /// Sets [`Config::patch_max_operations`].
    pub fn with_patch_max_operations(mut self, n: usize) -> Self {
        self.patch_max_operations = n;
        self
    }

    /// Sets [`Config::patch_max_values_per_operation`].
    pub fn with_patch_max_values_per_operation(mut self, n: usize) -> Self {
        self.patch_max_values_per_operation = n;
        self
    }

    /// Sets [`Config::write_retries`] (at least 1).
    ///
    /// ```
    /// use scimkit_service::{Config, DEFAULT_WRITE_RETRIES};
    /// assert_eq!(Config::default().write_retries, DEFAULT_WRITE_RETRIES);
    /// assert_eq!(Config::default().with_write_retries(0).write_retries, 1);
    /// ```
    pub fn with_write_retries(mut self, n: usize) -> Self {
        self.write_retries = n.max(1);
        self
    }

    /// Sets [`Config::feed_retention`].
    ///
    /// ```
    /// use scimkit_service::{Config, Retention};
    /// let c = Config::default().with_feed_retention(Retention::forever());
    /// assert_eq!(c.feed_retention.max_age, None);
    /// assert_eq!(Config::default().feed_retention, Retention::default());
    /// ```
    pub fn with_feed_retention(mut self, retention: crate::Retention) -> Self {
        self.feed_retention = retention;
        self
    }

    /// Sets [`Config::patch_offload_values`].
    pub fn with_patch_offload_values(mut self, n: usize) -> Self {
        self.patch_offload_values = n;
        self
    }

    /// The PATCH budgets, for `scimkit_schema::patch::run`.
    ///
    /// ```
    /// use scimkit_service::Config;
    /// let limits = Config::default().with_patch_max_operations(50).patch_limits();
    /// assert_eq!(limits.max_operations, 50);
    /// ```
    pub fn patch_limits(&self) -> PatchLimits {
        PatchLimits::default()
            .with_max_operations(self.patch_max_operations)
            .with_max_values_per_operation(self.patch_max_values_per_operation)
    }

    /// Sets [`Config::password_storage`].
    ///
    /// ```
    /// use scimkit_service::{Argon2Params, Config, PasswordStorage};
    /// let strong = Argon2Params::new(64 * 1024, 3, 1).unwrap();
    /// let config = Config::default().with_password_storage(PasswordStorage::Hash(strong));
    /// let mine = Config::default().with_password_storage(PasswordStorage::KeepAsSent);
    /// # let _ = (config, mine);
    /// ```
    pub fn with_password_storage(mut self, storage: PasswordStorage) -> Self {
        self.password_storage = storage;
        self
    }

    /// Sets [`Config::password_hashing`]: at most `max_concurrent` hashes at
    /// once (at least 1; default
    /// [`DEFAULT_MAX_CONCURRENT_PASSWORD_HASHES`](crate::DEFAULT_MAX_CONCURRENT_PASSWORD_HASHES)),
    /// `max_queued` writes waiting (default
    /// [`DEFAULT_MAX_QUEUED_PASSWORD_HASHES`](crate::DEFAULT_MAX_QUEUED_PASSWORD_HASHES)),
    /// `503` beyond.
    pub fn with_password_hashing(mut self, max_concurrent: usize, max_queued: usize) -> Self {
        self.password_hashing = PasswordHashing::new(max_concurrent, max_queued);
        self
    }

    /// The largest body accepted on any endpoint (the adapters' limit).
    pub fn body_limit(&self) -> usize {
        self.max_body_size.max(self.bulk_max_payload_size)
    }
}
