//! The three operations on one resolved target (RFC 7644 §3.5.2.1 `add`,
//! §3.5.2.2 `remove`, §3.5.2.3 `replace`), with the mutability rules of
//! RFC 7643 §2.2 and the "primary" rule of §2.4.

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

impl<'s> Cx<'_, 's> {
    fn mark(&mut self, t: &Target<'s, '_>) {
        self.j.mark(t.ext, &t.attr.name);
    }

    /// Renames `key` in the container to `canonical` when it is spelled in
    /// another case, keeping its position.
    fn canonicalise(&mut self, ext: Ext<'s>, canonical: &'s str) {
        let Some(c) = container_mut(self.root, ext) else {
            return;
        };
        if has_exact(c, canonical) {
            return;
        }
        let Some(old_key) = c
            .keys()
            .find(|k| k.eq_ignore_ascii_case(canonical))
            .cloned()
        else {
            return;
        };
        let index = index_of(c, &old_key);
        let Some(v) = c.shift_remove(&old_key) else {
            return;
        };
        c.shift_insert(index, canonical.to_owned(), v.clone());
        self.j.replaced(ext, Cow::Owned(old_key), Some((index, v)));
        self.j.replaced(ext, Cow::Borrowed(canonical), None);
    }

    /// Makes sure the container exists (creating an extension object and
    /// listing its URI in `schemas`) and the attribute's key is canonical.
    fn prepare(&mut self, t: &Target<'s, '_>) -> Result<(), ScimError> {
        if let Some(uri) = t.ext {
            self.canonicalise(None, uri);
            match field(self.root, uri) {
                Some(Value::Object(_)) => {}
                Some(Value::Null) | None => {
                    let old = self
                        .root
                        .get(uri)
                        .map(|v| (index_of(self.root, uri), v.clone()));
                    self.root.insert(uri.to_owned(), Value::Object(Map::new()));
                    self.j.replaced(None, Cow::Borrowed(uri), old);
                    self.add_schema_uri(uri);
                }
                Some(_) => {
                    return Err(ScimError::invalid_value(format!(
                        "the resource's {uri} is not a JSON object"
                    )));
                }
            }
        }
        self.canonicalise(t.ext, &t.attr.name);
        Ok(())
    }

    fn add_schema_uri(&mut self, uri: &'s str) {
        self.canonicalise(None, "schemas");
        let listed = match self.root.get("schemas") {
            Some(Value::Array(a)) => a
                .iter()
                .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(uri))),
            _ => false,
        };
        if listed {
            return;
        }
        self.j.snapshot(self.root, None, "schemas");
        match self.root.get_mut("schemas") {
            Some(Value::Array(a)) => a.push(Value::String(uri.to_owned())),
            _ => {
                self.root.insert(
                    "schemas".to_owned(),
                    Value::Array(vec![Value::String(uri.to_owned())]),
                );
            }
        }
        self.j.mark(None, "schemas");
    }

    /// Removes an extension object that became empty, and its URI from `schemas`.
    fn drop_ext_if_empty(&mut self, ext: Ext<'s>) {
        let Some(uri) = ext else { return };
        if matches!(self.root.get(uri), Some(Value::Object(m)) if m.is_empty()) {
            self.remove_ext(uri);
        }
    }

    /// Removes an extension object and its URI from `schemas`.
    pub(crate) fn remove_ext(&mut self, uri: &'s str) {
        self.j.seen = None;
        self.j.index = None;
        self.canonicalise(None, uri);
        let index = index_of(self.root, uri);
        if let Some(old) = self.root.shift_remove(uri) {
            self.j
                .replaced(None, Cow::Borrowed(uri), Some((index, old)));
            self.j.mark(None, uri);
        }
        let listed = matches!(self.root.get("schemas"), Some(Value::Array(a))
            if a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(uri))));
        if listed {
            self.j.snapshot(self.root, None, "schemas");
            if let Some(Value::Array(a)) = self.root.get_mut("schemas") {
                a.retain(|s| !s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(uri)));
            }
            self.j.mark(None, "schemas");
        }
    }

    fn current(&self, t: &Target<'_, '_>) -> Option<&Value> {
        container(self.root, t.ext).and_then(|c| field(c, &t.attr.name))
    }

    fn slot(&mut self, t: &Target<'_, '_>) -> Option<&mut Value> {
        container_mut(self.root, t.ext).and_then(|c| field_exact_mut(c, &t.attr.name))
    }

    /// Sets the whole attribute (the old value is moved into the journal).
    fn set_whole(&mut self, t: &Target<'s, '_>, new: Value) -> Result<(), ScimError> {
        self.prepare(t)?;
        let Some(c) = container_mut(self.root, t.ext) else {
            return Ok(());
        };
        let key = t.attr.name.as_str();
        match field_exact_mut(c, key) {
            Some(slot) => {
                let old = std::mem::replace(slot, new);
                if !self.j.covered(t.ext, key) {
                    let index = index_of(c, key);
                    self.j
                        .replaced(t.ext, Cow::Borrowed(key), Some((index, old)));
                }
            }
            None => {
                c.insert(key.to_owned(), new);
                self.j.replaced(t.ext, Cow::Borrowed(key), None);
            }
        }
        self.mark(t);
        Ok(())
    }

    /// Removes the whole attribute.
    fn remove_whole(&mut self, t: &Target<'s, '_>) {
        self.canonicalise(t.ext, &t.attr.name);
        let Some(c) = container_mut(self.root, t.ext) else {
            return;
        };
        let index = index_of(c, &t.attr.name);
        if let Some(old) = c.shift_remove(&t.attr.name) {
            if is_members(t) {
                self.j.members_removed.extend(member_ids(&old));
            }
            self.j
                .replaced(t.ext, Cow::Borrowed(&t.attr.name), Some((index, old)));
            self.mark(t);
        }
        self.drop_ext_if_empty(t.ext);
    }
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

