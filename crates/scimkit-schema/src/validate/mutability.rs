//! readOnly and immutable attributes compared with the stored resource
//! (RFC 7643 §2.2 `mutability`; RFC 7644 §3.5.1 for PUT, §3.5.2 for PATCH).
//!
//! - readOnly, replace: "Any values provided SHALL be ignored": the client's
//!   value was dropped by the walk, the stored one is put back.
//! - readOnly, PATCH result: a top-level readOnly value that differs from the
//!   original is `400 mutability` ("a client MUST NOT modify an attribute that
//!   has mutability readOnly"). readOnly sub-attributes are the service's to
//!   maintain and are not compared.
//! - immutable: "If one or more values are already set for the attribute, the
//!   input value(s) MUST match" (`400 mutability`); an unassigned immutable may
//!   be set. Omitted on replace, the stored value is kept (the client did not
//!   assert it); removed by a PATCH, it is `400 mutability`.
//! - Immutable sub-attributes of single-valued complex attributes are compared
//!   the same way. Those of multi-valued attributes (`members.value`) are not:
//!   values of a multi-valued attribute have no identity apart from their
//!   content, so adding and removing members is what such a change is.

use serde_json::{Map, Value};

use super::loc::Loc;
use super::object::unassigned;
use super::{Cx, RequestKind, schemas};
use crate::{AttributeDef, Mutability, ScimError, common_attributes, get_ci};

/// Compares with the stored resource on replace and PATCH results.
pub(crate) fn check(map: &mut Map<String, Value>, cx: &Cx<'_>) -> Result<(), ScimError> {
    let Some(before) = cx.kind.before() else {
        return Ok(());
    };
    let patch = matches!(cx.kind, RequestKind::PatchResult { .. });
    let old = before.as_map();
    for def in common_attributes().iter().chain(&cx.rs.base().attributes) {
        if concerned(def) {
            attr(map, Some(old), None, def, patch)?;
        }
    }
    for (ext, _) in cx.rs.extensions() {
        if !ext.attributes.iter().any(concerned) {
            continue;
        }
        let id = ext.id.as_str();
        let old_ext = match get_ci(old, id) {
            Some((_, Value::Object(m))) => Some(m),
            _ => None,
        };
        let mut scratch = Map::new();
        let new_ext = match map.get_mut(id) {
            Some(Value::Object(m)) => m,
            _ => &mut scratch,
        };
        for def in ext.attributes.iter().filter(|d| concerned(d)) {
            attr(new_ext, old_ext, Some(id), def, patch)?;
        }
        if !scratch.is_empty() {
            map.insert(id.to_owned(), Value::Object(scratch));
            schemas::ensure_listed(map, id);
        }
    }
    Ok(())
}

/// Whether `def` (or one of its sub-attributes) is readOnly or immutable.
fn concerned(def: &AttributeDef) -> bool {
    def.mutability == Mutability::ReadOnly
        || def.mutability == Mutability::Immutable
        || (!def.multi_valued
            && def
                .sub_attributes
                .iter()
                .any(|s| s.mutability == Mutability::Immutable))
}

fn assigned<'v>(m: Option<&'v Map<String, Value>>, name: &str) -> Option<&'v Value> {
    m.and_then(|m| get_ci(m, name))
        .map(|(_, v)| v)
        .filter(|v| !unassigned(v))
}

fn attr(
    new: &mut Map<String, Value>,
    old: Option<&Map<String, Value>>,
    ext: Option<&str>,
    def: &AttributeDef,
    patch: bool,
) -> Result<(), ScimError> {
    let loc = Loc::attr(ext, &def.name);
    let old_v = assigned(old, &def.name);
    match def.mutability {
        Mutability::ReadOnly if patch => {
            if !same_opt(def, old_v, new.get(&def.name)) {
                return Err(ScimError::mutability(format!(
                    "{loc} is readOnly and cannot be changed"
                )));
            }
            Ok(())
        }
        Mutability::ReadOnly => {
            if let Some(o) = old_v {
                new.insert(def.name.clone(), o.clone());
            }
            Ok(())
        }
        Mutability::Immutable => immutable(new, old_v, def, loc, patch),
        _ => {
            let old_obj = match old_v {
                Some(Value::Object(m)) => Some(m),
                _ => None,
            };
            for sub in &def.sub_attributes {
                if sub.mutability != Mutability::Immutable {
                    continue;
                }
                let old_s = assigned(old_obj, &sub.name);
                let mut scratch = Map::new();
                let new_obj = match new.get_mut(&def.name) {
                    Some(Value::Object(m)) => m,
                    _ => &mut scratch,
                };
                immutable(new_obj, old_s, sub, loc.sub(&sub.name), patch)?;
                if !scratch.is_empty() {
                    new.insert(def.name.clone(), Value::Object(scratch));
                }
            }
            Ok(())
        }
    }
}

fn immutable(
    new: &mut Map<String, Value>,
    old_v: Option<&Value>,
    def: &AttributeDef,
    loc: Loc<'_>,
    patch: bool,
) -> Result<(), ScimError> {
    let Some(o) = old_v else {
        return Ok(());
    };
    match new.get(&def.name) {
        Some(n) if same(def, o, n) => Ok(()),
        Some(_) => Err(ScimError::mutability(format!(
            "{loc} is immutable and already set; it cannot be changed"
        ))),
        None if patch => Err(ScimError::mutability(format!(
            "{loc} is immutable and cannot be removed"
        ))),
        None => {
            new.insert(def.name.clone(), o.clone());
            Ok(())
        }
    }
}

fn same_opt(def: &AttributeDef, a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same(def, a, b),
        (Some(v), None) | (None, Some(v)) => unassigned(v),
    }
}

/// Equality with the attribute's `caseExact` for strings (RFC 7643 §2.2).
fn same(def: &AttributeDef, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !def.case_exact => {
            x.eq_ignore_ascii_case(y) || x.to_lowercase() == y.to_lowercase()
        }
        _ => a == b,
    }
}
