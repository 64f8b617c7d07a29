//! The syntax tree of SCIM filters, attribute paths and PATCH paths.
//!
//! RFC 7644 §3.4.2.2 (filters), RFC 7643 §2.1 and RFC 7644 §3.10 (attribute
//! notation), RFC 7644 §3.5.2 (PATCH paths).
//!
//! Every string in the tree borrows from the parsed input where it can
//! ([`Cow::Borrowed`]); only string literals with escapes allocate. Use
//! [`Filter::into_owned`] (and friends) to detach a tree from its input.
//!
//! Architecture invariant: this module knows no JSON value, no schema and no
//! HTTP. Values are kept as the literal the client wrote.

use std::borrow::Cow;

/// An attribute path: `[schemaURI ":"] attrName ["." subAttr]`.
///
/// RFC 7644 §3.10: the schema URI ends at the *last* colon, so in
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`
/// the URI is `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`,
/// the attribute `manager` and the sub-attribute `value`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath<'a> {
    /// The schema URI prefix without the trailing colon, when given.
    pub schema: Option<Cow<'a, str>>,
    /// The attribute name (`ATTRNAME`; `$ref` is also accepted).
    pub attr: Cow<'a, str>,
    /// The sub-attribute name, when given.
    pub sub: Option<Cow<'a, str>>,
}

impl<'a> AttrPath<'a> {
    /// A path naming a top-level attribute with no schema prefix and no sub-attribute.
    pub fn new(attr: impl Into<Cow<'a, str>>) -> Self {
        AttrPath {
            schema: None,
            attr: attr.into(),
            sub: None,
        }
    }

    /// Sets the sub-attribute.
    #[must_use]
    pub fn with_sub(mut self, sub: impl Into<Cow<'a, str>>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// Sets the schema URI prefix.
    #[must_use]
    pub fn with_schema(mut self, schema: impl Into<Cow<'a, str>>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Detaches the path from the input it was parsed from.
    pub fn into_owned(self) -> AttrPath<'static> {
        AttrPath {
            schema: self.schema.map(|s| Cow::Owned(s.into_owned())),
            attr: Cow::Owned(self.attr.into_owned()),
            sub: self.sub.map(|s| Cow::Owned(s.into_owned())),
        }
    }
}

/// A comparison operator (RFC 7644 §3.4.2.2, Table 3). `pr` is [`Filter::Present`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `eq`: equal.
    Eq,
    /// `ne`: not equal.
    Ne,
    /// `co`: contains.
    Co,
    /// `sw`: starts with.
    Sw,
    /// `ew`: ends with.
    Ew,
    /// `gt`: greater than.
    Gt,
    /// `lt`: less than.
    Lt,
    /// `ge`: greater than or equal to.
    Ge,
    /// `le`: less than or equal to.
    Le,
}

impl CompareOp {
    /// Every operator, in RFC order.
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Lt,
        CompareOp::Ge,
        CompareOp::Le,
    ];

    /// The operator's lower-case name, as printed and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
        }
    }

    /// Parses an operator name in any case (`eq`, `EQ`, `Eq`).
    pub fn from_name(name: &str) -> Option<CompareOp> {
        let b = name.as_bytes();
        if b.len() != 2 {
            return None;
        }
        let lower = [b[0].to_ascii_lowercase(), b[1].to_ascii_lowercase()];
        Some(match &lower {
            b"eq" => CompareOp::Eq,
            b"ne" => CompareOp::Ne,
            b"co" => CompareOp::Co,
            b"sw" => CompareOp::Sw,
            b"ew" => CompareOp::Ew,
            b"gt" => CompareOp::Gt,
            b"lt" => CompareOp::Lt,
            b"ge" => CompareOp::Ge,
            b"le" => CompareOp::Le,
            _ => return None,
        })
    }

    /// Whether the operator orders values (`gt`, `ge`, `lt`, `le`).
    pub fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
        )
    }
}

/// A JSON number exactly as written in the filter (`-1`, `2.5e3`).
///
/// The literal is kept so that no precision is lost and printing round-trips;
/// [`Number::as_i64`] and [`Number::as_f64`] interpret it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number<'a>(Cow<'a, str>);

impl<'a> Number<'a> {
    /// Wraps a literal the parser has already checked against the JSON number grammar.
    ///
    /// Returns `None` when `literal` is not a JSON number.
    pub fn new(literal: impl Into<Cow<'a, str>>) -> Option<Self> {
        let literal = literal.into();
        if crate::is_json_number(literal.as_bytes()) {
            Some(Number(literal))
        } else {
            None
        }
    }

    /// The literal as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as an integer, when it is one (no fraction, no exponent, in range).
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The value as a float (always possible for a valid literal, possibly rounded or infinite).
    pub fn as_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// Whether the literal has no fraction and no exponent.
    pub fn is_integer(&self) -> bool {
        !self.0.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
    }

    /// Detaches the number from its input.
    pub fn into_owned(self) -> Number<'static> {
        Number(Cow::Owned(self.0.into_owned()))
    }
}

/// A comparison value (`compValue` in RFC 7644's ABNF).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompValue<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A JSON number.
    Number(Number<'a>),
    /// A JSON string, unescaped.
    String(Cow<'a, str>),
}

impl CompValue<'_> {
    /// Detaches the value from its input.
    pub fn into_owned(self) -> CompValue<'static> {
        match self {
            CompValue::Null => CompValue::Null,
            CompValue::Bool(b) => CompValue::Bool(b),
            CompValue::Number(n) => CompValue::Number(n.into_owned()),
            CompValue::String(s) => CompValue::String(Cow::Owned(s.into_owned())),
        }
    }

    /// The string, when the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            CompValue::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A SCIM filter (RFC 7644 §3.4.2.2).
///
/// `And` and `Or` are n-ary and hold at least two operands; the parser
/// flattens `a and (b and c)` into one `And` of three. Inside a
/// [`Filter::ValuePath`] the paths of the inner filter are relative to the
/// multi-valued attribute (`type` in `emails[type eq "work"]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Filter<'a> {
    /// `attrPath compareOp compValue`.
    Compare {
        /// The attribute compared.
        path: AttrPath<'a>,
        /// The operator.
        op: CompareOp,
        /// The value compared with.
        value: CompValue<'a>,
    },
    /// `attrPath pr`.
    Present(AttrPath<'a>),
    /// Operands joined by `and`.
    And(Vec<Filter<'a>>),
    /// Operands joined by `or`.
    Or(Vec<Filter<'a>>),
    /// `not ( filter )`.
    Not(Box<Filter<'a>>),
    /// `attrPath "[" valFilter "]"`: one value of a multi-valued attribute
    /// must satisfy the whole inner filter.
    ValuePath {
        /// The multi-valued attribute.
        path: AttrPath<'a>,
        /// The filter every candidate value is tested with.
        filter: Box<Filter<'a>>,
    },
}

impl<'a> Filter<'a> {
    /// `path op value`.
    pub fn compare(path: AttrPath<'a>, op: CompareOp, value: CompValue<'a>) -> Self {
        Filter::Compare { path, op, value }
    }

    /// Joins two filters with `and`, flattening nested `And`s.
    #[must_use]
    pub fn and(self, other: Filter<'a>) -> Self {
        let mut terms = match self {
            Filter::And(v) => v,
            f => vec![f],
        };
        match other {
            Filter::And(v) => terms.extend(v),
            f => terms.push(f),
        }
        Filter::And(terms)
    }

    /// Joins two filters with `or`, flattening nested `Or`s.
    #[must_use]
    pub fn or(self, other: Filter<'a>) -> Self {
        let mut terms = match self {
            Filter::Or(v) => v,
            f => vec![f],
        };
        match other {
            Filter::Or(v) => terms.extend(v),
            f => terms.push(f),
        }
        Filter::Or(terms)
    }

    /// Negates the filter.
    #[allow(clippy::should_implement_trait)]
    #[must_use]
    pub fn not(self) -> Self {
        Filter::Not(Box::new(self))
    }

    /// Detaches the filter from the input it was parsed from.
    pub fn into_owned(self) -> Filter<'static> {
        match self {
            Filter::Compare { path, op, value } => Filter::Compare {
                path: path.into_owned(),
                op,
                value: value.into_owned(),
            },
            Filter::Present(p) => Filter::Present(p.into_owned()),
            Filter::And(v) => Filter::And(v.into_iter().map(Filter::into_owned).collect()),
            Filter::Or(v) => Filter::Or(v.into_iter().map(Filter::into_owned).collect()),
            Filter::Not(f) => Filter::Not(Box::new(f.into_owned())),
            Filter::ValuePath { path, filter } => Filter::ValuePath {
                path: path.into_owned(),
                filter: Box::new(filter.into_owned()),
            },
        }
    }
}

/// The `path` of a PATCH operation (RFC 7644 §3.5.2):
/// `attrPath / valuePath [subAttr]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PatchPath<'a> {
    /// A plain attribute path (`name.givenName`, `urn:…:User:manager`).
    Attr(AttrPath<'a>),
    /// `attrPath "[" valFilter "]" ["." subAttr]`, e.g.
    /// `addresses[type eq "work"].country` or `members[value eq "2819c223"]`.
    ValuePath {
        /// The multi-valued attribute.
        path: AttrPath<'a>,
        /// Selects the values the operation applies to.
        filter: Filter<'a>,
        /// The sub-attribute of the selected values, when given.
        sub_attr: Option<Cow<'a, str>>,
    },
}

impl PatchPath<'_> {
    /// The attribute path the operation targets, without filter.
    pub fn attr_path(&self) -> &AttrPath<'_> {
        match self {
            PatchPath::Attr(p) => p,
            PatchPath::ValuePath { path, .. } => path,
        }
    }

    /// Detaches the path from the input it was parsed from.
    pub fn into_owned(self) -> PatchPath<'static> {
        match self {
            PatchPath::Attr(p) => PatchPath::Attr(p.into_owned()),
            PatchPath::ValuePath {
                path,
                filter,
                sub_attr,
            } => PatchPath::ValuePath {
                path: path.into_owned(),
                filter: filter.into_owned(),
                sub_attr: sub_attr.map(|s| Cow::Owned(s.into_owned())),
            },
        }
    }
}