fn whole<'s>(
    cx: &mut Cx<'_, 's>,
    kind: PatchOpKind,
    t: &Target<'s, '_>,
    v: Option<&Value>,
) -> Result<(), ScimError> {
    let attr = t.attr;
    let Some(v) = v.filter(|_| kind != PatchOpKind::Remove) else {
        return remove(cx, t, v);
    };
    let new = value::coerce(attr, v, cx.compat, t.at)?;
    match new {
        Value::Array(items) if kind == PatchOpKind::Add => add_values(cx, t, items),
        Value::Object(m) if !attr.multi_valued => merge_complex(cx, t, m),
        new => {
            let cur = cx.current(t);
            if cur == Some(&new) {
                return Ok(());
            }
            if attr.mutability == Mutability::ReadOnly
                || (attr.mutability == Mutability::Immutable && is_set(cur))
            {
                return Err(mutability_err(t, attr));
            }
            if let Value::Array(items) = &new
                && items.iter().filter(|v| is_primary(v)).count() > 1
            {
                return Err(ScimError::invalid_value(format!(
                    "{}: more than one value has primary true",
                    t.at
                )));
            }
            if is_members(t) {
                let old = cur.map(member_ids).unwrap_or_default();
                let now = member_ids(&new);
                let (old_set, now_set): (HashSet<&String>, HashSet<&String>) =
                    (old.iter().collect(), now.iter().collect());
                let removed: Vec<String> = old
                    .iter()
                    .filter(|o| !now_set.contains(o))
                    .cloned()
                    .collect();
                let added: Vec<String> = now
                    .iter()
                    .filter(|n| !old_set.contains(n))
                    .cloned()
                    .collect();
                cx.j.members_removed.extend(removed);
                cx.j.members_added.extend(added);
            }
            cx.set_whole(t, new)
        }
    }
}

