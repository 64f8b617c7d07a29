//! The request log: one row per SCIM request a server answered (time,
//! tenant, method, path, decoded filter, status, `scimType`, duration, the
//! compatibility switches that fired, the resource touched, and optionally
//! the redacted bodies), kept in the store's database so it survives
//! restarts, and bounded per tenant.
//!
//! [`RequestLog`] reads and writes it; [`RequestLogWriter`] is what a server
//! hands each answered request to: a bounded queue drained by one task in
//! batches, so logging never slows an answer (when the queue is full the
//! entry is dropped and counted, [`RequestLogWriter::dropped`]). On SQLite
//! the batches go through the store's single writer (the group-commit
//! queue), never a second writer connection.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use scimkit_sql::{RequestLogEntry, RequestLogQuery, SqlStore, SqliteOptions};
//!
//! let store = SqlStore::sqlite(SqliteOptions::in_memory()).await?;
//! let log = store.request_log();
//! let mut e = RequestLogEntry::new("acme", "GET", "/tenants/acme/scim/v2/Users", 200);
//! e.filter = Some("userName eq \"bjensen\"".into());
//! log.append(&[e]).await?;
//! let page = log.list(&RequestLogQuery::tenant("acme")).await?;
//! assert_eq!(page.entries.len(), 1);
//! assert_eq!(page.entries[0].filter.as_deref(), Some("userName eq \"bjensen\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod table;
mod writer;

use chrono::{DateTime, Utc};
use scimkit_service::{Switch, Switches};

use crate::SqlError;
#[cfg(feature = "postgres")]
use crate::postgres::PgDb;
#[cfg(feature = "sqlite")]
use crate::sqlite::SqliteDb;
use crate::store::Connections;

pub use writer::{
    DEFAULT_REQUEST_LOG_BODY_BYTES, DEFAULT_REQUEST_LOG_QUEUE, REQUEST_LOG_BATCH,
    RequestLogOptions, RequestLogWriter,
};

/// The most entries kept per tenant unless set otherwise
/// ([`RequestLogOptions::max_entries_per_tenant`], the server's
/// `--request-log-max-entries`).
pub const DEFAULT_REQUEST_LOG_MAX_ENTRIES: u64 = 10_000;

/// The most entries one [`RequestLog::list`] returns (a larger
/// [`RequestLogQuery::limit`] is clamped to it).
pub const MAX_REQUEST_LOG_PAGE: usize = 1_000;

/// The default page size of [`RequestLogQuery`].
pub const DEFAULT_REQUEST_LOG_PAGE: usize = 100;

/// One answered request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestLogEntry {
    /// The entry's position (assigned by the database; 0 before it is stored).
    /// Larger is newer.
    pub id: i64,
    /// When the request arrived.
    pub time: DateTime<Utc>,
    /// The tenant (the authenticated one, else the one of the Tenant URL,
    /// else `-`).
    pub tenant: String,
    /// The HTTP method.
    pub method: String,
    /// The request path (without the query).
    pub path: String,
    /// The decoded `filter`, if the request had one.
    pub filter: Option<String>,
    /// The response status.
    pub status: u16,
    /// The SCIM error's `scimType`, for an error that has one.
    pub scim_type: Option<String>,
    /// The SCIM error's `detail`, for an error.
    pub detail: Option<String>,
    /// How long the answer took, in microseconds.
    pub duration_us: u64,
    /// The compatibility switches that fired.
    pub switches: Switches,
    /// The type of the resource touched (`User`, `Group`).
    pub resource_type: Option<String>,
    /// The id of the resource touched.
    pub resource_id: Option<String>,
    /// The request body, secrets redacted (only with body logging on;
    /// truncated to [`RequestLogOptions::max_body_bytes`]).
    pub request_body: Option<String>,
    /// The response body, likewise.
    pub response_body: Option<String>,
}

impl RequestLogEntry {
    /// An entry for a request answered now, with nothing else known yet.
    pub fn new(
        tenant: impl Into<String>,
        method: impl Into<String>,
        path: impl Into<String>,
        status: u16,
    ) -> Self {
        RequestLogEntry {
            id: 0,
            time: Utc::now(),
            tenant: tenant.into(),
            method: method.into(),
            path: path.into(),
            filter: None,
            status,
            scim_type: None,
            detail: None,
            duration_us: 0,
            switches: Switches::EMPTY,
            resource_type: None,
            resource_id: None,
            request_body: None,
            response_body: None,
        }
    }
}

/// Which entries [`RequestLog::list`] returns: newest first, those older
/// than [`RequestLogQuery::before`], at most [`RequestLogQuery::limit`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestLogQuery {
    /// Only this tenant's.
    pub tenant: Option<String>,
    /// Only statuses of this class: 2 for `2xx`, 4 for `4xx`, 5 for `5xx`.
    pub status_class: Option<u16>,
    /// Only requests that touched a resource of this type.
    pub resource_type: Option<String>,
    /// Only requests that touched the resource with this id.
    pub resource_id: Option<String>,
    /// Only requests where this switch fired.
    pub switch: Option<Switch>,
    /// Only entries older than this id (the previous page's
    /// [`RequestLogPage::next`]).
    pub before: Option<i64>,
    /// The most entries (clamped to [`MAX_REQUEST_LOG_PAGE`]).
    pub limit: usize,
}

