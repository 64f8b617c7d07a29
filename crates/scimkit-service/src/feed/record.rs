//! [`ChangeRecord`]: one committed change, and its wire shape.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::Cursor;
use crate::TenantId;
use crate::events::{EventKind, ProvisioningEvent};

/// One committed change: what a feed holds, one or more per store write
/// (see [`crate::feed`] for the records of each kind of write).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChangeRecord {
    /// The record's position in the feed.
    pub cursor: Cursor,
    /// The tenant whose resource changed.
    pub tenant: TenantId,
    /// The resource type's name (`User`).
    pub resource_type: String,
    /// The resource's id.
    pub id: String,
    /// The resource's version after the change; `None` after a delete.
    pub version: Option<String>,
    /// What happened.
    pub kind: EventKind,
    /// The commit time as the store saw it.
    pub occurred_at: DateTime<Utc>,
    /// The resource after the change, when the store is set to keep it.
    pub resource: Option<Value>,
}

impl ChangeRecord {
    /// A record (without the resource body).
    pub fn new(
        cursor: Cursor,
        tenant: TenantId,
        resource_type: impl Into<String>,
        id: impl Into<String>,
        version: Option<String>,
        kind: EventKind,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        ChangeRecord {
            cursor,
            tenant,
            resource_type: resource_type.into(),
            id: id.into(),
            version,
            kind,
            occurred_at,
            resource: None,
        }
    }

    /// The record with the resource after the change.
    pub fn with_resource(mut self, resource: Value) -> Self {
        self.resource = Some(resource);
        self
    }

    /// The record as a provisioning event (what [`crate::EventSink`] gets).
    pub fn event(&self) -> ProvisioningEvent {
        ProvisioningEvent::new(
            self.tenant.clone(),
            self.resource_type.clone(),
            self.id.clone(),
            self.version.clone(),
            self.kind.clone(),
        )
    }

    /// The wire shape (webhook bodies, `events --format jsonl`): camelCase,
    /// RFC 3339 times, fields in this order:
    ///
    /// ```
    /// use chrono::TimeZone;
    /// use scimkit_service::{ChangeRecord, Cursor, EventKind, TenantId};
    /// let at = chrono::Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap();
    /// let r = ChangeRecord::new(
    ///     Cursor::new("0000000000000001"), TenantId::new("t1"), "User", "u1", Some("3".into()),
    ///     EventKind::Deactivated { changed_attributes: vec!["active".into()] }, at,
    /// );
    /// assert_eq!(
    ///     r.to_json().to_string(),
    ///     r#"{"cursor":"0000000000000001","tenant":"t1","resourceType":"User","id":"u1","version":"3","kind":"deactivated","changedAttributes":["active"],"occurredAt":"2026-12-06T10:00:00.000Z"}"#
    /// );
    /// ```
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("cursor".into(), self.cursor.as_str().into());
        m.insert("tenant".into(), self.tenant.as_str().into());
        m.insert("resourceType".into(), self.resource_type.as_str().into());
        m.insert("id".into(), self.id.as_str().into());
        m.insert(
            "version".into(),
            self.version.as_deref().map_or(Value::Null, Value::from),
        );
        m.insert("kind".into(), self.kind.name().into());
        let list = |v: &[String]| Value::Array(v.iter().map(|s| Value::from(s.as_str())).collect());
        if let Some(attrs) = self.kind.changed_attributes() {
            m.insert("changedAttributes".into(), list(attrs));
        }
        if let Some(members) = self.kind.members() {
            m.insert("members".into(), list(members));
        }
        m.insert(
            "occurredAt".into(),
            crate::time::format(self.occurred_at).into(),
        );
        if let Some(r) = &self.resource {
            m.insert("resource".into(), r.clone());
        }
        Value::Object(m)
    }

    /// Reads the wire shape back (what a webhook receiver or a `jsonl`
    /// reader gets); the inverse of [`ChangeRecord::to_json`].
    pub fn from_json(v: &Value) -> Result<ChangeRecord, String> {
        let o = v.as_object().ok_or("a change record is a JSON object")?;
        let text = |k: &str| -> Result<&str, String> {
            o.get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{k}: a string is required"))
        };
        let list = |k: &str| -> Result<Vec<String>, String> {
            o.get(k)
                .and_then(Value::as_array)
                .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_owned)).collect())
                .ok_or_else(|| format!("{k}: an array of strings is required"))
        };
        let cursor: Cursor = text("cursor")?
            .parse()
            .map_err(|e| format!("cursor: {e}"))?;
        let kind = match text("kind")? {
            "created" => EventKind::Created,
            "deleted" => EventKind::Deleted,
            "updated" => EventKind::Updated {
                changed_attributes: list("changedAttributes")?,
            },
            "deactivated" => EventKind::Deactivated {
                changed_attributes: list("changedAttributes")?,
            },
            "reactivated" => EventKind::Reactivated {
                changed_attributes: list("changedAttributes")?,
            },
            "membersAdded" => EventKind::MembersAdded {
                members: list("members")?,
            },
            "membersRemoved" => EventKind::MembersRemoved {
                members: list("members")?,
            },
            other => return Err(format!("kind: unknown kind {other:?}")),
        };
        let version = match o.get("version") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err("version: a string or null is required".into()),
        };
        let occurred_at = DateTime::parse_from_rfc3339(text("occurredAt")?)
            .map_err(|e| format!("occurredAt: {e}"))?
            .with_timezone(&Utc);
        let mut r = ChangeRecord::new(
            cursor,
            TenantId::new(text("tenant")?),
            text("resourceType")?,
            text("id")?,
            version,
            kind,
            occurred_at,
        );
        r.resource = o.get("resource").cloned();
        Ok(r)
    }
}
