//! A whole attribute as the target (`path` names it, no filter, no
//! sub-attribute): set, replace, merge a complex value, add values to a
//! multi-valued attribute, remove (RFC 7644 §3.5.2.1–§3.5.2.3).

use super::*;

pub(super) fn whole<'s>(
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

pub(super) fn remove<'s>(
    cx: &mut Cx<'_, 's>,
    t: &Target<'s, '_>,
    v: Option<&Value>,
) -> Result<(), ScimError> {
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
        Some(list) => {
            crate::Switch::RemoveMembersByValue.record();
            remove_listed(cx, t, list)
        }
    }
}

/// [`Compat::remove_members_by_value`]: removes only the listed values.
pub(super) fn remove_listed<'s>(
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

pub(super) fn remove_indices<'s>(cx: &mut Cx<'_, 's>, t: &Target<'s, '_>, indices: &[usize]) {
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
pub(super) fn add_values<'s>(
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

pub(super) fn cur_len(cx: &Cx<'_, '_>, t: &Target<'_, '_>) -> usize {
    match cx.current(t) {
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

/// `add`/`replace` of a single-valued complex attribute: the given
/// sub-attributes replace or add, the others are left unchanged
/// (RFC 7644 §3.5.2.1, §3.5.2.3).
pub(super) fn merge_complex<'s>(
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
