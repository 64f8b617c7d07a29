//! The Group resource (RFC 7643 §4.2).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Meta;
use crate::GROUP_SCHEMA;

/// A Group (RFC 7643 §4.2).
///
/// ```
/// use scimkit_schema::views::{Group, Member};
/// let mut group = Group::new("Tour Guides");
/// group.members.push(Member::new("2819c223-7f76-453a-919d-413861904646"));
/// let json = serde_json::to_value(&group).unwrap();
/// assert_eq!(json["members"][0]["value"], "2819c223-7f76-453a-919d-413861904646");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Group {
    /// The schema URIs: the Group schema and any extensions present.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The service provider's identifier (RFC 7643 §3.1), read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The provisioning client's identifier (RFC 7643 §3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The group's name (REQUIRED on create and replace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The members (users or groups).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
    /// Resource metadata (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this view does not know (extensions included), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Group {
    /// A group with the Group schema URI and a `displayName`.
    pub fn new(display_name: impl Into<String>) -> Self {
        Group {
            schemas: vec![GROUP_SCHEMA.to_owned()],
            display_name: Some(display_name.into()),
            ..Group::default()
        }
    }
}

/// A member of a group (RFC 7643 §4.2 `members`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Member {
    /// The member's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The member's URI (`$ref`).
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The member's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// `User` or `Group`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Members this view does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Member {
    /// A member with the given `id`.
    pub fn new(value: impl Into<String>) -> Self {
        Member {
            value: Some(value.into()),
            ..Member::default()
        }
    }
}
