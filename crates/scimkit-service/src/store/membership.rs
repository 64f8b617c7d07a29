//! Group membership changes (RFC 7643 §4.2 `members`), the hook stores may
//! implement with one-row writes; the default edits the JSON body.

use std::collections::HashSet;

use scimkit_schema::{Resource, ResourceSchema, get_ci, get_ci_mut};
use serde_json::{Map, Value};

use super::{ResourceStore, StoreError, StoredResource};
use crate::TenantId;
use crate::events::EventKind;

/// One member reference (`members[*]` of a Group).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Member {
    /// The member's id (`value`).
    pub value: String,
    /// The member's resource type (`User`, `Group`), when given.
    pub kind: Option<String>,
    /// A display name, when given.
    pub display: Option<String>,
}

impl Member {
    /// A member reference by id.
    pub fn new(value: impl Into<String>) -> Self {
        Member {
            value: value.into(),
            kind: None,
            display: None,
        }
    }

    /// With the member's resource type (`type`).
    pub fn with_kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// With a display name.
    pub fn with_display(mut self, display: impl Into<String>) -> Self {
        self.display = Some(display.into());
        self
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("value".into(), self.value.clone().into());
        if let Some(k) = &self.kind {
            m.insert("type".into(), k.clone().into());
        }
        if let Some(d) = &self.display {
            m.insert("display".into(), d.clone().into());
        }
        Value::Object(m)
    }
}

/// The result of a membership change.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MemberUpdate {
    /// The group after the change.
    pub resource: StoredResource,
    /// The member values actually added or removed (empty: nothing changed).
    pub changed: Vec<String>,
}

impl MemberUpdate {
    /// A membership change result.
    pub fn new(resource: StoredResource, changed: Vec<String>) -> Self {
        MemberUpdate { resource, changed }
    }
}

/// How often a default membership edit retries after losing a race.
const RETRIES: usize = 64;

pub(super) async fn edit_with_retry<S, F, K>(
    store: &S,
    tenant: &TenantId,
    rs: &ResourceSchema,
    id: &str,
    edit: F,
    kind: K,
) -> Result<MemberUpdate, StoreError>
where
    S: ResourceStore + ?Sized,
    F: Fn(&mut Resource) -> Vec<String> + Send + Sync,
    K: Fn(Vec<String>) -> EventKind + Send + Sync,
{
    let mut last = None;
    for _ in 0..RETRIES {
        let current = store
            .get(tenant, rs, id)
            .await?
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        let mut body = Resource::clone(&current.resource);
        let changed = edit(&mut body);
        if changed.is_empty() {
            return Ok(MemberUpdate::new(current, changed));
        }
        let change = [kind(changed.clone())];
        match store
            .replace(tenant, rs, id, body, Some(&current.version), &change)
            .await
        {
            Ok(stored) => return Ok(MemberUpdate::new(stored, changed)),
            Err(e @ StoreError::VersionMismatch { .. }) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| StoreError::internal("membership edit did not converge")))
}

fn member_values(map: &Map<String, Value>) -> Vec<String> {
    match get_ci(map, "members") {
        Some((_, Value::Array(items))) => items
            .iter()
            .filter_map(|m| m.as_object())
            .filter_map(|m| get_ci(m, "value"))
            .filter_map(|(_, v)| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) fn add_to(resource: &mut Resource, members: &[Member]) -> Vec<String> {
    let map = resource.as_map_mut();
    // A hash set: adding n members to a group of m costs O(n + m).
    let mut present: HashSet<String> = member_values(map).into_iter().collect();
    let mut added = Vec::new();
    let mut new_items = Vec::new();
    for m in members {
        if present.insert(m.value.clone()) {
            added.push(m.value.clone());
            new_items.push(m.to_value());
        }
    }
    if new_items.is_empty() {
        return added;
    }
    match get_ci_mut(map, "members") {
        Some(Value::Array(items)) => items.extend(new_items),
        Some(other) => *other = Value::Array(new_items),
        None => {
            map.insert("members".into(), Value::Array(new_items));
        }
    }
    added
}

pub(crate) fn remove_from(resource: &mut Resource, values: &[String]) -> Vec<String> {
    let map = resource.as_map_mut();
    let mut removed = Vec::new();
    let values: HashSet<&str> = values.iter().map(String::as_str).collect();
    if let Some(Value::Array(items)) = get_ci_mut(map, "members") {
        items.retain(|m| {
            let v = m
                .as_object()
                .and_then(|o| get_ci(o, "value"))
                .and_then(|(_, v)| v.as_str());
            match v {
                Some(v) if values.contains(v) => {
                    removed.push(v.to_owned());
                    false
                }
                _ => true,
            }
        });
        if items.is_empty() {
            scimkit_schema::remove_ci(map, "members");
        }
    }
    removed
}
