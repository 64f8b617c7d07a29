//! Walks the JSON objects of a resource (RFC 7643 §2.1, §2.5, §3.1, §3.3):
//! maps each key to its definition, writes keys in canonical case, drops
//! unassigned values, client-sent readOnly values and unknown attributes.
//!
//! The map is rebuilt only when a key is renamed or dropped; otherwise values
//! are checked and coerced in place.

use serde_json::{Map, Value};

use super::loc::Loc;
use super::{Cx, value};
use crate::{AttributeDef, Mutability, Schema, ScimError, common_attributes};

/// The object being walked.
#[derive(Clone, Copy)]
enum Level<'s, 'l> {
    /// The resource itself: common attributes, base schema, extension objects.
    Top,
    /// An extension object.
    Ext(&'s Schema),
    /// The value of a complex attribute (or one element of a multi-valued one).
    Sub {
        parent: Loc<'l>,
        defs: &'s [AttributeDef],
    },
}

/// What a key is.
#[derive(Clone, Copy)]
enum Slot<'s> {
    Attr(&'s AttributeDef),
    Ext(&'s Schema),
    Unknown,
}

/// Normalises the top level of a resource.
pub(crate) fn top(map: &mut Map<String, Value>, cx: &Cx<'_>) -> Result<(), ScimError> {
    walk(map, Level::Top, cx)
}

/// Normalises the object of a complex value whose location is `parent`.
pub(crate) fn complex(
    map: &mut Map<String, Value>,
    def: &AttributeDef,
    parent: Loc<'_>,
    cx: &Cx<'_>,
) -> Result<(), ScimError> {
    walk(
        map,
        Level::Sub {
            parent,
            defs: &def.sub_attributes,
        },
        cx,
    )
}

/// Whether a value is unassigned (RFC 7643 §2.5): `null`, `[]` or `{}`.
pub(crate) fn unassigned(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn classify<'s>(level: Level<'s, '_>, key: &str, cx: &Cx<'s>) -> Slot<'s> {
    let found = match level {
        Level::Top => {
            if let Some(a) = common_attributes()
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(key))
            {
                return Slot::Attr(a);
            }
            if let Some(a) = cx.rs.base().attribute(key) {
                return Slot::Attr(a);
            }
            return match cx.rs.extension(key) {
                Some(s) => Slot::Ext(s),
                None => Slot::Unknown,
            };
        }
        Level::Ext(s) => s.attribute(key),
        Level::Sub { defs, .. } => defs.iter().find(|a| a.name.eq_ignore_ascii_case(key)),
    };
    found.map_or(Slot::Unknown, Slot::Attr)
}

fn loc_of<'l>(level: Level<'l, 'l>, name: &'l str) -> Loc<'l> {
    match level {
        Level::Top => Loc::attr(None, name),
        Level::Ext(s) => Loc::attr(Some(s.id.as_str()), name),
        Level::Sub { parent, .. } => parent.sub(name),
    }
}

/// The canonical key to keep the entry under, or `None` to drop it. Pure in
/// the (already checked) value, so the rebuild pass can recompute it.
fn keep<'s>(slot: Slot<'s>, v: &Value, cx: &Cx<'_>) -> Option<&'s str> {
    match slot {
        Slot::Attr(def) => {
            if unassigned(v) || (def.mutability == Mutability::ReadOnly && cx.drops_read_only()) {
                None
            } else {
                Some(def.name.as_str())
            }
        }
        Slot::Ext(s) => match v {
            Value::Object(m) if !m.is_empty() => Some(s.id.as_str()),
            _ => None,
        },
        Slot::Unknown => None,
    }
}

fn walk(map: &mut Map<String, Value>, level: Level<'_, '_>, cx: &Cx<'_>) -> Result<(), ScimError> {
    let mut rebuild = false;
    for (key, v) in map.iter_mut() {
        let slot = classify(level, key, cx);
        match slot {
            Slot::Attr(def) => {
                // readOnly values are the service's: dropped when a client sends
                // them, left alone in a PATCH result (compared in `mutability`).
                if !v.is_null() && def.mutability != Mutability::ReadOnly {
                    value::check(def, v, loc_of(level, &def.name), cx)?;
                }
            }
            Slot::Ext(s) => match v {
                Value::Null => {}
                Value::Object(m) => walk(m, Level::Ext(s), cx)?,
                other => {
                    return Err(ScimError::invalid_value(format!(
                        "{} must be a JSON object holding the extension's attributes, not {}",
                        s.id,
                        crate::json_kind(other)
                    )));
                }
            },
            Slot::Unknown => {
                if !cx.compat.ignore_unknown_attributes {
                    return Err(unknown(level, key, cx));
                }
                crate::Switch::IgnoreUnknownAttributes.record();
            }
        }
        match keep(slot, v, cx) {
            Some(canon) if canon == key => {}
            _ => rebuild = true,
        }
    }
    if rebuild {
        let old = std::mem::take(map);
        for (key, v) in old {
            let slot = classify(level, &key, cx);
            if let Some(canon) = keep(slot, &v, cx)
                && map.insert(canon.to_owned(), v).is_some()
            {
                return Err(ScimError::invalid_syntax(format!(
                    "{} is given more than once (attribute names are case-insensitive)",
                    loc_of(level, canon)
                )));
            }
        }
    }
    Ok(())
}

fn unknown(level: Level<'_, '_>, key: &str, cx: &Cx<'_>) -> ScimError {
    let name = cx.rs.name();
    match level {
        Level::Top if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) => {
            ScimError::invalid_syntax(format!(
                "{key} is not a schema extension of resource type {name}"
            ))
        }
        _ => ScimError::invalid_syntax(format!(
            "attribute {} is not defined for resource type {name}",
            loc_of(level, key)
        )),
    }
}
