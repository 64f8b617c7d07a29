//! Values selected by a filter as the target (`emails[type eq "work"]`,
//! `addresses[type eq "work"].country`, `members[value eq "2819c223"]`),
//! and what a filter that matches nothing does (RFC 7644 §3.5.2).

use super::*;

/// A path with a value filter: `emails[type eq "work"]`,
/// `addresses[type eq "work"].country`, `members[value eq "2819c223"]`.
pub(super) fn filtered<'s>(
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
pub(super) fn replace_values<'s>(
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

pub(super) fn is_primary_map(m: &Map<String, Value>) -> bool {
    matches!(m.get("primary"), Some(Value::Bool(true)))
}

/// `replace` of simple values (a multi-valued attribute of simple type).
pub(super) fn replace_simple_values<'s>(
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

/// No value matched the filter: `noTarget` (RFC 7644 §3.5.2), or with
/// [`Compat::create_on_filter_miss`] a new value built from the filter's
/// `eq` terms and the operation's value.
pub(super) fn create_on_miss<'s>(
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
    crate::Switch::CreateOnFilterMiss.record();
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
