//! The store's writes, generic over [`Backend`]: inserts with their side
//! rows (e-mails, members, unique values), compare-and-swap updates and
//! deletes, and single-row membership changes ([`groups`]: deletes and
//! membership changes, whose records name groups).

use chrono::{DateTime, Utc};
use scimkit_service::{ChangeRecord, EventKind};
use serde_json::{Map, Value};
use sqlx::Pool;

mod groups;

pub(crate) use groups::{MemberChange, MembersChanged, change_members, delete};

use super::{Backend, Conn, push_list, push_opt};
use crate::columns::{Layout, MemberRow, Stored};
use crate::error::DbError;
use crate::feed::write::{Entry, cursor_of, insert_sql, lock_key, lock_sql, records};
use crate::read_sql::Target;
use crate::record::Record;
use crate::rows::{RowRead, attach_members};
use crate::sql::{Dialect, Param, Sql};
use crate::translate::fold;

/// The `INSERT`s of a resource's e-mail rows (none without any), each
/// under the database's parameter cap.
fn emails_sql(dialect: Dialect, target: Target<'_>, id: &str, s: &Stored) -> Vec<Sql> {
    if !target.layout.emails {
        return Vec::new();
    }
    // tenant, type, id, type_lower, value_lower
    const PER_ROW: usize = 5;
    let per = crate::chunk::rows_per_statement(dialect, PER_ROW, 0);
    let mut out = Vec::new();
    for chunk in s.emails.chunks(per) {
        let mut sql = Sql::new(dialect);
        sql.push("INSERT INTO resource_emails (tenant_id, resource_type, resource_id, type_lower, value_lower) VALUES ");
        for (i, (ty, v)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            push_list(&mut sql, [target.tenant, target.rt, id]);
            sql.push(", ");
            push_opt(&mut sql, ty.as_deref());
            sql.push(", ").bind_text(v.as_str()).push(")");
        }
        out.push(sql);
    }
    out
}

/// `INSERT` of one unique value.
fn unique_sql(dialect: Dialect, target: Target<'_>, id: &str, attr: &str, value: &str) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push(
        "INSERT INTO unique_values (tenant_id, resource_type, attr, value, resource_id) VALUES (",
    );
    push_list(&mut sql, [target.tenant, target.rt, attr, value, id]);
    sql.push(")");
    sql
}

/// With registered tenants, fails with [`DbError::TenantGone`] unless the
/// tenant is in the `tenants` table; PostgreSQL holds its row `FOR KEY
/// SHARE` until the transaction ends, so a removal (whose `DELETE`
/// conflicts with it) waits, while writes of one tenant and a token
/// rotation do not wait for each other.
pub(super) async fn tenant_guard<B: Backend>(
    c: &mut Conn<B>,
    target: Target<'_>,
) -> Result<(), DbError> {
    if !target.layout.registered_tenant {
        return Ok(());
    }
    let mut sql = Sql::new(B::DIALECT);
    sql.push("SELECT 1 FROM tenants WHERE id = ")
        .bind_text(target.tenant);
    if B::DIALECT == Dialect::Postgres {
        sql.push(" FOR KEY SHARE");
    }
    if B::rows(c, &sql).await?.is_empty() {
        return Err(DbError::TenantGone);
    }
    Ok(())
}

/// Inserts the feed records of a write (one statement) and returns them.
pub(super) async fn record_feed<B: Backend>(
    c: &mut Conn<B>,
    tenant: &str,
    entries: Vec<Entry>,
    now: DateTime<Utc>,
) -> Result<Vec<ChangeRecord>, DbError> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let rows = B::rows(c, &insert_sql(B::DIALECT, tenant, &entries, now)).await?;
    let cursors = rows
        .iter()
        .map(|r| cursor_of(B::DIALECT, r))
        .collect::<Result<Vec<_>, _>>()?;
    records(tenant, entries, cursors, now)
}

/// PostgreSQL: takes the transaction's advisory lock on each resource
/// (`(type, id)` of `target.tenant`) the write will change, BEFORE its
/// first write or row lock (which assigns its transaction id): a later
/// writer of one resource then gets a later transaction id, so feed order
/// `(txid, seq)` is version order per resource. Nothing on SQLite.
pub(super) async fn lock_resources<B: Backend>(
    c: &mut Conn<B>,
    tenant: &str,
    resources: &[(String, String)],
) -> Result<(), DbError> {
    if B::DIALECT != Dialect::Postgres || resources.is_empty() {
        return Ok(());
    }
    let keys = resources
        .iter()
        .map(|(rt, id)| lock_key(tenant, rt, id))
        .collect();
    B::run(c, &lock_sql(keys)).await?;
    Ok(())
}

