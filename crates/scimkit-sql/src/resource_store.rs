//! [`ResourceStore`] for [`SqlStore`]: the service's contract mapped onto the
//! SQL operations.

use async_trait::async_trait;
use chrono::{SubsecRound, Utc};
use scimkit_schema::{Resource, ResourceSchema};
use scimkit_service::{
    ChangeRecord, EventKind, Fetch, ListQuery, ListResult, Member, MemberUpdate, ResourceStore,
    StoreError, StoredResource, TenantId,
};

use crate::SqlStore;
use crate::columns::MemberRow;
use crate::error::DbError;
use crate::ops::write::{Expect, MemberChange, MembersChanged};
use crate::record::Record;

/// A stored version as text (`"3"`), and back; a version this store never
/// wrote (`"abc"`) matches no row.
fn parse_version(v: Option<&str>) -> Option<i64> {
    v.map(|s| s.parse().unwrap_or(-1))
}

pub(crate) fn stored(rt: &str, r: Record) -> StoredResource {
    StoredResource::new(
        r.id,
        rt,
        r.version.to_string(),
        r.created,
        r.last_modified,
        Resource::from_map(r.data),
    )
}

pub(crate) fn map_err(id: &str, e: DbError) -> StoreError {
    match e {
        DbError::NotFound => StoreError::NotFound { id: id.to_owned() },
        DbError::VersionMismatch { current } => StoreError::VersionMismatch {
            id: id.to_owned(),
            current: current.to_string(),
        },
        DbError::Unique { attr, value } if attr == "id" => StoreError::Conflict {
            detail: format!("a resource with id {id:?} already exists{value}"),
        },
        DbError::Unique { attr, value } => StoreError::Conflict {
            detail: format!("{attr} {value:?} is already in use"),
        },
        DbError::TenantGone => StoreError::TenantGone,
        DbError::Unavailable(detail) => StoreError::Unavailable(detail),
        e => StoreError::internal(e),
    }
}

/// The engine's view of a membership change (one side is empty: the
/// engine adds or removes).
fn member_update(rs: &ResourceSchema, done: MembersChanged) -> MemberUpdate {
    let mut changed = done.added;
    changed.extend(done.removed);
    MemberUpdate::new(
        stored(rs.name(), done.group).with_changes(done.records),
        changed,
    )
}

#[async_trait]
impl ResourceStore for SqlStore {
    async fn create(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        resource: Resource,
    ) -> Result<StoredResource, StoreError> {
        // A version 7 UUID (RFC 9562 §5.7): random, but ordered by creation
        // time, so each new id lands at the end of the three indexes that
        // hold ids instead of on three random pages, which each commit would
        // write out whole (SQLite creates: 6,300 -> 12,200 per second; see
        // docs/BENCHMARKS.md). The id reveals its creation time to the
        // millisecond, as `meta.created` does anyway.
        let id = uuid::Uuid::now_v7().to_string();
        let now = Utc::now().trunc_subsecs(6);
        let (r, records) = self
            .insert(tenant.as_str(), rs, &id, resource.into_map(), now)
            .await
            .map_err(|e| map_err(&id, e))?;
        Ok(stored(rs.name(), r).with_changes(records))
    }

    async fn get(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
    ) -> Result<Option<StoredResource>, StoreError> {
        self.get_with(tenant, rs, id, Fetch::all()).await
    }

    async fn get_with(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        fetch: Fetch,
    ) -> Result<Option<StoredResource>, StoreError> {
        let r = self
            .fetch(tenant.as_str(), rs, id, !fetch.skip_members)
            .await
            .map_err(|e| map_err(id, e))?;
        Ok(r.map(|r| stored(rs.name(), r)))
    }

    async fn replace(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
        change: &[EventKind],
    ) -> Result<StoredResource, StoreError> {
        let now = Utc::now().trunc_subsecs(6);
        let (r, records) = self
            .update(
                tenant.as_str(),
                rs,
                id,
                resource.into_map(),
                Expect {
                    version: parse_version(expected_version),
                    now,
                },
                change,
            )
            .await
            .map_err(|e| map_err(id, e))?;
        Ok(stored(rs.name(), r).with_changes(records))
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        let now = Utc::now().trunc_subsecs(6);
        self.remove(
            tenant.as_str(),
            rs,
            id,
            Expect {
                version: parse_version(expected_version),
                now,
            },
        )
        .await
        .map_err(|e| map_err(id, e))
    }

    async fn missing_ids(
        &self,
        tenant: &TenantId,
        types: &[&ResourceSchema],
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
        self.find_missing(tenant.as_str(), &names, ids)
            .await
            .map_err(|e| map_err("", e))
    }

    async fn list(
        &self,
        tenant: &TenantId,
        query: &ListQuery<'_>,
    ) -> Result<ListResult, StoreError> {
        crate::scan::list(self, tenant.as_str(), query).await
    }

    async fn add_members(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        members: &[Member],
    ) -> Result<MemberUpdate, StoreError> {
        if !self.layout(rs).members {
            return Err(StoreError::Invalid(
                scimkit_schema::ScimError::invalid_value(format!(
                    "resource type {} has no members",
                    rs.name()
                )),
            ));
        }
        let rows: Vec<MemberRow> = members
            .iter()
            .map(|m| MemberRow {
                value: m.value.clone(),
                kind: m.kind.clone(),
                display: m.display.clone(),
                reference: None,
            })
            .collect();
        let now = Utc::now().trunc_subsecs(6);
        let done = self
            .change_members(
                tenant.as_str(),
                rs,
                id,
                MemberChange {
                    add: &rows,
                    remove: &[],
                },
                now,
            )
            .await
            .map_err(|e| map_err(id, e))?;
        Ok(member_update(rs, done))
    }

    async fn remove_members(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        values: &[String],
    ) -> Result<MemberUpdate, StoreError> {
        if !self.layout(rs).members {
            return Err(StoreError::Invalid(
                scimkit_schema::ScimError::invalid_value(format!(
                    "resource type {} has no members",
                    rs.name()
                )),
            ));
        }
        let now = Utc::now().trunc_subsecs(6);
        let done = self
            .change_members(
                tenant.as_str(),
                rs,
                id,
                MemberChange {
                    add: &[],
                    remove: values,
                },
                now,
            )
            .await
            .map_err(|e| map_err(id, e))?;
        Ok(member_update(rs, done))
    }
}
