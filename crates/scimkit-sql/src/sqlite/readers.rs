//! SQLite reads without a thread hop.
//!
//! sqlx runs each SQLite connection on a thread of its own, so every query is
//! a hand-off from the async task to that thread and back: two context
//! switches, which on two cores cost more than the indexed lookup itself
//! (`GET /Users?filter=userName eq …` is one index probe). Reads therefore go
//! through a small pool of plain SQLite connections (rusqlite, on the same
//! bundled SQLite library as sqlx) used directly on the calling thread.
//!
//! A query may turn out to be slow (a filter that scans). So that it never
//! holds an async worker thread for long, a read first runs with a progress
//! handler that interrupts it after [`INLINE_STEPS`] virtual-machine steps
//! (on the order of a millisecond); an interrupted read runs again from the start
//! on tokio's blocking pool. The statements are the same as the sqlx path's
//! ([`super::db`]), bound the same way.
//!
//! Bounds: at most `readers` connections are open (a semaphore of as many
//! permits; a read waits up to `reader_wait` for one, then fails with `503`),
//! so concurrent scans cannot open connections, or take blocking threads,
//! without limit. Every read has a deadline, `query_timeout` from its start:
//! the progress handler interrupts it (`sqlite3_interrupt`) once past it, and
//! the read fails with `503` (the request's fault or the database's load,
//! not a client error the client could name; a list that is too large by
//! the scan budget fails with `400 tooMany` before that, in `crate::scan`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, params_from_iter, types::Value as SqlValue};
use serde_json::Value;

use super::database::db;
use crate::columns::{Layout, MemberRow};
use crate::error::{DbError, NO_CONNECTION, QUERY_STOPPED};
use crate::record::{ListQuery, Page, Record};
use crate::sql::{Param, Sql, time_text};
use crate::stats::Counters;

/// Virtual-machine steps a read may take on the calling thread (checked every
/// [`STEP_CHECK`] steps) before it is moved to the blocking pool.
const INLINE_STEPS: u32 = 20_000;

/// How often (in steps) the progress handler runs.
const STEP_CHECK: i32 = 1_000;

/// Read-only connections to one database file, opened on demand and kept
/// (up to `keep`) for reuse.
#[derive(Debug, Clone)]
pub(crate) struct Readers {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    busy_timeout: Duration,
    mmap_size: u64,
    keep: usize,
    idle: Mutex<Vec<Conn>>,
    closed: AtomicBool,
    /// Connections open now (idle or in use).
    open: Arc<AtomicU64>,
    /// The most connections open at once so far.
    most_open: AtomicU64,
    /// One permit per connection that may be open.
    permits: Arc<tokio::sync::Semaphore>,
    /// How long a read waits for a permit.
    wait: Duration,
    /// How long a read may run.
    query_timeout: Duration,
}

/// An open reader connection, counted in [`Inner::open`] while it lives.
struct Conn {
    c: Connection,
    open: Arc<AtomicU64>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Conn")
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Relaxed);
    }
}

impl Readers {
    pub(crate) fn new(
        path: PathBuf,
        busy_timeout: Duration,
        mmap_size: u64,
        readers: u32,
        wait: Duration,
        query_timeout: Duration,
    ) -> Self {
        let cap = usize::try_from(readers).unwrap_or(4).max(1);
        Readers {
            inner: Arc::new(Inner {
                path,
                busy_timeout,
                mmap_size,
                keep: cap,
                permits: Arc::new(tokio::sync::Semaphore::new(cap)),
                wait,
                query_timeout,
                idle: Mutex::new(Vec::new()),
                closed: AtomicBool::new(false),
                open: Arc::default(),
                most_open: AtomicU64::new(0),
            }),
        }
    }

    /// Reader connections open now.
    pub(crate) fn open_count(&self) -> u64 {
        self.inner.open.load(Relaxed)
    }

    /// The most reader connections open at once so far.
    pub(crate) fn most_open(&self) -> u64 {
        self.inner.most_open.load(Relaxed)
    }

