//! The search request (RFC 7644 §3.4.3), the body of `POST /.search` and
//! `POST /<ResourceType>/.search`, and the sort order (§3.4.2.3).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::de;
use crate::ScimError;

/// The URI of the search request message (RFC 7644 §3.4.3).
pub const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// The order of sorted results (RFC 7644 §3.4.2.3 `sortOrder`).
///
/// Written as `ascending`/`descending`; read in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortOrder {
    /// Smallest first (the default).
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

impl SortOrder {
    /// The keyword (`"ascending"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        }
    }

    /// Parses the keyword, case-insensitively; `400 invalidValue` for anything else.
    pub fn parse(s: &str) -> Result<Self, ScimError> {
        if s.eq_ignore_ascii_case("ascending") {
            Ok(SortOrder::Ascending)
        } else if s.eq_ignore_ascii_case("descending") {
            Ok(SortOrder::Descending)
        } else {
            Err(ScimError::invalid_value(format!(
                "sortOrder must be \"ascending\" or \"descending\", not {s:?}"
            )))
        }
    }
}

impl fmt::Display for SortOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SortOrder {
    type Err = ScimError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SortOrder::parse(s)
    }
}

impl Serialize for SortOrder {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SortOrder {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SortOrder::parse(&s).map_err(|e| serde::de::Error::custom(e.detail))
    }
}

/// A search request (RFC 7644 §3.4.3).
///
/// `startIndex` below 1 reads as 1 and a negative `count` as 0 (§3.4.2.4);
/// numbers may arrive as strings, and `attributes`/`excludedAttributes` as
/// one comma-separated string.
///
/// ```
/// use scimkit_schema::messages::SearchRequest;
/// let req = SearchRequest::from_slice(br#"{
///   "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
///   "attributes": ["displayName", "userName"],
///   "filter": "displayName sw \"smith\"",
///   "startIndex": 1,
///   "count": 10
/// }"#)?;
/// assert_eq!(req.attributes, ["displayName", "userName"]);
/// assert_eq!(req.count, Some(10));
/// # Ok::<(), scimkit_schema::ScimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchRequest {
    /// The message's schema URIs: [`SEARCH_REQUEST_SCHEMA`].
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The attributes to return (attribute paths).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::string_list"
    )]
    pub attributes: Vec<String>,
    /// The attributes not to return (attribute paths).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::string_list"
    )]
    pub excluded_attributes: Vec<String>,
    /// The filter (RFC 7644 §3.4.2.2), unparsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The attribute path to sort by (§3.4.2.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// The sort order (§3.4.2.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<SortOrder>,
    /// The 1-based index of the first result (§3.4.2.4).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::start_index"
    )]
    pub start_index: Option<u64>,
    /// The maximum number of results per page (§3.4.2.4).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::count"
    )]
    pub count: Option<u64>,
}

impl SearchRequest {
    /// An empty search request (every resource, default paging) with the schema URI.
    pub fn new() -> Self {
        SearchRequest {
            schemas: vec![SEARCH_REQUEST_SCHEMA.to_owned()],
            ..SearchRequest::default()
        }
    }

    /// Sets the filter.
    #[must_use]
    pub fn with_filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// Parses a request body; a malformed body is `400 invalidSyntax`.
    pub fn from_slice(body: &[u8]) -> Result<Self, ScimError> {
        serde_json::from_slice(body).map_err(syntax_error)
    }

    /// Reads a JSON value; a malformed body is `400 invalidSyntax`.
    pub fn from_value(value: Value) -> Result<Self, ScimError> {
        serde_json::from_value(value).map_err(syntax_error)
    }

    /// Checks that `schemas` holds [`SEARCH_REQUEST_SCHEMA`] (`400 invalidSyntax` otherwise).
    pub fn check(&self) -> Result<(), ScimError> {
        if self
            .schemas
            .iter()
            .any(|s| s.eq_ignore_ascii_case(SEARCH_REQUEST_SCHEMA))
        {
            Ok(())
        } else {
            Err(ScimError::invalid_syntax(format!(
                "a search request must list {SEARCH_REQUEST_SCHEMA} in schemas"
            )))
        }
    }
}

fn syntax_error(e: serde_json::Error) -> ScimError {
    ScimError::invalid_syntax(format!("invalid SearchRequest: {e}"))
}
