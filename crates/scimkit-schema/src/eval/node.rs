//! The compiled filter tree: every attribute path resolved against the schema
//! and every comparison value parsed for the attribute's type (RFC 7644
//! §3.4.2.2 evaluated per RFC 7643 §2.3 data types).
//!
//! This is the read-only view a store uses to push a filter down (e.g.
//! `scimkit-sql` translating it to SQL): names are canonical, types and
//! `caseExact` come from the schema, and values are typed.

use chrono::{DateTime, Utc};
use scimkit_filter::CompareOp;

use super::hint::Hint;
use super::text::Needle;
use crate::AttrType;

/// A node of a compiled filter.
///
/// Semantics (RFC 7644 §3.4.2.2, with the choices documented in
/// [`crate::eval`]): a [`Node::Compare`] on a multi-valued attribute matches
/// when any value matches, except `ne`, which matches when no value is equal
/// (so `ne` on an unassigned attribute matches). Inside a [`Node::ValuePath`]
/// every [`AttrInfo`] names a field of the *current element* of the
/// multi-valued attribute, and one element must satisfy the whole inner node.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Node {
    /// `attrPath compareOp compValue`.
    Compare(Comparison),
    /// `attrPath pr`: the attribute has a value (not absent, `null`, `""`, `[]` or `{}`).
    Present(AttrInfo),
    /// Every operand matches.
    And(Vec<Node>),
    /// At least one operand matches.
    Or(Vec<Node>),
    /// The operand does not match.
    Not(Box<Node>),
    /// `attr[filter]`: one value of `attr` satisfies `filter`.
    ValuePath {
        /// The (multi-valued, complex) attribute; [`AttrInfo::sub`] is `None`.
        attr: AttrInfo,
        /// The inner filter, whose paths name fields of one element.
        filter: Box<Node>,
    },
    /// A term known when compiling: `false` for an attribute the schema does not
    /// know under [`crate::Compat::unknown_filter_attr_matches_nothing`].
    Constant(bool),
}

/// Where an attribute's values are in a resource, and how they compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrInfo {
    pub(crate) extension: Option<String>,
    pub(crate) name: String,
    pub(crate) sub: Option<String>,
    pub(crate) attr_type: AttrType,
    pub(crate) case_exact: bool,
    pub(crate) multi_valued: bool,
    /// Where the extension object, the attribute and the sub-attribute were
    /// found last (see `hint.rs`).
    pub(crate) hints: [Hint; 3],
}

impl AttrInfo {
    /// The URI of the extension whose JSON object holds the attribute
    /// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`), or
    /// `None` for base-schema and common attributes.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// The top-level attribute's canonical name (`emails`, `userName`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The canonical sub-attribute name, when the path names one (`familyName`
    /// in `name.familyName`). A comparison on a complex attribute without a
    /// sub-attribute compares its `value` sub-attribute and has `Some("value")`
    /// here. Inside a [`Node::ValuePath`] over a multi-valued attribute of a
    /// simple type, `None` means the element itself.
    pub fn sub(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// The type of the values compared (the sub-attribute's, when there is one).
    pub fn attr_type(&self) -> AttrType {
        self.attr_type
    }

    /// Whether strings compare case-sensitively (the compared attribute's `caseExact`).
    pub fn case_exact(&self) -> bool {
        self.case_exact
    }

    /// Whether the top-level attribute is multi-valued (its JSON value is an array).
    pub fn multi_valued(&self) -> bool {
        self.multi_valued
    }
}

/// One comparison: attribute, operator and a value typed for the attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub(crate) attr: AttrInfo,
    pub(crate) op: CompareOp,
    pub(crate) value: Operand,
}

impl Comparison {
    /// The attribute compared.
    pub fn attr(&self) -> &AttrInfo {
        &self.attr
    }

    /// The operator.
    pub fn op(&self) -> CompareOp {
        self.op
    }

    /// The value compared with.
    pub fn value(&self) -> &Operand {
        &self.value
    }
}

/// A comparison value, parsed for the attribute's type once per filter.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Operand {
    /// `null`: only with `eq` (the attribute is unassigned) and `ne` (it is assigned).
    Null,
    /// A boolean, for a boolean attribute (`eq`, `ne` only).
    Bool(bool),
    /// A number without fraction or exponent that fits `i64`, for an integer
    /// or decimal attribute.
    Integer(i64),
    /// Any other number, for an integer or decimal attribute (`1.0`, `2.5e3`).
    Decimal(f64),
    /// A string, for string, reference and binary attributes (and for `co`,
    /// `sw`, `ew` on dateTime attributes, which compare the text).
    String(StrOperand),
    /// An instant, for `eq`, `ne`, `gt`, `ge`, `lt`, `le` on a dateTime attribute.
    DateTime(DateTime<Utc>),
}

/// A string comparison value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrOperand {
    pub(crate) needle: Needle,
}

impl StrOperand {
    /// The string to compare with: as written for a `caseExact` attribute,
    /// lowercased (`str::to_lowercase`) otherwise.
    pub fn text(&self) -> &str {
        &self.needle.text
    }

    /// Whether the comparison is case-sensitive.
    pub fn case_exact(&self) -> bool {
        self.needle.case_exact
    }
}