    fn open(&self) -> Result<Conn, DbError> {
        let i = &self.inner;
        let c = Connection::open_with_flags(
            &i.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(db_err)?;
        c.busy_timeout(i.busy_timeout).map_err(db_err)?;
        c.pragma_update(None, "cache_size", -65_536)
            .map_err(db_err)?;
        c.pragma_update(None, "mmap_size", i.mmap_size.to_string())
            .map_err(db_err)?;
        c.set_prepared_statement_cache_capacity(64);
        let now = i.open.fetch_add(1, Relaxed) + 1;
        i.most_open.fetch_max(now, Relaxed);
        Ok(Conn {
            c,
            open: i.open.clone(),
        })
    }

    /// Closes the idle connections; connections in use close when their read
    /// ends, and later reads fail. So the writer, closing last, can fold the
    /// WAL into the database file.
    pub(crate) fn close(&self) {
        self.inner.closed.store(true, Relaxed);
        let idle = std::mem::take(&mut *self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()));
        drop(idle);
    }

    fn take(&self) -> Result<Conn, DbError> {
        if self.inner.closed.load(Relaxed) {
            return Err(DbError::Closed);
        }
        let idle = self
            .inner
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        match idle {
            Some(c) => Ok(c),
            None => self.open(),
        }
    }

    fn give_back(&self, c: Conn) {
        let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.inner.keep && !self.inner.closed.load(Relaxed) {
            idle.push(c);
        }
    }

