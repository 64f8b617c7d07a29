//! The registry of schemas and resource types, and the resolved view of one
//! resource type ([`ResourceSchema`]) that evaluation, PATCH, validation and
//! projection work against.
//!
//! Schema URIs and attribute names resolve case-insensitively (RFC 7643 §2.1).

use std::sync::{Arc, OnceLock};

use crate::project::DefaultHidden;
use scimkit_filter::AttrPath;

use crate::{
    AttrType, AttributeDef, Mutability, ResourceType, Returned, Schema, ScimError, Uniqueness,
};

/// Where an attribute path led: the schema that defines it, the attribute and,
/// when the path names one, the sub-attribute.
#[derive(Debug, Clone, Copy)]
pub struct AttrRef<'s> {
    /// The schema the attribute belongs to; `None` for the common attributes
    /// `id`, `externalId`, `meta` and `schemas` (RFC 7643 §3.1).
    pub schema: Option<&'s Schema>,
    /// Whether the attribute lives in an extension (stored under the extension's URI key).
    pub in_extension: bool,
    /// The top-level attribute.
    pub attr: &'s AttributeDef,
    /// The sub-attribute, when the path names one.
    pub sub: Option<&'s AttributeDef>,
}

impl<'s> AttrRef<'s> {
    /// The definition the path ends at: the sub-attribute if any, else the attribute.
    pub fn target(&self) -> &'s AttributeDef {
        self.sub.unwrap_or(self.attr)
    }

    /// The JSON key of the extension object holding the attribute, when it is in one.
    pub fn extension_uri(&self) -> Option<&'s str> {
        if self.in_extension {
            self.schema.map(|s| s.id.as_str())
        } else {
            None
        }
    }
}

/// The common attributes every resource has (RFC 7643 §3.1): `id`,
/// `externalId`, `meta` and `schemas`.
pub fn common_attributes() -> &'static [AttributeDef] {
    static COMMON: OnceLock<Vec<AttributeDef>> = OnceLock::new();
    COMMON.get_or_init(|| {
        vec![
            AttributeDef::new("id", AttrType::String)
                .case_exact()
                .mutability(Mutability::ReadOnly)
                .returned(Returned::Always)
                .uniqueness(Uniqueness::Server)
                .description("A unique identifier for a SCIM resource as defined by the service provider."),
            AttributeDef::new("externalId", AttrType::String)
                .case_exact()
                .description("A String that is an identifier for the resource as defined by the provisioning client."),
            AttributeDef::new("schemas", AttrType::Reference)
                .multi_valued()
                .case_exact()
                .returned(Returned::Always)
                .description("The schemas the resource conforms to."),
            AttributeDef::new("meta", AttrType::Complex)
                .mutability(Mutability::ReadOnly)
                .description("A complex attribute containing resource metadata.")
                .sub_attributes(vec![
                    AttributeDef::new("resourceType", AttrType::String)
                        .case_exact()
                        .mutability(Mutability::ReadOnly),
                    AttributeDef::new("created", AttrType::DateTime)
                        .mutability(Mutability::ReadOnly),
                    AttributeDef::new("lastModified", AttrType::DateTime)
                        .mutability(Mutability::ReadOnly),
                    AttributeDef::new("location", AttrType::Reference)
                        .case_exact()
                        .mutability(Mutability::ReadOnly)
                        .reference_types(["uri"]),
                    AttributeDef::new("version", AttrType::String)
                        .case_exact()
                        .mutability(Mutability::ReadOnly),
                ]),
        ]
    })
}

/// One resource type with its schemas resolved: what every schema-aware
/// operation of this crate works against.
#[derive(Debug, Clone)]
pub struct ResourceSchema {
    resource_type: ResourceType,
    base: Arc<Schema>,
    extensions: Vec<(Arc<Schema>, bool)>,
    /// What the default projection leaves out, derived from the schemas.
    hidden: DefaultHidden,
}

