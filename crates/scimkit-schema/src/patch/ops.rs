//! The three operations on one resolved target (RFC 7644 §3.5.2.1 `add`,
//! §3.5.2.2 `remove`, §3.5.2.3 `replace`), with the mutability rules of
//! RFC 7643 §2.2 and the "primary" rule of §2.4.
//!
//! Split by target kind: a whole attribute (`whole`: simple, complex or
//! multi-valued, no filter, no sub-attribute), a sub-attribute without a
//! filter (`sub`), values selected by a filter (`filtered`) and runs of
//! removals by value through one index of the values (`index`). `write`
//! holds the journaled writes they all use; whole extensions are
//! `super::no_path`.

mod filtered;
mod index;
mod sub;
mod whole;
mod write;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use scimkit_filter::Filter;

use super::journal::{Ext, Journal, container, container_mut, index_of};
use super::seen::{Seen, SeenCache};
use super::value::{field, field_exact_mut, has_exact};
use super::{select, value};
use crate::messages::PatchOpKind;
use crate::{AttributeDef, Compat, Mutability, ScimError};

use filtered::filtered;
use index::indexable;
pub(crate) use index::{ValueIndex, remove_run};
use sub::{set_sub_in, sub_attr};
use whole::{add_values, cur_len, remove_indices, whole};

/// The state one request works on.
pub(crate) struct Cx<'a, 's> {
    pub(crate) root: &'a mut Map<String, Value>,
    pub(crate) j: &'a mut Journal<'s>,
    pub(crate) compat: &'a Compat,
}

/// A resolved operation target.
pub(crate) struct Target<'s, 'p> {
    /// The extension URI (canonical) holding the attribute, if any.
    pub(crate) ext: Ext<'s>,
    /// The top-level attribute.
    pub(crate) attr: &'s AttributeDef,
    /// The sub-attribute, when the path names one.
    pub(crate) sub: Option<&'s AttributeDef>,
    /// The value filter, when the path has one.
    pub(crate) filter: Option<&'p Filter<'p>>,
    /// The path as written, for error details.
    pub(crate) at: &'p str,
}

/// The name under which a top-level attribute is reported as changed.
pub(crate) fn name_of(ext: Ext<'_>, key: &str) -> String {
    match ext {
        Some(uri) => format!("{uri}:{key}"),
        None => key.to_owned(),
    }
}

fn mutability_err(t: &Target<'_, '_>, def: &AttributeDef) -> ScimError {
    let what = match def.mutability {
        Mutability::ReadOnly => "readOnly",
        Mutability::Immutable => "immutable and already set",
        _ => "not modifiable",
    };
    ScimError::mutability(format!("{}: attribute {} is {what}", t.at, def.name))
}

/// The definition that forbids the operation on `t` whatever the resource
/// holds: a `readOnly` attribute or sub-attribute, and for `remove` an
/// `immutable` one. Checked before looking for a target, so that a PATCH on
/// `groups.value` is `400 mutability` whether or not the user has groups
/// (RFC 7644 §3.5.2: "mutability" comes from the attribute's definition;
/// `noTarget` is for a path that could be applied but finds nothing).
fn locked_definition<'s>(t: &Target<'s, '_>, kind: PatchOpKind) -> Option<ScimError> {
    let locked = |d: &AttributeDef| {
        d.mutability == Mutability::ReadOnly
            || (kind == PatchOpKind::Remove && d.mutability == Mutability::Immutable)
    };
    let def = if locked(t.attr) {
        t.attr
    } else {
        t.sub.filter(|s| locked(s))?
    };
    Some(match def.mutability {
        Mutability::Immutable => ScimError::mutability(format!(
            "{}: attribute {} is immutable; its values cannot be removed",
            t.at, def.name
        )),
        _ => mutability_err(t, def),
    })
}

fn is_set(v: Option<&Value>) -> bool {
    !matches!(v, None | Some(Value::Null))
}

fn is_members(t: &Target<'_, '_>) -> bool {
    t.ext.is_none() && t.attr.name == "members"
}

fn member_id(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => field(m, "value").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn member_ids(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().filter_map(member_id).collect(),
        _ => Vec::new(),
    }
}

/// How values of a multi-valued attribute are compared: by `value` (with
/// its case-exactness) when it has that sub-attribute.
fn value_rule(attr: &AttributeDef) -> Option<bool> {
    attr.sub_attribute("value").map(|d| d.case_exact)
}

fn is_primary(v: &Value) -> bool {
    matches!(v, Value::Object(m) if matches!(field(m, "primary"), Some(Value::Bool(true))))
}

/// Clears `primary` on every value but `keep` (RFC 7643 §2.4: "true" MUST
/// appear no more than once).
fn clear_primary_except(items: &mut [Value], keep: usize) {
    for (i, v) in items.iter_mut().enumerate() {
        if i != keep
            && is_primary(v)
            && let Value::Object(m) = v
        {
            m.insert("primary".to_owned(), Value::Bool(false));
        }
    }
}

/// Sets (`Some`) or removes (`None`) `key` of a complex value, returning
/// the journal's record of the old value (position, value).
fn put(m: &mut Map<String, Value>, key: &str, new: Option<Value>) -> Option<(usize, Value)> {
    match new {
        Some(v) => match field_exact_mut(m, key) {
            Some(slot) => Some((0, std::mem::replace(slot, v))),
            None => {
                m.insert(key.to_owned(), v);
                None
            }
        },
        None => {
            let i = index_of(m, key);
            m.shift_remove(key).map(|old| (i, old))
        }
    }
}

/// Whether `key` is in `m` with exactly this spelling or not at all (then a
/// write can be journaled per key; otherwise the attribute is snapshotted).
fn exact_or_absent(m: &Map<String, Value>, key: &str) -> bool {
    m.contains_key(key) || field(m, key).is_none()
}

/// Applies one operation to a resolved target.
pub(crate) fn apply_target<'s>(
    cx: &mut Cx<'_, 's>,
    kind: PatchOpKind,
    t: &Target<'s, '_>,
    v: Option<&Value>,
) -> Result<(), ScimError> {
    if kind != PatchOpKind::Remove && v.is_none() {
        return Err(ScimError::invalid_value(format!(
            "{}: {} requires a value",
            t.at,
            kind.as_str()
        )));
    }
    if kind != PatchOpKind::Add || t.filter.is_some() || t.sub.is_some() {
        // Only an `add` of whole values keeps the value set of `add_values`.
        cx.j.seen = None;
    }
    if t.filter.is_none() {
        // Only filtered operations keep (and check) the value index.
        cx.j.index = None;
    }
    match (t.filter, t.sub) {
        (Some(f), _) => filtered(cx, kind, t, f, v),
        (None, Some(sub)) => sub_attr(cx, kind, t, sub, v),
        (None, None) => whole(cx, kind, t, v),
    }
}