    /// Runs `f` on a connection: on this thread while it stays short, else
    /// again on the blocking pool.
    async fn run<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let deadline = Instant::now() + self.inner.query_timeout;
        let permit =
            match tokio::time::timeout(self.inner.wait, self.inner.permits.clone().acquire_owned())
                .await
            {
                Ok(Ok(p)) => p,
                Ok(Err(_)) => return Err(DbError::Closed),
                Err(_) => return Err(DbError::Unavailable(NO_CONNECTION.into())),
            };
        let c = self.take()?;
        let moved = Arc::new(AtomicBool::new(false));
        let late = Arc::new(AtomicBool::new(false));
        let steps = AtomicU32::new(0);
        let (flag, too_late) = (moved.clone(), late.clone());
        c.c.progress_handler(
            STEP_CHECK,
            Some(move || {
                if Instant::now() >= deadline {
                    too_late.store(true, Relaxed);
                    return true;
                }
                let n = steps.fetch_add(STEP_CHECK.unsigned_abs(), Relaxed);
                let stop = n >= INLINE_STEPS;
                if stop {
                    flag.store(true, Relaxed);
                }
                stop
            }),
        );
        let r = f(&c.c);
        c.c.progress_handler(STEP_CHECK, None::<fn() -> bool>);
        if late.load(Relaxed) {
            self.give_back(c);
            return Err(DbError::Unavailable(QUERY_STOPPED.into()));
        }
        if !moved.load(Relaxed) {
            self.give_back(c);
            return r;
        }
        // Interrupted: start again where waiting does not hold up async
        // tasks, until the deadline.
        #[cfg(test)]
        tests::REDONE.fetch_add(1, Relaxed);
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let too_late = late.clone();
            c.c.progress_handler(
                STEP_CHECK,
                Some(move || {
                    let stop = Instant::now() >= deadline;
                    if stop {
                        too_late.store(true, Relaxed);
                    }
                    stop
                }),
            );
            let r = f(&c.c);
            c.c.progress_handler(STEP_CHECK, None::<fn() -> bool>);
            me.give_back(c);
            if late.load(Relaxed) {
                return Err(DbError::Unavailable(QUERY_STOPPED.into()));
            }
            r
        })
        .await
        .map_err(DbError::ReadTask)?
    }

    /// Reads one resource (with its members when `with_members`).
    pub(crate) async fn fetch(
        &self,
        tenant: &str,
        rt: &str,
        layout: &Layout,
        id: &str,
        with_members: bool,
        counters: Arc<Counters>,
    ) -> Result<Option<Record>, DbError> {
        let sql = db::fetch_sql(tenant, rt, id);
        let tenant = tenant.to_owned();
        let members = layout.members && with_members;
        self.run(move |c| {
            let mut recs = records(c, &sql)?;
            let Some(mut rec) = recs.pop() else {
                return Ok(None);
            };
            counters.rows(1);
            if members {
                attach_members(c, &tenant, &mut rec, &counters)?;
            }
            Ok(Some(rec))
        })
        .await
    }

    /// Lists resources, as [`super::db::list`] does.
    pub(crate) async fn list(
        &self,
        tenant: &str,
        rt: &str,
        layout: &Layout,
        q: &ListQuery<'_>,
        counters: Arc<Counters>,
    ) -> Result<Page, DbError> {
        let (sql, exact, sorted, offset) = db::list_sql(tenant, rt, layout, q);
        let in_sql_paging = exact && sorted;
        let count = in_sql_paging.then(|| db::count_sql(tenant, rt, layout, q));
        let page_size = q.count;
        let members = layout.members && (q.load_members || !in_sql_paging);
        let tenant = tenant.to_owned();
        self.run(move |c| {
            let mut records = records(c, &sql)?;
            counters.rows(records.len());
            counters.held(records.len());
            let mut total = offset + records.len();
            let short = crate::record::page_tells_total(records.len(), page_size, offset);
            if let Some(cnt) = &count
                && !short
            {
                let n: i64 = c
                    .prepare_cached(&cnt.text)
                    .and_then(|mut st| st.query_row(params_from_iter(values(cnt)), |r| r.get(0)))
                    .map_err(db_err)?;
                total = usize::try_from(n).unwrap_or(0);
            }
            if members {
                for rec in &mut records {
                    attach_members(c, &tenant, rec, &counters)?;
                }
            }
            Ok(Page {
                records,
                total,
                filter_pushed_down: exact,
                sort_pushed_down: sorted,
                paged: in_sql_paging,
            })
        })
        .await
    }

    /// Runs a scan statement, as [`super::db::scan_rows`] does.
    pub(crate) async fn scan_rows(
        &self,
        sql: Sql,
        members_of: Option<String>,
        counters: Arc<Counters>,
    ) -> Result<Vec<(i64, Record)>, DbError> {
        self.run(move |c| {
            let mut out = Vec::new();
            let mut st = c.prepare_cached(&sql.text).map_err(db_err)?;
            let mut rows = st.query(params_from_iter(values(&sql))).map_err(db_err)?;
            while let Some(r) = rows.next().map_err(db_err)? {
                out.push((r.get(5).map_err(db_err)?, record(r)?));
            }
            counters.rows(out.len());
            if let Some(tenant) = &members_of {
                for (_, rec) in &mut out {
                    attach_members(c, tenant, rec, &counters)?;
                }
            }
            Ok(out)
        })
        .await
    }

    /// Runs a `SELECT count(*)`.
    pub(crate) async fn count(&self, sql: Sql) -> Result<u64, DbError> {
        self.run(move |c| {
            let n: i64 = c
                .prepare_cached(&sql.text)
                .and_then(|mut st| st.query_row(params_from_iter(values(&sql)), |r| r.get(0)))
                .map_err(db_err)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    /// Adds `members` to each record from its member rows.
    pub(crate) async fn attach_all(
        &self,
        tenant: &str,
        recs: Vec<Record>,
        counters: Arc<Counters>,
    ) -> Result<Vec<Record>, DbError> {
        let tenant = tenant.to_owned();
        let recs = Arc::new(recs);
        self.run(move |c| {
            let mut out = (*recs).clone();
            for rec in &mut out {
                attach_members(c, &tenant, rec, &counters)?;
            }
            Ok(out)
        })
        .await
    }
}

/// The rows of a `SELECT` of [`super::db`]'s resource columns.
fn records(c: &Connection, sql: &Sql) -> Result<Vec<Record>, DbError> {
    let mut st = c.prepare_cached(&sql.text).map_err(db_err)?;
    let mut rows = st.query(params_from_iter(values(sql))).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(record(r)?);
    }
    Ok(out)
}

/// One row of [`super::db`]'s resource columns.
fn record(r: &rusqlite::Row<'_>) -> Result<Record, DbError> {
    let data: String = r.get(4).map_err(db_err)?;
    let data = match serde_json::from_str(&data)? {
        Value::Object(m) => m,
        _ => return Err(DbError::NotAnObject),
    };
    Ok(Record {
        id: r.get(0).map_err(db_err)?,
        version: r.get(1).map_err(db_err)?,
        created: time(&r.get::<_, String>(2).map_err(db_err)?)?,
        last_modified: time(&r.get::<_, String>(3).map_err(db_err)?)?,
        data,
    })
}

/// Adds a group's `members` from its member rows.
fn attach_members(
    c: &Connection,
    tenant: &str,
    rec: &mut Record,
    counters: &Counters,
) -> Result<(), DbError> {
    let sql = db::members_sql(tenant, &rec.id);
    let mut st = c.prepare_cached(&sql.text).map_err(db_err)?;
    let mut rows = st.query(params_from_iter(values(&sql))).map_err(db_err)?;
    let mut members = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        members.push(
            MemberRow {
                value: r.get(0).map_err(db_err)?,
                kind: r.get(1).map_err(db_err)?,
                display: r.get(2).map_err(db_err)?,
                reference: r.get(3).map_err(db_err)?,
            }
            .to_json(),
        );
    }
    counters.member_rows(members.len());
    if !members.is_empty() {
        rec.data.insert("members".into(), Value::Array(members));
    }
    Ok(())
}

