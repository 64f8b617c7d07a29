//! Lists (RFC 7644 §3.4.2) on the SQL stores: what SQL does, and what
//! streams through memory.
//!
//! The memory one list holds is `O(start_index + count)`, whatever the
//! tenant's size (the contract of [`scimkit_service::ListQuery`]):
//!
//! - **All in SQL** when the filter translates exactly and the sort (if any)
//!   is an `ORDER BY` ([`crate::sort::order_by`]): SQL pages, and only the
//!   page is read (plus an index-only count).
//! - **Split at ASCII** when the filter is exact and the sort is a
//!   case-insensitive string ([`crate::sort::folded`]): the resources whose
//!   value holds non-ASCII text are read (a few, usually none) and ranked in
//!   memory by the evaluator's order; if there are none, SQL orders and pages
//!   alone, else SQL gives its best `start_index - 1 + count` of the others
//!   and the two are merged by a bounded top-k.
//! - **Streamed** otherwise (a filter SQL can only narrow to a superset, or
//!   a sort SQL cannot express): the pre-filtered rows are read in batches of
//!   [`SCAN_BATCH`] in insertion order, each evaluated and dropped unless it
//!   ranks in the top `start_index - 1 + count` ([`PageCollector`]).
//!
//! Every resource evaluated or ranked in memory counts against
//! [`ListQuery::max_scan`]: past it the list fails with `400 tooMany`.

use scimkit_service::{ListQuery, ListResult, PageCollector, StoreError, StoredResource};

use crate::SqlStore;
use crate::error::DbError;
use crate::record::Record;
use crate::resource_store::{map_err, stored};
use crate::sql::{Param, Sql};
use crate::translate::{Scope, filter_condition};

/// Rows read per statement when a list streams through memory.
pub(crate) const SCAN_BATCH: usize = 500;

/// Lists `q` for `tenant`.
pub(crate) async fn list(
    store: &SqlStore,
    tenant: &str,
    q: &ListQuery<'_>,
) -> Result<ListResult, StoreError> {
    list_inner(store, tenant, q).await.map_err(|e| match e {
        Failure::Store(e) => e,
        Failure::Db(e) => map_err("", e),
    })
}

