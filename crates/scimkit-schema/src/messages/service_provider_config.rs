//! The service provider configuration (RFC 7643 §5), served at
//! `/ServiceProviderConfig` (RFC 7644 §4).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::de;
use crate::SERVICE_PROVIDER_CONFIG_SCHEMA;
use crate::views::Meta;

/// A feature that is simply supported or not (`patch`, `changePassword`,
/// `sort`, `etag`; RFC 7643 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Supported {
    /// Whether the feature is supported.
    #[serde(deserialize_with = "de::bool_req")]
    pub supported: bool,
}

impl Supported {
    /// `{"supported": supported}`.
    pub const fn new(supported: bool) -> Self {
        Supported { supported }
    }
}

/// Bulk support (RFC 7643 §5 `bulk`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkConfig {
    /// Whether `/Bulk` is supported.
    #[serde(deserialize_with = "de::bool_req")]
    pub supported: bool,
    /// The maximum number of operations per request.
    #[serde(default, deserialize_with = "de::u64_req")]
    pub max_operations: u64,
    /// The maximum request size in bytes.
    #[serde(default, deserialize_with = "de::u64_req")]
    pub max_payload_size: u64,
}

impl BulkConfig {
    /// Bulk support with the given limits.
    pub const fn new(supported: bool, max_operations: u64, max_payload_size: u64) -> Self {
        BulkConfig {
            supported,
            max_operations,
            max_payload_size,
        }
    }
}

/// Filter support (RFC 7643 §5 `filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FilterConfig {
    /// Whether filtering is supported.
    #[serde(deserialize_with = "de::bool_req")]
    pub supported: bool,
    /// The maximum number of resources a query returns.
    #[serde(default, deserialize_with = "de::u64_req")]
    pub max_results: u64,
}

impl FilterConfig {
    /// Filter support with the given result limit.
    pub const fn new(supported: bool, max_results: u64) -> Self {
        FilterConfig {
            supported,
            max_results,
        }
    }
}

/// An authentication scheme the service provider accepts (RFC 7643 §5
/// `authenticationSchemes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuthenticationScheme {
    /// The scheme's common name (`OAuth Bearer Token`).
    pub name: String,
    /// A description of the scheme.
    #[serde(default)]
    pub description: String,
    /// The URI of the scheme's specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_uri: Option<String>,
    /// The URI of the scheme's usage documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_uri: Option<String>,
    /// The scheme's type: `oauth`, `oauth2`, `oauthbearertoken`, `httpbasic`
    /// or `httpdigest`.
    #[serde(rename = "type")]
    pub scheme_type: String,
    /// Whether this is the preferred scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Members this view does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AuthenticationScheme {
    /// A scheme with the given type, name and description.
    pub fn new(
        scheme_type: impl Into<String>,
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        AuthenticationScheme {
            name: name.into(),
            description: description.into(),
            spec_uri: None,
            documentation_uri: None,
            scheme_type: scheme_type.into(),
            primary: None,
            extra: Map::new(),
        }
    }

    /// The OAuth 2.0 bearer token scheme (RFC 6750), as Entra ID and Okta use it.
    pub fn oauth_bearer_token() -> Self {
        AuthenticationScheme {
            spec_uri: Some("https://www.rfc-editor.org/info/rfc6750".to_owned()),
            ..AuthenticationScheme::new(
                "oauthbearertoken",
                "OAuth Bearer Token",
                "Authentication scheme using the OAuth Bearer Token Standard",
            )
        }
    }

    /// Marks the scheme as primary (or not).
    #[must_use]
    pub fn with_primary(mut self, primary: bool) -> Self {
        self.primary = Some(primary);
        self
    }
}

/// The service provider configuration (RFC 7643 §5).
///
/// ```
/// use scimkit_schema::messages::{AuthenticationScheme, BulkConfig, ServiceProviderConfig};
/// let mut config = ServiceProviderConfig::new(vec![AuthenticationScheme::oauth_bearer_token()]);
/// config.bulk = BulkConfig::new(true, 1000, 1_048_576);
/// let json = serde_json::to_value(&config).unwrap();
/// assert_eq!(json["bulk"]["maxOperations"], 1000);
/// assert_eq!(json["authenticationSchemes"][0]["type"], "oauthbearertoken");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServiceProviderConfig {
    /// The schema URIs: [`SERVICE_PROVIDER_CONFIG_SCHEMA`].
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The URI of the service provider's human-readable help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_uri: Option<String>,
    /// PATCH support.
    #[serde(default)]
    pub patch: Supported,
    /// Bulk support and limits.
    #[serde(default)]
    pub bulk: BulkConfig,
    /// Filter support and limits.
    #[serde(default)]
    pub filter: FilterConfig,
    /// Password change support.
    #[serde(default)]
    pub change_password: Supported,
    /// Sorting support.
    #[serde(default)]
    pub sort: Supported,
    /// ETag support.
    #[serde(default)]
    pub etag: Supported,
    /// The authentication schemes.
    #[serde(default)]
    pub authentication_schemes: Vec<AuthenticationScheme>,
    /// Resource metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this view does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ServiceProviderConfig {
    /// A configuration with the schema URI, every feature unsupported, and
    /// the given authentication schemes.
    pub fn new(authentication_schemes: Vec<AuthenticationScheme>) -> Self {
        ServiceProviderConfig {
            schemas: vec![SERVICE_PROVIDER_CONFIG_SCHEMA.to_owned()],
            documentation_uri: None,
            patch: Supported::default(),
            bulk: BulkConfig::default(),
            filter: FilterConfig::default(),
            change_password: Supported::default(),
            sort: Supported::default(),
            etag: Supported::default(),
            authentication_schemes,
            meta: None,
            extra: Map::new(),
        }
    }
}