/// The statement's parameters as SQLite values, bound as the sqlx path binds them.
fn values(sql: &Sql) -> impl Iterator<Item = SqlValue> + '_ {
    sql.params.iter().map(|p| match p {
        Param::Text(s) | Param::Json(s) => SqlValue::Text(s.clone()),
        Param::Int(i) => SqlValue::Integer(*i),
        Param::Float(f) => SqlValue::Real(*f),
        Param::Time(t) => SqlValue::Text(time_text(t)),
    })
}

/// A stored timestamp (RFC 3339 text, see [`time_text`]).
fn time(s: &str) -> Result<DateTime<Utc>, DbError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|source| DbError::Timestamp {
            text: s.to_owned(),
            source,
        })
}

fn db_err(e: rusqlite::Error) -> DbError {
    DbError::Sqlite(e)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    use scimkit_filter::parse_filter;
    use scimkit_schema::eval::CompiledFilter;
    use scimkit_schema::{Compat, Registry, Resource};
    use scimkit_service::{ListQuery, ResourceStore, TenantId};
    use serde_json::json;

    /// Reads moved to the blocking pool.
    pub(super) static REDONE: AtomicUsize = AtomicUsize::new(0);

    /// A lookup stays on the calling thread; a scan that runs long is
    /// interrupted and redone on the blocking pool, with the same answer as
    /// the in-memory evaluator.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn long_reads_move_to_the_blocking_pool() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::SqlStore::sqlite(crate::SqliteOptions::file(dir.path().join("r.db")))
            .await
            .unwrap();
        let registry = Registry::core();
        let rs = registry.resource_type("User").unwrap().clone();
        let t = TenantId::new("reads");
        let mut all = Vec::new();
        for i in 0..3_000 {
            let u = Resource::from_value(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": format!("r{i}@example.com"),
                "title": format!("Title {}", i % 97),
            }))
            .unwrap();
            all.push(store.create(&t, &rs, u).await.unwrap());
        }
        let compat = Compat::default();
        let count = |text: &str| {
            let f = parse_filter(text, &compat.parse).unwrap().into_owned();
            let c = CompiledFilter::new(&f, &rs, &compat).unwrap();
            let want = all.iter().filter(|u| c.matches(&u.resource)).count();
            (f, c, want)
        };

        let before = REDONE.load(Relaxed);
        let (f, c, want) = count(r#"userName eq "R1234@example.com""#);
        let mut q = ListQuery::all(&rs, 100);
        q.filter = Some(&f);
        q.compiled = Some(&c);
        let got = store.list(&t, &q).await.unwrap();
        assert_eq!((got.total, want), (1, 1));
        assert_eq!(REDONE.load(Relaxed), before, "an index lookup was moved");

        let (f, c, want) = count(r#"title ew " 42""#);
        let mut q = ListQuery::all(&rs, 1_000);
        q.filter = Some(&f);
        q.compiled = Some(&c);
        let got = store.list(&t, &q).await.unwrap();
        assert_eq!(got.total as usize, want);
        assert!(want > 20, "{want}");
        assert!(
            REDONE.load(Relaxed) > before,
            "a 3,000-row scan stayed inline"
        );
        // By id, too.
        let one = &all[1_500];
        let got = store.get(&t, &rs, &one.id).await.unwrap().unwrap();
        assert_eq!(got.resource, one.resource);
        store.close().await;
    }
}
