//! SCIM errors (RFC 7644 §3.12): an HTTP status, an optional `scimType` and a detail.
//!
//! Every failure in scimkit-schema is a [`ScimError`]; the service turns it into
//! the `urn:ietf:params:scim:api:messages:2.0:Error` response unchanged.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The URI of the SCIM error message (RFC 7644 §3.12).
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A `scimType` error keyword (RFC 7644 §3.12, Table 9). Unknown keywords are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScimType {
    /// The filter syntax was invalid, or the filter names an unknown attribute or an
    /// operator that does not fit the attribute's type.
    InvalidFilter,
    /// The filter would return more results than the service provider allows.
    TooMany,
    /// One or more attribute values are already in use or reserved.
    Uniqueness,
    /// The attempted modification is not compatible with the attribute's mutability.
    Mutability,
    /// The request body structure was invalid or did not conform to the schema.
    InvalidSyntax,
    /// The `path` attribute was invalid or malformed.
    InvalidPath,
    /// The path did not yield an attribute or value that could be operated on.
    NoTarget,
    /// A required value was missing, or the value specified was not compatible.
    InvalidValue,
    /// The specified SCIM protocol version is not supported.
    InvalidVers,
    /// The request cannot be completed because of sensitive information in the URI.
    Sensitive,
    /// A keyword this crate does not know, kept as received.
    Other(String),
}

impl ScimType {
    /// The keyword as it appears in JSON (`"invalidFilter"`).
    pub fn as_str(&self) -> &str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
            ScimType::Other(s) => s,
        }
    }

    /// Parses a keyword; unknown ones become [`ScimType::Other`].
    pub fn from_keyword(s: &str) -> ScimType {
        match s {
            "invalidFilter" => ScimType::InvalidFilter,
            "tooMany" => ScimType::TooMany,
            "uniqueness" => ScimType::Uniqueness,
            "mutability" => ScimType::Mutability,
            "invalidSyntax" => ScimType::InvalidSyntax,
            "invalidPath" => ScimType::InvalidPath,
            "noTarget" => ScimType::NoTarget,
            "invalidValue" => ScimType::InvalidValue,
            "invalidVers" => ScimType::InvalidVers,
            "sensitive" => ScimType::Sensitive,
            other => ScimType::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ScimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ScimType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ScimType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ScimType::from_keyword(&s))
    }
}

/// A SCIM error: HTTP status, optional `scimType`, and a detail that says what
/// failed and where.
///
/// Serialises as the RFC 7644 §3.12 error message, with `status` as a string:
///
/// ```
/// use scimkit_schema::ScimError;
/// let e = ScimError::no_target("no value of emails matches [type eq \"home\"]");
/// let json = serde_json::to_value(&e).unwrap();
/// assert_eq!(json["status"], "400");
/// assert_eq!(json["scimType"], "noTarget");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}{}: {detail}", scim_type.as_ref().map(|t| format!(" {t}")).unwrap_or_default())]
pub struct ScimError {
    /// The HTTP status code.
    pub status: u16,
    /// The `scimType`, when RFC 7644 Table 9 has one for the failure.
    pub scim_type: Option<ScimType>,
    /// A human-readable explanation: what failed, and where.
    pub detail: String,
}

impl ScimError {
    /// An error with the given status, `scimType` and detail.
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// `400 invalidFilter`.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidFilter), detail)
    }
    /// `400 tooMany`.
    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::TooMany), detail)
    }
    /// `409 uniqueness`.
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some(ScimType::Uniqueness), detail)
    }
    /// `400 mutability`.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::Mutability), detail)
    }
    /// `400 invalidSyntax`.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidSyntax), detail)
    }
    /// `400 invalidPath`.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidPath), detail)
    }
    /// `400 noTarget`.
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::NoTarget), detail)
    }
    /// `400 invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidValue), detail)
    }
    /// `400 invalidVers`.
    pub fn invalid_vers(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::InvalidVers), detail)
    }
    /// `400 sensitive`.
    pub fn sensitive(detail: impl Into<String>) -> Self {
        Self::new(400, Some(ScimType::Sensitive), detail)
    }
    /// `400` without `scimType`.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(400, None, detail)
    }
    /// `404` without `scimType`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, None, detail)
    }
    /// `412` (version mismatch) without `scimType`.
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(412, None, detail)
    }
    /// `500` without `scimType`. The detail must not leak internals.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(500, None, detail)
    }

    /// Turns a filter or path parse error into `400 invalidFilter` / `400 invalidPath`,
    /// keeping its offset in the detail.
    pub fn from_parse(err: &scimkit_filter::ParseError) -> Self {
        Self::new(
            400,
            Some(ScimType::from_keyword(err.scim_type())),
            err.to_string(),
        )
    }
}

impl From<scimkit_filter::ParseError> for ScimError {
    fn from(err: scimkit_filter::ParseError) -> Self {
        ScimError::from_parse(&err)
    }
}

impl Serialize for ScimError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("schemas", &[ERROR_SCHEMA])?;
        m.serialize_entry("status", &self.status.to_string())?;
        if let Some(t) = &self.scim_type {
            m.serialize_entry("scimType", t)?;
        }
        m.serialize_entry("detail", &self.detail)?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for ScimError {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            status: StatusWire,
            #[serde(default)]
            scim_type: Option<ScimType>,
            #[serde(default)]
            detail: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum StatusWire {
            Text(String),
            Number(u16),
        }
        let w = Wire::deserialize(d)?;
        let status = match w.status {
            StatusWire::Number(n) => n,
            StatusWire::Text(t) => t
                .trim()
                .parse()
                .map_err(|_| serde::de::Error::custom(format!("invalid status {t:?}")))?,
        };
        Ok(ScimError {
            status,
            scim_type: w.scim_type,
            detail: w.detail.unwrap_or_default(),
        })
    }
}
