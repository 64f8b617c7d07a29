//! The crate's errors: [`SqlError`] (public: opening a store, the tenants
//! table, explaining a list) and `DbError` (what an operation of the store
//! failed with, mapped to a SCIM `StoreError` in `resource_store.rs`).
//!
//! Both keep the error they come from as their `source()`, so a caller can
//! tell a connection failure from a migration failure, and a log shows the
//! database's own message.

/// The error a [`SqlError`] keeps as its source (the database driver's
/// error; its type is not part of this crate's API).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a store could not be opened, or a tenants-table or explain call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqlError {
    /// Opening a connection failed (a bad URL or path, the server is down,
    /// authentication was refused, the file cannot be created).
    #[error("could not connect to the database: {0}")]
    Connect(#[source] BoxError),
    /// The migrations that ship with the crate could not be applied (e.g.
    /// the database holds a migration this version does not know, or a
    /// changed one).
    #[error("the database migrations failed: {0}")]
    Migrate(#[source] BoxError),
    /// An option is invalid (the detail says which and why).
    #[error("invalid store option: {0}")]
    InvalidOption(String),
    /// A statement failed after the store was open.
    #[error("{0}")]
    Query(#[source] BoxError),
}

impl SqlError {
    pub(crate) fn connect(e: impl Into<BoxError>) -> Self {
        SqlError::Connect(e.into())
    }

    pub(crate) fn migrate(e: impl Into<BoxError>) -> Self {
        SqlError::Migrate(e.into())
    }
}

impl From<DbError> for SqlError {
    fn from(e: DbError) -> Self {
        SqlError::Query(Box::new(e))
    }
}

impl From<sqlx::Error> for SqlError {
    fn from(e: sqlx::Error) -> Self {
        SqlError::from(DbError::from(e))
    }
}

/// Why a database operation failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    /// No such resource.
    #[error("resource not found")]
    NotFound,
    /// The resource exists with another version.
    #[error("version mismatch: the resource is at version {current}")]
    VersionMismatch { current: i64 },
    /// A unique index refused the write: the attribute and the value.
    #[error("{attr} {value:?} is already in use")]
    Unique { attr: String, value: String },
    /// No connection came free in time, or a query ran past its deadline
    /// and was stopped (the detail says which, for the client).
    #[error("{0}")]
    Unavailable(String),
    /// The write's tenant is not (any more) in the `tenants` table.
    #[error("the tenant does not exist")]
    TenantGone,
    /// The database (through sqlx) failed.
    #[error("database error: {0}")]
    Db(#[source] sqlx::Error),
    /// A SQLite reader connection (rusqlite) failed.
    #[cfg(feature = "sqlite")]
    #[error("SQLite read failed: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// A stored document is not valid JSON.
    #[error("stored document is not valid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// A stored feed record cannot be read back (what is wrong).
    #[error("stored feed record: {0}")]
    Feed(&'static str),
    /// A stored document is JSON but not an object.
    #[error("stored document is not a JSON object")]
    NotAnObject,
    /// A stored timestamp is not RFC 3339 text.
    #[cfg(feature = "sqlite")]
    #[error("stored timestamp {text:?} is not RFC 3339: {source}")]
    Timestamp {
        text: String,
        #[source]
        source: chrono::ParseError,
    },
    /// The store was closed.
    #[cfg(feature = "sqlite")]
    #[error("the store is closed")]
    Closed,
    /// A read moved to the blocking pool did not finish (it panicked or
    /// its runtime shut down).
    #[cfg(feature = "sqlite")]
    #[error("read task failed: {0}")]
    ReadTask(#[source] tokio::task::JoinError),
    /// The group-commit task stopped after taking the insert.
    #[cfg(feature = "sqlite")]
    #[error("the write queue stopped before answering; the create may or may not be committed")]
    QueueStopped,
    /// The transaction of a group commit failed (every insert of the
    /// group gets this error).
    #[cfg(feature = "sqlite")]
    #[error("group commit failed: {0}")]
    GroupCommit(#[source] std::sync::Arc<DbError>),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e
            && d.is_unique_violation()
        {
            return DbError::Unique {
                attr: "id".into(),
                value: String::new(),
            };
        }
        // The resource row binds its tenant as `(SELECT id FROM tenants
        // WHERE id = ?)` for registered tenants: NULL when it is gone.
        if let sqlx::Error::Database(d) = &e
            && matches!(d.kind(), sqlx::error::ErrorKind::NotNullViolation)
            && d.message().contains("tenant_id")
        {
            return DbError::TenantGone;
        }
        if let sqlx::Error::Database(d) = &e
            && d.code().as_deref() == Some(PG_QUERY_CANCELED)
        {
            return DbError::Unavailable(QUERY_STOPPED.into());
        }
        if let sqlx::Error::PoolTimedOut = &e {
            return DbError::Unavailable(NO_CONNECTION.into());
        }
        DbError::Db(e)
    }
}

impl From<serde_json::Error> for DbError {
    fn from(e: serde_json::Error) -> Self {
        DbError::Json(e)
    }
}

#[cfg(feature = "sqlite")]
impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Sqlite(e)
    }
}

/// PostgreSQL's SQLSTATE for a statement cancelled by `statement_timeout`.
const PG_QUERY_CANCELED: &str = "57014";

/// The detail of a query stopped at its deadline.
pub(crate) const QUERY_STOPPED: &str = "the database query ran past the store's query timeout and \
     was stopped; narrow the filter (e.g. an eq on userName, externalId or displayName) \
     or retry later";

/// The detail of a request that found no free connection in time.
pub(crate) const NO_CONNECTION: &str = "every database connection stayed busy past the \
     store's wait for one; retry later";