impl Default for RequestLogQuery {
    fn default() -> Self {
        RequestLogQuery::all()
    }
}

impl RequestLogQuery {
    /// Every tenant's entries, a page of [`DEFAULT_REQUEST_LOG_PAGE`].
    pub fn all() -> Self {
        RequestLogQuery {
            tenant: None,
            status_class: None,
            resource_type: None,
            resource_id: None,
            switch: None,
            before: None,
            limit: DEFAULT_REQUEST_LOG_PAGE,
        }
    }

    /// One tenant's entries.
    pub fn tenant(tenant: impl Into<String>) -> Self {
        RequestLogQuery {
            tenant: Some(tenant.into()),
            ..RequestLogQuery::all()
        }
    }

    /// Only statuses of `class` (2, 3, 4 or 5).
    #[must_use]
    pub fn status_class(mut self, class: u16) -> Self {
        self.status_class = Some(class);
        self
    }

    /// Only requests that touched `resource_type` (and `id`, when given).
    #[must_use]
    pub fn resource(mut self, resource_type: impl Into<String>, id: Option<String>) -> Self {
        self.resource_type = Some(resource_type.into());
        self.resource_id = id;
        self
    }

    /// Only requests where `switch` fired.
    #[must_use]
    pub fn switch(mut self, switch: Switch) -> Self {
        self.switch = Some(switch);
        self
    }

    /// Only entries older than `id`.
    #[must_use]
    pub fn before(mut self, id: i64) -> Self {
        self.before = Some(id);
        self
    }

    /// At most `n` entries.
    #[must_use]
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = n;
        self
    }
}

/// A page of entries, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestLogPage {
    /// The entries.
    pub entries: Vec<RequestLogEntry>,
    /// Where the next (older) page starts (`RequestLogQuery::before`), or
    /// `None` when this page is the last.
    pub next: Option<i64>,
}

/// The request log of a [`crate::SqlStore`]'s database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RequestLog {
    pub(crate) backend: Connections,
}

impl crate::SqlStore {
    /// The request log in this store's database.
    pub fn request_log(&self) -> RequestLog {
        RequestLog {
            backend: self.backend.clone(),
        }
    }
}

impl RequestLog {
    /// Stores `entries` (in one transaction; on SQLite through the single
    /// writer's group commit). Their `id`s are ignored: the database
    /// assigns them.
    pub async fn append(&self, entries: &[RequestLogEntry]) -> Result<(), SqlError> {
        self.append_pruning(entries, None).await
    }

    /// [`RequestLog::append`], then deletes all but the newest `keep`
    /// entries of each tenant appended to, in the same transaction.
    pub(crate) async fn append_pruning(
        &self,
        entries: &[RequestLogEntry],
        keep: Option<u64>,
    ) -> Result<(), SqlError> {
        if entries.is_empty() {
            return Ok(());
        }
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, inserts, .. } => {
                let d = crate::sql::Dialect::Sqlite;
                // One job of the group commit: the inserts and the prunes
                // run in the writer's next transaction, with the creates.
                let mut jobs = Vec::new();
                for chunk in entries.chunks(REQUEST_LOG_BATCH) {
                    jobs.push(table::insert_sql(d, chunk));
                }
                if let Some(keep) = keep {
                    for t in table::tenants_of(entries) {
                        jobs.push(table::prune_sql(d, t, keep));
                    }
                }
                for job in jobs {
                    // Request-log inserts return no rows.
                    match inserts.run(job, 0).await {
                        Some(r) => {
                            r?;
                        }
                        // The queue's task is gone (runtime shutting down).
                        None => {
                            return Ok(table::append::<SqliteDb>(write, entries, keep).await?);
                        }
                    }
                }
                Ok(())
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => Ok(table::append::<PgDb>(pool, entries, keep).await?),
        }
    }

    /// Entries matching `query`, newest first.
    pub async fn list(&self, query: &RequestLogQuery) -> Result<RequestLogPage, SqlError> {
        Ok(match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => table::list::<SqliteDb>(read, query).await?,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::list::<PgDb>(pool, query).await?,
        })
    }

    /// Deletes all but the newest `max_per_tenant` entries of each tenant;
    /// returns how many went.
    pub async fn prune(&self, max_per_tenant: u64) -> Result<u64, SqlError> {
        Ok(match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                table::prune::<SqliteDb>(write, max_per_tenant).await?
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::prune::<PgDb>(pool, max_per_tenant).await?,
        })
    }

    /// Starts the batching writer task on the current tokio runtime.
    pub fn writer(&self, options: RequestLogOptions) -> RequestLogWriter {
        RequestLogWriter::start(self.clone(), options)
    }
}