fn remove<'s>(cx: &mut Cx<'_, 's>, t: &Target<'s, '_>, v: Option<&Value>) -> Result<(), ScimError> {
    let listed = v.filter(|v| !v.is_null() && t.attr.multi_valued);
    if !is_set(cx.current(t)) {
        return Ok(());
    }
    if t.attr.mutability == Mutability::ReadOnly || t.attr.mutability == Mutability::Immutable {
        return Err(mutability_err(t, t.attr));
    }
    match listed {
        None => {
            cx.remove_whole(t);
            Ok(())
        }
        Some(_) if !cx.compat.remove_members_by_value => Err(ScimError::invalid_value(format!(
            "{}: remove takes no value; select the values to remove with a filter, e.g. {}[value eq \"…\"]",
            t.at, t.attr.name
        ))),
        Some(list) => remove_listed(cx, t, list),
    }
}

/// [`Compat::remove_members_by_value`]: removes only the listed values.
fn remove_listed<'s>(
    cx: &mut Cx<'_, 's>,
    t: &Target<'s, '_>,
    list: &Value,
) -> Result<(), ScimError> {
    let mut listed = Seen::new(value_rule(t.attr));
    match list {
        Value::Array(a) => a.iter().for_each(|l| {
            listed.insert(l);
        }),
        one => {
            listed.insert(one);
        }
    }
    let indices: Vec<usize> = match cx.current(t) {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter(|(_, e)| listed.contains(e))
            .map(|(i, _)| i)
            .collect(),
        _ => Vec::new(),
    };
    remove_indices(cx, t, &indices);
    Ok(())
}

fn remove_indices<'s>(cx: &mut Cx<'_, 's>, t: &Target<'s, '_>, indices: &[usize]) {
    if indices.is_empty() {
        return;
    }
    cx.canonicalise(t.ext, &t.attr.name);
    let members = is_members(t);
    let mut emptied = false;
    if let Some(Value::Array(a)) = cx.slot(t) {
        // One pass: keep what is not removed, move the rest out (ascending
        // `indices`, as every caller builds them).
        let old = std::mem::take(a);
        let mut removed = Vec::with_capacity(indices.len());
        let mut next = indices.iter().copied().peekable();
        a.reserve(old.len().saturating_sub(indices.len()));
        for (i, v) in old.into_iter().enumerate() {
            while next.next_if(|&r| r < i).is_some() {}
            if next.next_if_eq(&i).is_some() {
                removed.push((i, v));
            } else {
                a.push(v);
            }
        }
        emptied = a.is_empty();
        if members {
            cx.j.members_removed
                .extend(removed.iter().filter_map(|(_, old)| member_id(old)));
        }
        cx.j.removed_elems(t.ext, &t.attr.name, removed);
    }
    cx.mark(t);
    if emptied {
        // An emptied multi-valued attribute is unassigned (RFC 7644 §3.5.2.2).
        cx.remove_whole(t);
    }
}

