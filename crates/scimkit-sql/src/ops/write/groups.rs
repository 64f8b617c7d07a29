//! Deletes (with the group memberships they end) and membership changes:
//! the writes whose feed records name groups, and on PostgreSQL the
//! writes that lock more than the resource they are asked to change.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use scimkit_service::{ChangeRecord, EventKind};
use sqlx::Pool;

use super::{
    Expect, cas_failure, delete_side_rows, insert_members, lock_resources, record_feed,
    tenant_guard,
};
use crate::columns::MemberRow;
use crate::error::DbError;
use crate::feed::write::Entry;
use crate::ops::{Backend, Conn, push_list};
use crate::read_sql::{Target, bare_columns};
use crate::record::Record;
use crate::rows::{RowRead, record};
use crate::sql::{Dialect, Param, Sql};
use crate::translate::fold;

/// Takes resource `id` out of every group of the tenant that lists it,
/// giving those groups a new version and `lastModified`.
async fn leave_groups<B: Backend>(
    c: &mut Conn<B>,
    tenant: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String, i64)>, DbError> {
    let mut sql = Sql::new(B::DIALECT);
    sql.push("DELETE FROM group_members WHERE tenant_id = ")
        .bind_text(tenant);
    sql.push(" AND member_id_lower = ").bind_text(fold(id));
    sql.push(" AND member_id = ")
        .bind_text(id)
        .push(" RETURNING group_id, group_type");
    let mut by_type: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for r in B::rows(c, &sql).await? {
        by_type.entry(r.opt_text(1)?).or_default().push(r.text(0)?);
    }
    // last_modified, tenant, resource type
    const FIXED: usize = 3;
    let per = crate::chunk::rows_per_statement(B::DIALECT, 1, FIXED);
    let mut changed = Vec::new();
    for (ty, groups) in by_type {
        for chunk in groups.chunks(per) {
            let mut sql = Sql::new(B::DIALECT);
            sql.push("UPDATE resources SET version = version + 1, last_modified = ")
                .bind(Param::Time(now));
            sql.push(" WHERE tenant_id = ").bind_text(tenant);
            // Every row has its group's type since migration 20261205000200.
            if let Some(ty) = &ty {
                sql.push(" AND resource_type = ").bind_text(ty.as_str());
            }
            sql.push(" AND id IN (");
            push_list(&mut sql, chunk.iter().map(String::as_str));
            sql.push(") RETURNING resource_type, id, version");
            for r in B::rows(c, &sql).await? {
                changed.push((r.text(0)?, r.text(1)?, r.int(2)?));
            }
        }
    }
    // Feed order within the delete: by group type and id.
    changed.sort();
    Ok(changed)
}

/// The groups (type, id) that list `id` as a member now.
async fn groups_of<B: Backend>(
    c: &mut Conn<B>,
    tenant: &str,
    id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    let mut sql = Sql::new(B::DIALECT);
    sql.push("SELECT group_type, group_id FROM group_members WHERE tenant_id = ")
        .bind_text(tenant);
    sql.push(" AND member_id_lower = ").bind_text(fold(id));
    sql.push(" AND member_id = ").bind_text(id);
    let mut out = Vec::new();
    for r in B::rows(c, &sql).await? {
        out.push((r.opt_text(0)?.unwrap_or_default(), r.text(1)?));
    }
    Ok(out)
}

/// How often a PostgreSQL delete starts over because a group gained the
/// deleted resource as a member between its look-up and its delete.
const DELETE_ATTEMPTS: usize = 8;

/// Deletes a resource (compare-and-swap on `expect.version` when given),
/// and its memberships (see [`leave_groups`]); records `Deleted`, then
/// `MembersRemoved` for each group it left.
///
/// On PostgreSQL the resource and the groups that list it are locked
/// first ([`lock_resources`]); a group that gained it as a member in the
/// meantime was not locked, so the transaction is rolled back and run
/// again with that group locked too.
pub(crate) async fn delete<B: Backend>(
    pool: &Pool<B::Db>,
    target: Target<'_>,
    id: &str,
    expect: Expect,
) -> Result<Vec<ChangeRecord>, DbError> {
    let mut locked: Vec<(String, String)> = Vec::new();
    for _ in 0..DELETE_ATTEMPTS {
        if let Some(records) = delete_once::<B>(pool, target, id, expect, &mut locked).await? {
            return Ok(records);
        }
    }
    Err(DbError::Unavailable(format!(
        "the delete of {id} kept racing membership changes; try again"
    )))
}

