//! Value filters of PATCH paths (`emails[type eq "work"]`, RFC 7644 §3.5.2,
//! filter semantics of §3.4.2.2) evaluated against the values of one
//! multi-valued attribute, and, for [`Compat::create_on_filter_miss`], the
//! value a filter describes.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use scimkit_filter::{AttrPath, CompValue, CompareOp, Filter};

use crate::{AttrType, AttributeDef, ScimError};

/// Checks that every attribute the filter names is a sub-attribute of
/// `attr` (or `value` for a multi-valued attribute of simple type).
///
/// A filter naming an attribute or sub-attribute that is `returned: never`
/// is `400 invalidPath` (like every error of a PATCH path, RFC 7644 §3.5.2
/// Table 9): whether a PATCH finds a target must not reveal a secret's value.
pub(crate) fn check(f: &Filter<'_>, attr: &AttributeDef, at: &str) -> Result<(), ScimError> {
    crate::eval::refuse_secret(&[attr], at, ScimError::invalid_path, "a value filter")?;
    match f {
        Filter::Compare { path, .. } | Filter::Present(path) => match sub_def(path, attr, at)? {
            Some(def) => {
                crate::eval::refuse_secret(&[def], at, ScimError::invalid_path, "a value filter")
            }
            None => Ok(()),
        },
        Filter::And(v) | Filter::Or(v) => v.iter().try_for_each(|f| check(f, attr, at)),
        Filter::Not(f) => check(f, attr, at),
        Filter::ValuePath { .. } => Err(ScimError::invalid_path(format!(
            "{at}: a value filter cannot contain another value filter"
        ))),
    }
}

/// The definition a filter path names inside `attr`: `None` for the value
/// itself of a simple multi-valued attribute.
fn sub_def<'d>(
    path: &AttrPath<'_>,
    attr: &'d AttributeDef,
    at: &str,
) -> Result<Option<&'d AttributeDef>, ScimError> {
    let unknown = || {
        ScimError::invalid_path(format!(
            "{at}: {} is not a sub-attribute of {}",
            path.attr, attr.name
        ))
    };
    if path.sub.is_some() {
        return Err(unknown());
    }
    if !attr.is_complex() {
        return if path.attr.eq_ignore_ascii_case("value") {
            Ok(None)
        } else {
            Err(unknown())
        };
    }
    attr.sub_attribute(&path.attr).map(Some).ok_or_else(unknown)
}

/// The indices of the values in `items` that satisfy the (checked) filter.
/// A single comparison (`value eq "…"`, the common case) resolves its
/// sub-attribute once instead of once per value.
pub(crate) fn select(f: &Filter<'_>, items: &[Value], attr: &AttributeDef) -> Vec<usize> {
    if let Filter::Compare { path, op, value } = f
        && attr.is_complex()
        && let Some(def) = attr.sub_attribute(&path.attr)
    {
        return items
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                let v = match e {
                    Value::Object(m) => super::value::field(m, &def.name),
                    _ => None,
                };
                compare(def, v, *op, value)
            })
            .map(|(i, _)| i)
            .collect();
    }
    items
        .iter()
        .enumerate()
        .filter(|(_, e)| matches(f, e, attr))
        .map(|(i, _)| i)
        .collect()
}

/// Whether the value `elem` of `attr` satisfies the (checked) filter.
pub(crate) fn matches(f: &Filter<'_>, elem: &Value, attr: &AttributeDef) -> bool {
    match f {
        Filter::Compare { path, op, value } => {
            let (def, v) = lookup(path, elem, attr);
            compare(def, v, *op, value)
        }
        Filter::Present(path) => {
            let (_, v) = lookup(path, elem, attr);
            match v {
                None | Some(Value::Null) => false,
                Some(Value::String(s)) => !s.is_empty(),
                Some(Value::Array(a)) => !a.is_empty(),
                Some(Value::Object(m)) => !m.is_empty(),
                Some(_) => true,
            }
        }
        Filter::And(v) => v.iter().all(|f| matches(f, elem, attr)),
        Filter::Or(v) => v.iter().any(|f| matches(f, elem, attr)),
        Filter::Not(f) => !matches(f, elem, attr),
        Filter::ValuePath { .. } => false,
    }
}

