//! Tolerant deserialisers shared by the messages: integers that arrive as
//! numbers or numeric strings, and status codes that arrive as numbers.

use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::Value;

/// Reads an integer sent as a JSON number (integral) or a numeric string.
fn to_i64<E: serde::de::Error>(v: &Value, what: &str) -> Result<Option<i64>, E> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else if let Some(u) = n.as_u64() {
                Ok(Some(i64::try_from(u).unwrap_or(i64::MAX)))
            } else {
                match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                    _ => Err(E::custom(format!("{what} must be an integer, not {n}"))),
                }
            }
        }
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| E::custom(format!("{what} must be an integer, not {s:?}"))),
        other => Err(E::custom(format!(
            "{what} must be an integer, not {}",
            crate::json_kind(other)
        ))),
    }
}

/// A non-negative integer (number or numeric string); negative values are an error.
pub(crate) fn u64_req<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    opt_u64(d).map(Option::unwrap_or_default)
}

/// An optional non-negative integer (number, numeric string or null).
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Value::deserialize(d)?;
    match to_i64::<D::Error>(&v, "the value")? {
        None => Ok(None),
        Some(i) => u64::try_from(i)
            .map(Some)
            .map_err(|_| D::Error::custom(format!("the value must not be negative, not {i}"))),
    }
}

/// `startIndex` (RFC 7644 §3.4.2.4): "A value less than 1 SHALL be interpreted as 1."
pub(crate) fn start_index<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(to_i64::<D::Error>(&v, "startIndex")?.map(|i| u64::try_from(i.max(1)).unwrap_or(1)))
}

/// `count` (RFC 7644 §3.4.2.4): "A negative value SHALL be interpreted as 0."
pub(crate) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(to_i64::<D::Error>(&v, "count")?.map(|i| u64::try_from(i.max(0)).unwrap_or(0)))
}

/// An HTTP status sent as a string (`"201"`, the RFC's form) or a number (`201`).
pub(crate) fn status<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(D::Error::custom(format!(
            "status must be a string or a number, not {}",
            crate::json_kind(&other)
        ))),
    }
}

/// A list of attribute names: a JSON array of strings (RFC 7644 §3.4.3) or,
/// tolerated, one comma-separated string as in the query parameter form.
pub(crate) fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                other => Err(D::Error::custom(format!(
                    "attribute names must be strings, not {}",
                    crate::json_kind(&other)
                ))),
            })
            .collect(),
        other => Err(D::Error::custom(format!(
            "attribute names must be an array of strings, not {}",
            crate::json_kind(&other)
        ))),
    }
}

/// `supported` and other booleans: a JSON boolean or, tolerated, `"true"`/`"false"` in any case.
pub(crate) fn bool_req<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Value::deserialize(d)? {
        Value::Bool(b) => Ok(b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(D::Error::custom(format!(
            "expected a boolean, not {}",
            crate::json_kind(&other)
        ))),
    }
}
