//! Values of a multi-valued attribute indexed by the `eq` key of one
//! string sub-attribute, so that a run of filtered operations (e.g. an
//! Entra removal of thousands of `members[value eq …]`) costs one pass.

use super::*;

/// `attr[sub eq "string"]` on a string sub-attribute: the sub-attribute and
/// the string, for [`ValueIndex`].
pub(super) fn indexable<'s, 'f>(
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
    pub(super) sub: &'s AttributeDef,
    len: usize,
    positions: HashMap<String, Vec<usize>>,
}

impl<'s> ValueIndex<'s> {
    pub(super) fn build(t: &Target<'s, '_>, sub: &'s AttributeDef, items: &[Value]) -> Self {
        let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in items.iter().enumerate() {
            if let Value::Object(m) = e
                && let Some(Value::String(v)) = field(m, &sub.name)
            {
                positions
                    .entry(crate::patch::batch::key(sub, v).into_owned())
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

    pub(super) fn fits(&self, t: &Target<'_, '_>, sub: &AttributeDef, len: usize) -> bool {
        self.ext == t.ext
            && self.attr == t.attr.name
            && std::ptr::eq(self.sub, sub)
            && self.len == len
    }

    pub(super) fn get(&self, needle: &str) -> Vec<usize> {
        self.positions
            .get(crate::patch::batch::key(self.sub, needle).as_ref())
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
    run: &crate::patch::batch::Run<'s, '_>,
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
                    .entry(crate::patch::batch::key(run.sub, v).into_owned())
                    .or_default()
                    .push(i);
            }
        }
    }
    // In operation order, as applying them one by one would report them.
    let mut indices = Vec::new();
    for r in &run.removals {
        match index.remove(crate::patch::batch::key(run.sub, &r.needle).as_ref()) {
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
