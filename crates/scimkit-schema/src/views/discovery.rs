//! The discovery resources served at `/ResourceTypes` and `/Schemas`
//! (RFC 7643 §6, §7; examples in §8.6 and §8.7): a definition with the
//! resource envelope (`schemas`, `meta`) around it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Meta;
use crate::{RESOURCE_TYPE_SCHEMA, ResourceType, SCHEMA_SCHEMA, Schema};

/// A definition ([`ResourceType`] or [`Schema`]) as the resource the
/// discovery endpoints return: with `schemas` and `meta` (RFC 7643 §6, §7).
///
/// ```
/// use scimkit_schema::{core_schemas, views::ResourceTypeResource};
/// let users = core_schemas::core_resource_types().remove(0);
/// let json = serde_json::to_value(ResourceTypeResource::of_resource_type(users)).unwrap();
/// assert_eq!(json["schemas"][0], "urn:ietf:params:scim:schemas:core:2.0:ResourceType");
/// assert_eq!(json["endpoint"], "/Users");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiscoveryResource<T> {
    /// The schema URIs ([`RESOURCE_TYPE_SCHEMA`] or [`SCHEMA_SCHEMA`]); the
    /// RFC's §8.7 examples leave it out (erratum 8417), so an empty list is not written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// The definition.
    #[serde(flatten)]
    pub definition: T,
    /// Resource metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Members this view does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A resource type as served at `/ResourceTypes` (RFC 7643 §6, §8.6).
pub type ResourceTypeResource = DiscoveryResource<ResourceType>;
/// A schema as served at `/Schemas` (RFC 7643 §7, §8.7).
pub type SchemaResource = DiscoveryResource<Schema>;

impl<T> DiscoveryResource<T> {
    /// Wraps `definition` with the given schema URI and no `meta`.
    pub fn new(schema_uri: impl Into<String>, definition: T) -> Self {
        DiscoveryResource {
            schemas: vec![schema_uri.into()],
            definition,
            meta: None,
            extra: Map::new(),
        }
    }

    /// Sets `meta`.
    #[must_use]
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

impl DiscoveryResource<ResourceType> {
    /// A resource type with [`RESOURCE_TYPE_SCHEMA`].
    pub fn of_resource_type(resource_type: ResourceType) -> Self {
        DiscoveryResource::new(RESOURCE_TYPE_SCHEMA, resource_type)
    }
}

impl DiscoveryResource<Schema> {
    /// A schema with [`SCHEMA_SCHEMA`].
    pub fn of_schema(schema: Schema) -> Self {
        DiscoveryResource::new(SCHEMA_SCHEMA, schema)
    }
}