impl ResourceSchema {
    /// Resolves `resource_type` against `schemas`.
    pub fn new(
        resource_type: ResourceType,
        base: Arc<Schema>,
        extensions: Vec<(Arc<Schema>, bool)>,
    ) -> Self {
        let hidden = DefaultHidden::of(
            &base.attributes,
            extensions
                .iter()
                .map(|(s, _)| (s.id.as_str(), s.attributes.as_slice())),
        );
        ResourceSchema {
            resource_type,
            base,
            extensions,
            hidden,
        }
    }

    /// The attributes the default projection leaves out (`returned: never`
    /// or `request`, RFC 7643 §2.2), computed once when the schema is built.
    pub fn hidden_by_default(&self) -> &DefaultHidden {
        &self.hidden
    }

    /// The resource type definition.
    pub fn resource_type(&self) -> &ResourceType {
        &self.resource_type
    }

    /// The resource type's name (`User`).
    pub fn name(&self) -> &str {
        &self.resource_type.name
    }

    /// The base schema.
    pub fn base(&self) -> &Schema {
        &self.base
    }

    /// The extension schemas, each with whether it is required.
    pub fn extensions(&self) -> impl Iterator<Item = (&Schema, bool)> {
        self.extensions.iter().map(|(s, r)| (s.as_ref(), *r))
    }

    /// The extension schema with the given URI (case-insensitive).
    pub fn extension(&self, uri: &str) -> Option<&Schema> {
        self.extensions
            .iter()
            .map(|(s, _)| s.as_ref())
            .find(|s| s.id.eq_ignore_ascii_case(uri))
    }

    /// The base or extension schema with the given URI (case-insensitive).
    pub fn schema(&self, uri: &str) -> Option<&Schema> {
        if self.base.id.eq_ignore_ascii_case(uri) {
            Some(&self.base)
        } else {
            self.extension(uri)
        }
    }

    /// If `path` names a whole extension (e.g. the PATCH path
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, which parses
    /// as schema `…:enterprise:2.0` and attribute `User`), that extension.
    pub fn extension_named_by(&self, path: &AttrPath<'_>) -> Option<&Schema> {
        let schema = path.schema.as_deref()?;
        if path.sub.is_some() {
            return None;
        }
        self.extensions.iter().map(|(s, _)| s.as_ref()).find(|s| {
            let id = s.id.as_bytes();
            id.len() == schema.len() + 1 + path.attr.len()
                && id[..schema.len()].eq_ignore_ascii_case(schema.as_bytes())
                && id[schema.len()] == b':'
                && id[schema.len() + 1..].eq_ignore_ascii_case(path.attr.as_bytes())
        })
    }

    /// Resolves an attribute path (case-insensitively).
    ///
    /// With a schema URI, the attribute is looked up in that schema (base or
    /// extension). Without one, the common attributes come first, then the base
    /// schema, then the extensions (a name defined by one extension only is
    /// accepted unqualified; clients such as Okta send `department` for the
    /// enterprise attribute).
    pub fn resolve(&self, path: &AttrPath<'_>) -> Option<AttrRef<'_>> {
        let (schema, in_extension, attr) = match path.schema.as_deref() {
            Some(uri) => {
                let schema = self.schema(uri)?;
                let in_ext = !std::ptr::eq(schema, self.base.as_ref());
                (Some(schema), in_ext, schema.attribute(&path.attr)?)
            }
            None => self.find_unqualified(&path.attr)?,
        };
        let sub = match path.sub.as_deref() {
            Some(sub) => Some(attr.sub_attribute(sub)?),
            None => None,
        };
        Some(AttrRef {
            schema,
            in_extension,
            attr,
            sub,
        })
    }

    /// Resolves an attribute path or fails with `400` and the given `scimType`
    /// constructor, naming the path in the detail.
    pub fn resolve_or(
        &self,
        path: &AttrPath<'_>,
        err: fn(String) -> ScimError,
    ) -> Result<AttrRef<'_>, ScimError> {
        self.resolve(path).ok_or_else(|| {
            err(format!(
                "attribute {} is not defined for resource type {}",
                crate::path_to_string(path),
                self.resource_type.name
            ))
        })
    }

