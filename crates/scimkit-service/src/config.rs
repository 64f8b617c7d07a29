//! The engine's configuration: where it is mounted, its limits (advertised
//! in `/ServiceProviderConfig`, RFC 7643 §5) and its leniencies.

use scimkit_schema::{Compat, Profile};

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

    /// The largest body accepted on any endpoint (the adapters' limit).
    pub fn body_limit(&self) -> usize {
        self.max_body_size.max(self.bulk_max_payload_size)
    }
}
