//! Provisioning events for a committed change.

use scimkit_schema::{Resource, get_ci};

use crate::context::Cx;
use crate::{EventKind, ProvisioningEvent, StoredResource};

/// Publishes `kinds` for `stored`, in order.
pub(crate) async fn publish(cx: &Cx<'_>, stored: &StoredResource, kinds: Vec<EventKind>) {
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

fn active(r: &Resource) -> Option<bool> {
    get_ci(r.as_map(), "active").and_then(|(_, v)| v.as_bool())
}

/// `Updated`, then `Deactivated` / `Reactivated` when `active` flipped, then
/// membership changes.
pub(crate) fn change_events(
    before: &Resource,
    after: &Resource,
    changed_attributes: Vec<String>,
    members_added: Vec<String>,
    members_removed: Vec<String>,
) -> Vec<EventKind> {
    let mut out = vec![EventKind::Updated { changed_attributes }];
    match (active(before), active(after)) {
        (Some(false), Some(true)) => out.push(EventKind::Reactivated),
        (b, Some(false)) if b != Some(false) => out.push(EventKind::Deactivated),
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