/// One attempt of [`delete`]: `None` when a group outside `locked` was
/// changed (then `locked` holds it, and nothing was committed).
async fn delete_once<B: Backend>(
    pool: &Pool<B::Db>,
    target: Target<'_>,
    id: &str,
    expect: Expect,
    locked: &mut Vec<(String, String)>,
) -> Result<Option<Vec<ChangeRecord>>, DbError> {
    let mut tx = pool.begin().await?;
    if B::DIALECT == Dialect::Postgres {
        for g in groups_of::<B>(&mut tx, target.tenant, id).await? {
            if !locked.contains(&g) {
                locked.push(g);
            }
        }
        let mut all = locked.clone();
        all.push((target.rt.to_owned(), id.to_owned()));
        lock_resources::<B>(&mut tx, target.tenant, &all).await?;
    }
    tenant_guard::<B>(&mut tx, target).await?;
    let mut sql = Sql::new(B::DIALECT);
    sql.push("DELETE FROM resources WHERE tenant_id = ")
        .bind_text(target.tenant);
    sql.push(" AND resource_type = ")
        .bind_text(target.rt)
        .push(" AND id = ")
        .bind_text(id);
    if let Some(v) = expect.version {
        sql.push(" AND version = ").bind(Param::Int(v));
    }
    if B::run(&mut tx, &sql).await? == 0 {
        return Err(cas_failure::<B>(&mut tx, target, id).await);
    }
    delete_side_rows::<B>(&mut tx, target, id).await?;
    let groups = leave_groups::<B>(&mut tx, target.tenant, id, expect.now).await?;
    if B::DIALECT == Dialect::Postgres {
        let missed: Vec<(String, String)> = groups
            .iter()
            .map(|(t, g, _)| (t.clone(), g.clone()))
            .filter(|g| !locked.contains(g))
            .collect();
        if !missed.is_empty() {
            drop(tx);
            locked.extend(missed);
            return Ok(None);
        }
    }
    let mut entries = vec![Entry::new(target.rt, id, None, EventKind::Deleted)];
    entries.extend(groups.into_iter().map(|(t, g, v)| {
        Entry::new(
            &t,
            &g,
            Some(v),
            EventKind::MembersRemoved {
                members: vec![id.to_owned()],
            },
        )
    }));
    let records = record_feed::<B>(&mut tx, target.tenant, entries, expect.now).await?;
    tx.commit().await?;
    Ok(Some(records))
}

/// A change of a group's members: the rows to add and the values to remove.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberChange<'a> {
    pub(crate) add: &'a [MemberRow],
    pub(crate) remove: &'a [String],
}

/// What [`change_members`] did: the group (without `members`), the
/// member values actually added and removed, and the feed records.
#[derive(Debug)]
pub(crate) struct MembersChanged {
    pub(crate) group: Record,
    pub(crate) added: Vec<String>,
    pub(crate) removed: Vec<String>,
    pub(crate) records: Vec<ChangeRecord>,
}

/// Adds or removes members of a group with single-row writes, bumping the
/// group's version and `lastModified` (one-row UPDATE) when anything
/// changed, and recording `MembersAdded` then `MembersRemoved`.
pub(crate) async fn change_members<B: Backend>(
    pool: &Pool<B::Db>,
    target: Target<'_>,
    group: &str,
    change: MemberChange<'_>,
    now: DateTime<Utc>,
) -> Result<MembersChanged, DbError> {
    let mut tx = pool.begin().await?;
    lock_resources::<B>(
        &mut tx,
        target.tenant,
        &[(target.rt.to_owned(), group.to_owned())],
    )
    .await?;
    tenant_guard::<B>(&mut tx, target).await?;
    // Take the group's row lock first, so concurrent changes serialise.
    let mut sql = Sql::new(B::DIALECT);
    sql.push("UPDATE resources SET version = version WHERE tenant_id = ")
        .bind_text(target.tenant);
    sql.push(" AND resource_type = ")
        .bind_text(target.rt)
        .push(" AND id = ")
        .bind_text(group);
    if B::run(&mut tx, &sql).await? == 0 {
        return Err(DbError::NotFound);
    }
    let added = insert_members::<B>(&mut tx, target, group, change.add).await?;
    let mut removed = Vec::new();
    // tenant, group
    const FIXED: usize = 2;
    for chunk in change
        .remove
        .chunks(crate::chunk::rows_per_statement(B::DIALECT, 1, FIXED))
    {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM group_members WHERE tenant_id = ")
            .bind_text(target.tenant);
        sql.push(" AND group_id = ")
            .bind_text(group)
            .push(" AND member_id IN (");
        push_list(&mut sql, chunk.iter().map(String::as_str));
        sql.push(") RETURNING member_id");
        for r in B::rows(&mut tx, &sql).await? {
            removed.push(r.text(0)?);
        }
    }
    let changed = !added.is_empty() || !removed.is_empty();
    let columns = bare_columns(B::DIALECT);
    let mut sql = Sql::new(B::DIALECT);
    if !changed {
        sql.push("SELECT ").push(columns).push(" FROM resources");
    } else {
        sql.push("UPDATE resources SET version = version + 1, last_modified = ")
            .bind(Param::Time(now));
    }
    sql.push(" WHERE tenant_id = ")
        .bind_text(target.tenant)
        .push(" AND resource_type = ")
        .bind_text(target.rt);
    sql.push(" AND id = ").bind_text(group);
    if changed {
        sql.push(" RETURNING ").push(columns);
    }
    let rs = B::rows(&mut tx, &sql).await?;
    let rec = match rs.first() {
        Some(r) => record(r)?,
        None => return Err(DbError::NotFound),
    };
    drop(rs);
    let mut entries = Vec::new();
    if !added.is_empty() {
        let kind = EventKind::MembersAdded {
            members: added.clone(),
        };
        entries.push(Entry::new(target.rt, group, Some(rec.version), kind));
    }
    if !removed.is_empty() {
        let kind = EventKind::MembersRemoved {
            members: removed.clone(),
        };
        entries.push(Entry::new(target.rt, group, Some(rec.version), kind));
    }
    let records = record_feed::<B>(&mut tx, target.tenant, entries, now).await?;
    tx.commit().await?;
    Ok(MembersChanged {
        group: rec,
        added,
        removed,
        records,
    })
}
