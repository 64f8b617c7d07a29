//! The query response (RFC 7644 §3.4.2):
//! `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
//! "totalResults": …, "itemsPerPage": …, "startIndex": …, "Resources": [...]}`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de;
use crate::ScimError;

/// The URI of the list response message (RFC 7644 §3.4.2).
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// A list response (RFC 7644 §3.4.2), generic over the resource representation
/// (a JSON value by default; a typed view such as [`crate::views::User`] works too).
///
/// `Resources` is always written (empty when nothing matched); `resources`
/// in any case is accepted when reading, as are numbers sent as strings.
///
/// ```
/// use scimkit_schema::messages::ListResponse;
/// let page = ListResponse::new(vec![serde_json::json!({"id": "2819c223"})], 7, 1);
/// let json = serde_json::to_value(&page).unwrap();
/// assert_eq!(json["totalResults"], 7);
/// assert_eq!(json["itemsPerPage"], 1);
/// assert_eq!(json["Resources"][0]["id"], "2819c223");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListResponse<T = Value> {
    /// The message's schema URIs: [`LIST_RESPONSE_SCHEMA`].
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The total number of results the query matched (not only this page).
    #[serde(deserialize_with = "de::u64_req")]
    pub total_results: u64,
    /// The number of resources on this page (REQUIRED when paginated).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u64"
    )]
    pub items_per_page: Option<u64>,
    /// The 1-based index of the first resource of this page (REQUIRED when paginated).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u64"
    )]
    pub start_index: Option<u64>,
    /// The resources of this page (`Resources`).
    #[serde(
        rename = "Resources",
        alias = "resources",
        alias = "RESOURCES",
        default = "Vec::new"
    )]
    pub resources: Vec<T>,
}

impl<T> ListResponse<T> {
    /// A page of `resources` out of `total_results`, starting at the 1-based
    /// `start_index`; `itemsPerPage` is the number of resources given.
    pub fn new(resources: Vec<T>, total_results: u64, start_index: u64) -> Self {
        ListResponse {
            schemas: vec![LIST_RESPONSE_SCHEMA.to_owned()],
            total_results,
            items_per_page: Some(resources.len() as u64),
            start_index: Some(start_index),
            resources,
        }
    }

    /// Converts each resource, e.g. from JSON values into typed views.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<ListResponse<U>, E> {
        Ok(ListResponse {
            schemas: self.schemas,
            total_results: self.total_results,
            items_per_page: self.items_per_page,
            start_index: self.start_index,
            resources: self
                .resources
                .into_iter()
                .map(f)
                .collect::<Result<_, E>>()?,
        })
    }
}

impl ListResponse<Value> {
    /// Parses a response body; a malformed body is `400 invalidSyntax`.
    pub fn from_slice(body: &[u8]) -> Result<Self, ScimError> {
        serde_json::from_slice(body)
            .map_err(|e| ScimError::invalid_syntax(format!("invalid ListResponse: {e}")))
    }
}
