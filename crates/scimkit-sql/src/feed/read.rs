//! Reading, pruning and the consumers table, generic over [`Backend`].

use chrono::{DateTime, Utc};
use scimkit_service::{ChangeRecord, Consumer, Cursor, FeedQuery, TenantId};
use sqlx::Pool;

use super::write::{cursor_columns, cursor_of, cursor_width, kind_from};
use crate::error::DbError;
use crate::ops::Backend;
use crate::rows::RowRead;
use crate::sql::{Dialect, Param, Sql};

/// A position in the feed table, parsed from a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    /// SQLite: the row's `position`.
    Sqlite(i64),
    /// PostgreSQL: `(txid, seq)`.
    Postgres(u64, i64),
}

impl Position {
    /// The position a cursor of this dialect names, or `None` when the
    /// text is not one (fixed-width lowercase or uppercase hex).
    pub(crate) fn parse(dialect: Dialect, c: &Cursor) -> Option<Position> {
        let s = c.as_str();
        let hex = |t: &str| {
            (t.len() == 16 && t.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u64::from_str_radix(t, 16).ok())
                .flatten()
        };
        match dialect {
            Dialect::Sqlite => Some(Position::Sqlite(i64::try_from(hex(s)?).ok()?)),
            Dialect::Postgres if s.len() == 32 => Some(Position::Postgres(
                hex(s.get(..16)?)?,
                i64::try_from(hex(s.get(16..)?)?).ok()?,
            )),
            Dialect::Postgres => None,
        }
    }

    /// Appends ` AND key <op> position`.
    fn push(self, sql: &mut Sql, op: &str) {
        match self {
            Position::Sqlite(n) => {
                sql.push(" AND position ").push(op).push(" ");
                sql.bind(Param::Int(n));
            }
            Position::Postgres(txid, seq) => {
                sql.push(" AND (txid, seq) ").push(op).push(" (");
                sql.bind_text(txid.to_string())
                    .push("::xid8, ")
                    .bind(Param::Int(seq))
                    .push(")");
            }
        }
    }
}

fn order(dialect: Dialect, desc: bool) -> &'static str {
    match (dialect, desc) {
        (Dialect::Sqlite, false) => " ORDER BY position",
        (Dialect::Sqlite, true) => " ORDER BY position DESC",
        (Dialect::Postgres, false) => " ORDER BY txid, seq",
        (Dialect::Postgres, true) => " ORDER BY txid DESC, seq DESC",
    }
}

