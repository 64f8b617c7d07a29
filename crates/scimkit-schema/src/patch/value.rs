//! Type-checks PATCH values against the schema (RFC 7643 §2.3 data types,
//! §2.4 multi-valued attributes) and writes complex values with the schema's
//! canonical key case.
//!
//! Leniencies applied here: [`Compat::bool_strings`] (only for attributes
//! whose type is boolean) and [`Compat::manager_as_string`].

use serde_json::{Map, Value};

use crate::{AttrType, AttributeDef, Compat, Mutability, ScimError, json_kind};

/// Checks `v` against `def` (an array for a multi-valued attribute) and
/// returns it in canonical form. `at` names the location for errors.
pub(crate) fn coerce(
    def: &AttributeDef,
    v: &Value,
    compat: &Compat,
    at: &str,
) -> Result<Value, ScimError> {
    if def.multi_valued {
        match v {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if !item.is_null() {
                        out.push(coerce_single(def, item, compat, at)?);
                    }
                }
                Ok(Value::Array(out))
            }
            other => Err(ScimError::invalid_value(format!(
                "{at} is multi-valued: the value must be an array, not {}",
                json_kind(other)
            ))),
        }
    } else {
        coerce_single(def, v, compat, at)
    }
}

/// Checks one value (an element, for a multi-valued attribute).
pub(crate) fn coerce_single(
    def: &AttributeDef,
    v: &Value,
    compat: &Compat,
    at: &str,
) -> Result<Value, ScimError> {
    let ok = match (def.attr_type, v) {
        (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(_)) => true,
        (AttrType::DateTime, Value::String(s)) => {
            if is_datetime(s) {
                true
            } else {
                return Err(ScimError::invalid_value(format!(
                    "{at} must be an xsd:dateTime (e.g. 2015-09-07T12:00:00Z), not {s:?}"
                )));
            }
        }
        (AttrType::Boolean, Value::Bool(_)) => true,
        (AttrType::Boolean, Value::String(s)) if compat.bool_strings => {
            if s.eq_ignore_ascii_case("true") {
                crate::Switch::BoolStrings.record();
                return Ok(Value::Bool(true));
            }
            if s.eq_ignore_ascii_case("false") {
                crate::Switch::BoolStrings.record();
                return Ok(Value::Bool(false));
            }
            false
        }
        (AttrType::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (AttrType::Decimal, Value::Number(_)) => true,
        (AttrType::Complex, Value::Object(m)) => return complex(def, m, compat, at),
        (AttrType::Complex, Value::String(s)) if is_manager(def) && compat.manager_as_string => {
            crate::Switch::ManagerAsString.record();
            let mut m = Map::new();
            m.insert("value".to_owned(), Value::String(s.clone()));
            return Ok(Value::Object(m));
        }
        _ => false,
    };
    if ok {
        Ok(v.clone())
    } else {
        Err(ScimError::invalid_value(format!(
            "{at} must be of type {}, not {}",
            def.attr_type.as_str(),
            json_kind(v)
        )))
    }
}

fn complex(
    def: &AttributeDef,
    m: &Map<String, Value>,
    compat: &Compat,
    at: &str,
) -> Result<Value, ScimError> {
    let mut out = Map::with_capacity(m.len());
    for (k, sv) in m {
        let Some(sub) = def.sub_attribute(k) else {
            return Err(ScimError::invalid_value(format!(
                "{at} has no sub-attribute {k:?}"
            )));
        };
        // Null means unassigned (RFC 7643 §2.5); readOnly values sent by a
        // client are ignored (RFC 7643 §2.2).
        if sv.is_null() || sub.mutability == Mutability::ReadOnly {
            continue;
        }
        let sub_at = format!("{at}.{}", sub.name);
        let v = coerce(sub, sv, compat, &sub_at)?;
        out.insert(sub.name.clone(), v);
    }
    Ok(Value::Object(out))
}

/// Whether `def` is the Enterprise User `manager` (complex with a `value`).
fn is_manager(def: &AttributeDef) -> bool {
    def.name.eq_ignore_ascii_case("manager") && def.sub_attribute("value").is_some()
}

/// Whether `s` is an `xsd:dateTime` (RFC 7643 §2.3.5): `YYYY-MM-DDThh:mm:ss`
/// with optional fraction and optional zone.
pub(crate) fn is_datetime(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

/// `name` in a JSON object: a linear scan for the small objects of resources
/// and complex values (cheaper than hashing a 60-byte extension URI), exact spelling first, then any case
/// (RFC 7643 §2.1).
#[inline]
pub(crate) fn field<'m>(m: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    if m.len() > 32 {
        return crate::get_ci(m, name).map(|(_, v)| v);
    }
    m.iter()
        .find(|(k, _)| k.as_str() == name)
        .or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .map(|(_, v)| v)
}

/// `name` in a JSON object with exactly this spelling, mutable (linear scan
/// for small objects, like [`field`]).
#[inline]
pub(crate) fn field_exact_mut<'m>(
    m: &'m mut Map<String, Value>,
    name: &str,
) -> Option<&'m mut Value> {
    if m.len() > 32 {
        return m.get_mut(name);
    }
    m.iter_mut()
        .find(|(k, _)| k.as_str() == name)
        .map(|(_, v)| v)
}

/// Whether `name` is a key of the object with exactly this spelling.
#[inline]
pub(crate) fn has_exact(m: &Map<String, Value>, name: &str) -> bool {
    if m.len() > 32 {
        return m.contains_key(name);
    }
    m.keys().any(|k| k.as_str() == name)
}
