//! Compiling a parsed filter against a resource type: attribute paths resolve
//! once (case-insensitively, RFC 7643 §2.1), operators are checked against the
//! attribute's type and values are parsed for it (RFC 7644 §3.4.2.2: "Boolean
//! and Binary attributes SHALL cause a failed response (HTTP status code 400)
//! with 'scimType' of 'invalidFilter'" for the ordering operators).

use scimkit_filter::{AttrPath, CompValue, CompareOp, Filter};

use super::datetime::parse_instant;
use super::node::{AttrInfo, Comparison, Node, Operand, StrOperand};
use super::refuse_secret;
use super::text::Needle;
use crate::{AttrType, AttributeDef, Compat, ResourceSchema, ScimError, path_to_string};

/// Compiles `filter` for `rs`.
pub(crate) fn compile(
    filter: &Filter<'_>,
    rs: &ResourceSchema,
    compat: &Compat,
) -> Result<Node, ScimError> {
    let cx = Cx { rs, compat };
    cx.node(filter)
}

struct Cx<'a> {
    rs: &'a ResourceSchema,
    compat: &'a Compat,
}

/// What a path resolved to, or that the schema does not know it.
enum Resolved {
    Attr(AttrInfo),
    Unknown,
}

impl Cx<'_> {
    fn node(&self, f: &Filter<'_>) -> Result<Node, ScimError> {
        Ok(match f {
            Filter::Compare { path, op, value } => match self.resolve(path, true)? {
                Resolved::Attr(attr) => comparison(attr, *op, value, &path_to_string(path))?,
                Resolved::Unknown => Node::Constant(false),
            },
            Filter::Present(path) => match self.resolve(path, false)? {
                Resolved::Attr(attr) => Node::Present(attr),
                Resolved::Unknown => Node::Constant(false),
            },
            Filter::And(v) => Node::And(v.iter().map(|f| self.node(f)).collect::<Result<_, _>>()?),
            Filter::Or(v) => Node::Or(v.iter().map(|f| self.node(f)).collect::<Result<_, _>>()?),
            Filter::Not(f) => Node::Not(Box::new(self.node(f)?)),
            Filter::ValuePath { path, filter } => self.value_path(path, filter)?,
        })
    }

    fn unknown(&self, path: &AttrPath<'_>) -> Result<Resolved, ScimError> {
        if self.compat.unknown_filter_attr_matches_nothing {
            crate::Switch::UnknownFilterAttrMatchesNothing.record();
            Ok(Resolved::Unknown)
        } else {
            Err(ScimError::invalid_filter(format!(
                "attribute {} is not defined for resource type {}",
                path_to_string(path),
                self.rs.name()
            )))
        }
    }

    /// Resolves a top-level path. With `implicit_value`, a complex attribute
    /// named without a sub-attribute stands for its `value` sub-attribute.
    fn resolve(&self, path: &AttrPath<'_>, implicit_value: bool) -> Result<Resolved, ScimError> {
        let Some(r) = self.rs.resolve(path) else {
            return self.unknown(path);
        };
        let at = path_to_string(path);
        refuse_secret(
            &[r.attr, r.target()],
            &at,
            ScimError::invalid_filter,
            "a filter",
        )?;
        let mut target = r.target();
        let mut sub = r.sub.map(|s| s.name.clone());
        if implicit_value && r.sub.is_none() && r.attr.is_complex() {
            match r.attr.sub_attribute("value") {
                Some(v) => {
                    refuse_secret(&[v], &at, ScimError::invalid_filter, "a filter")?;
                    target = v;
                    sub = Some(v.name.clone());
                }
                None => {
                    return Err(ScimError::invalid_filter(format!(
                        "attribute {} is complex and has no value sub-attribute; \
                         compare one of its sub-attributes ({}.<name>)",
                        path_to_string(path),
                        r.attr.name
                    )));
                }
            }
        }
        Ok(Resolved::Attr(AttrInfo {
            extension: r.extension_uri().map(str::to_owned),
            name: r.attr.name.clone(),
            sub,
            attr_type: target.attr_type,
            case_exact: target.case_exact,
            multi_valued: r.attr.multi_valued,
            hints: Default::default(),
        }))
    }

    fn value_path(&self, path: &AttrPath<'_>, inner: &Filter<'_>) -> Result<Node, ScimError> {
        let at = path_to_string(path);
        if path.sub.is_some() {
            return Err(ScimError::invalid_filter(format!(
                "{at}[…]: a value filter applies to an attribute, not to a sub-attribute"
            )));
        }
        let Some(r) = self.rs.resolve(path) else {
            self.unknown(path)?;
            return Ok(Node::Constant(false));
        };
        refuse_secret(&[r.attr], &at, ScimError::invalid_filter, "a filter")?;
        if !r.attr.multi_valued && !r.attr.is_complex() {
            return Err(ScimError::invalid_filter(format!(
                "{at}[…]: a value filter needs a multi-valued or complex attribute, and {} is neither",
                r.attr.name
            )));
        }
        let attr = AttrInfo {
            extension: r.extension_uri().map(str::to_owned),
            name: r.attr.name.clone(),
            sub: None,
            attr_type: r.attr.attr_type,
            case_exact: r.attr.case_exact,
            multi_valued: r.attr.multi_valued,
            hints: Default::default(),
        };
        let filter = self.element_node(inner, &attr, r.attr, &at)?;
        Ok(Node::ValuePath {
            attr,
            filter: Box::new(filter),
        })
    }

    /// Compiles the inner filter of `attr[…]`, whose paths name sub-attributes
    /// (or `value`, the element itself, for a simple multi-valued attribute).
    fn element_node(
        &self,
        f: &Filter<'_>,
        parent: &AttrInfo,
        def: &AttributeDef,
        at: &str,
    ) -> Result<Node, ScimError> {
        let rec = |f: &Filter<'_>| self.element_node(f, parent, def, at);
        Ok(match f {
            Filter::Compare { path, op, value } => {
                match self.element_attr(path, parent, def, at)? {
                    Some(attr) => {
                        let name = format!("{at}[{}]", path_to_string(path));
                        comparison(attr, *op, value, &name)?
                    }
                    None => Node::Constant(false),
                }
            }
            Filter::Present(path) => match self.element_attr(path, parent, def, at)? {
                Some(attr) => Node::Present(attr),
                None => Node::Constant(false),
            },
            Filter::And(v) => Node::And(v.iter().map(rec).collect::<Result<_, _>>()?),
            Filter::Or(v) => Node::Or(v.iter().map(rec).collect::<Result<_, _>>()?),
            Filter::Not(f) => Node::Not(Box::new(rec(f)?)),
            Filter::ValuePath { .. } => {
                return Err(ScimError::invalid_filter(format!(
                    "{at}[…]: a value filter cannot contain another value filter"
                )));
            }
        })
    }

    fn element_attr(
        &self,
        path: &AttrPath<'_>,
        parent: &AttrInfo,
        def: &AttributeDef,
        at: &str,
    ) -> Result<Option<AttrInfo>, ScimError> {
        let unknown = || {
            if self.compat.unknown_filter_attr_matches_nothing {
                crate::Switch::UnknownFilterAttrMatchesNothing.record();
                Ok(None)
            } else {
                Err(ScimError::invalid_filter(format!(
                    "{at}[…]: {} is not a sub-attribute of {}",
                    path_to_string(path),
                    def.name
                )))
            }
        };
        if path.sub.is_some() || path.schema.is_some() {
            return unknown();
        }
        if !def.is_complex() {
            if !path.attr.eq_ignore_ascii_case("value") {
                return unknown();
            }
            return Ok(Some(AttrInfo {
                sub: None,
                ..parent.clone()
            }));
        }
        let Some(sub) = def.sub_attribute(&path.attr) else {
            return unknown();
        };
        let name = format!("{at}[{}]", path_to_string(path));
        refuse_secret(&[sub], &name, ScimError::invalid_filter, "a filter")?;
        Ok(Some(AttrInfo {
            sub: Some(sub.name.clone()),
            attr_type: sub.attr_type,
            case_exact: sub.case_exact,
            ..parent.clone()
        }))
    }
}

