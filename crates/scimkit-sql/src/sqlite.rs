//! The embedded SQLite backend: one database file in WAL mode, one writer
//! connection (SQLite serialises writers anyway; one connection avoids
//! `SQLITE_BUSY` between them) fed by the group-commit queue
//! ([`write_queue`]), a checkpointer connection, and reader connections
//! ([`readers`]).
//!
//! Durability: with `synchronous=NORMAL` (the default here) a committed
//! transaction is in the WAL file when the commit returns, so it survives the
//! process being killed (`kill -9`); only an operating-system crash or power
//! loss can lose the last transactions. [`Durability::Full`] syncs the WAL on
//! every commit and survives those too, at the cost of one `fsync` per write.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use scimkit_service::{ChangeRecord, Cursor};
use serde_json::{Map, Value};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

mod checkpoints;
mod database;
mod readers;
mod write_queue;

pub(crate) use database::SqliteDb;
pub(crate) use readers::Readers;
pub(crate) use write_queue::Inserts;

use crate::error::{DbError, SqlError};
use crate::limits::{DEFAULT_QUERY_TIMEOUT, DEFAULT_READER_WAIT};
use crate::ops::write;
use crate::read_sql::Target;
use crate::record::Record;
use crate::sql::Dialect;

/// Inserts a resource through the group-commit queue ([`write_queue`]),
/// or on its own when its statements cannot share a transaction's call
/// (groups, whose member rows are written separately).
pub(crate) async fn insert(
    pool: &SqlitePool,
    inserts: &Inserts,
    target: Target<'_>,
    id: &str,
    doc: Map<String, Value>,
    now: DateTime<Utc>,
    keep: bool,
) -> Result<(Record, Vec<ChangeRecord>), DbError> {
    let mut p = write::prepare_insert(Dialect::Sqlite, target, id, &doc, now, keep)?;
    let records = match p.all.take() {
        None => write::insert_each::<SqliteDb>(pool, target, id, &p, now).await?,
        Some(all) => match inserts.run(all, 1).await {
            Some(Ok(positions)) => {
                let cursors = positions
                    .iter()
                    .map(|n| Cursor::new(format!("{n:016x}")))
                    .collect();
                crate::feed::write::records(target.tenant, vec![p.feed.clone()], cursors, now)?
            }
            // Redo statement by statement to name the attribute.
            Some(Err(DbError::Unique { .. })) => {
                write::insert_each::<SqliteDb>(pool, target, id, &p, now).await?
            }
            Some(Err(e)) => return Err(e),
            None => return write::insert::<SqliteDb>(pool, target, id, doc, now, keep).await,
        },
    };
    Ok((write::inserted(id, doc, &p, target.layout, now), records))
}

/// How hard SQLite works to keep a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Durability {
    /// `synchronous=NORMAL`: commits survive a process crash (`kill -9`), not
    /// necessarily a power loss. The default.
    #[default]
    Normal,
    /// `synchronous=FULL`: every commit is synced to disk.
    Full,
}

/// Where and how to open the SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    pub(crate) path: Option<PathBuf>,
    pub(crate) readers: u32,
    pub(crate) durability: Durability,
    pub(crate) busy_timeout: Duration,
    pub(crate) mmap_size: u64,
    pub(crate) reader_wait: Duration,
    pub(crate) query_timeout: Duration,
}

/// The default [`SqliteOptions::readers`]: reader connections open at most.
pub const DEFAULT_READERS: u32 = 4;

/// The default [`SqliteOptions::mmap_size`]: 2 GiB, SQLite's own ceiling
/// (`SQLITE_MAX_MMAP_SIZE`, 0x7fff0000 bytes) on 64-bit builds.
pub const DEFAULT_MMAP_SIZE: u64 = 0x7fff_0000;