/// `add` of values to a multi-valued attribute: values already present are
/// not added again (RFC 7644 §3.5.2.1).
fn add_values<'s>(
    cx: &mut Cx<'_, 's>,
    t: &Target<'s, '_>,
    items: Vec<Value>,
) -> Result<(), ScimError> {
    let attr = t.attr;
    let cached = cx.j.seen.take();
    let cur: &[Value] = match cx.current(t) {
        Some(Value::Array(a)) => a,
        _ => &[],
    };
    // One hash set keyed on the "same value" comparison: linear in the
    // values present plus the values added, and kept for the next `add` to
    // the same attribute.
    let rule = value_rule(attr);
    let mut seen = match cached {
        Some(c) if c.ext == t.ext && c.key == attr.name && c.len == cur.len() => c.seen,
        _ => {
            let mut seen = Seen::new(rule);
            for e in cur {
                seen.insert(e);
            }
            seen
        }
    };
    let mut to_add: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if seen.insert(&item) {
            to_add.push(item);
        }
    }
    if to_add.is_empty() {
        if rule.is_some() {
            cx.j.seen = Some(SeenCache {
                ext: t.ext,
                key: &attr.name,
                len: cur.len(),
                seen,
            });
        }
        return Ok(());
    }
    if attr.mutability == Mutability::ReadOnly
        || (attr.mutability == Mutability::Immutable && !cur.is_empty())
    {
        return Err(mutability_err(t, attr));
    }
    let primary = to_add.iter().rposition(is_primary);
    if let Some(p) = primary {
        clear_primary_except(&mut to_add, p);
    }
    if rule.is_some() {
        // By `value` and `type`: clearing `primary` does not change the keys.
        cx.j.seen = Some(SeenCache {
            ext: t.ext,
            key: &attr.name,
            len: cur.len() + to_add.len(),
            seen,
        });
    }
    if is_members(t) {
        cx.j.members_added
            .extend(to_add.iter().filter_map(member_id));
    }
    let had_array = matches!(cx.current(t), Some(Value::Array(_)));
    if !had_array {
        return cx.set_whole(t, Value::Array(to_add));
    }
    cx.prepare(t)?;
    let len = cur_len(cx, t);
    if primary.is_some() {
        cx.j.snapshot(cx.root, t.ext, &t.attr.name);
    } else {
        cx.j.appending(t.ext, &t.attr.name, len);
    }
    if let Some(Value::Array(a)) = cx.slot(t) {
        if primary.is_some() {
            let keep = a.len() + to_add.len();
            clear_primary_except(a, keep);
        }
        a.extend(to_add);
    }
    cx.mark(t);
    Ok(())
}

