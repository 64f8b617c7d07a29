//! Bulk operations (RFC 7644 §3.7): the request (§3.7.1 … §3.7.3) and the
//! response, one entry per operation.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::de;
use crate::ScimError;

/// The URI of the bulk request message (RFC 7644 §3.7).
pub const BULK_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// The URI of the bulk response message (RFC 7644 §3.7).
pub const BULK_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// The HTTP method of a bulk operation (RFC 7644 §3.7 `method`).
///
/// Read in any case, written in upper case; an unknown method is kept so the
/// service can report it against its operation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BulkMethod {
    /// `POST`: create.
    Post,
    /// `PUT`: replace.
    Put,
    /// `PATCH`: modify.
    Patch,
    /// `DELETE`: delete.
    Delete,
    /// Any other method, kept as sent.
    Other(String),
}

impl BulkMethod {
    /// The method's name (`"POST"`).
    pub fn as_str(&self) -> &str {
        match self {
            BulkMethod::Post => "POST",
            BulkMethod::Put => "PUT",
            BulkMethod::Patch => "PATCH",
            BulkMethod::Delete => "DELETE",
            BulkMethod::Other(s) => s,
        }
    }

    /// Reads a method name, case-insensitively.
    pub fn from_name(s: &str) -> Self {
        match s.to_ascii_uppercase().as_str() {
            "POST" => BulkMethod::Post,
            "PUT" => BulkMethod::Put,
            "PATCH" => BulkMethod::Patch,
            "DELETE" => BulkMethod::Delete,
            _ => BulkMethod::Other(s.to_owned()),
        }
    }
}

impl fmt::Display for BulkMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for BulkMethod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for BulkMethod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(BulkMethod::from_name(&s))
    }
}

/// A bulk request (RFC 7644 §3.7).
///
/// ```
/// use scimkit_schema::messages::{BulkMethod, BulkRequest};
/// let req = BulkRequest::from_slice(br#"{
///   "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
///   "failOnErrors": 1,
///   "Operations": [{"method": "POST", "path": "/Users", "bulkId": "qwerty",
///                   "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
///                            "userName": "Alice"}}]
/// }"#)?;
/// assert_eq!(req.operations[0].method, BulkMethod::Post);
/// assert_eq!(req.fail_on_errors, Some(1));
/// # Ok::<(), scimkit_schema::ScimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkRequest {
    /// The message's schema URIs: [`BULK_REQUEST_SCHEMA`].
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The number of errors after which the service provider stops processing.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_u64"
    )]
    pub fail_on_errors: Option<u64>,
    /// The operations, in order (`Operations`; `operations` is accepted too).
    #[serde(rename = "Operations", alias = "operations")]
    pub operations: Vec<BulkOperation>,
}

impl BulkRequest {
    /// A bulk request with the schema URI and the given operations.
    pub fn new(operations: Vec<BulkOperation>) -> Self {
        BulkRequest {
            schemas: vec![BULK_REQUEST_SCHEMA.to_owned()],
            fail_on_errors: None,
            operations,
        }
    }

    /// Parses a request body; a malformed body is `400 invalidSyntax`.
    pub fn from_slice(body: &[u8]) -> Result<Self, ScimError> {
        serde_json::from_slice(body)
            .map_err(|e| ScimError::invalid_syntax(format!("invalid BulkRequest: {e}")))
    }

    /// Checks that `schemas` holds [`BULK_REQUEST_SCHEMA`] (`400 invalidSyntax` otherwise).
    pub fn check(&self) -> Result<(), ScimError> {
        if self
            .schemas
            .iter()
            .any(|s| s.eq_ignore_ascii_case(BULK_REQUEST_SCHEMA))
        {
            Ok(())
        } else {
            Err(ScimError::invalid_syntax(format!(
                "a bulk request must list {BULK_REQUEST_SCHEMA} in schemas"
            )))
        }
    }
}

/// One operation of a bulk request (RFC 7644 §3.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkOperation {
    /// The HTTP method.
    pub method: BulkMethod,
    /// The transient identifier of a resource created by this request
    /// (REQUIRED for `POST`), referred to as `bulkId:<id>` elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// The resource version for `If-Match` semantics (an ETag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The resource's relative path (`/Users`, `/Groups/<id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The resource or PATCH body (absent for `DELETE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl BulkOperation {
    /// An operation with `method` on `path` and no data.
    pub fn new(method: BulkMethod, path: impl Into<String>) -> Self {
        BulkOperation {
            method,
            bulk_id: None,
            version: None,
            path: Some(path.into()),
            data: None,
        }
    }

    /// Sets the bulk id.
    #[must_use]
    pub fn with_bulk_id(mut self, bulk_id: impl Into<String>) -> Self {
        self.bulk_id = Some(bulk_id.into());
        self
    }

    /// Sets the version.
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Sets the data.
    #[must_use]
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// A bulk response (RFC 7644 §3.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkResponse {
    /// The message's schema URIs: [`BULK_RESPONSE_SCHEMA`].
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The operations' results, in request order (`Operations`).
    #[serde(rename = "Operations", alias = "operations")]
    pub operations: Vec<BulkOperationResponse>,
}

impl BulkResponse {
    /// A bulk response with the schema URI and the given results.
    pub fn new(operations: Vec<BulkOperationResponse>) -> Self {
        BulkResponse {
            schemas: vec![BULK_RESPONSE_SCHEMA.to_owned()],
            operations,
        }
    }
}

/// The result of one bulk operation (RFC 7644 §3.7).
///
/// `status` is written as a string (`"201"`), as in the RFC's examples, and
/// read from a string or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkOperationResponse {
    /// The resource's URI (absent when the operation failed before it had one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The HTTP method of the operation.
    pub method: BulkMethod,
    /// The bulk id of the operation, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// The resource's version (ETag) after the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The HTTP status, as a string (`"201"`).
    #[serde(deserialize_with = "de::status")]
    pub status: String,
    /// The response body: the SCIM error for failures, optionally the resource on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
}

impl BulkOperationResponse {
    /// The result of an operation with `method` and HTTP `status`.
    pub fn new(method: BulkMethod, status: u16) -> Self {
        BulkOperationResponse {
            location: None,
            method,
            bulk_id: None,
            version: None,
            status: status.to_string(),
            response: None,
        }
    }

    /// The status as a number, when it is one.
    pub fn status_code(&self) -> Option<u16> {
        self.status.trim().parse().ok()
    }

    /// Sets the location.
    #[must_use]
    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Sets the bulk id.
    #[must_use]
    pub fn with_bulk_id(mut self, bulk_id: Option<String>) -> Self {
        self.bulk_id = bulk_id;
        self
    }

    /// Sets the version.
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Sets the response body.
    #[must_use]
    pub fn with_response(mut self, response: Value) -> Self {
        self.response = Some(response);
        self
    }
}