impl SqliteOptions {
    /// A database file at `path`, created when missing.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        SqliteOptions {
            path: Some(path.into()),
            readers: DEFAULT_READERS,
            durability: Durability::Normal,
            busy_timeout: Duration::from_secs(5),
            mmap_size: DEFAULT_MMAP_SIZE,
            reader_wait: DEFAULT_READER_WAIT,
            query_timeout: DEFAULT_QUERY_TIMEOUT,
        }
    }

    /// A private in-memory database (one connection; for tests and examples).
    pub fn in_memory() -> Self {
        SqliteOptions {
            path: None,
            readers: 1,
            durability: Durability::Normal,
            busy_timeout: Duration::from_secs(5),
            mmap_size: 0,
            reader_wait: DEFAULT_READER_WAIT,
            query_timeout: DEFAULT_QUERY_TIMEOUT,
        }
    }

    /// The most reader connections open at once (default
    /// [`DEFAULT_READERS`], at least 1). A read finding them all busy waits
    /// up to [`SqliteOptions::reader_wait`] for one, then fails with `503`:
    /// concurrent scans cannot open connections (and threads) without bound.
    #[must_use]
    pub fn readers(mut self, n: u32) -> Self {
        self.readers = n.max(1);
        self
    }

    /// How long a read waits for a free reader connection (default
    /// [`DEFAULT_READER_WAIT`]) before the request fails with `503`.
    #[must_use]
    pub fn reader_wait(mut self, t: Duration) -> Self {
        self.reader_wait = t;
        self
    }

    /// How long one read may run (default [`DEFAULT_QUERY_TIMEOUT`]): past
    /// it the query is interrupted (`sqlite3_interrupt`, checked every
    /// thousand virtual-machine steps) and the request fails with `503`.
    /// Applies to reads of database files (the in-memory database, for
    /// tests, is not interrupted).
    #[must_use]
    pub fn query_timeout(mut self, t: Duration) -> Self {
        self.query_timeout = t;
        self
    }

    /// The durability of commits (default [`Durability::Normal`]).
    #[must_use]
    pub fn durability(mut self, d: Durability) -> Self {
        self.durability = d;
        self
    }

    /// How much of the database file is read through memory-mapped I/O
    /// (`PRAGMA mmap_size`; default [`DEFAULT_MMAP_SIZE`], `0` turns it off).
    ///
    /// Reads then copy nothing out of the operating system's page cache and
    /// make no `pread` call per page: on a 1,000,000-user database, `GET
    /// /Users?filter=userName eq …` served 13,100 requests/s without and
    /// 18,200 with it (docs/BENCHMARKS.md). The mapping is of the file, so
    /// it costs address space, not memory. SQLite's documentation lists the
    /// trade-off: an I/O error on a mapped page is a signal rather than an
    /// error code; turn it off on storage that reports such errors often.
    #[must_use]
    pub fn mmap_size(mut self, bytes: u64) -> Self {
        self.mmap_size = bytes;
        self
    }

    /// How long a connection waits for a lock before failing (default 5 s).
    #[must_use]
    pub fn busy_timeout(mut self, t: Duration) -> Self {
        self.busy_timeout = t;
        self
    }
}

/// The pools of one SQLite database.
pub(crate) struct Pools {
    pub(crate) read: SqlitePool,
    pub(crate) write: SqlitePool,
    /// The checkpointer's connection (file databases only).
    pub(crate) checkpoint: Option<SqlitePool>,
    /// Reads without sqlx's thread hop (file databases only).
    pub(crate) readers: Option<Readers>,
    /// How often the writer connection was taken from its pool.
    pub(crate) writer_uses: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Counts each hand-out of an idle connection of `options`' pool in `uses`.
fn counting(
    options: SqlitePoolOptions,
    uses: &std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> SqlitePoolOptions {
    let uses = uses.clone();
    options.before_acquire(move |_, _| {
        uses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Box::pin(async { Ok(true) })
    })
}

/// Opens the pools and runs the migrations.
pub(crate) async fn open(o: &SqliteOptions) -> Result<Pools, SqlError> {
    let sync = match o.durability {
        Durability::Normal => SqliteSynchronous::Normal,
        Durability::Full => SqliteSynchronous::Full,
    };
    let writer_uses = std::sync::Arc::default();
    let Some(path) = &o.path else {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(SqlError::connect)?
            .foreign_keys(true)
            .busy_timeout(o.busy_timeout);
        let pool = counting(SqlitePoolOptions::new(), &writer_uses)
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(opts)
            .await
            .map_err(SqlError::connect)?;
        migrate(&pool).await?;
        return Ok(Pools {
            read: pool.clone(),
            write: pool,
            checkpoint: None,
            readers: None,
            writer_uses,
        });
    };
    let base = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(sync)
        .busy_timeout(o.busy_timeout)
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory")
        .pragma("mmap_size", o.mmap_size.to_string());
    let writer = counting(SqlitePoolOptions::new(), &writer_uses)
        .max_connections(1)
        .min_connections(1)
        .connect_with(base.clone().pragma("wal_autocheckpoint", "0"))
        .await
        .map_err(SqlError::connect)?;
    migrate(&writer).await?;
    let checkpoint = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(base.clone())
        .await
        .map_err(SqlError::connect)?;
    let reader = SqlitePoolOptions::new()
        .max_connections(o.readers)
        .acquire_timeout(o.reader_wait.max(crate::limits::MIN_POOL_WAIT))
        .connect_with(base.read_only(true))
        .await
        .map_err(SqlError::connect)?;
    checkpoints::start(checkpoint.clone(), writer.clone());
    Ok(Pools {
        read: reader,
        write: writer,
        checkpoint: Some(checkpoint),
        readers: Some(Readers::new(
            path.clone(),
            o.busy_timeout,
            o.mmap_size,
            o.readers,
            o.reader_wait,
            o.query_timeout,
        )),
        writer_uses,
    })
}

async fn migrate(pool: &SqlitePool) -> Result<(), SqlError> {
    sqlx::migrate!("./migrations/sqlite")
        .run(pool)
        .await
        .map_err(SqlError::migrate)
}