enum Failure {
    Store(StoreError),
    Db(DbError),
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Self {
        Failure::Db(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// `SELECT <what> FROM resources r WHERE <tenant, type, filter>`; returns
/// whether the filter is exact.
fn select(store: &SqlStore, what: &str, scope: &Scope<'_>, q: &ListQuery<'_>) -> (Sql, bool) {
    let mut sql = Sql::new(store.dialect());
    sql.push("SELECT ")
        .push(what)
        .push(" FROM resources r WHERE r.tenant_id = ");
    sql.bind_text(scope.tenant)
        .push(" AND r.resource_type = ")
        .bind_text(scope.resource_type);
    let exact = match q.compiled {
        Some(f) => {
            sql.push(" AND ");
            filter_condition(&mut sql, scope, f.root())
        }
        None => true,
    };
    (sql, exact)
}

fn int(n: u64) -> Param {
    Param::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

async fn list_inner(
    store: &SqlStore,
    tenant: &str,
    q: &ListQuery<'_>,
) -> Result<ListResult, Failure> {
    let rs = q.rs;
    let rt = rs.name();
    let layout = store.layout(rs);
    let scope = layout.scope(tenant, rt);
    let d = store.dialect();
    let exact = {
        let mut probe = Sql::new(d);
        match q.compiled {
            Some(f) => filter_condition(&mut probe, &scope, f.root()),
            None => true,
        }
    };
    let sort_in_sql = q
        .sort
        .is_none_or(|s| crate::sort::order_by(d, &scope, &s.key, s.descending).is_some());
    let page_members = layout.members && !q.fetch.skip_members;
    if exact && sort_in_sql {
        let rq = crate::record::ListQuery {
            filter: q.compiled,
            sort: q.sort.map(|s| (&s.key, s.descending)),
            start_index: usize::try_from(q.start_index).unwrap_or(usize::MAX),
            count: Some(usize::try_from(q.count).unwrap_or(usize::MAX)),
            load_members: page_members,
        };
        let page = store.query(tenant, rs, &rq).await?;
        let resources = page.records.into_iter().map(|r| stored(rt, r)).collect();
        return Ok(ListResult::complete(resources, page.total as u64));
    }
    if exact
        && let Some(s) = q.sort
        && let Some(f) = crate::sort::folded(d, &s.key, s.descending)
    {
        return split_at_ascii(store, tenant, q, &scope, &f, page_members).await;
    }
    streamed(store, tenant, q, &scope, exact, page_members).await
}

/// Reads, in batches in insertion order, the rows `base` selects (it ends in
/// a `WHERE` condition), offering each to `c`.
async fn stream(
    store: &SqlStore,
    base: &Sql,
    members_of: Option<&str>,
    rt: &str,
    c: &mut PageCollector<'_>,
) -> Result<u64, Failure> {
    let mut after = 0i64;
    let mut offered = 0u64;
    loop {
        let mut sql = base.clone();
        sql.push(" AND r.seq > ").bind(Param::Int(after));
        sql.push(" ORDER BY r.seq ASC LIMIT ")
            .bind(int(SCAN_BATCH as u64));
        let rows = store.scan_rows(&sql, members_of).await?;
        let n = rows.len();
        store.counters.held(c.most_held() + n);
        for (seq, rec) in rows {
            after = seq;
            offered += 1;
            c.offer_at(u64::try_from(seq).unwrap_or(0), stored(rt, rec))?;
        }
        if n < SCAN_BATCH {
            return Ok(offered);
        }
    }
}

/// A filter SQL narrows to a superset, or a sort it cannot express.
async fn streamed(
    store: &SqlStore,
    tenant: &str,
    q: &ListQuery<'_>,
    scope: &Scope<'_>,
    exact: bool,
    page_members: bool,
) -> Result<ListResult, Failure> {
    let rt = q.rs.name();
    let layout = store.layout(q.rs);
    // The evaluator needs `members` when it filters (the filter may name
    // them) or sorts by them.
    let eval_members = layout.members
        && (!exact
            || q.sort
                .is_some_and(|s| s.key.attr().name().eq_ignore_ascii_case("members")));
    let (base, _) = select(store, &store.scan_cols(), scope, q);
    let mut c = PageCollector::new(q, exact, q.sort.is_none());
    stream(store, &base, eval_members.then_some(tenant), rt, &mut c).await?;
    let (page, total) = c.finish();
    let page = if page_members && !eval_members {
        with_members(store, tenant, rt, page).await?
    } else {
        page
    };
    Ok(ListResult::complete(page, total))
}

/// An exact filter and a case-insensitive string sort (see the module docs).
async fn split_at_ascii(
    store: &SqlStore,
    tenant: &str,
    q: &ListQuery<'_>,
    scope: &Scope<'_>,
    f: &crate::sort::Folded,
    page_members: bool,
) -> Result<ListResult, Failure> {
    let rt = q.rs.name();
    let cols = store.scan_cols();
    // The resources with non-ASCII values, ranked in memory.
    let mut c = PageCollector::new(q, true, false);
    let (mut non_ascii, _) = select(store, &cols, scope, q);
    non_ascii.push(" AND ").push(&f.non_ascii);
    let n = stream(store, &non_ascii, None, rt, &mut c).await?;
    let (mut rest, _) = select(store, &cols, scope, q);
    rest.push(" AND NOT ").push(&f.non_ascii);
    rest.push(" ORDER BY ").push(&f.order);
    let members_of = page_members.then_some(tenant);
    if n == 0 {
        // SQL orders the rest exactly: it pages too.
        let offset = q.start_index.saturating_sub(1);
        rest.push(" LIMIT ").bind(int(q.count));
        rest.push(" OFFSET ").bind(int(offset));
        let rows = store.scan_rows(&rest, members_of).await?;
        store.counters.held(rows.len());
        let len = rows.len() as u64;
        let total = if (len < q.count) && (offset == 0 || len > 0) {
            offset + len
        } else {
            let (cnt, _) = select(store, "count(*)", scope, q);
            store.count_rows(&cnt).await?
        };
        let page = rows.into_iter().map(|(_, r)| stored(rt, r)).collect();
        return Ok(ListResult::complete(page, total));
    }
    // Merge SQL's best `keep` of the rest with the non-ASCII ones.
    let keep = q.keep();
    if keep.saturating_add(n) > q.max_scan {
        return Err(StoreError::too_many_to_scan(q.max_scan).into());
    }
    rest.push(" LIMIT ").bind(int(keep));
    let rows = store.scan_rows(&rest, None).await?;
    store.counters.held(c.most_held() + rows.len());
    for (seq, rec) in rows {
        c.offer_at(u64::try_from(seq).unwrap_or(0), stored(rt, rec))?;
    }
    let (page, _) = c.finish();
    let (cnt, _) = select(store, "count(*)", scope, q);
    let total = store.count_rows(&cnt).await?;
    let page = if page_members {
        with_members(store, tenant, rt, page).await?
    } else {
        page
    };
    Ok(ListResult::complete(page, total))
}

/// The page with each group's `members` read from its member rows.
async fn with_members(
    store: &SqlStore,
    tenant: &str,
    rt: &str,
    page: Vec<StoredResource>,
) -> Result<Vec<StoredResource>, Failure> {
    let recs: Vec<Record> = page
        .into_iter()
        .map(|s| {
            let mut data = s.resource.as_map().clone();
            scimkit_schema::remove_ci(&mut data, "id");
            scimkit_schema::remove_ci(&mut data, "meta");
            Record {
                id: s.id,
                version: s.version.parse().unwrap_or(0),
                created: s.created,
                last_modified: s.last_modified,
                data,
            }
        })
        .collect();
    let recs = store.attach_members(tenant, recs).await?;
    Ok(recs.into_iter().map(|r| stored(rt, r)).collect())
}