fn cur_len(cx: &Cx<'_, '_>, t: &Target<'_, '_>) -> usize {
    match cx.current(t) {
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

/// `add`/`replace` of a single-valued complex attribute: the given
/// sub-attributes replace or add, the others are left unchanged
/// (RFC 7644 §3.5.2.1, §3.5.2.3).
fn merge_complex<'s>(
    cx: &mut Cx<'_, 's>,
    t: &Target<'s, '_>,
    new: Map<String, Value>,
) -> Result<(), ScimError> {
    let cur = match cx.current(t) {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    };
    let mut changes = Vec::new();
    for (k, v) in new {
        let old = cur.and_then(|m| field(m, &k));
        if old == Some(&v) {
            continue;
        }
        let sub = t.attr.sub_attribute(&k);
        if t.attr.mutability == Mutability::ReadOnly {
            return Err(mutability_err(t, t.attr));
        }
        if let Some(sub) = sub
            && sub.mutability == Mutability::Immutable
            && is_set(old)
        {
            return Err(mutability_err(t, sub));
        }
        changes.push((k, v));
    }
    if changes.is_empty() {
        return Ok(());
    }
    cx.prepare(t)?;
    let fine = match cx.current(t) {
        Some(Value::Object(m)) => changes
            .iter()
            .all(|(k, _)| t.attr.sub_attribute(k).is_some() && exact_or_absent(m, k)),
        _ => false,
    };
    if !fine {
        cx.j.snapshot(cx.root, t.ext, &t.attr.name);
    }
    if let Some(c) = container_mut(cx.root, t.ext) {
        let slot = c
            .entry(t.attr.name.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(m) = slot {
            for (k, v) in changes {
                match t.attr.sub_attribute(&k) {
                    Some(sub) if fine => {
                        let old = put(m, &sub.name, Some(v));
                        cx.j.sub_changed(t.ext, &t.attr.name, None, &sub.name, old);
                    }
                    _ => {
                        crate::remove_ci(m, &k);
                        m.insert(k, v);
                    }
                }
            }
        }
    }
    cx.mark(t);
    Ok(())
}

/// A path with a sub-attribute and no filter (`name.givenName`; for a
/// multi-valued attribute, the sub-attribute of every value).
fn sub_attr<'s>(
    cx: &mut Cx<'_, 's>,
    kind: PatchOpKind,
    t: &Target<'s, '_>,
    sub: &'s AttributeDef,
    v: Option<&Value>,
) -> Result<(), ScimError> {
    let new = match v {
        Some(v) if kind != PatchOpKind::Remove => Some(value::coerce(sub, v, cx.compat, t.at)?),
        _ => None,
    };
    let locked = |old: Option<&Value>| {
        t.attr.mutability == Mutability::ReadOnly
            || sub.mutability == Mutability::ReadOnly
            || (sub.mutability == Mutability::Immutable && is_set(old))
    };
    if t.attr.multi_valued {
        let count = cur_len(cx, t);
        if count == 0 {
            return match new {
                None => Ok(()),
                Some(_) => match locked_definition(t, kind) {
                    Some(e) => Err(e),
                    None => Err(ScimError::no_target(format!(
                        "{}: {} has no values",
                        t.at, t.attr.name
                    ))),
                },
            };
        }
        let indices: Vec<usize> = (0..count).collect();
        return set_sub_in(cx, t, sub, &indices, new.as_ref(), &locked);
    }
    let old = match cx.current(t) {
        Some(Value::Object(m)) => field(m, &sub.name),
        _ => None,
    };
    if old == new.as_ref() || (new.is_none() && !is_set(old)) {
        return Ok(());
    }
    if locked(old) {
        return Err(mutability_err(t, sub));
    }
    cx.prepare(t)?;
    let fine = match cx.current(t) {
        Some(Value::Object(m)) => exact_or_absent(m, &sub.name),
        _ => false,
    };
    if !fine {
        cx.j.snapshot(cx.root, t.ext, &t.attr.name);
    }
    let mut emptied = false;
    if let Some(c) = container_mut(cx.root, t.ext) {
        let slot = c
            .entry(t.attr.name.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(m) = slot {
            if fine {
                let old = put(m, &sub.name, new);
                emptied = m.is_empty();
                cx.j.sub_changed(t.ext, &t.attr.name, None, &sub.name, old);
            } else {
                crate::remove_ci(m, &sub.name);
                match new {
                    Some(nv) => {
                        m.insert(sub.name.clone(), nv);
                    }
                    None => emptied = m.is_empty(),
                }
            }
        }
    }
    cx.mark(t);
    if emptied {
        cx.remove_whole(t);
    }
    Ok(())
}

/// Sets (or, with `new == None`, removes) `sub` in the values at `indices`.
fn set_sub_in<'s>(
    cx: &mut Cx<'_, 's>,
    t: &Target<'s, '_>,
    sub: &'s AttributeDef,
    indices: &[usize],
    new: Option<&Value>,
    locked: &dyn Fn(Option<&Value>) -> bool,
) -> Result<(), ScimError> {
    let mut todo = Vec::new();
    if let Some(Value::Array(a)) = cx.current(t) {
        for &i in indices {
            let old = match a.get(i) {
                Some(Value::Object(m)) => field(m, &sub.name),
                _ => None,
            };
            if old == new || (new.is_none() && old.is_none()) {
                continue;
            }
            if locked(old) {
                return Err(mutability_err(t, sub));
            }
            todo.push(i);
        }
    }
    if todo.is_empty() {
        return Ok(());
    }
    cx.prepare(t)?;
    let primary = sub.name == "primary" && new == Some(&Value::Bool(true));
    let fine = !primary
        && match cx.current(t) {
            Some(Value::Array(a)) => todo.iter().all(
                |&i| matches!(a.get(i), Some(Value::Object(m)) if exact_or_absent(m, &sub.name)),
            ),
            _ => false,
        };
    if !fine {
        cx.j.snapshot(cx.root, t.ext, &t.attr.name);
    }
    let slot = container_mut(cx.root, t.ext).and_then(|c| field_exact_mut(c, &t.attr.name));
    if let Some(Value::Array(a)) = slot {
        for &i in &todo {
            if let Some(Value::Object(m)) = a.get_mut(i) {
                if fine {
                    let old = put(m, &sub.name, new.cloned());
                    cx.j.sub_changed(t.ext, &t.attr.name, Some(i), &sub.name, old);
                } else {
                    crate::remove_ci(m, &sub.name);
                    if let Some(nv) = new {
                        m.insert(sub.name.clone(), nv.clone());
                    }
                }
            }
        }
        if primary && let Some(&keep) = todo.first() {
            clear_primary_except(a, keep);
        }
    }
    cx.mark(t);
    Ok(())
}

/// A path with a value filter: `emails[type eq "work"]`,
/// `addresses[type eq "work"].country`, `members[value eq "2819c223"]`.
fn filtered<'s>(
    cx: &mut Cx<'_, 's>,
    kind: PatchOpKind,
    t: &Target<'s, '_>,
    f: &Filter<'_>,
    v: Option<&Value>,
) -> Result<(), ScimError> {
    let attr = t.attr;
    if !attr.multi_valued {
        return Err(ScimError::invalid_path(format!(
            "{}: a value filter needs a multi-valued attribute; {} is single-valued",
            t.at, attr.name
        )));
    }
    select::check(f, attr, t.at)?;
    let new = match (kind, v) {
        (PatchOpKind::Remove, _) | (_, None) => None,
        (_, Some(v)) => Some(match t.sub {
            Some(sub) => value::coerce(sub, v, cx.compat, t.at)?,
            None => value::coerce_single(attr, v, cx.compat, t.at)?,
        }),
    };
    let cached = cx.j.index.take();
    let (indices, index) = match cx.current(t) {
        Some(Value::Array(a)) => match indexable(f, attr) {
            // `attr[sub eq "…"]`: looked up in an index of the values by
            // `sub`, built once and kept while operations leave `sub` and
            // the positions alone (`members[value eq "…"].display`, one
            // operation per member, costs O(n + m), not O(n × m)).
            Some((sub, needle)) => {
                let index = match cached {
                    Some(ix) if ix.fits(t, sub, a.len()) => ix,
                    _ => ValueIndex::build(t, sub, a),
                };
                let found = index.get(needle);
                (found, Some(index))
            }
            None => (select::select(f, a, attr), None),
        },
        _ => (Vec::new(), None),
    };
    if let Some(index) = index
        && t.sub.is_some_and(|s| s.name != index.sub.name)
    {
        // This operation changes only another sub-attribute of the values
        // it selected (or appends, which the length check catches).
        cx.j.index = Some(index);
    }
    if indices.is_empty() {
        if let Some(e) = locked_definition(t, kind) {
            return Err(e);
        }
        return create_on_miss(cx, t, f, new);
    }
    let locked = |old: Option<&Value>| {
        attr.mutability == Mutability::ReadOnly
            || t.sub.is_some_and(|s| {
                s.mutability == Mutability::ReadOnly
                    || (s.mutability == Mutability::Immutable && is_set(old))
            })
    };
    match (t.sub, new) {
        (Some(sub), new) => set_sub_in(cx, t, sub, &indices, new.as_ref(), &locked),
        (None, None) => {
            if attr.mutability == Mutability::ReadOnly || attr.mutability == Mutability::Immutable {
                return Err(mutability_err(t, attr));
            }
            remove_indices(cx, t, &indices);
            Ok(())
        }
        (None, Some(Value::Object(nv))) => {
            let replace = kind == PatchOpKind::Replace;
            replace_values(cx, t, &indices, nv, replace)
        }
        (None, Some(other)) => replace_simple_values(cx, t, &indices, other),
    }
}

