//! Typed views of SCIM resources (RFC 7643 §3, §4, §6, §7; examples in §8).
//!
//! The engine works on the JSON-backed [`Resource`]; these structs are for
//! users who like types. Every view keeps the members it does not know in
//! `extra` (in order), so converting a resource to a view and back loses
//! nothing but the difference RFC 7643 §2.5 says is none: an unassigned
//! attribute, `null` and `[]` are the same state, and the views write none
//! of them.
//!
//! Conversions: `User::try_from(&resource)` (a value of the wrong JSON type is
//! `400 invalidValue`) and `Resource::from(user)`; the same for [`Group`].
//! The service provider configuration is [`crate::messages::ServiceProviderConfig`].

mod discovery;
mod enterprise_user;
mod group;
mod meta;
mod multi_valued;
mod name;
mod user;

pub use discovery::{DiscoveryResource, ResourceTypeResource, SchemaResource};
pub use enterprise_user::{EnterpriseUser, Manager};
pub use group::{Group, Member};
pub use meta::Meta;
pub use multi_valued::{
    Address, Email, Entitlement, GroupRef, Im, PhoneNumber, Photo, Role, X509Certificate,
};
pub use name::Name;
pub use user::User;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};

use crate::{Resource, ScimError};

fn from_resource<T: DeserializeOwned>(resource: &Resource, what: &str) -> Result<T, ScimError> {
    serde_json::from_value(Value::Object(resource.as_map().clone()))
        .map_err(|e| ScimError::invalid_value(format!("the resource is not a valid {what}: {e}")))
}

fn into_resource<T: Serialize>(view: &T) -> Resource {
    // The views serialise to JSON objects with string keys, which cannot fail.
    match serde_json::to_value(view) {
        Ok(Value::Object(map)) => Resource::from_map(map),
        _ => Resource::from_map(Map::new()),
    }
}

macro_rules! resource_conversions {
    ($view:ident, $what:literal) => {
        impl TryFrom<&Resource> for $view {
            type Error = ScimError;
            fn try_from(resource: &Resource) -> Result<Self, ScimError> {
                from_resource(resource, $what)
            }
        }

        impl TryFrom<Resource> for $view {
            type Error = ScimError;
            fn try_from(resource: Resource) -> Result<Self, ScimError> {
                serde_json::from_value(resource.into_value()).map_err(|e| {
                    ScimError::invalid_value(format!("the resource is not a valid {}: {e}", $what))
                })
            }
        }

        impl From<$view> for Resource {
            fn from(view: $view) -> Resource {
                into_resource(&view)
            }
        }

        impl From<&$view> for Resource {
            fn from(view: &$view) -> Resource {
                into_resource(view)
            }
        }
    };
}

resource_conversions!(User, "User");
resource_conversions!(Group, "Group");
resource_conversions!(ResourceTypeResource, "ResourceType");
resource_conversions!(SchemaResource, "Schema");
