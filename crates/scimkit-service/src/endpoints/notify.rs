//! What a write means, once: the [`EventKind`]s of a change (the feed
//! records a store writes, see [`crate::feed`]) and their publication to
//! the [`crate::EventSink`] after the commit.

use std::collections::BTreeSet;

use scimkit_schema::{Resource, get_ci};

use super::membership::member_values;
use crate::context::Cx;
use crate::{ChangeRecord, EventKind, ProvisioningEvent, StoredResource};

/// Publishes what a write committed: the store's feed records when it
/// keeps a feed (`stored.changes`), else `kinds` for `stored`.
pub(crate) async fn publish(cx: &Cx<'_>, stored: &StoredResource, kinds: Vec<EventKind>) {
    if !stored.changes.is_empty() {
        return publish_records(cx, &stored.changes).await;
    }
    for kind in kinds {
        let event = ProvisioningEvent::new(
            cx.tenant().clone(),
            stored.resource_type.clone(),
            stored.id.clone(),
            Some(stored.version.clone()),
            kind,
        );
        cx.svc.events.publish(event).await;
    }
}

/// Publishes a delete: the store's records, else one `Deleted` event.
pub(crate) async fn publish_delete(
    cx: &Cx<'_>,
    resource_type: &str,
    id: &str,
    records: &[ChangeRecord],
) {
    if !records.is_empty() {
        return publish_records(cx, records).await;
    }
    let event = ProvisioningEvent::new(
        cx.tenant().clone(),
        resource_type,
        id,
        None,
        EventKind::Deleted,
    );
    cx.svc.events.publish(event).await;
}

async fn publish_records(cx: &Cx<'_>, records: &[ChangeRecord]) {
    for r in records {
        cx.svc.events.publish(r.event()).await;
    }
}

fn active(r: &Resource) -> Option<bool> {
    get_ci(r.as_map(), "active").and_then(|(_, v)| v.as_bool())
}

/// The records of a replace or PATCH (see [`crate::feed`]): `Updated` with
/// the changed attributes — `Deactivated` / `Reactivated` instead when
/// `active` flipped — then `MembersAdded`, then `MembersRemoved`. When
/// members were added or removed, `members` is not listed as a changed
/// attribute and a membership-only change has no `Updated`.
pub(crate) fn change_events(
    before: &Resource,
    after: &Resource,
    changed_attributes: Vec<String>,
    members_added: Vec<String>,
    members_removed: Vec<String>,
) -> Vec<EventKind> {
    let member_change = !members_added.is_empty() || !members_removed.is_empty();
    let changed_attributes: Vec<String> = if member_change {
        changed_attributes
            .into_iter()
            .filter(|a| !a.eq_ignore_ascii_case("members"))
            .collect()
    } else {
        changed_attributes
    };
    let mut out = Vec::new();
    match (active(before), active(after)) {
        (Some(false), Some(true)) => out.push(EventKind::Reactivated { changed_attributes }),
        (b, Some(false)) if b != Some(false) => {
            out.push(EventKind::Deactivated { changed_attributes })
        }
        _ if !member_change || !changed_attributes.is_empty() => {
            out.push(EventKind::Updated { changed_attributes })
        }
        _ => {}
    }
    if !members_added.is_empty() {
        out.push(EventKind::MembersAdded {
            members: members_added,
        });
    }
    if !members_removed.is_empty() {
        out.push(EventKind::MembersRemoved {
            members: members_removed,
        });
    }
    out
}

/// The records of a PUT from the old and new body: the changed
/// attributes, and the member ids added and removed (in id order).
pub(crate) fn replace_events(before: &Resource, after: &Resource) -> Vec<EventKind> {
    let old: BTreeSet<String> = member_values(before);
    let new: BTreeSet<String> = member_values(after);
    let added = new.difference(&old).cloned().collect();
    let removed = old.difference(&new).cloned().collect();
    change_events(
        before,
        after,
        diff_attributes(before, after),
        added,
        removed,
    )
}

/// The top-level attributes that differ between two bodies (`id` and `meta` aside).
pub(crate) fn diff_attributes(before: &Resource, after: &Resource) -> Vec<String> {
    let (a, b) = (before.as_map(), after.as_map());
    let skip = |k: &str| k.eq_ignore_ascii_case("id") || k.eq_ignore_ascii_case("meta");
    let mut out: Vec<String> = Vec::new();
    for (k, v) in b {
        if !skip(k) && get_ci(a, k).map(|(_, x)| x) != Some(v) {
            out.push(k.clone());
        }
    }
    for (k, _) in a {
        if !skip(k) && get_ci(b, k).is_none() {
            out.push(k.clone());
        }
    }
    out
}
