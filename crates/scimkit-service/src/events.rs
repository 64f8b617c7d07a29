//! Provisioning events: what changed, after each committed change, for audit
//! logs and side effects (the `EventSink` of the architecture).

use std::sync::Mutex;

use async_trait::async_trait;

use crate::TenantId;

/// What happened to a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// The resource was created (POST, or a Bulk POST).
    Created,
    /// The resource changed (PUT, PATCH); the top-level attributes that changed
    /// (extension attributes as `urn:…:User:department`).
    Updated {
        /// The changed attributes, in order of first change.
        changed_attributes: Vec<String>,
    },
    /// `active` went from true (or unset) to false (replaces `Updated`).
    Deactivated {
        /// The changed attributes (`active` among them), in order of first change.
        changed_attributes: Vec<String>,
    },
    /// `active` went from false to true (replaces `Updated`).
    Reactivated {
        /// The changed attributes (`active` among them), in order of first change.
        changed_attributes: Vec<String>,
    },
    /// The resource was deleted.
    Deleted,
    /// Members were added to a group.
    MembersAdded {
        /// The member ids added.
        members: Vec<String>,
    },
    /// Members were removed from a group.
    MembersRemoved {
        /// The member ids removed.
        members: Vec<String>,
    },
}

/// How many member ids [`EventKind::summary`] shows by default: enough to
/// recognise a change in an audit line, while a change of a 100 000-member
/// group stays one short line.
pub const DEFAULT_LOGGED_MEMBER_IDS: usize = 3;

impl EventKind {
    /// A one-line summary for logs: the kind, the changed attributes, and a
    /// member list as its count and at most `max_ids` ids
    /// (`members_added 1200 [a, b, c, …]`).
    ///
    /// ```
    /// use scimkit_service::EventKind;
    /// let kind = EventKind::MembersAdded { members: (0..1000).map(|i| i.to_string()).collect() };
    /// assert_eq!(kind.summary(2).to_string(), "members_added 1000 [0, 1, …]");
    /// ```
    pub fn summary(&self, max_ids: usize) -> EventSummary<'_> {
        EventSummary {
            kind: self,
            max_ids,
        }
    }

    /// The kind's name on the wire: `created`, `updated`, `deactivated`,
    /// `reactivated`, `deleted`, `membersAdded`, `membersRemoved`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated { .. } => "updated",
            EventKind::Deactivated { .. } => "deactivated",
            EventKind::Reactivated { .. } => "reactivated",
            EventKind::Deleted => "deleted",
            EventKind::MembersAdded { .. } => "membersAdded",
            EventKind::MembersRemoved { .. } => "membersRemoved",
        }
    }

    /// The changed attributes of `Updated`, `Deactivated` and `Reactivated`.
    pub fn changed_attributes(&self) -> Option<&[String]> {
        match self {
            EventKind::Updated { changed_attributes }
            | EventKind::Deactivated { changed_attributes }
            | EventKind::Reactivated { changed_attributes } => Some(changed_attributes),
            _ => None,
        }
    }

    /// The member ids of `MembersAdded` and `MembersRemoved`.
    pub fn members(&self) -> Option<&[String]> {
        match self {
            EventKind::MembersAdded { members } | EventKind::MembersRemoved { members } => {
                Some(members)
            }
            _ => None,
        }
    }
}

/// [`EventKind::summary`]: a bounded `Display` of an event kind.
#[derive(Debug, Clone, Copy)]
pub struct EventSummary<'a> {
    kind: &'a EventKind,
    max_ids: usize,
}

impl std::fmt::Display for EventSummary<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids = |f: &mut std::fmt::Formatter<'_>, label: &str, ids: &[String]| {
            write!(f, "{label} {} [", ids.len())?;
            for (i, id) in ids.iter().take(self.max_ids).enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(id)?;
            }
            if ids.len() > self.max_ids {
                f.write_str(if self.max_ids > 0 { ", …" } else { "…" })?;
            }
            f.write_str("]")
        };
        match self.kind {
            EventKind::Created => f.write_str("created"),
            EventKind::Updated { changed_attributes } => {
                write!(f, "updated [{}]", changed_attributes.join(", "))
            }
            EventKind::Deactivated { changed_attributes } => {
                write!(f, "deactivated [{}]", changed_attributes.join(", "))
            }
            EventKind::Reactivated { changed_attributes } => {
                write!(f, "reactivated [{}]", changed_attributes.join(", "))
            }
            EventKind::Deleted => f.write_str("deleted"),
            EventKind::MembersAdded { members } => ids(f, "members_added", members),
            EventKind::MembersRemoved { members } => ids(f, "members_removed", members),
        }
    }
}

/// One provisioning event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProvisioningEvent {
    /// The tenant whose resource changed.
    pub tenant: TenantId,
    /// The resource type's name (`User`).
    pub resource_type: String,
    /// The resource's id.
    pub id: String,
    /// The version after the change (`None` after a delete).
    pub version: Option<String>,
    /// What happened.
    pub kind: EventKind,
}

impl ProvisioningEvent {
    /// An event.
    pub fn new(
        tenant: TenantId,
        resource_type: impl Into<String>,
        id: impl Into<String>,
        version: Option<String>,
        kind: EventKind,
    ) -> Self {
        ProvisioningEvent {
            tenant,
            resource_type: resource_type.into(),
            id: id.into(),
            version,
            kind,
        }
    }
}

/// Receives provisioning events after each committed change.
///
/// `publish` runs on the request's task, after the store committed and
/// before the response is sent; keep it quick (hand off to a channel for
/// slow work). Events of one request arrive in order.
#[async_trait]
pub trait EventSink: Send + Sync + 'static {
    /// Handles one event.
    async fn publish(&self, event: ProvisioningEvent);
}

/// The default sink: drops every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopSink;

#[async_trait]
impl EventSink for NoopSink {
    async fn publish(&self, _event: ProvisioningEvent) {}
}

/// A sink that keeps every event in memory (for tests and examples).
#[derive(Debug, Default)]
pub struct VecSink {
    events: Mutex<Vec<ProvisioningEvent>>,
}

impl VecSink {
    /// An empty sink.
    pub fn new() -> Self {
        VecSink::default()
    }

    /// Takes the events received so far.
    pub fn take(&self) -> Vec<ProvisioningEvent> {
        match self.events.lock() {
            Ok(mut g) => std::mem::take(&mut *g),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}

#[async_trait]
impl EventSink for VecSink {
    async fn publish(&self, event: ProvisioningEvent) {
        match self.events.lock() {
            Ok(mut g) => g.push(event),
            Err(poisoned) => poisoned.into_inner().push(event),
        }
    }
}