/// `replace` (whole value) or `add` (merge) of complex values at `indices`.
fn replace_values<'s>(
    cx: &mut Cx<'_, 's>,
    t: &Target<'s, '_>,
    indices: &[usize],
    nv: Map<String, Value>,
    replace: bool,
) -> Result<(), ScimError> {
    let attr = t.attr;
    let mut todo = Vec::new();
    if let Some(Value::Array(a)) = cx.current(t) {
        for &i in indices {
            let Some(Value::Object(old)) = a.get(i) else {
                continue;
            };
            let mut merged = if replace { Map::new() } else { old.clone() };
            for (k, v) in &nv {
                crate::remove_ci(&mut merged, k);
                merged.insert(k.clone(), v.clone());
            }
            if &merged == old {
                continue;
            }
            if attr.mutability == Mutability::ReadOnly {
                return Err(mutability_err(t, attr));
            }
            for sub in &attr.sub_attributes {
                let before = field(old, &sub.name);
                let after = merged.get(&sub.name);
                let immutable_changed =
                    sub.mutability == Mutability::Immutable && is_set(before) && before != after;
                // readOnly values are kept as they were: clients cannot set them.
                if sub.mutability == Mutability::ReadOnly {
                    if let Some(b) = before {
                        merged.insert(sub.name.clone(), b.clone());
                    }
                } else if immutable_changed {
                    return Err(mutability_err(t, sub));
                }
            }
            todo.push((i, merged));
        }
    }
    if todo.is_empty() {
        return Ok(());
    }
    cx.prepare(t)?;
    cx.j.snapshot(cx.root, t.ext, &t.attr.name);
    let primary = todo
        .iter()
        .find(|(_, m)| is_primary_map(m))
        .map(|(i, _)| *i);
    if let Some(Value::Array(a)) = cx.slot(t) {
        for (i, m) in todo {
            if let Some(slot) = a.get_mut(i) {
                *slot = Value::Object(m);
            }
        }
        if let Some(keep) = primary {
            clear_primary_except(a, keep);
        }
    }
    cx.mark(t);
    Ok(())
}