/// Writes the e-mail, member and unique-value rows of a resource, one
/// statement each (a unique violation names its attribute).
async fn write_side_rows<B: Backend>(
    c: &mut Conn<B>,
    target: Target<'_>,
    id: &str,
    s: &Stored,
) -> Result<(), DbError> {
    for sql in emails_sql(B::DIALECT, target, id, s) {
        B::run(c, &sql).await?;
    }
    if target.layout.members {
        insert_members::<B>(c, target, id, &s.members).await?;
    }
    for (attr, value) in &s.unique {
        match B::run(c, &unique_sql(B::DIALECT, target, id, attr, value)).await {
            Err(DbError::Unique { .. }) => {
                return Err(DbError::Unique {
                    attr: attr.clone(),
                    value: value.clone(),
                });
            }
            r => {
                r?;
            }
        }
    }
    Ok(())
}

/// Inserts member rows of group `group` (of the target's type), ignoring
/// members already there, in statements under the parameter cap; returns
/// the new ones.
pub(super) async fn insert_members<B: Backend>(
    c: &mut Conn<B>,
    target: Target<'_>,
    group: &str,
    members: &[MemberRow],
) -> Result<Vec<String>, DbError> {
    // tenant, group, group type, id, id lower, type, display, ref
    const PER_ROW: usize = 8;
    let per = crate::chunk::rows_per_statement(B::DIALECT, PER_ROW, 0);
    let mut added = Vec::new();
    for chunk in members.chunks(per) {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("INSERT INTO group_members (tenant_id, group_id, group_type, member_id, member_id_lower, type, display, ref) VALUES ");
        for (i, m) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            let lower = fold(&m.value);
            push_list(
                &mut sql,
                [
                    target.tenant,
                    group,
                    target.rt,
                    m.value.as_str(),
                    lower.as_str(),
                ],
            );
            for o in [&m.kind, &m.display, &m.reference] {
                sql.push(", ");
                push_opt(&mut sql, o.as_deref());
            }
            sql.push(")");
        }
        sql.push(" ON CONFLICT (tenant_id, group_id, member_id) DO NOTHING RETURNING member_id");
        for r in B::rows(c, &sql).await? {
            added.push(r.text(0)?);
        }
    }
    Ok(added)
}

/// Deletes the e-mail, member and unique-value rows of a resource.
pub(super) async fn delete_side_rows<B: Backend>(
    c: &mut Conn<B>,
    target: Target<'_>,
    id: &str,
) -> Result<(), DbError> {
    let layout = target.layout;
    let tables = [
        (layout.emails, "resource_emails", "resource_id"),
        (layout.members, "group_members", "group_id"),
        (!layout.unique.is_empty(), "unique_values", "resource_id"),
    ];
    for (used, table, id_col) in tables {
        if !used {
            continue;
        }
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM ")
            .push(table)
            .push(" WHERE tenant_id = ")
            .bind_text(target.tenant);
        // Member rows are found by group id alone (their type came later).
        if table != "group_members" {
            sql.push(" AND resource_type = ").bind_text(target.rt);
        }
        sql.push(" AND ").push(id_col).push(" = ").bind_text(id);
        B::run(c, &sql).await?;
    }
    Ok(())
}

/// The statements of an insert: the resource row alone, and (on SQLite,
/// for types without member rows) the row with its side rows as one
/// multi-statement text, run in one call.
pub(crate) struct Prepared {
    pub(crate) stored: Stored,
    pub(crate) row: Sql,
    /// The resource's `Created` record.
    pub(crate) feed: Entry,
    /// On SQLite, the row, its side rows and its feed record in one text
    /// (the feed `INSERT … RETURNING` last: the only statement with rows).
    pub(crate) all: Option<Sql>,
}

