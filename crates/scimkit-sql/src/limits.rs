//! The defaults of the store's connection and time limits, shared by both
//! databases.

use std::time::Duration;

/// How long a request waits for a free database connection before it fails
/// with `503` (the default of `SqliteOptions::reader_wait` and
/// `PostgresOptions::acquire_timeout`).
pub const DEFAULT_READER_WAIT: Duration = Duration::from_secs(5);

/// How long one query may run before it is stopped and the request fails
/// with `503` (the default of `SqliteOptions::query_timeout` and
/// `PostgresOptions::statement_timeout`).
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The least wait given to sqlx pools: sqlx counts opening a connection
/// against it, so a shorter one could fail to open the first connection.
pub(crate) const MIN_POOL_WAIT: Duration = Duration::from_secs(1);
