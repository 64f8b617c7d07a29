//! Runs of removals by value (`remove` of `members[value eq "…"]`, one
//! operation per member, as Okta sends them) applied together: one index of
//! the attribute's values, then each operation looks its value up, so n such
//! operations on m values cost O(n + m) instead of O(n × m). The answers are
//! those of applying the operations one by one (RFC 7644 §3.5.2.2): each
//! removes every value its filter matches, and one whose filter matches
//! nothing left is `noTarget`.

use std::borrow::Cow;

use scimkit_filter::{CompValue, CompareOp, Filter, PatchPath, parse_patch_path};

use crate::messages::{PatchOpKind, PatchOperation};
use crate::{AttrType, AttributeDef, Compat, Mutability, ResourceSchema, Returned};

/// One removal of a run: the operation's index, its path, the value sought.
pub(crate) struct Removal<'p> {
    pub(crate) index: usize,
    pub(crate) at: &'p str,
    pub(crate) needle: String,
}

/// A run of at least two consecutive removals by value on the same
/// attribute and sub-attribute.
pub(crate) struct Run<'s, 'p> {
    pub(crate) ext: Option<&'s str>,
    pub(crate) attr: &'s AttributeDef,
    pub(crate) sub: &'s AttributeDef,
    pub(crate) removals: Vec<Removal<'p>>,
}

/// The removal `op` is, if it is one: `remove` without value of
/// `attr[sub eq "string"]`, on a writable multi-valued complex attribute and
/// a string sub-attribute that may be filtered on.
fn removal<'s, 'p>(
    op: &'p PatchOperation,
    rs: &'s ResourceSchema,
    compat: &Compat,
) -> Option<(
    Option<&'s str>,
    &'s AttributeDef,
    &'s AttributeDef,
    &'p str,
    String,
)> {
    if op.kind(compat).ok()? != PatchOpKind::Remove || op.value.is_some() {
        return None;
    }
    let at = op.path.as_deref()?;
    let PatchPath::ValuePath {
        path,
        filter,
        sub_attr: None,
    } = parse_patch_path(at, &compat.parse).ok()?
    else {
        return None;
    };
    let Filter::Compare {
        path: fp,
        op: CompareOp::Eq,
        value: CompValue::String(needle),
    } = &filter
    else {
        return None;
    };
    if path.sub.is_some() || fp.sub.is_some() || fp.schema.is_some() {
        return None;
    }
    let r = rs.resolve(&path)?;
    let attr = r.attr;
    let writable = matches!(
        attr.mutability,
        Mutability::ReadWrite | Mutability::WriteOnly
    );
    if r.sub.is_some() || !attr.multi_valued || !attr.is_complex() || !writable {
        return None;
    }
    let sub = attr.sub_attribute(&fp.attr)?;
    if !matches!(sub.attr_type, AttrType::String | AttrType::Reference)
        || sub.returned == Returned::Never
        || attr.returned == Returned::Never
    {
        return None;
    }
    Some((r.extension_uri(), attr, sub, at, needle.to_string()))
}

/// The run of removals starting at `ops[0]` (`first` is its index in the
/// request), when there are at least two.
pub(crate) fn run<'s, 'p>(
    ops: &'p [PatchOperation],
    first: usize,
    rs: &'s ResourceSchema,
    compat: &Compat,
) -> Option<Run<'s, 'p>> {
    let (ext, attr, sub, at, needle) = removal(ops.first()?, rs, compat)?;
    let mut removals = vec![Removal {
        index: first,
        at,
        needle,
    }];
    for (i, op) in ops.iter().enumerate().skip(1) {
        match removal(op, rs, compat) {
            Some((e, a, s, at, needle))
                if e == ext && std::ptr::eq(a, attr) && std::ptr::eq(s, sub) =>
            {
                removals.push(Removal {
                    index: first + i,
                    at,
                    needle,
                });
            }
            _ => break,
        }
    }
    (removals.len() > 1).then_some(Run {
        ext,
        attr,
        sub,
        removals,
    })
}

/// The key two strings of `sub` compare equal by (`eq`, RFC 7644
/// §3.4.2.2): the string itself when `caseExact`, its lower case otherwise.
pub(crate) fn key<'a>(sub: &AttributeDef, s: &'a str) -> Cow<'a, str> {
    if sub.case_exact {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.to_lowercase())
    }
}
