//! Type checks and coercions of attribute values (RFC 7643 §2.3, §2.4).

use serde_json::{Map, Value};

use super::loc::Loc;
use super::{Cx, object};
use crate::{AttrType, AttributeDef, ENTERPRISE_USER_SCHEMA, ScimError, json_kind};

/// Checks `v` against `def` (multi-valued or not) and coerces it in place.
pub(crate) fn check(
    def: &AttributeDef,
    v: &mut Value,
    loc: Loc<'_>,
    cx: &Cx<'_>,
) -> Result<(), ScimError> {
    if !def.multi_valued {
        return single(def, v, loc, cx);
    }
    let Value::Array(items) = v else {
        return Err(ScimError::invalid_value(format!(
            "{loc} is multi-valued and must be an array, not {}",
            json_kind(v)
        )));
    };
    let mut emptied = false;
    for (i, item) in items.iter_mut().enumerate() {
        if !item.is_null() {
            single(def, item, loc.at(i), cx)?;
        }
        emptied |= object::unassigned(item);
    }
    if emptied {
        items.retain(|item| !object::unassigned(item));
    }
    if def.is_complex() {
        one_primary(items, loc)?;
    }
    Ok(())
}

/// RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once."
fn one_primary(items: &[Value], loc: Loc<'_>) -> Result<(), ScimError> {
    let mut first = None;
    for (i, item) in items.iter().enumerate() {
        if let Value::Object(m) = item
            && m.get("primary") == Some(&Value::Bool(true))
        {
            if let Some(f) = first {
                return Err(ScimError::invalid_value(format!(
                    "{}: only one value of {loc} may be primary, {} already is (RFC 7643 §2.4)",
                    loc.at(i).sub("primary"),
                    loc.at(f)
                )));
            }
            first = Some(i);
        }
    }
    Ok(())
}

fn mismatch(loc: Loc<'_>, what: &str, v: &Value) -> ScimError {
    ScimError::invalid_value(format!("{loc} must be {what}, not {}", json_kind(v)))
}

/// Checks one (non-null) value of `def`'s type.
fn single(def: &AttributeDef, v: &mut Value, loc: Loc<'_>, cx: &Cx<'_>) -> Result<(), ScimError> {
    match def.attr_type {
        AttrType::String | AttrType::Reference => match v {
            Value::String(s) if s.contains('\0') => Err(ScimError::invalid_value(format!(
                "{loc} contains U+0000 (NUL), which no string value may hold"
            ))),
            Value::String(_) => Ok(()),
            _ => Err(mismatch(loc, "a string", v)),
        },
        AttrType::Binary => match v {
            Value::String(s) if is_base64(s.as_bytes()) => Ok(()),
            Value::String(_) => Err(ScimError::invalid_value(format!(
                "{loc} must be base64 (RFC 4648 §4, with padding, no line breaks)"
            ))),
            _ => Err(mismatch(loc, "a base64 string", v)),
        },
        AttrType::DateTime => match v {
            Value::String(s) if is_date_time(s) => Ok(()),
            Value::String(s) => Err(ScimError::invalid_value(format!(
                "{loc} must be an xsd:dateTime such as 2008-01-23T04:56:22Z, not {s:?}"
            ))),
            _ => Err(mismatch(loc, "a dateTime string", v)),
        },
        AttrType::Boolean => match v {
            Value::Bool(_) => Ok(()),
            Value::String(s) if cx.compat.bool_strings => {
                if s.eq_ignore_ascii_case("true") {
                    crate::Switch::BoolStrings.record();
                    *v = Value::Bool(true);
                    Ok(())
                } else if s.eq_ignore_ascii_case("false") {
                    crate::Switch::BoolStrings.record();
                    *v = Value::Bool(false);
                    Ok(())
                } else {
                    Err(ScimError::invalid_value(format!(
                        "{loc} must be a boolean, not the string {s:?}"
                    )))
                }
            }
            _ => Err(mismatch(loc, "a boolean", v)),
        },
        AttrType::Integer => match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            Value::Number(n) => Err(ScimError::invalid_value(format!(
                "{loc} must be an integer without a fraction or exponent, not {n}"
            ))),
            _ => Err(mismatch(loc, "an integer", v)),
        },
        AttrType::Decimal => match v {
            Value::Number(_) => Ok(()),
            _ => Err(mismatch(loc, "a decimal number", v)),
        },
        AttrType::Complex => {
            if let Value::String(s) = v
                && cx.compat.manager_as_string
                && is_enterprise_manager(def, loc)
            {
                crate::Switch::ManagerAsString.record();
                let mut m = Map::new();
                m.insert("value".to_owned(), Value::String(std::mem::take(s)));
                *v = Value::Object(m);
            }
            let Value::Object(m) = v else {
                return Err(mismatch(loc, "an object (complex attribute)", v));
            };
            object::complex(m, def, loc, cx)?;
            if !m.is_empty() {
                required_subs(def, m, loc)?;
            }
            Ok(())
        }
    }
}

/// Required sub-attributes of a present complex value (RFC 7643 §2.2 `required`).
fn required_subs(
    def: &AttributeDef,
    m: &Map<String, Value>,
    loc: Loc<'_>,
) -> Result<(), ScimError> {
    for sub in &def.sub_attributes {
        if sub.required
            && sub.mutability != crate::Mutability::ReadOnly
            && !m.contains_key(&sub.name)
        {
            return Err(ScimError::invalid_value(format!(
                "required attribute {} is missing",
                loc.sub(&sub.name)
            )));
        }
    }
    Ok(())
}

fn is_enterprise_manager(def: &AttributeDef, loc: Loc<'_>) -> bool {
    loc.sub.is_none()
        && def.name == "manager"
        && loc
            .ext
            .is_some_and(|e| e.eq_ignore_ascii_case(ENTERPRISE_USER_SCHEMA))
}

/// Base64 with the standard alphabet and padding (RFC 4648 §4), as RFC 7643 §2.3.6 requires.
pub(crate) fn is_base64(b: &[u8]) -> bool {
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return false;
    }
    b[..b.len() - pad]
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

/// An `xsd:dateTime` (RFC 7643 §2.3.5): date and time, optional fraction,
/// optional zone (`Z` or `±hh:mm`).
pub(crate) fn is_date_time(s: &str) -> bool {
    if s.as_bytes().get(10) != Some(&b'T') {
        return false;
    }
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}