/// Builds the statements that insert `doc` as resource `id`.
pub(crate) fn prepare_insert(
    dialect: Dialect,
    target: Target<'_>,
    id: &str,
    doc: &Map<String, Value>,
    now: DateTime<Utc>,
    keep: bool,
) -> Result<Prepared, DbError> {
    let s = Stored::new(doc.clone(), target.layout)?;
    let mut feed = Entry::new(target.rt, id, Some(1), EventKind::Created);
    if keep {
        feed.resource = Some(Value::Object(doc.clone()).to_string());
    }
    let mut sql = Sql::new(dialect);
    sql.push("INSERT INTO resources (tenant_id, resource_type, id, version, created, last_modified, data, user_name_lower, external_id, display_name_lower) VALUES (");
    if target.layout.registered_tenant {
        // NULL (a NOT NULL violation, DbError::TenantGone) when the tenant
        // is gone: the group commit needs no extra statement.
        sql.push("(SELECT id FROM tenants WHERE id = ")
            .bind_text(target.tenant)
            .push(")");
    } else {
        sql.bind_text(target.tenant);
    }
    sql.push(", ");
    push_list(&mut sql, [target.rt, id]);
    sql.push(", ").bind(Param::Int(1)).push(", ");
    sql.bind(Param::Time(now))
        .push(", ")
        .bind(Param::Time(now))
        .push(", ");
    sql.bind(Param::Json(s.data.clone()));
    for o in [&s.user_name_lower, &s.external_id, &s.display_name_lower] {
        sql.push(", ");
        push_opt(&mut sql, o.as_deref());
    }
    sql.push(")");
    let all = (dialect == Dialect::Sqlite && !target.layout.members).then(|| {
        // SQLite runs several statements in one call (parameters bind in
        // order): one hand-off to its thread instead of one each.
        let mut all = sql.clone();
        let side = emails_sql(dialect, target, id, &s).into_iter().chain(
            s.unique
                .iter()
                .map(|(a, v)| unique_sql(dialect, target, id, a, v)),
        );
        let record = insert_sql(dialect, target.tenant, std::slice::from_ref(&feed), now);
        for st in side.chain([record]) {
            all.text.push_str(";\n");
            all.text.push_str(&st.text);
            all.params.extend(st.params);
        }
        all
    });
    Ok(Prepared {
        stored: s,
        row: sql,
        feed,
        all,
    })
}

/// Inserts the resource statement by statement in its own transaction (a
/// unique violation names its attribute).
pub(crate) async fn insert_each<B: Backend>(
    pool: &Pool<B::Db>,
    target: Target<'_>,
    id: &str,
    p: &Prepared,
    now: DateTime<Utc>,
) -> Result<Vec<ChangeRecord>, DbError> {
    let mut tx = pool.begin().await?;
    tenant_guard::<B>(&mut tx, target).await?;
    B::run(&mut tx, &p.row).await?;
    write_side_rows::<B>(&mut tx, target, id, &p.stored).await?;
    let records = record_feed::<B>(&mut tx, target.tenant, vec![p.feed.clone()], now).await?;
    tx.commit().await?;
    Ok(records)
}

/// The document as stored and returned: without `id` and `meta`, with the
/// member rows as `members` for types that keep them apart.
fn stored_doc(mut data: Map<String, Value>, layout: &Layout) -> Map<String, Value> {
    scimkit_schema::remove_ci(&mut data, "id");
    scimkit_schema::remove_ci(&mut data, "meta");
    if layout.members {
        scimkit_schema::remove_ci(&mut data, "members");
    }
    data
}

/// The record of a resource just written.
fn written(
    id: &str,
    doc: Map<String, Value>,
    stored: &Stored,
    layout: &Layout,
    versions: (i64, DateTime<Utc>, DateTime<Utc>),
) -> Record {
    let (version, created, last_modified) = versions;
    let mut rec = Record {
        id: id.to_owned(),
        version,
        created,
        last_modified,
        data: stored_doc(doc, layout),
    };
    if layout.members {
        attach_members(&mut rec, &stored.members);
    }
    rec
}

/// The record of a resource just inserted.
pub(crate) fn inserted(
    id: &str,
    doc: Map<String, Value>,
    p: &Prepared,
    layout: &Layout,
    now: DateTime<Utc>,
) -> Record {
    written(id, doc, &p.stored, layout, (1, now, now))
}

/// Inserts a new resource and its `Created` record.
pub(crate) async fn insert<B: Backend>(
    pool: &Pool<B::Db>,
    target: Target<'_>,
    id: &str,
    doc: Map<String, Value>,
    now: DateTime<Utc>,
    keep: bool,
) -> Result<(Record, Vec<ChangeRecord>), DbError> {
    let p = prepare_insert(B::DIALECT, target, id, &doc, now, keep)?;
    let records = match &p.all {
        Some(all) => {
            let mut tx = pool.begin().await?;
            match B::rows(&mut tx, all).await {
                Ok(rows) => {
                    let cursors = rows
                        .iter()
                        .map(|r| cursor_of(B::DIALECT, r))
                        .collect::<Result<Vec<_>, _>>()?;
                    drop(rows);
                    tx.commit().await?;
                    records(target.tenant, vec![p.feed.clone()], cursors, now)?
                }
                Err(DbError::Unique { .. }) => {
                    // Redo statement by statement to name the attribute.
                    drop(tx);
                    insert_each::<B>(pool, target, id, &p, now).await?
                }
                Err(e) => return Err(e),
            }
        }
        None => insert_each::<B>(pool, target, id, &p, now).await?,
    };
    Ok((inserted(id, doc, &p, target.layout, now), records))
}

