//! The multi-valued attributes of User that share the `value`, `display`,
//! `type`, `primary` shape (RFC 7643 §2.4, §4.1.2): emails, phone numbers,
//! instant messaging addresses, photos, entitlements, roles and X.509
//! certificates.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

macro_rules! multi_valued {
    ($(#[$doc:meta])* $name:ident, $value_doc:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub struct $name {
            #[doc = $value_doc]
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub value: Option<String>,
            /// A human-readable name, primarily used for display purposes.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub display: Option<String>,
            /// A label indicating the value's function (e.g. `work`).
            #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
            pub kind: Option<String>,
            /// Whether this is the preferred value; `true` at most once per attribute.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub primary: Option<bool>,
            /// Members this view does not know, kept as sent.
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }

        impl $name {
            /// A value without type, display or primary flag.
            pub fn new(value: impl Into<String>) -> Self {
                $name {
                    value: Some(value.into()),
                    ..Self::default()
                }
            }

            /// Sets the type (e.g. `work`).
            #[must_use]
            pub fn with_type(mut self, kind: impl Into<String>) -> Self {
                self.kind = Some(kind.into());
                self
            }

            /// Marks the value as primary (or not).
            #[must_use]
            pub fn with_primary(mut self, primary: bool) -> Self {
                self.primary = Some(primary);
                self
            }

            /// Whether `primary` is `true`.
            pub fn is_primary(&self) -> bool {
                self.primary == Some(true)
            }
        }
    };
}

multi_valued!(
    /// An email address (RFC 7643 §4.1.2 `emails`; types `work`, `home`, `other`).
    Email,
    "The address, canonicalised by the service provider (`bjensen@example.com`)."
);
multi_valued!(
    /// A phone number (RFC 7643 §4.1.2 `phoneNumbers`; types `work`, `home`,
    /// `mobile`, `fax`, `pager`, `other`).
    PhoneNumber,
    "The number, preferably in RFC 3966 form (`tel:+1-201-555-0123`)."
);
multi_valued!(
    /// An instant messaging address (RFC 7643 §4.1.2 `ims`; types `aim`,
    /// `gtalk`, `icq`, `xmpp`, `msn`, `skype`, `qq`, `yahoo`).
    Im,
    "The instant messaging address."
);
multi_valued!(
    /// A photo (RFC 7643 §4.1.2 `photos`; types `photo`, `thumbnail`).
    Photo,
    "The URL of the image."
);
multi_valued!(
    /// An entitlement (RFC 7643 §4.1.2 `entitlements`).
    Entitlement,
    "The entitlement."
);
multi_valued!(
    /// A role (RFC 7643 §4.1.2 `roles`).
    Role,
    "The role."
);
multi_valued!(
    /// An X.509 certificate (RFC 7643 §4.1.2 `x509Certificates`).
    X509Certificate,
    "The DER-encoded certificate, base64 (RFC 7643 §2.3.6)."
);

/// A physical mailing address (RFC 7643 §4.1.2 `addresses`; types `work`,
/// `home`, `other`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Address {
    /// The full address, formatted for display; may contain newlines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// The street address; may contain newlines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// The city or locality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// The state or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The zip or postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// The country, an ISO 3166-1 alpha-2 code (`US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// A label indicating the address's function (`work`, `home`, `other`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether this is the preferred address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Members this view does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Address {
    /// An empty address.
    pub fn new() -> Self {
        Address::default()
    }
}

/// A group the user belongs to (RFC 7643 §4.1.2 `groups`), read-only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupRef {
    /// The group's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The group's URI (`$ref`).
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The group's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// `direct` or `indirect` membership.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Members this view does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl GroupRef {
    /// A reference to the group with the given `id`.
    pub fn new(value: impl Into<String>) -> Self {
        GroupRef {
            value: Some(value.into()),
            ..GroupRef::default()
        }
    }
}
