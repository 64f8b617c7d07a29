//! # scimkit-schema
//!
//! The RFC 7643 model and everything that needs to know an attribute's type:
//! schema and resource-type definitions, a [`Registry`], the JSON-backed
//! [`Resource`], and SCIM errors ([`ScimError`], [`ScimType`]).
//!
//! ```
//! use scimkit_schema::{Registry, Resource};
//! use scimkit_filter::{parse_attr_path, ParseOptions};
//!
//! let registry = Registry::core();
//! let users = registry.resource_type_by_endpoint("/Users").unwrap();
//! let user = Resource::from_value(serde_json::json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
//!                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
//!     "userName": "bjensen",
//!     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour Operations"}
//! }))?;
//! let path = parse_attr_path(
//!     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
//!     &ParseOptions::default(),
//! )?;
//! assert_eq!(user.get(users, &path).and_then(|v| v.as_str()), Some("Tour Operations"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// docs.rs (`--cfg docsrs`, nightly) marks feature-gated items with the features they need.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's examples (the crates.io page) are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod attribute;
mod compat;
pub mod core_schemas;
mod error;
pub mod eval;
pub mod messages;
pub mod meta_schemas;
pub mod patch;
pub mod project;
mod registry;
mod resource;
mod resource_type;
mod schema;
pub mod validate;
pub mod views;

pub use attribute::{AttrType, AttributeDef, Mutability, Returned, Uniqueness};
pub use compat::{Compat, Profile, Switch, Switches};
pub use error::{ERROR_SCHEMA, ScimError, ScimType};
pub use registry::{AttrRef, Registry, RegistryError, ResourceSchema, common_attributes};
pub use resource::{Resource, get_ci, get_ci_mut, json_kind, remove_ci};
pub use resource_type::{ResourceType, SchemaExtension};
pub use schema::{
    ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA,
    SERVICE_PROVIDER_CONFIG_SCHEMA, Schema, USER_SCHEMA,
};

/// Prints an attribute path in SCIM notation (`urn:…:User:manager.value`).
pub(crate) fn path_to_string(p: &scimkit_filter::AttrPath<'_>) -> String {
    let mut s = String::new();
    if let Some(schema) = &p.schema {
        s.push_str(schema);
        s.push(':');
    }
    s.push_str(&p.attr);
    if let Some(sub) = &p.sub {
        s.push('.');
        s.push_str(sub);
    }
    s
}