/// Records after `after`, oldest first, at most `limit`. On PostgreSQL
/// only rows of transactions below the snapshot's `xmin`: every
/// transaction below it has ended, so no row can appear later below a
/// returned one.
pub(crate) async fn read<B: Backend>(
    pool: &Pool<B::Db>,
    q: &FeedQuery,
    after: Option<Position>,
    limit: usize,
) -> Result<Vec<ChangeRecord>, DbError> {
    let d = B::DIALECT;
    let mut sql = Sql::new(d);
    sql.push("SELECT ").push(cursor_columns(d));
    sql.push(match d {
        Dialect::Sqlite => ", tenant_id, resource_type, resource_id, CAST(version AS TEXT), kind, detail, occurred_at, resource FROM feed WHERE 1 = 1",
        Dialect::Postgres => ", tenant_id, resource_type, resource_id, version::text, kind, detail::text, occurred_at, resource::text FROM feed WHERE txid < pg_snapshot_xmin(pg_current_snapshot())",
    });
    if let Some(t) = &q.tenant {
        sql.push(" AND tenant_id = ").bind_text(t.as_str());
    }
    if let Some((rt, id)) = &q.resource {
        sql.push(" AND resource_type = ")
            .bind_text(rt.as_str())
            .push(" AND resource_id = ")
            .bind_text(id.as_str());
    }
    if let Some(p) = after {
        p.push(&mut sql, ">");
    }
    sql.push(order(d, false)).push(" LIMIT ");
    sql.bind(Param::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
    let mut c = pool.acquire().await?;
    let rows = B::rows(&mut c, &sql).await?;
    rows.iter().map(|r| decode(d, r)).collect()
}

fn decode(d: Dialect, r: &impl RowRead) -> Result<ChangeRecord, DbError> {
    let w = cursor_width(d);
    let detail = r.opt_text(w + 5)?;
    let kind = kind_from(&r.text(w + 4)?, detail.as_deref())?;
    let mut rec = ChangeRecord::new(
        cursor_of(d, r)?,
        TenantId::new(r.text(w)?),
        r.text(w + 1)?,
        r.text(w + 2)?,
        r.opt_text(w + 3)?,
        kind,
        r.time(w + 6)?,
    );
    if let Some(body) = r.opt_text(w + 7)? {
        rec = rec.with_resource(serde_json::from_str(&body)?);
    }
    Ok(rec)
}

/// The most rows one prune statement deletes (each is its own short
/// transaction, so pruning never holds the writer long).
pub(crate) const PRUNE_CHUNK: i64 = 10_000;

/// Deletes, chunk by chunk, the rows `filter` selects; how many went.
async fn delete_chunked<B: Backend>(
    pool: &Pool<B::Db>,
    filter: impl Fn(&mut Sql),
) -> Result<u64, DbError> {
    let d = B::DIALECT;
    let key = match d {
        Dialect::Sqlite => "position",
        Dialect::Postgres => "(txid, seq)",
    };
    let inner = match d {
        Dialect::Sqlite => "position",
        Dialect::Postgres => "txid, seq",
    };
    let mut total = 0;
    loop {
        let mut sql = Sql::new(d);
        sql.push("DELETE FROM feed WHERE ")
            .push(key)
            .push(" IN (SELECT ")
            .push(inner)
            .push(" FROM feed WHERE 1 = 1");
        filter(&mut sql);
        sql.push(" LIMIT ").bind(Param::Int(PRUNE_CHUNK)).push(")");
        let mut c = pool.acquire().await?;
        let n = B::run(&mut c, &sql).await?;
        total += n;
        if n < PRUNE_CHUNK as u64 {
            return Ok(total);
        }
    }
}

/// Deletes records older than `before`.
pub(crate) async fn prune_age<B: Backend>(
    pool: &Pool<B::Db>,
    before: DateTime<Utc>,
) -> Result<u64, DbError> {
    delete_chunked::<B>(pool, |sql| {
        sql.push(" AND occurred_at < ").bind(Param::Time(before));
    })
    .await
}

/// Deletes, per tenant, the records beyond the newest `keep`.
pub(crate) async fn prune_count<B: Backend>(pool: &Pool<B::Db>, keep: u64) -> Result<u64, DbError> {
    let d = B::DIALECT;
    // One connection at a time: SQLite's writer pool has one.
    let tenants: Vec<String> = {
        let mut c = pool.acquire().await?;
        B::rows(
            &mut c,
            Sql::new(d).push("SELECT DISTINCT tenant_id FROM feed"),
        )
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?
    };
    let mut total = 0;
    for t in tenants {
        let mut sql = Sql::new(d);
        sql.push("SELECT ")
            .push(cursor_columns(d))
            .push(" FROM feed WHERE tenant_id = ")
            .bind_text(t.as_str());
        sql.push(order(d, true)).push(" LIMIT 1 OFFSET ");
        sql.bind(Param::Int(i64::try_from(keep).unwrap_or(i64::MAX)));
        let newest_gone = {
            let mut c = pool.acquire().await?;
            let rows = B::rows(&mut c, &sql).await?;
            match rows.first() {
                Some(row) => cursor_of(d, row)?,
                None => continue,
            }
        };
        let Some(p) = Position::parse(d, &newest_gone) else {
            return Err(DbError::Feed("a stored position does not parse"));
        };
        total += delete_chunked::<B>(pool, |sql| {
            sql.push(" AND tenant_id = ").bind_text(t.as_str());
            p.push(sql, "<=");
        })
        .await?;
    }
    Ok(total)
}

fn consumer_select(d: Dialect) -> Sql {
    let mut sql = Sql::new(d);
    sql.push(match d {
        Dialect::Sqlite => "SELECT name, cursor, data, updated_at FROM feed_consumers",
        Dialect::Postgres => "SELECT name, cursor, data::text, updated_at FROM feed_consumers",
    });
    sql
}

fn consumer_of(r: &impl RowRead) -> Result<Consumer, DbError> {
    let cursor = r.opt_text(1)?.map(Cursor::new);
    let data = serde_json::from_str(&r.text(2)?)?;
    let mut c = Consumer::new(r.text(0)?)
        .with_cursor(cursor)
        .with_data(data);
    c.updated_at = r.time(3)?;
    Ok(c)
}

/// Consumers: the one named `name`, or all by name.
pub(crate) async fn consumers<B: Backend>(
    pool: &Pool<B::Db>,
    name: Option<&str>,
) -> Result<Vec<Consumer>, DbError> {
    let mut sql = consumer_select(B::DIALECT);
    if let Some(n) = name {
        sql.push(" WHERE name = ").bind_text(n);
    }
    sql.push(" ORDER BY name");
    let mut c = pool.acquire().await?;
    B::rows(&mut c, &sql)
        .await?
        .iter()
        .map(consumer_of)
        .collect()
}

/// Creates or replaces a consumer.
pub(crate) async fn save_consumer<B: Backend>(
    pool: &Pool<B::Db>,
    consumer: &Consumer,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut sql = Sql::new(B::DIALECT);
    sql.push("INSERT INTO feed_consumers (name, cursor, data, updated_at) VALUES (")
        .bind_text(consumer.name.as_str())
        .push(", ");
    match &consumer.cursor {
        Some(c) => sql.bind_text(c.as_str()),
        None => sql.push("NULL"),
    };
    sql.push(", ")
        .bind(Param::Json(consumer.data.to_string()))
        .push(", ")
        .bind(Param::Time(now));
    sql.push(") ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, data = excluded.data, updated_at = excluded.updated_at");
    let mut c = pool.acquire().await?;
    B::run(&mut c, &sql).await?;
    Ok(())
}

/// Removes a consumer; whether there was one.
pub(crate) async fn remove_consumer<B: Backend>(
    pool: &Pool<B::Db>,
    name: &str,
) -> Result<bool, DbError> {
    let mut sql = Sql::new(B::DIALECT);
    sql.push("DELETE FROM feed_consumers WHERE name = ")
        .bind_text(name);
    let mut c = pool.acquire().await?;
    Ok(B::run(&mut c, &sql).await? > 0)
}
