//! The read statements, the same for every driver (sqlx on SQLite and
//! PostgreSQL, rusqlite on the SQLite reader connections), and the plan of
//! a list request (RFC 7644 §3.4.2): what goes to SQL and what the engine
//! finishes in memory.

use crate::columns::Layout;
use crate::record::{ListQuery, Page, Record, page_tells_total};
use crate::sql::{Dialect, Param, Sql};
use crate::translate::filter_condition;

/// The resources a statement is about: one tenant's resources of one type,
/// stored in `layout`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub(crate) tenant: &'a str,
    /// The resource type's name (`User`, `Group`).
    pub(crate) rt: &'a str,
    pub(crate) layout: &'a Layout,
}

/// The resource columns of `resources r`: id, version, created,
/// last_modified, the document as text (see [`crate::rows::record`]).
pub(crate) fn resource_columns(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "r.id, r.version, r.created, r.last_modified, r.data",
        Dialect::Postgres => "r.id, r.version, r.created, r.last_modified, r.data::text",
    }
}

/// The same columns, unqualified (for `RETURNING`, which SQLite does not
/// let name a table alias).
pub(crate) fn bare_columns(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "id, version, created, last_modified, data",
        Dialect::Postgres => "id, version, created, last_modified, data::text",
    }
}

/// The columns a scan reads: [`resource_columns`], then `r.seq`.
pub(crate) fn scan_columns(dialect: Dialect) -> String {
    format!("{}, r.seq", resource_columns(dialect))
}

/// The statement reading one resource.
pub(crate) fn fetch_sql(dialect: Dialect, tenant: &str, rt: &str, id: &str) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push("SELECT ")
        .push(resource_columns(dialect))
        .push(" FROM resources r WHERE r.tenant_id = ")
        .bind_text(tenant);
    sql.push(" AND r.resource_type = ")
        .bind_text(rt)
        .push(" AND r.id = ")
        .bind_text(id);
    sql
}

/// The statement reading a group's member rows, ordered by value.
pub(crate) fn members_sql(dialect: Dialect, tenant: &str, group: &str) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push("SELECT member_id, type, display, ref FROM group_members WHERE tenant_id = ")
        .bind_text(tenant)
        .push(" AND group_id = ")
        .bind_text(group)
        .push(" ORDER BY member_id");
    sql
}

/// A list request planned: the statement, and what it leaves to do.
#[derive(Debug, Clone)]
pub(crate) struct ListPlan {
    /// The list statement: the filter (exact or a superset), the order and,
    /// when both went to SQL, the page.
    pub(crate) sql: Sql,
    /// The count of the matches (an index-only count, no documents read),
    /// when the page is cut in SQL: run unless the page tells the total.
    pub(crate) count: Option<Sql>,
    /// Whether the filter went to SQL exactly (else `sql` selects a superset).
    pub(crate) filter_exact: bool,
    /// Whether the sort went to SQL.
    pub(crate) sort_exact: bool,
    /// The rows before the page (0-based).
    pub(crate) offset: usize,
    /// The page size asked for.
    pub(crate) page_size: Option<usize>,
    /// Whether the records need their `members` (the in-memory evaluator
    /// needs them when it filters or sorts).
    pub(crate) members: bool,
}

impl ListPlan {
    /// Plans the list request `q` over `target`.
    pub(crate) fn new(dialect: Dialect, target: Target<'_>, q: &ListQuery<'_>) -> ListPlan {
        let scope = target.layout.scope(target.tenant, target.rt);
        let mut sql = Sql::new(dialect);
        sql.push("SELECT ")
            .push(resource_columns(dialect))
            .push(" FROM resources r WHERE r.tenant_id = ")
            .bind_text(target.tenant);
        sql.push(" AND r.resource_type = ").bind_text(target.rt);
        let filter_exact = match q.filter {
            Some(f) => {
                sql.push(" AND ");
                filter_condition(&mut sql, &scope, f.root())
            }
            None => true,
        };
        let order = q
            .sort
            .and_then(|(k, desc)| crate::sort::order_by(dialect, &scope, k, desc));
        let sort_exact = q.sort.is_none() || order.is_some();
        sql.push(" ORDER BY ")
            .push(order.as_deref().unwrap_or("r.seq ASC"));
        let offset = q.start_index.max(1) - 1;
        let paged = filter_exact && sort_exact;
        if paged {
            match (q.count, dialect) {
                (Some(c), _) => {
                    sql.push(" LIMIT ")
                        .bind(Param::Int(i64::try_from(c).unwrap_or(i64::MAX)));
                }
                (None, Dialect::Sqlite) => {
                    sql.push(" LIMIT -1");
                }
                (None, Dialect::Postgres) => {}
            }
            sql.push(" OFFSET ")
                .bind(Param::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
        }
        ListPlan {
            sql,
            count: paged.then(|| count_sql(dialect, target, q)),
            filter_exact,
            sort_exact,
            offset,
            page_size: q.count,
            members: target.layout.members && (q.load_members || !paged),
        }
    }

    /// Whether the statement returns only the page asked for.
    pub(crate) fn paged(&self) -> bool {
        self.filter_exact && self.sort_exact
    }

    /// The count to run after the statement returned `len` rows, if the
    /// page does not tell the total by itself.
    pub(crate) fn count_for(&self, len: usize) -> Option<&Sql> {
        self.count
            .as_ref()
            .filter(|_| !page_tells_total(len, self.page_size, self.offset))
    }

    /// The page of `records`, with the total counted (`counted`) or told
    /// by the page.
    pub(crate) fn page(&self, records: Vec<Record>, counted: Option<usize>) -> Page {
        let total = counted.unwrap_or(self.offset + records.len());
        Page {
            records,
            total,
            filter_pushed_down: self.filter_exact,
            sort_pushed_down: self.sort_exact,
            paged: self.paged(),
        }
    }
}

/// The count of a list's matches (an index-only count, no documents read).
fn count_sql(dialect: Dialect, target: Target<'_>, q: &ListQuery<'_>) -> Sql {
    let scope = target.layout.scope(target.tenant, target.rt);
    let mut cnt = Sql::new(dialect);
    cnt.push("SELECT count(*) FROM resources r WHERE r.tenant_id = ")
        .bind_text(target.tenant);
    cnt.push(" AND r.resource_type = ").bind_text(target.rt);
    if let Some(f) = q.filter {
        cnt.push(" AND ");
        filter_condition(&mut cnt, &scope, f.root());
    }
    cnt
}
