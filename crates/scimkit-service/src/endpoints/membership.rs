//! PATCHes that only add or only remove group members (what IdPs send most)
//! go to the store's membership hooks, so a store can change one row
//! instead of rewriting the group (RFC 7644 §3.5.2.1 add, §3.5.2.2 remove).

use scimkit_filter::{CompValue, CompareOp, Filter, PatchPath, parse_patch_path};
use scimkit_schema::messages::{PatchOp, PatchOpKind};
use scimkit_schema::{Compat, Resource, ResourceSchema, ScimError, get_ci};
use serde_json::Value;
use std::collections::BTreeSet;

use super::notify;
use crate::context::Cx;
use crate::{EventKind, MEMBER_CHECK_CHUNK, Member, StoredResource};

/// A membership-only PATCH.
pub(crate) enum Plan {
    Add(Vec<Member>),
    Remove(Vec<String>),
}

fn is_members(p: &scimkit_filter::AttrPath<'_>) -> bool {
    p.schema.is_none() && p.sub.is_none() && p.attr.eq_ignore_ascii_case("members")
}

/// A member value the fast path can take as is; anything else (including a
/// string holding U+0000, which validation refuses) goes the general way.
fn member(v: &Value) -> Option<Member> {
    let o = v.as_object()?;
    if o.values()
        .any(|v| v.as_str().is_some_and(|s| s.contains('\0')))
    {
        return None;
    }
    let mut m = Member::new(get_ci(o, "value")?.1.as_str()?);
    for (k, v) in o {
        if k.eq_ignore_ascii_case("value") {
        } else if k.eq_ignore_ascii_case("type") {
            m = m.with_kind(v.as_str()?);
        } else if k.eq_ignore_ascii_case("display") {
            m = m.with_display(v.as_str()?);
        } else {
            return None;
        }
    }
    Some(m)
}

/// `members[value eq "id"]` → `id`.
fn value_eq(f: &Filter<'_>) -> Option<String> {
    match f {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(s),
        } if path.schema.is_none()
            && path.sub.is_none()
            && path.attr.eq_ignore_ascii_case("value") =>
        {
            Some(s.to_string())
        }
        _ => None,
    }
}

/// The plan for `op` when it only adds members, or only removes members by
/// id; `None` for anything else (the general PATCH path handles it).
pub(crate) fn plan(op: &PatchOp, rs: &ResourceSchema, compat: &Compat) -> Option<Plan> {
    let members_attr = rs.base().attribute("members")?;
    if !members_attr.multi_valued || op.operations.is_empty() {
        return None;
    }
    let mut adds = Vec::new();
    let mut removes = Vec::new();
    for o in &op.operations {
        let path = parse_patch_path(o.path.as_deref()?, &compat.parse).ok()?;
        match (o.kind(compat).ok()?, path) {
            (PatchOpKind::Add, PatchPath::Attr(p)) if is_members(&p) => match o.value.as_ref()? {
                Value::Array(items) => {
                    for v in items {
                        adds.push(member(v)?);
                    }
                }
                v @ Value::Object(_) => adds.push(member(v)?),
                _ => return None,
            },
            (
                PatchOpKind::Remove,
                PatchPath::ValuePath {
                    path,
                    filter,
                    sub_attr: None,
                },
            ) if is_members(&path) && o.value.is_none() => {
                removes.push(value_eq(&filter)?);
            }
            (PatchOpKind::Remove, PatchPath::Attr(p))
                if is_members(&p) && compat.remove_members_by_value =>
            {
                let Value::Array(items) = o.value.as_ref()? else {
                    return None;
                };
                scimkit_schema::Switch::RemoveMembersByValue.record();
                for v in items {
                    removes.push(member(v)?.value);
                }
            }
            _ => return None,
        }
    }
    match (adds.is_empty(), removes.is_empty()) {
        (false, true) => Some(Plan::Add(adds)),
        (true, false) => Some(Plan::Remove(removes)),
        _ => None,
    }
}

/// Runs a plan through the store's hooks and publishes the events.
pub(crate) async fn apply(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    id: &str,
    plan: Plan,
) -> Result<StoredResource, ScimError> {
    let store = &cx.svc.store;
    if let Plan::Add(m) = &plan
        && let Err(e) = check_exist(cx, rs, m.iter().map(|m| m.value.clone()).collect()).await
    {
        // A missing group is the first thing wrong (404), as on other paths.
        return Err(match store.get(cx.tenant(), rs, id).await {
            Ok(None) => ScimError::not_found(format!("{} {id} not found", rs.name())),
            _ => e,
        });
    }
    let (update, added) = match plan {
        Plan::Add(m) => (store.add_members(cx.tenant(), rs, id, &m).await, true),
        Plan::Remove(v) => (store.remove_members(cx.tenant(), rs, id, &v).await, false),
    };
    let update = update.map_err(|e| match e {
        crate::StoreError::NotFound { .. } => {
            ScimError::not_found(format!("{} {id} not found", rs.name()))
        }
        e => e.into(),
    })?;
    if !update.changed.is_empty() {
        let kind = if added {
            EventKind::MembersAdded {
                members: update.changed.clone(),
            }
        } else {
            EventKind::MembersRemoved {
                members: update.changed.clone(),
            }
        };
        notify::publish(cx, &update.resource, vec![kind]).await;
    }
    Ok(update.resource)
}

/// The resource types a member of `rs` may be: the `referenceTypes` of
/// `members.$ref` (RFC 7643 §4.2: `User`, `Group`) that this service
/// serves. Empty when `rs` has no `members` or names no served type (then
/// nothing is checked).
fn member_types<'a>(cx: &'a Cx<'_>, rs: &ResourceSchema) -> Vec<&'a ResourceSchema> {
    let Some(members) = rs.base().attribute("members") else {
        return Vec::new();
    };
    let named = members
        .sub_attribute("$ref")
        .map(|r| r.reference_types.as_slice())
        .filter(|t| !t.is_empty())
        .or_else(|| {
            members
                .sub_attribute("value")
                .map(|v| v.reference_types.as_slice())
        })
        .unwrap_or_default();
    named
        .iter()
        .filter_map(|n| cx.svc.registry.resource_type(n))
        .map(|a| &**a)
        .collect()
}

/// The `value`s of `members` in a resource body.
pub(crate) fn member_values(r: &Resource) -> BTreeSet<String> {
    match get_ci(r.as_map(), "members") {
        Some((_, Value::Array(items))) => items
            .iter()
            .filter_map(|m| m.as_object())
            .filter_map(|m| get_ci(m, "value"))
            .filter_map(|(_, v)| v.as_str().map(str::to_owned))
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// Checks that each of `values` is the id of a resource the members of
/// `rs` may be, in this tenant: `400 invalidValue` naming the first that
/// is not. Asks the store [`MEMBER_CHECK_CHUNK`] ids at a time.
pub(crate) async fn check_exist(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    values: BTreeSet<String>,
) -> Result<(), ScimError> {
    if values.is_empty() {
        return Ok(());
    }
    let types = member_types(cx, rs);
    if types.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = values.into_iter().collect();
    for chunk in values.chunks(MEMBER_CHECK_CHUNK) {
        let missing = cx.svc.store.missing_ids(cx.tenant(), &types, chunk).await?;
        if let Some(v) = missing.first() {
            let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
            return Err(ScimError::invalid_value(format!(
                "members: value {v:?} is not the id of a {} of this tenant",
                names.join(" or ")
            )));
        }
    }
    Ok(())
}
