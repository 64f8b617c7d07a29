//! A sub-attribute without a filter as the target (`name.givenName`; for a
//! multi-valued attribute, the sub-attribute of every value).

use super::*;

/// A path with a sub-attribute and no filter (`name.givenName`; for a
/// multi-valued attribute, the sub-attribute of every value).
pub(super) fn sub_attr<'s>(
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
pub(super) fn set_sub_in<'s>(
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
