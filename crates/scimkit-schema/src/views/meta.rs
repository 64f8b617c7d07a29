//! The `meta` attribute (RFC 7643 §3.1).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Resource metadata (RFC 7643 §3.1 `meta`), set by the service provider.
///
/// Timestamps are kept as the text sent, so a round trip never changes
/// them; [`Meta::created_at`] and [`Meta::last_modified_at`] parse them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Meta {
    /// The resource type's name (`User`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// When the resource was added, an `xsd:dateTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When the resource was last changed, an `xsd:dateTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The resource's URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The resource's version (an ETag, e.g. `W/"3694e05e9dff590"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Members this view does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Meta {
    /// Metadata naming the resource type.
    pub fn new(resource_type: impl Into<String>) -> Self {
        Meta {
            resource_type: Some(resource_type.into()),
            ..Meta::default()
        }
    }

    /// Sets the location.
    #[must_use]
    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Sets the version.
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// `created` parsed as an RFC 3339 date-time, when it is one.
    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.created
            .as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    }

    /// `lastModified` parsed as an RFC 3339 date-time, when it is one.
    pub fn last_modified_at(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.last_modified
            .as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    }
}
