//! The store's operations through sqlx, written once for both databases as
//! functions generic over [`Backend`] (sqlx's `Database` trait is the
//! model): a backend says how a statement runs and how its rows read; the
//! SQL differs only in what [`crate::sql::Sql`], [`crate::read_sql`] and
//! the translator write for its [`Dialect`]. The writes are in
//! [`write`].

use std::collections::HashSet;
use std::future::Future;

use sqlx::Pool;

use crate::error::DbError;
use crate::read_sql::{ListPlan, Target, fetch_sql, members_sql};
use crate::record::{ListQuery, Page, Record};
use crate::rows::{RowRead, attach_members, member, record};
use crate::sql::{Dialect, Sql};
use crate::stats::Counters;

pub(crate) mod write;

/// A database the store runs on through sqlx.
pub(crate) trait Backend {
    /// The sqlx database.
    type Db: sqlx::Database;
    /// Its rows.
    type Row: RowRead + Send;
    /// The SQL dialect statements are written in.
    const DIALECT: Dialect;

    /// Runs a statement; the rows it changed.
    fn run(c: &mut Conn<Self>, sql: &Sql) -> impl Future<Output = Result<u64, DbError>> + Send;

    /// Runs a query; its rows.
    fn rows(
        c: &mut Conn<Self>,
        sql: &Sql,
    ) -> impl Future<Output = Result<Vec<Self::Row>, DbError>> + Send;
}

/// A connection of backend `B`.
pub(crate) type Conn<B> = <<B as Backend>::Db as sqlx::Database>::Connection;

/// The first row's integer column 0 (a `count(*)`), 0 without a row.
fn first_count(rows: &[impl RowRead]) -> Result<u64, DbError> {
    Ok(match rows.first() {
        Some(r) => u64::try_from(r.int(0)?).unwrap_or(0),
        None => 0,
    })
}

/// Gives `rec` the members of its group.
async fn load_members<B: Backend>(
    c: &mut Conn<B>,
    tenant: &str,
    rec: &mut Record,
    counters: &Counters,
) -> Result<(), DbError> {
    let rs = B::rows(c, &members_sql(B::DIALECT, tenant, &rec.id)).await?;
    counters.member_rows(rs.len());
    let members = rs.iter().map(member).collect::<Result<Vec<_>, _>>()?;
    attach_members(rec, &members);
    Ok(())
}

/// Reads one resource.
pub(crate) async fn fetch<B: Backend>(
    pool: &Pool<B::Db>,
    target: Target<'_>,
    id: &str,
    with_members: bool,
    counters: &Counters,
) -> Result<Option<Record>, DbError> {
    let mut c = pool.acquire().await?;
    let rs = B::rows(&mut c, &fetch_sql(B::DIALECT, target.tenant, target.rt, id)).await?;
    let Some(row) = rs.first() else {
        return Ok(None);
    };
    let mut rec = record(row)?;
    counters.rows(1);
    if target.layout.members && with_members {
        load_members::<B>(&mut c, target.tenant, &mut rec, counters).await?;
    }
    Ok(Some(rec))
}

/// Lists resources: the filter and sort go to SQL when they translate
/// exactly; otherwise the SQL pre-filter selects a superset, and the
/// filter, sort and paging finish in memory.
pub(crate) async fn list<B: Backend>(
    pool: &Pool<B::Db>,
    target: Target<'_>,
    q: &ListQuery<'_>,
    counters: &Counters,
) -> Result<Page, DbError> {
    let plan = ListPlan::new(B::DIALECT, target, q);
    let mut c = pool.acquire().await?;
    let rs = B::rows(&mut c, &plan.sql).await?;
    let mut records = rs.iter().map(record).collect::<Result<Vec<_>, _>>()?;
    drop(rs);
    counters.rows(records.len());
    counters.held(records.len());
    let counted = match plan.count_for(records.len()) {
        Some(cnt) => {
            let n = first_count(&B::rows(&mut c, cnt).await?)?;
            Some(usize::try_from(n).unwrap_or(0))
        }
        None => None,
    };
    if plan.members {
        for rec in &mut records {
            load_members::<B>(&mut c, target.tenant, rec, counters).await?;
        }
    }
    Ok(plan.page(records, counted))
}