fn lookup<'v, 'd>(
    path: &AttrPath<'_>,
    elem: &'v Value,
    attr: &'d AttributeDef,
) -> (&'d AttributeDef, Option<&'v Value>) {
    if !attr.is_complex() {
        return (attr, Some(elem));
    }
    let def = attr.sub_attribute(&path.attr).unwrap_or(attr);
    let v = match elem {
        Value::Object(m) => super::value::field(m, &path.attr),
        _ => None,
    };
    (def, v)
}

fn compare(def: &AttributeDef, v: Option<&Value>, op: CompareOp, want: &CompValue<'_>) -> bool {
    let v = match v {
        None | Some(Value::Null) => {
            return match op {
                CompareOp::Eq => matches!(want, CompValue::Null),
                CompareOp::Ne => !matches!(want, CompValue::Null),
                _ => false,
            };
        }
        Some(v) => v,
    };
    let ord = match (v, want) {
        (Value::String(a), CompValue::String(b)) => {
            if let CompareOp::Co | CompareOp::Sw | CompareOp::Ew = op {
                return text_op(a, b, op, def.case_exact);
            }
            if let CompareOp::Eq | CompareOp::Ne = op
                && def.attr_type != AttrType::DateTime
            {
                let equal = if def.case_exact {
                    a.as_str() == b.as_ref()
                } else {
                    eq_ci(a, b)
                };
                return equal == (op == CompareOp::Eq);
            }
            if def.attr_type == AttrType::DateTime
                && let (Some(x), Some(y)) = (instant(a), instant(b))
            {
                Some(x.cmp(&y))
            } else if def.case_exact {
                Some(a.as_str().cmp(b.as_ref()))
            } else {
                Some(cmp_ci(a, b))
            }
        }
        (Value::Bool(a), CompValue::Bool(b)) => Some(a.cmp(b)),
        (Value::Number(a), CompValue::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => a.as_f64().and_then(|x| x.partial_cmp(&b.as_f64())),
        },
        _ => None,
    };
    match (op, ord) {
        (CompareOp::Eq, Some(o)) => o == Ordering::Equal,
        (CompareOp::Ne, Some(o)) => o != Ordering::Equal,
        (CompareOp::Ne, None) => true,
        (CompareOp::Gt, Some(o)) => o == Ordering::Greater,
        (CompareOp::Ge, Some(o)) => o != Ordering::Less,
        (CompareOp::Lt, Some(o)) => o == Ordering::Less,
        (CompareOp::Le, Some(o)) => o != Ordering::Greater,
        _ => false,
    }
}

fn text_op(a: &str, b: &str, op: CompareOp, case_exact: bool) -> bool {
    let (a, b) = if case_exact {
        (a.to_owned(), b.to_owned())
    } else {
        (a.to_lowercase(), b.to_lowercase())
    };
    match op {
        CompareOp::Co => a.contains(&b),
        CompareOp::Sw => a.starts_with(&b),
        CompareOp::Ew => a.ends_with(&b),
        _ => false,
    }
}

/// Case-insensitive equality without allocating for ASCII text.
fn eq_ci(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    // Differently cased non-ASCII letters can still be equal.
    !(a.is_ascii() && b.is_ascii()) && a.to_lowercase() == b.to_lowercase()
}

fn cmp_ci(a: &str, b: &str) -> Ordering {
    if a.eq_ignore_ascii_case(b) {
        return Ordering::Equal;
    }
    a.to_lowercase().cmp(&b.to_lowercase())
}

fn instant(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(s).ok()
}

/// The value a filter describes, for [`crate::Compat::create_on_filter_miss`]:
/// `type eq "work"` (or several such terms joined by `and`) gives
/// `{"type": "work"}`. Any other filter describes no single value.
pub(crate) fn value_described(f: &Filter<'_>, attr: &AttributeDef) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    let terms: &[Filter<'_>] = match f {
        Filter::And(v) => v,
        single => std::slice::from_ref(single),
    };
    for t in terms {
        let Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } = t
        else {
            return None;
        };
        let def = attr.sub_attribute(&path.attr)?;
        let v = match value {
            CompValue::String(s) => Value::String(s.to_string()),
            CompValue::Bool(b) => Value::Bool(*b),
            CompValue::Number(n) => serde_json::from_str(n.as_str()).ok()?,
            CompValue::Null => return None,
        };
        out.insert(def.name.clone(), v);
    }
    Some(out)
}
