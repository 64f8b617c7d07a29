//! The statements of the `request_log` table, generic over the database.

use sqlx::Pool;

use super::{MAX_REQUEST_LOG_PAGE, RequestLogEntry, RequestLogPage, RequestLogQuery};
use crate::error::DbError;
use crate::ops::Backend;
use crate::rows::RowRead;
use crate::sql::{Dialect, Param, Sql};
use scimkit_service::{Switch, Switches};

const COLUMNS: &str = "id, tenant, time, method, path, filter, status, scim_type, detail, \
     duration_us, switches, resource_type, resource_id, request_body, response_body";

/// `,name,name,` (so `,name,` finds one), or `""` for none.
fn switches_text(s: Switches) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(",{s},")
    }
}

fn switches_of(text: &str) -> Switches {
    text.split(',').filter_map(Switch::from_name).collect()
}

fn opt(sql: &mut Sql, v: Option<&String>) {
    match v {
        Some(s) => sql.bind_text(s.as_str()),
        None => sql.push("NULL"),
    };
}

/// One multi-row `INSERT` of `entries`.
pub(super) fn insert_sql(d: Dialect, entries: &[RequestLogEntry]) -> Sql {
    let mut sql = Sql::new(d);
    sql.push(
        "INSERT INTO request_log (tenant, time, method, path, filter, status, scim_type, \
         detail, duration_us, switches, resource_type, resource_id, request_body, \
         response_body) VALUES ",
    );
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(").bind_text(e.tenant.as_str()).push(", ");
        sql.bind(Param::Time(e.time)).push(", ");
        sql.bind_text(e.method.as_str()).push(", ");
        sql.bind_text(e.path.as_str()).push(", ");
        opt(&mut sql, e.filter.as_ref());
        sql.push(", ")
            .bind(Param::Int(i64::from(e.status)))
            .push(", ");
        opt(&mut sql, e.scim_type.as_ref());
        sql.push(", ");
        opt(&mut sql, e.detail.as_ref());
        let us = i64::try_from(e.duration_us).unwrap_or(i64::MAX);
        sql.push(", ").bind(Param::Int(us)).push(", ");
        sql.bind_text(switches_text(e.switches)).push(", ");
        opt(&mut sql, e.resource_type.as_ref());
        sql.push(", ");
        opt(&mut sql, e.resource_id.as_ref());
        sql.push(", ");
        opt(&mut sql, e.request_body.as_ref());
        sql.push(", ");
        opt(&mut sql, e.response_body.as_ref());
        sql.push(")");
    }
    sql
}

/// Deletes all but tenant `tenant`'s newest `keep` entries.
pub(super) fn prune_sql(d: Dialect, tenant: &str, keep: u64) -> Sql {
    let mut sql = Sql::new(d);
    sql.push("DELETE FROM request_log WHERE tenant = ")
        .bind_text(tenant)
        .push(" AND id <= (SELECT id FROM request_log WHERE tenant = ")
        .bind_text(tenant)
        .push(" ORDER BY id DESC LIMIT 1 OFFSET ")
        .bind(Param::Int(i64::try_from(keep).unwrap_or(i64::MAX)))
        .push(")");
    sql
}

fn select_sql(d: Dialect, q: &RequestLogQuery, limit: usize) -> Sql {
    let mut sql = Sql::new(d);
    sql.push("SELECT ")
        .push(COLUMNS)
        .push(" FROM request_log WHERE 1 = 1");
    if let Some(t) = &q.tenant {
        sql.push(" AND tenant = ").bind_text(t.as_str());
    }
    if let Some(c) = q.status_class {
        let lo = i64::from(c) * 100;
        sql.push(" AND status >= ")
            .bind(Param::Int(lo))
            .push(" AND status < ")
            .bind(Param::Int(lo + 100));
    }
    if let Some(t) = &q.resource_type {
        sql.push(" AND resource_type = ").bind_text(t.as_str());
    }
    if let Some(id) = &q.resource_id {
        sql.push(" AND resource_id = ").bind_text(id.as_str());
    }
    if let Some(s) = q.switch {
        let needle = format!(",{},", s.name());
        match d {
            Dialect::Sqlite => sql
                .push(" AND instr(switches, ")
                .bind_text(needle)
                .push(") > 0"),
            Dialect::Postgres => sql
                .push(" AND strpos(switches, ")
                .bind_text(needle)
                .push(") > 0"),
        };
    }
    if let Some(b) = q.before {
        sql.push(" AND id < ").bind(Param::Int(b));
    }
    sql.push(" ORDER BY id DESC LIMIT ")
        .bind(Param::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
    sql
}

fn entry(row: &impl RowRead) -> Result<RequestLogEntry, DbError> {
    Ok(RequestLogEntry {
        id: row.int(0)?,
        tenant: row.text(1)?,
        time: row.time(2)?,
        method: row.text(3)?,
        path: row.text(4)?,
        filter: row.opt_text(5)?,
        status: u16::try_from(row.int(6)?).unwrap_or(0),
        scim_type: row.opt_text(7)?,
        detail: row.opt_text(8)?,
        duration_us: u64::try_from(row.int(9)?).unwrap_or(0),
        switches: switches_of(&row.text(10)?),
        resource_type: row.opt_text(11)?,
        resource_id: row.opt_text(12)?,
        request_body: row.opt_text(13)?,
        response_body: row.opt_text(14)?,
    })
}

pub(super) async fn list<B: Backend>(
    pool: &Pool<B::Db>,
    q: &RequestLogQuery,
) -> Result<RequestLogPage, DbError> {
    let limit = q.limit.clamp(1, MAX_REQUEST_LOG_PAGE);
    // One more than the page says whether there is a next one.
    let sql = select_sql(B::DIALECT, q, limit + 1);
    let mut c = pool.acquire().await?;
    let mut entries = B::rows(&mut c, &sql)
        .await?
        .iter()
        .map(entry)
        .collect::<Result<Vec<_>, _>>()?;
    let next = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(RequestLogPage { entries, next })
}

/// Appends in one transaction, then prunes the tenants appended to.
pub(super) async fn append<B: Backend>(
    pool: &Pool<B::Db>,
    entries: &[RequestLogEntry],
    keep: Option<u64>,
) -> Result<(), DbError> {
    let mut tx = pool.begin().await?;
    for chunk in entries.chunks(super::REQUEST_LOG_BATCH) {
        B::run(&mut tx, &insert_sql(B::DIALECT, chunk)).await?;
    }
    if let Some(keep) = keep {
        for t in tenants_of(entries) {
            B::run(&mut tx, &prune_sql(B::DIALECT, t, keep)).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The distinct tenants of `entries`, in order of first appearance.
pub(super) fn tenants_of(entries: &[RequestLogEntry]) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for e in entries {
        if !seen.contains(&e.tenant.as_str()) {
            seen.push(&e.tenant);
        }
    }
    seen
}

pub(super) async fn prune<B: Backend>(pool: &Pool<B::Db>, keep: u64) -> Result<u64, DbError> {
    let mut sql = Sql::new(B::DIALECT);
    sql.push("SELECT DISTINCT tenant FROM request_log");
    let mut c = pool.acquire().await?;
    let tenants = B::rows(&mut c, &sql)
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<Vec<_>, _>>()?;
    let mut n = 0;
    for t in tenants {
        n += B::run(&mut c, &prune_sql(B::DIALECT, &t, keep)).await?;
    }
    Ok(n)
}
