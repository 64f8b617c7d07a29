//! Partial representations: the `attributes` and `excludedAttributes`
//! parameters (RFC 7644 §3.4.2.5, §3.9, and the SearchRequest of §3.4.3) and
//! the `returned` characteristic (RFC 7643 §2.2).
//!
//! - `always` attributes (`id`, `schemas`) are returned whatever the
//!   parameters say; `never` attributes (`password`) are never returned.
//! - `default` attributes are returned unless excluded, or unless
//!   `attributes` is given and does not name them.
//! - `request` attributes are returned only when `attributes` names them.
//! - The same rules apply to sub-attributes: `attributes=name.givenName`
//!   returns `name` with `givenName` only, `attributes=name` every default
//!   sub-attribute of `name`, `excludedAttributes=emails.display` drops
//!   `display` from each email.
//! - URN-qualified paths (`urn:…:enterprise:2.0:User:department`) and whole
//!   extensions (`attributes=urn:…:enterprise:2.0:User`) are understood.
//! - A complex value, array element or extension object left empty is
//!   omitted. `schemas` is returned unchanged: it names the schemas of the
//!   resource, not the attributes present in this representation.
//! - Attribute names the resource type does not define select nothing and
//!   exclude nothing (RFC 7644 defines no error for them).
//! - Output keys keep the resource's order.
//!
//! ```
//! use scimkit_filter::ParseOptions;
//! use scimkit_schema::project::{project, Projection};
//! use scimkit_schema::{Registry, Resource};
//! let registry = Registry::core();
//! let users = registry.resource_type("User").unwrap();
//! let user = Resource::from_value(serde_json::json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "id": "2819c223",
//!     "userName": "bjensen",
//!     "name": {"givenName": "Barbara", "familyName": "Jensen"},
//!     "password": "t1meMa$heen"
//! }))?;
//! let p = Projection::parse(Some("name.givenName"), None, &ParseOptions::default())?;
//! assert_eq!(project(&user, users, &p), serde_json::json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "id": "2819c223",
//!     "name": {"givenName": "Barbara"}
//! }));
//! # Ok::<(), scimkit_schema::ScimError>(())
//! ```

mod hidden;
mod shape;

use scimkit_filter::{AttrPath, ParseOptions, parse_attr_path};

use crate::{Resource, ResourceSchema, ScimError};

pub use hidden::DefaultHidden;

/// Which attributes a response carries: the parsed `attributes` or
/// `excludedAttributes` list (at most one of them is non-empty).
///
/// [`Projection::default()`] returns every `always` and `default` attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    attributes: Vec<AttrPath<'static>>,
    excluded: Vec<AttrPath<'static>>,
}

impl Projection {
    /// Parses the `attributes` and `excludedAttributes` query parameters
    /// (comma-separated attribute paths, RFC 7644 §3.4.2.5; blanks around
    /// commas are allowed). An absent or blank parameter is no list.
    ///
    /// A malformed path is `400 invalidPath` naming it; giving both lists is
    /// `400 invalidSyntax` (they are "mutually exclusive", RFC 7644 §3.9).
    pub fn parse(
        attributes: Option<&str>,
        excluded: Option<&str>,
        opts: &ParseOptions,
    ) -> Result<Projection, ScimError> {
        let split = |param: &'static str, text: Option<&str>| -> Result<Vec<_>, ScimError> {
            let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
                return Ok(Vec::new());
            };
            text.split(',')
                .map(|p| path(param, p.trim(), opts))
                .collect()
        };
        Self::build(
            split("attributes", attributes)?,
            split("excludedAttributes", excluded)?,
        )
    }

    /// Builds a projection from the `attributes` and `excludedAttributes`
    /// arrays of a SearchRequest (RFC 7644 §3.4.3), with the same rules as
    /// [`Projection::parse`].
    pub fn from_lists(
        attributes: &[String],
        excluded: &[String],
        opts: &ParseOptions,
    ) -> Result<Projection, ScimError> {
        let list = |param: &'static str, items: &[String]| -> Result<Vec<_>, ScimError> {
            items.iter().map(|p| path(param, p.trim(), opts)).collect()
        };
        Self::build(
            list("attributes", attributes)?,
            list("excludedAttributes", excluded)?,
        )
    }

    fn build(
        attributes: Vec<AttrPath<'static>>,
        excluded: Vec<AttrPath<'static>>,
    ) -> Result<Projection, ScimError> {
        if !attributes.is_empty() && !excluded.is_empty() {
            return Err(ScimError::invalid_syntax(
                "attributes and excludedAttributes are mutually exclusive (RFC 7644 §3.9); give one of them",
            ));
        }
        Ok(Projection {
            attributes,
            excluded,
        })
    }

    /// The paths of `attributes` (empty when not given).
    pub fn attributes(&self) -> &[AttrPath<'static>] {
        &self.attributes
    }

    /// The paths of `excludedAttributes` (empty when not given).
    pub fn excluded(&self) -> &[AttrPath<'static>] {
        &self.excluded
    }

    /// Whether this is the default projection (neither list given).
    pub fn is_default(&self) -> bool {
        self.attributes.is_empty() && self.excluded.is_empty()
    }
}

fn path(param: &str, text: &str, opts: &ParseOptions) -> Result<AttrPath<'static>, ScimError> {
    if text.is_empty() {
        return Err(ScimError::invalid_path(format!(
            "{param} has an empty attribute name"
        )));
    }
    parse_attr_path(text, opts)
        .map(AttrPath::into_owned)
        .map_err(|e| {
            ScimError::invalid_path(format!("{param}: {text:?} is not an attribute path: {e}"))
        })
}

/// The representation of `resource` that `projection` asks for, honouring
/// every attribute's and sub-attribute's `returned` characteristic.
pub fn project(
    resource: &Resource,
    rs: &ResourceSchema,
    projection: &Projection,
) -> serde_json::Value {
    shape::shape(resource, rs, projection)
}
