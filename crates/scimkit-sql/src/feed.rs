//! The change feed on SQLite and PostgreSQL: [`ChangeFeed`] for
//! [`SqlStore`].
//!
//! Every write inserts its records into the `feed` table in its own
//! transaction (`ops/write.rs`; on SQLite the group commit appends each
//! create's record to the same call), so a record exists exactly when its
//! change committed. Reads go by cursor, prunes in chunks, consumers live in
//! `feed_consumers`.
//!
//! ## Cursors that never skip
//!
//! **SQLite** has one writer: `position INTEGER PRIMARY KEY AUTOINCREMENT`
//! is assigned in commit order and never reused, so a reader's snapshot
//! always holds a prefix of the feed. The cursor is 16 hex digits of the
//! position.
//!
//! **PostgreSQL** runs writers concurrently, and sequence values become
//! visible out of order: `WHERE seq > C` would skip a row whose transaction
//! took a lower value but committed later. Each row therefore also stores
//! its transaction's id (`txid xid8 DEFAULT pg_current_xact_id()`), the
//! feed is ordered by `(txid, seq)` (cursor: 16 hex digits of each), and a
//! read returns only rows with `txid < pg_snapshot_xmin(pg_current_snapshot())`.
//! Every transaction below the snapshot's `xmin` has ended, and every
//! transaction that gets an id later gets one at or above it, so once a
//! reader has seen a row, no row below it can still appear.
//!
//! Within one resource, records come in version order because every write
//! takes `pg_advisory_xact_lock` on each resource it will change (sorted
//! keys, one statement) *before* its first write or row lock, the moment
//! PostgreSQL assigns its transaction id: the next writer of that resource
//! waits for the lock, so it gets a later id. A delete locks the deleted
//! resource and the groups listing it; when a group gained the member in
//! between (it was not locked), the delete rolls back and runs again with
//! it locked. Creates need no lock: nobody else can write a resource
//! before its creation commits.
//!
//! The cost: a transaction that runs long anywhere on the cluster holds
//! `xmin` back, and readers wait for it (they never lose a record);
//! `statement_timeout` (`PostgresOptions::statement_timeout`) bounds the
//! store's own statements.
//!
//! ## Wake-ups
//!
//! After each commit the store fires its [`CommitSignal`] (this process).
//! On PostgreSQL a background task then sends one `NOTIFY scimkit_feed`
//! for however many commits piled up meanwhile (outside the write's
//! transaction: PostgreSQL serialises the commits of notifying
//! transactions, which would serialise every write), and a listener task
//! (`LISTEN scimkit_feed`, reconnecting after a lost connection) fires the
//! signal for commits of other processes. A lost notification costs a
//! follower at most its poll interval.

#[cfg(feature = "postgres")]
mod notify;
pub(crate) mod read;
pub(crate) mod write;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use scimkit_service::feed::DEFAULT_FEED_PAGE;
use scimkit_service::{
    ChangeFeed, CommitSignal, Commits, Consumer, FeedPage, FeedQuery, Retention, StoreError,
};

use crate::SqlStore;
use crate::error::DbError;
#[cfg(feature = "postgres")]
use crate::postgres::PgDb;
use crate::resource_store::map_err;
#[cfg(feature = "sqlite")]
use crate::sqlite::SqliteDb;
use crate::store::Connections;
use read::Position;

/// The feed's settings and wake-ups, shared by a store's clones.
#[derive(Debug, Clone)]
pub(crate) struct FeedState {
    /// Records carry the resource's body (off by default).
    pub(crate) keep_resources: bool,
    /// The most records one read returns.
    pub(crate) page: usize,
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    signal: CommitSignal,
    /// Wakes the PostgreSQL notifier task.
    poke: Arc<tokio::sync::Notify>,
    tasks: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        let tasks = self.tasks.get_mut().unwrap_or_else(|p| p.into_inner());
        for t in tasks.drain(..) {
            t.abort();
        }
    }
}

impl FeedState {
    pub(crate) fn new() -> Self {
        FeedState {
            keep_resources: false,
            page: DEFAULT_FEED_PAGE,
            shared: Arc::default(),
        }
    }

    /// After a write: wakes followers here and (PostgreSQL) elsewhere.
    pub(crate) fn committed<T>(&self, r: &Result<T, DbError>) {
        if r.is_ok() {
            self.shared.signal.notify();
            self.shared.poke.notify_one();
        }
    }