fn is_primary_map(m: &Map<String, Value>) -> bool {
    matches!(m.get("primary"), Some(Value::Bool(true)))
}

/// `replace` of simple values (a multi-valued attribute of simple type).
fn replace_simple_values<'s>(
    cx: &mut Cx<'_, 's>,
    t: &Target<'s, '_>,
    indices: &[usize],
    nv: Value,
) -> Result<(), ScimError> {
    if t.attr.mutability == Mutability::ReadOnly || t.attr.mutability == Mutability::Immutable {
        return Err(mutability_err(t, t.attr));
    }
    cx.prepare(t)?;
    cx.j.snapshot(cx.root, t.ext, &t.attr.name);
    let mut changed = false;
    if let Some(Value::Array(a)) = cx.slot(t) {
        for &i in indices {
            if let Some(slot) = a.get_mut(i)
                && *slot != nv
            {
                *slot = nv.clone();
                changed = true;
            }
        }
    }
    if changed {
        cx.mark(t);
    }
    Ok(())
}

/// `attr[sub eq "string"]` on a string sub-attribute: the sub-attribute and
/// the string, for [`ValueIndex`].
fn indexable<'s, 'f>(
    f: &'f Filter<'_>,
    attr: &'s AttributeDef,
) -> Option<(&'s AttributeDef, &'f str)> {
    let Filter::Compare {
        path,
        op: scimkit_filter::CompareOp::Eq,
        value: scimkit_filter::CompValue::String(needle),
    } = f
    else {
        return None;
    };
    if path.sub.is_some() || path.schema.is_some() || !attr.is_complex() {
        return None;
    }
    let sub = attr.sub_attribute(&path.attr)?;
    matches!(
        sub.attr_type,
        crate::AttrType::String | crate::AttrType::Reference
    )
    .then_some((sub, needle.as_ref()))
}

/// The positions of an attribute's values by the `eq` key of one string
/// sub-attribute.
#[derive(Debug)]
pub(crate) struct ValueIndex<'s> {
    ext: Ext<'s>,
    attr: &'s str,
    sub: &'s AttributeDef,
    len: usize,
    positions: HashMap<String, Vec<usize>>,
}

impl<'s> ValueIndex<'s> {
    fn build(t: &Target<'s, '_>, sub: &'s AttributeDef, items: &[Value]) -> Self {
        let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in items.iter().enumerate() {
            if let Value::Object(m) = e
                && let Some(Value::String(v)) = field(m, &sub.name)
            {
                positions
                    .entry(super::batch::key(sub, v).into_owned())
                    .or_default()
                    .push(i);
            }
        }
        ValueIndex {
            ext: t.ext,
            attr: &t.attr.name,
            sub,
            len: items.len(),
            positions,
        }
    }