/// The error for a compare-and-swap that changed no row: the version the
/// resource is at, or not found.
pub(super) async fn cas_failure<B: Backend>(
    c: &mut Conn<B>,
    target: Target<'_>,
    id: &str,
) -> DbError {
    let mut sql = Sql::new(B::DIALECT);
    sql.push("SELECT version FROM resources WHERE tenant_id = ")
        .bind_text(target.tenant);
    sql.push(" AND resource_type = ").bind_text(target.rt);
    sql.push(" AND id = ").bind_text(id);
    let current = match B::rows(c, &sql).await {
        Ok(rs) => match rs.first().map(|r| r.int(0)).transpose() {
            Ok(v) => v,
            Err(e) => return e,
        },
        Err(e) => return e,
    };
    match current {
        Some(current) => DbError::VersionMismatch { current },
        None => DbError::NotFound,
    }
}

/// A write's expectations: the version it replaces (`None`: any) and the
/// time it happens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expect {
    pub(crate) version: Option<i64>,
    pub(crate) now: DateTime<Utc>,
}

/// What a write records: the kinds of a replace, whether bodies are kept.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recording<'a> {
    pub(crate) change: &'a [EventKind],
    pub(crate) keep: bool,
}

/// Replaces a resource (compare-and-swap on `expect.version` when given)
/// and records `rec.change` (`Updated` with no attribute when empty).
pub(crate) async fn update<B: Backend>(
    pool: &Pool<B::Db>,
    target: Target<'_>,
    id: &str,
    doc: Map<String, Value>,
    expect: Expect,
    rec: Recording<'_>,
) -> Result<(Record, Vec<ChangeRecord>), DbError> {
    let s = Stored::new(doc.clone(), target.layout)?;
    let mut tx = pool.begin().await?;
    lock_resources::<B>(
        &mut tx,
        target.tenant,
        &[(target.rt.to_owned(), id.to_owned())],
    )
    .await?;
    tenant_guard::<B>(&mut tx, target).await?;
    let mut sql = Sql::new(B::DIALECT);
    sql.push("UPDATE resources SET version = version + 1, last_modified = ")
        .bind(Param::Time(expect.now));
    sql.push(", data = ").bind(Param::Json(s.data.clone()));
    for (col, o) in [
        ("user_name_lower", &s.user_name_lower),
        ("external_id", &s.external_id),
        ("display_name_lower", &s.display_name_lower),
    ] {
        sql.push(", ").push(col).push(" = ");
        push_opt(&mut sql, o.as_deref());
    }
    sql.push(" WHERE tenant_id = ")
        .bind_text(target.tenant)
        .push(" AND resource_type = ")
        .bind_text(target.rt);
    sql.push(" AND id = ").bind_text(id);
    if let Some(v) = expect.version {
        sql.push(" AND version = ").bind(Param::Int(v));
    }
    sql.push(" RETURNING version, created");
    let rs = B::rows(&mut tx, &sql).await?;
    let Some(row) = rs.first() else {
        return Err(cas_failure::<B>(&mut tx, target, id).await);
    };
    let (version, created) = (row.int(0)?, row.time(1)?);
    drop(rs);
    delete_side_rows::<B>(&mut tx, target, id).await?;
    write_side_rows::<B>(&mut tx, target, id, &s).await?;
    let updated = [EventKind::Updated {
        changed_attributes: Vec::new(),
    }];
    let kinds = if rec.change.is_empty() {
        &updated[..]
    } else {
        rec.change
    };
    let body = rec.keep.then(|| Value::Object(doc.clone()).to_string());
    let entries = kinds
        .iter()
        .map(|k| {
            let mut e = Entry::new(target.rt, id, Some(version), k.clone());
            e.resource = body.clone();
            e
        })
        .collect();
    let records = record_feed::<B>(&mut tx, target.tenant, entries, expect.now).await?;
    tx.commit().await?;
    let rec = written(id, doc, &s, target.layout, (version, created, expect.now));
    Ok((rec, records))
}
