//! Writing feed records inside a write's transaction: the `INSERT` of a
//! write's records (one statement, `RETURNING` their positions), and on
//! PostgreSQL the advisory locks that keep one resource's records in
//! version order.

use chrono::{DateTime, Utc};
use scimkit_service::{ChangeRecord, Cursor, EventKind, TenantId};
use serde_json::Value;

use crate::error::DbError;
use crate::rows::RowRead;
use crate::sql::{Dialect, Param, Sql};

/// One record to write: which resource, at which version (`None` after a
/// delete), what happened, and the body when kept.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) rt: String,
    pub(crate) id: String,
    pub(crate) version: Option<i64>,
    pub(crate) kind: EventKind,
    pub(crate) resource: Option<String>,
}

impl Entry {
    pub(crate) fn new(rt: &str, id: &str, version: Option<i64>, kind: EventKind) -> Self {
        Entry {
            rt: rt.to_owned(),
            id: id.to_owned(),
            version,
            kind,
            resource: None,
        }
    }
}

/// The `kind` column and the `detail` JSON of a kind.
pub(crate) fn kind_columns(kind: &EventKind) -> (&'static str, Option<String>) {
    let list = kind.changed_attributes().or(kind.members());
    (
        kind.name(),
        list.map(|l| Value::from(l.to_vec()).to_string()),
    )
}

/// The kind back from its columns.
pub(crate) fn kind_from(kind: &str, detail: Option<&str>) -> Result<EventKind, DbError> {
    let list = || -> Result<Vec<String>, DbError> {
        match detail {
            None => Ok(Vec::new()),
            Some(d) => Ok(serde_json::from_str(d)?),
        }
    };
    Ok(match kind {
        "created" => EventKind::Created,
        "deleted" => EventKind::Deleted,
        "updated" => EventKind::Updated {
            changed_attributes: list()?,
        },
        "deactivated" => EventKind::Deactivated {
            changed_attributes: list()?,
        },
        "reactivated" => EventKind::Reactivated {
            changed_attributes: list()?,
        },
        "membersAdded" => EventKind::MembersAdded { members: list()? },
        "membersRemoved" => EventKind::MembersRemoved { members: list()? },
        _ => return Err(DbError::Feed("unknown kind")),
    })
}

/// The columns that make a record's cursor, as selected and returned.
pub(crate) fn cursor_columns(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "position",
        Dialect::Postgres => "txid::text, seq",
    }
}

/// How many columns [`cursor_columns`] are.
pub(crate) fn cursor_width(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Sqlite => 1,
        Dialect::Postgres => 2,
    }
}

/// The cursor of a row whose first columns are [`cursor_columns`]: 16
/// hex digits of the SQLite position; 16 of the PostgreSQL transaction id
/// and 16 of the sequence value.
pub(crate) fn cursor_of(dialect: Dialect, row: &impl RowRead) -> Result<Cursor, DbError> {
    Ok(match dialect {
        Dialect::Sqlite => Cursor::new(format!("{:016x}", row.int(0)?)),
        Dialect::Postgres => {
            let txid: u64 = row
                .text(0)?
                .parse()
                .map_err(|_| DbError::Feed("txid is not a number"))?;
            Cursor::new(format!("{txid:016x}{:016x}", row.int(1)?))
        }
    })
}

/// The `INSERT` of `entries` (at least one) for `tenant`, returning
/// their cursor columns in order.
pub(crate) fn insert_sql(
    dialect: Dialect,
    tenant: &str,
    entries: &[Entry],
    now: DateTime<Utc>,
) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push("INSERT INTO feed (tenant_id, resource_type, resource_id, version, kind, detail, occurred_at, resource) VALUES ");
    for (i, e) in entries.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.bind_text(tenant).push(", ");
        sql.bind_text(e.rt.as_str())
            .push(", ")
            .bind_text(e.id.as_str())
            .push(", ");
        match e.version {
            Some(v) => sql.bind(Param::Int(v)),
            None => sql.push("NULL"),
        };
        let (kind, detail) = kind_columns(&e.kind);
        sql.push(", ").bind_text(kind).push(", ");
        match detail {
            Some(d) => sql.bind(Param::Json(d)),
            None => sql.push("NULL"),
        };
        sql.push(", ").bind(Param::Time(now)).push(", ");
        match &e.resource {
            Some(r) => sql.bind(Param::Json(r.clone())),
            None => sql.push("NULL"),
        };
        sql.push(")");
    }
    sql.push(" RETURNING ").push(cursor_columns(dialect));
    sql
}

/// The records of `entries` with the cursors their `INSERT` returned.
pub(crate) fn records(
    tenant: &str,
    entries: Vec<Entry>,
    cursors: Vec<Cursor>,
    now: DateTime<Utc>,
) -> Result<Vec<ChangeRecord>, DbError> {
    if cursors.len() != entries.len() {
        return Err(DbError::Feed("the insert returned another number of rows"));
    }
    let tenant = TenantId::new(tenant);
    let mut out = Vec::with_capacity(entries.len());
    for (e, c) in entries.into_iter().zip(cursors) {
        let mut r = ChangeRecord::new(
            c,
            tenant.clone(),
            e.rt,
            e.id,
            e.version.map(|v| v.to_string()),
            e.kind,
            now,
        );
        if let Some(body) = e.resource {
            r = r.with_resource(serde_json::from_str(&body)?);
        }
        out.push(r);
    }
    Ok(out)
}

/// The advisory-lock key of a resource: FNV-1a (64 bits) of tenant, type
/// and id, stable across processes and versions (a collision only makes
/// two writers wait for each other).
pub(crate) fn lock_key(tenant: &str, rt: &str, id: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [tenant, rt, id] {
        for b in part.bytes().chain([0x1f]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h as i64
}

/// `SELECT pg_advisory_xact_lock(k1), …` over sorted, deduplicated keys
/// (PostgreSQL evaluates a select list left to right, so every writer
/// takes its locks in key order and two writers cannot deadlock on them).
pub(crate) fn lock_sql(mut keys: Vec<i64>) -> Sql {
    keys.sort_unstable();
    keys.dedup();
    let mut sql = Sql::new(Dialect::Postgres);
    sql.push("SELECT ");
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("pg_advisory_xact_lock(")
            .bind(Param::Int(k))
            .push(")");
    }
    sql
}