    fn fits(&self, t: &Target<'_, '_>, sub: &AttributeDef, len: usize) -> bool {
        self.ext == t.ext
            && self.attr == t.attr.name
            && std::ptr::eq(self.sub, sub)
            && self.len == len
    }

    fn get(&self, needle: &str) -> Vec<usize> {
        self.positions
            .get(super::batch::key(self.sub, needle).as_ref())
            .cloned()
            .unwrap_or_default()
    }
}

/// Applies a run of removals by value (see `super::batch`): one index of
/// the attribute's values by the sub-attribute's `eq` key, then each
/// removal takes the values under its key; one that finds none left is
/// `noTarget`, as it would be applied alone. Errors carry the operation's
/// index.
pub(crate) fn remove_run<'s>(
    cx: &mut Cx<'_, 's>,
    run: &super::batch::Run<'s, '_>,
) -> Result<(), (usize, ScimError)> {
    cx.j.seen = None;
    cx.j.index = None;
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    let t = Target {
        ext: run.ext,
        attr: run.attr,
        sub: None,
        filter: None,
        at: run.removals.first().map_or("", |r| r.at),
    };
    if let Some(Value::Array(a)) = cx.current(&t) {
        for (i, e) in a.iter().enumerate() {
            if let Value::Object(m) = e
                && let Some(Value::String(v)) = field(m, &run.sub.name)
            {
                index
                    .entry(super::batch::key(run.sub, v).into_owned())
                    .or_default()
                    .push(i);
            }
        }
    }
    // In operation order, as applying them one by one would report them.
    let mut indices = Vec::new();
    for r in &run.removals {
        match index.remove(super::batch::key(run.sub, &r.needle).as_ref()) {
            Some(found) => indices.extend(found),
            None => {
                return Err((
                    r.index,
                    ScimError::no_target(format!(
                        "{}: no value of {} matches the filter",
                        r.at, run.attr.name
                    )),
                ));
            }
        }
    }
    let members: Vec<String> = match (is_members(&t), cx.current(&t)) {
        (true, Some(Value::Array(a))) => indices
            .iter()
            .filter_map(|&i| a.get(i).and_then(member_id))
            .collect(),
        _ => Vec::new(),
    };
    indices.sort_unstable();
    let before = cx.j.members_removed.len();
    remove_indices(cx, &t, &indices);
    if is_members(&t) {
        cx.j.members_removed.truncate(before);
        cx.j.members_removed.extend(members);
    }
    Ok(())
}

/// No value matched the filter: `noTarget` (RFC 7644 §3.5.2), or with
/// [`Compat::create_on_filter_miss`] a new value built from the filter's
/// `eq` terms and the operation's value.
fn create_on_miss<'s>(
    cx: &mut Cx<'_, 's>,
    t: &Target<'s, '_>,
    f: &Filter<'_>,
    new: Option<Value>,
) -> Result<(), ScimError> {
    let no_target = || {
        ScimError::no_target(format!(
            "{}: no value of {} matches the filter",
            t.at, t.attr.name
        ))
    };
    let Some(new) = new else {
        return Err(no_target());
    };
    if !cx.compat.create_on_filter_miss {
        return Err(no_target());
    }
    let Some(mut elem) = select::value_described(f, t.attr) else {
        return Err(no_target());
    };
    match (t.sub, new) {
        (Some(sub), nv) => {
            elem.insert(sub.name.clone(), nv);
        }
        (None, Value::Object(m)) => {
            for (k, v) in m {
                elem.insert(k, v);
            }
        }
        (None, _) => return Err(no_target()),
    }
    let elem = value::coerce_single(t.attr, &Value::Object(elem), cx.compat, t.at)?;
    add_values(cx, t, vec![elem])
}