/// The statement a list would run, the database's plan for it (SQLite
/// `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN`), and whether the filter went
/// to SQL exactly.
pub(crate) async fn explain<B: Backend>(
    pool: &Pool<B::Db>,
    target: Target<'_>,
    q: &ListQuery<'_>,
) -> Result<(String, Vec<String>, bool), DbError> {
    let plan = ListPlan::new(B::DIALECT, target, q);
    let mut sql = plan.sql;
    let text = sql.text.clone();
    let (prefix, col) = match B::DIALECT {
        Dialect::Sqlite => ("EXPLAIN QUERY PLAN ", 3),
        Dialect::Postgres => ("EXPLAIN ", 0),
    };
    sql.text.insert_str(0, prefix);
    let mut c = pool.acquire().await?;
    let lines = B::rows(&mut c, &sql)
        .await?
        .iter()
        .map(|r| r.text(col))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((text, lines, plan.filter_exact))
}

/// Runs a scan statement (selecting [`crate::read_sql::scan_columns`])
/// and returns its rows with their `seq`, with their members when
/// `members_of` names the tenant.
pub(crate) async fn scan_rows<B: Backend>(
    pool: &Pool<B::Db>,
    sql: &Sql,
    members_of: Option<&str>,
    counters: &Counters,
) -> Result<Vec<(i64, Record)>, DbError> {
    let mut c = pool.acquire().await?;
    let rs = B::rows(&mut c, sql).await?;
    let mut out = Vec::with_capacity(rs.len());
    for r in &rs {
        out.push((r.int(5)?, record(r)?));
    }
    drop(rs);
    counters.rows(out.len());
    if let Some(tenant) = members_of {
        for (_, rec) in &mut out {
            load_members::<B>(&mut c, tenant, rec, counters).await?;
        }
    }
    Ok(out)
}

/// Runs a `SELECT count(*)`.
pub(crate) async fn count<B: Backend>(pool: &Pool<B::Db>, sql: &Sql) -> Result<u64, DbError> {
    let mut c = pool.acquire().await?;
    first_count(&B::rows(&mut c, sql).await?)
}

/// Adds `members` to each record from its member rows.
pub(crate) async fn attach_all<B: Backend>(
    pool: &Pool<B::Db>,
    tenant: &str,
    recs: &mut [Record],
    counters: &Counters,
) -> Result<(), DbError> {
    let mut c = pool.acquire().await?;
    for rec in recs {
        load_members::<B>(&mut c, tenant, rec, counters).await?;
    }
    Ok(())
}

/// The ids among `ids` that name no resource of the types `types` in the
/// tenant (one query per slice under the parameter cap).
pub(crate) async fn missing_ids<B: Backend>(
    pool: &Pool<B::Db>,
    tenant: &str,
    types: &[&str],
    ids: &[String],
) -> Result<Vec<String>, DbError> {
    if types.is_empty() {
        return Ok(ids.to_vec());
    }
    let per = crate::chunk::rows_per_statement(B::DIALECT, 1, 1 + types.len());
    let mut c = pool.acquire().await?;
    let mut missing = Vec::new();
    for chunk in ids.chunks(per) {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT id FROM resources WHERE tenant_id = ")
            .bind_text(tenant);
        sql.push(" AND resource_type IN (");
        push_list(&mut sql, types.iter().copied());
        sql.push(") AND id IN (");
        push_list(&mut sql, chunk.iter().map(String::as_str));
        sql.push(")");
        let mut found = HashSet::new();
        for r in B::rows(&mut c, &sql).await? {
            found.insert(r.text(0)?);
        }
        missing.extend(
            chunk
                .iter()
                .filter(|id| !found.contains(id.as_str()))
                .cloned(),
        );
    }
    Ok(missing)
}

/// Binds `values` separated by `, ` (the inside of an `IN (…)`).
pub(crate) fn push_list<'a>(sql: &mut Sql, values: impl IntoIterator<Item = &'a str>) {
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind_text(v);
    }
}

/// Binds `o`, or writes `NULL`.
pub(crate) fn push_opt(sql: &mut Sql, o: Option<&str>) {
    match o {
        Some(t) => sql.bind_text(t),
        None => sql.push("NULL"),
    };
}
