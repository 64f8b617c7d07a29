//! The User resource (RFC 7643 §4.1) with the Enterprise User extension (§4.3).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    Address, Email, EnterpriseUser, Entitlement, GroupRef, Im, Meta, Name, PhoneNumber, Photo,
    Role, X509Certificate,
};
use crate::{ENTERPRISE_USER_SCHEMA, USER_SCHEMA};

/// A User (RFC 7643 §4.1), optionally with the Enterprise User extension (§4.3).
///
/// Every attribute is optional in the view, so a projected response
/// (`attributes=displayName`) reads too; an absent multi-valued attribute is
/// an empty `Vec` (RFC 7643 §2.5: unassigned, null and `[]` are the same state).
///
/// ```
/// use scimkit_schema::Resource;
/// use scimkit_schema::views::{Email, EnterpriseUser, User};
/// let mut user = User::new("bjensen");
/// user.emails.push(Email::new("bjensen@example.com").with_type("work").with_primary(true));
/// let mut enterprise = EnterpriseUser::new();
/// enterprise.department = Some("Tour Operations".into());
/// user.set_enterprise(enterprise);
/// let resource = Resource::from(user.clone());
/// assert_eq!(resource.schemas().len(), 2);
/// assert_eq!(User::try_from(&resource)?, user);
/// # Ok::<(), scimkit_schema::ScimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The schema URIs: the User schema and any extensions present.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The service provider's identifier (RFC 7643 §3.1), read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The provisioning client's identifier (RFC 7643 §3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The unique sign-in name (REQUIRED on create and replace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The components of the user's real name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// The name suitable for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The casual name (`Babs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// The URL of the user's online profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    /// The user's title (`Vice President`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The relationship to the organisation (`Employee`, `Contractor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// The preferred written or spoken language (`en-US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// The default location for localisation (`en-US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The time zone (`America/Los_Angeles`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The administrative status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The cleartext password (write-only: never in responses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Instant messaging addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ims: Vec<Im>,
    /// Photos.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Photo>,
    /// Physical mailing addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// The groups the user belongs to (read-only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRef>,
    /// Entitlements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<Entitlement>,
    /// Roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// X.509 certificates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x509_certificates: Vec<X509Certificate>,
    /// The Enterprise User extension, under its schema URI.
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub enterprise: Option<EnterpriseUser>,
    /// Resource metadata (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this view does not know (other extensions included), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl User {
    /// A user with the User schema URI and a `userName`.
    pub fn new(user_name: impl Into<String>) -> Self {
        User {
            schemas: vec![USER_SCHEMA.to_owned()],
            user_name: Some(user_name.into()),
            ..User::default()
        }
    }

    /// Sets the Enterprise User extension and lists its URI in `schemas`.
    pub fn set_enterprise(&mut self, enterprise: EnterpriseUser) {
        if !self
            .schemas
            .iter()
            .any(|s| s.eq_ignore_ascii_case(ENTERPRISE_USER_SCHEMA))
        {
            self.schemas.push(ENTERPRISE_USER_SCHEMA.to_owned());
        }
        self.enterprise = Some(enterprise);
    }

    /// The primary email address, else the first one.
    pub fn primary_email(&self) -> Option<&Email> {
        self.emails
            .iter()
            .find(|e| e.is_primary())
            .or_else(|| self.emails.first())
    }
}
