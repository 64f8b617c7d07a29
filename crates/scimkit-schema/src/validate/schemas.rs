//! The `schemas` attribute (RFC 7643 §3): it lists the base schema and the
//! URI of every extension whose attributes the resource carries.
//!
//! URIs are rewritten in their registered case and duplicates are dropped.
//! A URI the resource type does not know is dropped when
//! [`Compat::ignore_unknown_attributes`](crate::Compat::ignore_unknown_attributes)
//! is on and `400 invalidValue` otherwise. In a PATCH result the service, not
//! the client, keeps `schemas` in step with the extension objects, so a
//! missing extension URI is added there rather than rejected.

use serde_json::{Map, Value};

use super::{Cx, RequestKind};
use crate::ScimError;

/// Checks and normalises `schemas`, after the object walk.
pub(crate) fn check(map: &mut Map<String, Value>, cx: &Cx<'_>) -> Result<(), ScimError> {
    let rs = cx.rs;
    let base = rs.base().id.as_str();
    let Some(Value::Array(list)) = map.get_mut("schemas") else {
        return Err(ScimError::invalid_value(format!(
            "schemas is required and must list {base}"
        )));
    };
    let canonical = |uri: &str| -> Option<&str> { rs.schema(uri).map(|s| s.id.as_str()) };
    let mut tidy = true;
    // The canonical URIs met so far: at most one per schema of the resource
    // type, so a list of thousands of copies costs thousands of steps.
    let mut seen: Vec<&str> = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let Some(uri) = v.as_str() else { continue };
        match canonical(uri) {
            Some(c) => {
                let dup = seen.contains(&c);
                if !dup {
                    seen.push(c);
                }
                tidy &= c == uri && !dup;
            }
            None if cx.compat.ignore_unknown_attributes => {
                crate::Switch::IgnoreUnknownAttributes.record();
                tidy = false;
            }
            None => {
                return Err(ScimError::invalid_value(format!(
                    "schemas[{i}]: {uri} is not a schema of resource type {}",
                    rs.name()
                )));
            }
        }
    }
    if !tidy {
        let old = std::mem::take(list);
        for v in old {
            if let Some(c) = v.as_str().and_then(canonical)
                && !list.iter().any(|p| p.as_str() == Some(c))
            {
                list.push(Value::String(c.to_owned()));
            }
        }
    }
    if !list.iter().any(|v| v.as_str() == Some(base)) {
        return Err(ScimError::invalid_value(format!(
            "schemas must list the base schema {base} of resource type {}",
            rs.name()
        )));
    }
    let patch = matches!(cx.kind, RequestKind::PatchResult { .. });
    let mut missing: Vec<&str> = Vec::new();
    for (ext, _) in rs.extensions() {
        let id = ext.id.as_str();
        if map.contains_key(id) && !list_has(map, id) {
            if !patch {
                return Err(ScimError::invalid_value(format!(
                    "schemas must list {id}, whose attributes the resource carries"
                )));
            }
            missing.push(id);
        }
    }
    if let Some(Value::Array(list)) = map.get_mut("schemas") {
        list.extend(missing.into_iter().map(|id| Value::String(id.to_owned())));
    }
    Ok(())
}

fn list_has(map: &Map<String, Value>, uri: &str) -> bool {
    matches!(map.get("schemas"), Some(Value::Array(l)) if l.iter().any(|v| v.as_str() == Some(uri)))
}

/// Adds `uri` to `schemas` when it is not listed yet (used when the service
/// itself puts values into an extension object).
pub(crate) fn ensure_listed(map: &mut Map<String, Value>, uri: &str) {
    if !list_has(map, uri)
        && let Some(Value::Array(list)) = map.get_mut("schemas")
    {
        list.push(Value::String(uri.to_owned()));
    }
}