/// Checks `op` and `value` against the attribute's type and builds the node.
fn comparison(
    attr: AttrInfo,
    op: CompareOp,
    value: &CompValue<'_>,
    name: &str,
) -> Result<Node, ScimError> {
    let ty = attr.attr_type;
    let bad = |why: String| {
        Err(ScimError::invalid_filter(format!(
            "cannot compare attribute {name} ({}) with {} {}: {why}",
            ty.as_str(),
            op.as_str(),
            scimkit_filter_value(value)
        )))
    };
    if let CompValue::String(s) = value
        && s.contains('\0')
    {
        // No stored string holds U+0000 (validation refuses it), and SQL
        // stores cannot take it as a parameter.
        return bad("the value contains U+0000 (NUL)".into());
    }
    if matches!(value, CompValue::Null) {
        if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return bad("null can only be compared with eq or ne".into());
        }
        return Ok(cmp_node(attr, op, Operand::Null));
    }
    if op.is_ordering() && matches!(ty, AttrType::Boolean | AttrType::Binary) {
        return bad(format!(
            "{} values cannot be ordered (RFC 7644 §3.4.2.2)",
            ty.as_str()
        ));
    }
    let text_op = matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew);
    let operand = match (ty, value) {
        (AttrType::Boolean, CompValue::Bool(b)) => {
            if text_op {
                return bad("boolean values only compare with eq and ne".into());
            }
            Operand::Bool(*b)
        }
        (AttrType::Boolean, _) => return bad("the value must be true or false".into()),
        (AttrType::Integer | AttrType::Decimal, CompValue::Number(n)) => {
            if text_op {
                return bad("co, sw and ew compare strings".into());
            }
            match n.as_i64().filter(|_| n.is_integer()) {
                Some(i) => Operand::Integer(i),
                None => Operand::Decimal(n.as_f64()),
            }
        }
        (AttrType::Integer | AttrType::Decimal, _) => {
            return bad("the value must be a number".into());
        }
        (AttrType::DateTime, CompValue::String(s)) if !text_op => match parse_instant(s) {
            Some(t) => Operand::DateTime(t),
            None => {
                return bad(
                    "the value must be an xsd:dateTime such as \"2011-05-13T04:42:34Z\"".into(),
                );
            }
        },
        (
            AttrType::String | AttrType::Reference | AttrType::Binary | AttrType::DateTime,
            CompValue::String(s),
        ) => Operand::String(StrOperand {
            needle: Needle::new(s, attr.case_exact),
        }),
        (AttrType::String | AttrType::Reference | AttrType::Binary, _) => {
            return bad("the value must be a string".into());
        }
        (AttrType::DateTime, _) => {
            return bad("the value must be an xsd:dateTime string".into());
        }
        (AttrType::Complex, _) => {
            return bad("compare one of its sub-attributes".into());
        }
    };
    Ok(cmp_node(attr, op, operand))
}

fn cmp_node(attr: AttrInfo, op: CompareOp, value: Operand) -> Node {
    Node::Compare(Comparison { attr, op, value })
}

/// The comparison value as the client wrote it, for error details.
fn scimkit_filter_value(v: &CompValue<'_>) -> String {
    match v {
        CompValue::Null => "null".into(),
        CompValue::Bool(b) => b.to_string(),
        CompValue::Number(n) => n.as_str().to_owned(),
        CompValue::String(s) => serde_json::Value::String(s.to_string()).to_string(),
    }
}
