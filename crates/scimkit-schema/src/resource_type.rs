//! Resource type definitions (RFC 7643 §6).

use serde::{Deserialize, Serialize};

/// A schema extension of a resource type (RFC 7643 §6 `schemaExtensions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SchemaExtension {
    /// The extension schema's URI.
    pub schema: String,
    /// Whether resources of the type must carry the extension.
    pub required: bool,
}

impl SchemaExtension {
    /// An extension reference.
    pub fn new(schema: impl Into<String>, required: bool) -> Self {
        SchemaExtension {
            schema: schema.into(),
            required,
        }
    }
}

/// A resource type: its name, endpoint, base schema and extensions (RFC 7643 §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourceType {
    /// The type's id, usually equal to its name (`User`).
    pub id: String,
    /// The type's name (`User`), used in `meta.resourceType`.
    pub name: String,
    /// The endpoint relative to the base URL (`/Users`).
    pub endpoint: String,
    /// A human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The base schema's URI.
    pub schema: String,
    /// The extensions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schema_extensions: Vec<SchemaExtension>,
}

impl ResourceType {
    /// A resource type named `name` served at `endpoint` with base schema `schema`.
    pub fn new(
        name: impl Into<String>,
        endpoint: impl Into<String>,
        schema: impl Into<String>,
    ) -> Self {
        let name = name.into();
        ResourceType {
            id: name.clone(),
            name,
            endpoint: endpoint.into(),
            description: None,
            schema: schema.into(),
            schema_extensions: Vec::new(),
        }
    }

    /// Adds an extension.
    #[must_use]
    pub fn with_extension(mut self, schema: impl Into<String>, required: bool) -> Self {
        self.schema_extensions
            .push(SchemaExtension::new(schema, required));
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
}
