//! Attribute definitions and their characteristics (RFC 7643 §2.2, §2.3, §7).

use serde::{Deserialize, Serialize};

/// An attribute's data type (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrType {
    /// `string` (§2.3.1).
    String,
    /// `boolean` (§2.3.2).
    Boolean,
    /// `decimal` (§2.3.3).
    Decimal,
    /// `integer` (§2.3.4).
    Integer,
    /// `dateTime`, an `xsd:dateTime` (§2.3.5).
    DateTime,
    /// `binary`, base64 (§2.3.6).
    Binary,
    /// `reference`, a URI (§2.3.7).
    Reference,
    /// `complex`, with sub-attributes (§2.3.8).
    Complex,
}

impl AttrType {
    /// The type's name as in RFC 7643 (`"dateTime"`).
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Binary => "binary",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
        }
    }

    /// Whether values of this type compare as strings (string, reference, binary, dateTime text).
    pub fn is_stringlike(self) -> bool {
        matches!(
            self,
            AttrType::String | AttrType::Reference | AttrType::Binary | AttrType::DateTime
        )
    }
}

/// Whether and how an attribute may be changed (RFC 7643 §2.2 `mutability`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    /// Set by the service provider only; client values are ignored.
    ReadOnly,
    /// May be updated and read at any time (the default).
    #[default]
    ReadWrite,
    /// May be set once (at creation or when unassigned) and never changed.
    Immutable,
    /// May be written but is never returned (e.g. `password`).
    WriteOnly,
}

/// When an attribute is returned (RFC 7643 §2.2 `returned`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    /// Always returned, whatever `attributes`/`excludedAttributes` say (e.g. `id`).
    Always,
    /// Never returned (e.g. `password`).
    Never,
    /// Returned unless excluded (the default).
    #[default]
    Default,
    /// Returned only when named in `attributes`.
    Request,
}

/// How an attribute's values must be unique (RFC 7643 §2.2 `uniqueness`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    /// No uniqueness (the default).
    #[default]
    None,
    /// Unique within the service provider (per tenant).
    Server,
    /// Globally unique.
    Global,
}

/// An attribute definition with every RFC 7643 §2.2 characteristic, serialised in
/// the form of the `urn:ietf:params:scim:schemas:core:2.0:Schema` schema (§7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttributeDef {
    /// The attribute's name, in its canonical case.
    pub name: String,
    /// The data type.
    #[serde(rename = "type")]
    pub attr_type: AttrType,
    /// Whether the attribute holds an array of values.
    #[serde(default)]
    pub multi_valued: bool,
    /// A human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the attribute is required.
    #[serde(default)]
    pub required: bool,
    /// Canonical values (e.g. `work`, `home` for `emails.type`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canonical_values: Vec<String>,
    /// Whether string comparisons are case-sensitive.
    #[serde(default)]
    pub case_exact: bool,
    /// Mutability.
    #[serde(default)]
    pub mutability: Mutability,
    /// When the attribute is returned.
    #[serde(default)]
    pub returned: Returned,
    /// Uniqueness.
    #[serde(default)]
    pub uniqueness: Uniqueness,
    /// For `reference` attributes: the resource types or `external`/`uri` it may refer to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_types: Vec<String>,
    /// For `complex` attributes: the sub-attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_attributes: Vec<AttributeDef>,
}

impl AttributeDef {
    /// A single-valued, optional, case-insensitive, readWrite attribute of `attr_type`,
    /// returned by default, not unique: the RFC 7643 §2.2 defaults.
    pub fn new(name: impl Into<String>, attr_type: AttrType) -> Self {
        AttributeDef {
            name: name.into(),
            attr_type,
            multi_valued: false,
            description: None,
            required: false,
            canonical_values: Vec::new(),
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            reference_types: Vec::new(),
            sub_attributes: Vec::new(),
        }
    }

    /// Makes the attribute multi-valued.
    #[must_use]
    pub fn multi_valued(mut self) -> Self {
        self.multi_valued = true;
        self
    }

    /// Makes the attribute required.
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Makes string comparisons case-sensitive.
    #[must_use]
    pub fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }

    /// Sets the mutability.
    #[must_use]
    pub fn mutability(mut self, m: Mutability) -> Self {
        self.mutability = m;
        self
    }

    /// Sets when the attribute is returned.
    #[must_use]
    pub fn returned(mut self, r: Returned) -> Self {
        self.returned = r;
        self
    }

    /// Sets the uniqueness.
    #[must_use]
    pub fn uniqueness(mut self, u: Uniqueness) -> Self {
        self.uniqueness = u;
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Sets the canonical values.
    #[must_use]
    pub fn canonical_values<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.canonical_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the reference types.
    #[must_use]
    pub fn reference_types<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.reference_types = values.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the sub-attributes (makes sense for `complex` only).
    #[must_use]
    pub fn sub_attributes(mut self, subs: Vec<AttributeDef>) -> Self {
        self.sub_attributes = subs;
        self
    }

    /// Finds a sub-attribute by name, case-insensitively (RFC 7643 §2.1).
    pub fn sub_attribute(&self, name: &str) -> Option<&AttributeDef> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Whether the attribute is complex.
    pub fn is_complex(&self) -> bool {
        self.attr_type == AttrType::Complex
    }
}