    /// Starts the PostgreSQL notifier and listener tasks.
    #[cfg(feature = "postgres")]
    pub(crate) fn listen(&self, pool: &sqlx::PgPool) {
        let tasks = notify::start(pool, &self.shared.signal, &self.shared.poke);
        self.shared
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(tasks);
    }
}

fn bad_cursor(c: &scimkit_service::Cursor) -> StoreError {
    StoreError::Invalid(scimkit_schema::ScimError::invalid_value(format!(
        "cursor {:?} is not a position of this feed",
        c.as_str()
    )))
}

fn err(e: DbError) -> StoreError {
    map_err("", e)
}

impl SqlStore {
    /// Keeps the resource after each create and replace in its feed
    /// records ([`scimkit_service::ChangeRecord::resource`]; membership
    /// changes and deletes carry none). Off by default: the feed then holds
    /// no attribute values.
    #[must_use]
    pub fn with_resources_in_feed(mut self, keep: bool) -> Self {
        self.feed.keep_resources = keep;
        self
    }

    /// The most records one [`ChangeFeed::read`] returns (default
    /// [`DEFAULT_FEED_PAGE`], at least 1).
    #[must_use]
    pub fn with_feed_page(mut self, n: usize) -> Self {
        self.feed.page = n.max(1);
        self
    }
}

#[async_trait]
impl ChangeFeed for SqlStore {
    async fn read(&self, query: &FeedQuery) -> Result<FeedPage, StoreError> {
        let dialect = self.dialect();
        let after = match &query.after {
            Some(c) => Some(Position::parse(dialect, c).ok_or_else(|| bad_cursor(c))?),
            None => None,
        };
        let limit = query.effective_limit(self.feed.page);
        let records = match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => {
                read::read::<SqliteDb>(read, query, after, limit).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => read::read::<PgDb>(pool, query, after, limit).await,
        }
        .map_err(err)?;
        Ok(FeedPage::new(records, query.after.clone()))
    }

    fn commits(&self) -> Commits {
        self.feed.shared.signal.subscribe()
    }

    async fn prune(&self, retention: &Retention) -> Result<u64, StoreError> {
        let before = retention.max_age.map(|age| {
            chrono::Duration::from_std(age)
                .ok()
                .and_then(|d| Utc::now().checked_sub_signed(d))
                .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC)
        });
        let mut total = 0;
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                if let Some(t) = before {
                    total += read::prune_age::<SqliteDb>(write, t).await.map_err(err)?;
                }
                if let Some(n) = retention.max_records_per_tenant {
                    total += read::prune_count::<SqliteDb>(write, n).await.map_err(err)?;
                }
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                if let Some(t) = before {
                    total += read::prune_age::<PgDb>(pool, t).await.map_err(err)?;
                }
                if let Some(n) = retention.max_records_per_tenant {
                    total += read::prune_count::<PgDb>(pool, n).await.map_err(err)?;
                }
            }
        }
        Ok(total)
    }

    async fn consumer(&self, name: &str) -> Result<Option<Consumer>, StoreError> {
        Ok(self.load_consumers(Some(name)).await?.into_iter().next())
    }

    async fn consumers(&self) -> Result<Vec<Consumer>, StoreError> {
        self.load_consumers(None).await
    }

    async fn save_consumer(&self, consumer: &Consumer) -> Result<(), StoreError> {
        Consumer::check_name(&consumer.name)?;
        let now = Utc::now();
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                read::save_consumer::<SqliteDb>(write, consumer, now).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                read::save_consumer::<PgDb>(pool, consumer, now).await
            }
        }
        .map_err(err)
    }

    async fn remove_consumer(&self, name: &str) -> Result<bool, StoreError> {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                read::remove_consumer::<SqliteDb>(write, name).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => read::remove_consumer::<PgDb>(pool, name).await,
        }
        .map_err(err)
    }
}

impl SqlStore {
    async fn load_consumers(&self, name: Option<&str>) -> Result<Vec<Consumer>, StoreError> {
        match &self.backend {
            // The writer's pool: a consumer saved a moment ago is seen.
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => read::consumers::<SqliteDb>(write, name).await,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => read::consumers::<PgDb>(pool, name).await,
        }
        .map_err(err)
    }
}