    fn find_unqualified(&self, name: &str) -> Option<(Option<&Schema>, bool, &AttributeDef)> {
        if let Some(a) = common_attributes()
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
        {
            return Some((None, false, a));
        }
        if let Some(a) = self.base.attribute(name) {
            return Some((Some(&self.base), false, a));
        }
        self.extensions
            .iter()
            .find_map(|(s, _)| s.attribute(name).map(|a| (Some(s.as_ref()), true, a)))
    }
}

/// Why a schema or resource type could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// A schema with this URI is already registered.
    #[error("schema {0} is already registered")]
    DuplicateSchema(String),
    /// A resource type with this name or endpoint is already registered.
    #[error("resource type {0} is already registered")]
    DuplicateResourceType(String),
    /// A resource type refers to a schema that is not registered.
    #[error("resource type {resource_type} refers to unknown schema {schema}")]
    UnknownSchema {
        /// The resource type.
        resource_type: String,
        /// The missing schema URI.
        schema: String,
    },
    /// The JSON form could not be read.
    #[error("invalid {what} definition: {detail}")]
    InvalidJson {
        /// `schema` or `resource type`.
        what: &'static str,
        /// What serde said.
        detail: String,
    },
}

/// The schemas and resource types a service knows.
///
/// ```
/// use scimkit_schema::Registry;
/// let registry = Registry::core();
/// let users = registry.resource_type("user").unwrap();
/// assert_eq!(users.resource_type().endpoint, "/Users");
/// assert!(users.extension("urn:ietf:params:scim:schemas:extension:enterprise:2.0:user").is_some());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Registry {
    schemas: Vec<Arc<Schema>>,
    resource_types: Vec<Arc<ResourceSchema>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// A registry with the core User (with the Enterprise User extension, not
    /// required) and Group resource types and their schemas (RFC 7643 §4, §8.7.1).
    pub fn core() -> Self {
        let mut r = Registry::new();
        for s in crate::core_schemas::core_schemas() {
            r.schemas.push(Arc::new(s));
        }
        for rt in crate::core_schemas::core_resource_types() {
            // The core definitions are consistent; a failure here would be a bug
            // caught by the crate's tests, so it is skipped rather than panicking.
            let _ = r.add_resource_type(rt);
        }
        r
    }

    /// Registers a schema.
    pub fn add_schema(&mut self, schema: Schema) -> Result<(), RegistryError> {
        if self.schema(&schema.id).is_some() {
            return Err(RegistryError::DuplicateSchema(schema.id));
        }
        self.schemas.push(Arc::new(schema));
        Ok(())
    }

    /// Registers a schema from its RFC 7643 §7 JSON form.
    pub fn add_schema_json(&mut self, json: &serde_json::Value) -> Result<(), RegistryError> {
        let schema = Schema::deserialize_value(json).map_err(|e| RegistryError::InvalidJson {
            what: "schema",
            detail: e.to_string(),
        })?;
        self.add_schema(schema)
    }

    /// Adds an extension to an already registered resource type (e.g. a custom
    /// extension of User).
    pub fn add_extension(
        &mut self,
        resource_type: &str,
        schema_uri: &str,
        required: bool,
    ) -> Result<(), RegistryError> {
        let schema =
            self.schema(schema_uri)
                .cloned()
                .ok_or_else(|| RegistryError::UnknownSchema {
                    resource_type: resource_type.to_owned(),
                    schema: schema_uri.to_owned(),
                })?;
        let Some(pos) = self
            .resource_types
            .iter()
            .position(|rt| rt.name().eq_ignore_ascii_case(resource_type))
        else {
            return Err(RegistryError::UnknownSchema {
                resource_type: resource_type.to_owned(),
                schema: schema_uri.to_owned(),
            });
        };
        let mut rs = (*self.resource_types[pos]).clone();
        if rs.extension(&schema.id).is_none() {
            rs.resource_type
                .schema_extensions
                .push(crate::SchemaExtension::new(schema.id.clone(), required));
            rs.extensions.push((schema, required));
        }
        self.resource_types[pos] = Arc::new(rs);
        Ok(())
    }

    /// Registers a resource type; its base and extension schemas must be registered.
    pub fn add_resource_type(&mut self, rt: ResourceType) -> Result<(), RegistryError> {
        if self.resource_types.iter().any(|r| {
            r.name().eq_ignore_ascii_case(&rt.name)
                || r.resource_type.endpoint.eq_ignore_ascii_case(&rt.endpoint)
        }) {
            return Err(RegistryError::DuplicateResourceType(rt.name));
        }
        let unknown = |schema: &str| RegistryError::UnknownSchema {
            resource_type: rt.name.clone(),
            schema: schema.to_owned(),
        };
        let base = self
            .schema(&rt.schema)
            .cloned()
            .ok_or_else(|| unknown(&rt.schema))?;
        let mut extensions = Vec::with_capacity(rt.schema_extensions.len());
        for ext in &rt.schema_extensions {
            let s = self
                .schema(&ext.schema)
                .cloned()
                .ok_or_else(|| unknown(&ext.schema))?;
            extensions.push((s, ext.required));
        }
        self.resource_types
            .push(Arc::new(ResourceSchema::new(rt, base, extensions)));
        Ok(())
    }

    /// Registers a resource type from its RFC 7643 §6 JSON form.
    pub fn add_resource_type_json(
        &mut self,
        json: &serde_json::Value,
    ) -> Result<(), RegistryError> {
        let rt = ResourceType::deserialize_value(json).map_err(|e| RegistryError::InvalidJson {
            what: "resource type",
            detail: e.to_string(),
        })?;
        self.add_resource_type(rt)
    }

    /// The schema with the given URI (case-insensitive).
    pub fn schema(&self, uri: &str) -> Option<&Arc<Schema>> {
        self.schemas.iter().find(|s| s.id.eq_ignore_ascii_case(uri))
    }

    /// Every registered schema, in registration order.
    pub fn schemas(&self) -> impl Iterator<Item = &Arc<Schema>> {
        self.schemas.iter()
    }

    /// The resource type with the given name (case-insensitive).
    pub fn resource_type(&self, name: &str) -> Option<&Arc<ResourceSchema>> {
        self.resource_types
            .iter()
            .find(|r| r.name().eq_ignore_ascii_case(name))
    }

    /// The resource type served at `endpoint` (`/Users` or `Users`, case-insensitive).
    pub fn resource_type_by_endpoint(&self, endpoint: &str) -> Option<&Arc<ResourceSchema>> {
        let want = endpoint.trim_start_matches('/');
        self.resource_types.iter().find(|r| {
            r.resource_type
                .endpoint
                .trim_start_matches('/')
                .eq_ignore_ascii_case(want)
        })
    }

    /// The resource type whose base schema is `uri` (case-insensitive).
    pub fn resource_type_by_schema(&self, uri: &str) -> Option<&Arc<ResourceSchema>> {
        self.resource_types
            .iter()
            .find(|r| r.base.id.eq_ignore_ascii_case(uri))
    }

    /// Every registered resource type, in registration order.
    pub fn resource_types(&self) -> impl Iterator<Item = &Arc<ResourceSchema>> {
        self.resource_types.iter()
    }
}

trait DeserializeValue: Sized {
    fn deserialize_value(v: &serde_json::Value) -> Result<Self, serde_json::Error>;
}

impl<T: serde::de::DeserializeOwned> DeserializeValue for T {
    fn deserialize_value(v: &serde_json::Value) -> Result<Self, serde_json::Error> {
        T::deserialize(v)
    }
}
