//! The Enterprise User extension (RFC 7643 §4.3).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The Enterprise User extension
/// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, RFC 7643 §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EnterpriseUser {
    /// An identifier assigned by the organisation (order of hire, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// The cost center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    /// The organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The division.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// The department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The user's manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
    /// Members this view does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EnterpriseUser {
    /// An empty extension.
    pub fn new() -> Self {
        EnterpriseUser::default()
    }
}

/// A user's manager (RFC 7643 §4.3 `manager`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Manager {
    /// The manager's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The manager's URI (`$ref`).
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The manager's display name (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Members this view does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Manager {
    /// A reference to the manager with the given `id`.
    pub fn new(value: impl Into<String>) -> Self {
        Manager {
            value: Some(value.into()),
            ..Manager::default()
        }
    }
}
