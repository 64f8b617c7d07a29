//! Required attributes and extensions (RFC 7643 §2.2 `required`, §3.3;
//! RFC 7644 §3.3 and §3.5.1: "If an attribute is required, clients MUST
//! specify the attribute in the PUT request").
//!
//! On create and replace every required (non-readOnly) attribute of the base
//! schema and of each present or required extension must have a value. A
//! PATCH result must keep each required attribute the original had (a stored
//! resource that predates a schema change is not rejected for it). Required
//! sub-attributes are checked where their parent value is (see `value`).

use serde_json::{Map, Value};

use super::loc::Loc;
use super::object::unassigned;
use super::{Cx, RequestKind};
use crate::{Mutability, Schema, ScimError, get_ci};

/// Checks required attributes and extensions, after every other pass.
pub(crate) fn check(map: &Map<String, Value>, cx: &Cx<'_>) -> Result<(), ScimError> {
    let original = match cx.kind {
        RequestKind::PatchResult { original } => Some(original.as_map()),
        _ => None,
    };
    schema(map, original, cx.rs.base(), None)?;
    for (ext, required) in cx.rs.extensions() {
        let id = ext.id.as_str();
        let new_ext = match map.get(id) {
            Some(Value::Object(m)) => Some(m),
            _ => None,
        };
        let old_ext = original.map(|o| match get_ci(o, id) {
            Some((_, Value::Object(m))) => Some(m),
            _ => None,
        });
        match (new_ext, old_ext) {
            (Some(m), old) => schema(m, old.flatten(), ext, Some(id))?,
            (None, Some(None)) => {}
            (None, _) if required => {
                return Err(ScimError::invalid_value(format!(
                    "the extension {id} is required for resource type {}",
                    cx.rs.name()
                )));
            }
            (None, _) => {}
        }
    }
    Ok(())
}

/// `original`: `None` for create and replace (everything is required);
/// `Some(map)` for a PATCH result (only what the original had).
fn schema(
    map: &Map<String, Value>,
    original: Option<&Map<String, Value>>,
    s: &Schema,
    ext: Option<&str>,
) -> Result<(), ScimError> {
    for def in &s.attributes {
        if !def.required || def.mutability == Mutability::ReadOnly || map.contains_key(&def.name) {
            continue;
        }
        let had =
            original.is_none_or(|o| get_ci(o, &def.name).is_some_and(|(_, v)| !unassigned(v)));
        if had {
            return Err(ScimError::invalid_value(format!(
                "required attribute {} is missing",
                Loc::attr(ext, &def.name)
            )));
        }
    }
    Ok(())
}
