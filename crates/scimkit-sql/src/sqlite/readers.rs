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
//! ([`crate::read_sql`]), bound the same way, and read through the same
//! routines ([`crate::rows`]).
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

use crate::error::{DbError, NO_CONNECTION, QUERY_STOPPED};
use crate::read_sql::{ListPlan, Target, fetch_sql, members_sql};
use crate::record::{ListQuery, Page, Record};
use crate::rows::{RowRead, attach_members, member, parse_time, record};
use crate::sql::{Dialect, Param, Sql, time_text};
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
        )?;
        c.busy_timeout(i.busy_timeout)?;
        c.pragma_update(None, "cache_size", -65_536)?;
        c.pragma_update(None, "mmap_size", i.mmap_size.to_string())?;
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

    /// The first row `sql` returns, decoded by `decode` (the same decoder
    /// the sqlx path uses, through [`RowRead`]), read on the calling thread.
    /// For lookups made on every request, such as a tenant's credentials: a
    /// round trip through sqlx's connection thread costs a third of the
    /// example server's GET throughput (docs/BENCHMARKS.md).
    pub(crate) async fn first_row<T: Send + 'static>(
        &self,
        sql: Sql,
        decode: fn(&rusqlite::Row<'_>) -> Result<T, DbError>,
    ) -> Result<Option<T>, DbError> {
        self.run(move |c| {
            let mut st = c.prepare_cached(&sql.text)?;
            let mut rows = st.query(params_from_iter(values(&sql)))?;
            match rows.next()? {
                Some(r) => decode(r).map(Some),
                None => Ok(None),
            }
        })
        .await
    }

    /// Reads one resource (with its members when `with_members`).
    pub(crate) async fn fetch(
        &self,
        target: Target<'_>,
        id: &str,
        with_members: bool,
        counters: Arc<Counters>,
    ) -> Result<Option<Record>, DbError> {
        let sql = fetch_sql(Dialect::Sqlite, target.tenant, target.rt, id);
        let tenant = target.tenant.to_owned();
        let members = target.layout.members && with_members;
        self.run(move |c| {
            let mut recs = records(c, &sql)?;
            let Some(mut rec) = recs.pop() else {
                return Ok(None);
            };
            counters.rows(1);
            if members {
                load_members(c, &tenant, &mut rec, &counters)?;
            }
            Ok(Some(rec))
        })
        .await
    }

    /// Lists resources, as [`crate::ops::list`] does.
    pub(crate) async fn list(
        &self,
        target: Target<'_>,
        q: &ListQuery<'_>,
        counters: Arc<Counters>,
    ) -> Result<Page, DbError> {
        let plan = ListPlan::new(Dialect::Sqlite, target, q);
        let tenant = target.tenant.to_owned();
        self.run(move |c| {
            let mut records = records(c, &plan.sql)?;
            counters.rows(records.len());
            counters.held(records.len());
            let counted = match plan.count_for(records.len()) {
                Some(cnt) => Some(usize::try_from(count(c, cnt)?).unwrap_or(0)),
                None => None,
            };
            if plan.members {
                for rec in &mut records {
                    load_members(c, &tenant, rec, &counters)?;
                }
            }
            Ok(plan.page(records, counted))
        })
        .await
    }

    /// Runs a scan statement, as [`crate::ops::scan_rows`] does.
    pub(crate) async fn scan_rows(
        &self,
        sql: Sql,
        members_of: Option<String>,
        counters: Arc<Counters>,
    ) -> Result<Vec<(i64, Record)>, DbError> {
        self.run(move |c| {
            let mut out = Vec::new();
            let mut st = c.prepare_cached(&sql.text)?;
            let mut rows = st.query(params_from_iter(values(&sql)))?;
            while let Some(r) = rows.next()? {
                out.push((r.int(5)?, record(r)?));
            }
            counters.rows(out.len());
            if let Some(tenant) = &members_of {
                for (_, rec) in &mut out {
                    load_members(c, tenant, rec, &counters)?;
                }
            }
            Ok(out)
        })
        .await
    }

    /// Runs a `SELECT count(*)`.
    pub(crate) async fn count(&self, sql: Sql) -> Result<u64, DbError> {
        self.run(move |c| count(c, &sql)).await
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
                load_members(c, &tenant, rec, &counters)?;
            }
            Ok(out)
        })
        .await
    }
}

/// The value of a `SELECT count(*)`.
fn count(c: &Connection, sql: &Sql) -> Result<u64, DbError> {
    let n: i64 = c
        .prepare_cached(&sql.text)?
        .query_row(params_from_iter(values(sql)), |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The records a `SELECT` of [`crate::read_sql::resource_columns`] returns.
fn records(c: &Connection, sql: &Sql) -> Result<Vec<Record>, DbError> {
    let mut st = c.prepare_cached(&sql.text)?;
    let mut rows = st.query(params_from_iter(values(sql)))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(record(r)?);
    }
    Ok(out)
}

/// Gives `rec` the members of its group.
fn load_members(
    c: &Connection,
    tenant: &str,
    rec: &mut Record,
    counters: &Counters,
) -> Result<(), DbError> {
    let sql = members_sql(Dialect::Sqlite, tenant, &rec.id);
    let mut st = c.prepare_cached(&sql.text)?;
    let mut rows = st.query(params_from_iter(values(&sql)))?;
    let mut members = Vec::new();
    while let Some(r) = rows.next()? {
        members.push(member(r)?);
    }
    counters.member_rows(members.len());
    attach_members(rec, &members);
    Ok(())
}

impl RowRead for rusqlite::Row<'_> {
    fn text(&self, i: usize) -> Result<String, DbError> {
        Ok(self.get(i)?)
    }

    fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        Ok(self.get(i)?)
    }

    fn int(&self, i: usize) -> Result<i64, DbError> {
        Ok(self.get(i)?)
    }

    fn time(&self, i: usize) -> Result<DateTime<Utc>, DbError> {
        parse_time(&self.text(i)?)
    }

    fn opt_time(&self, i: usize) -> Result<Option<DateTime<Utc>>, DbError> {
        self.opt_text(i)?.as_deref().map(parse_time).transpose()
    }
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
