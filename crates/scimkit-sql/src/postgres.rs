//! The PostgreSQL backend: one connection pool, `jsonb` documents, the same
//! tables and indexes as SQLite. Several server processes may share one
//! database: uniqueness, versions and membership are enforced by the
//! database (unique indexes, compare-and-swap updates, row locks).

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgConnection, PgPoolOptions, PgRow};
use sqlx::{ConnectOptions, Connection, PgPool, Postgres, Row};
use std::str::FromStr;
use std::time::Duration;

use crate::error::{DbError, SqlError};
use crate::limits::{DEFAULT_QUERY_TIMEOUT, DEFAULT_READER_WAIT};
use crate::ops::Backend;
use crate::rows::RowRead;
use crate::sql::{Dialect, Param, Sql, is_safe_name};

type Q<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// Binds `p` to `q`.
fn bind<'q>(q: Q<'q>, p: &'q Param) -> Q<'q> {
    match p {
        Param::Text(s) | Param::Json(s) => q.bind(s.as_str()),
        Param::Int(i) => q.bind(*i),
        Param::Float(f) => q.bind(*f),
        Param::Time(t) => q.bind(*t),
    }
}

/// The query of `sql` with its parameters bound.
fn query(sql: &Sql) -> Q<'_> {
    sql.params
        .iter()
        .fold(sqlx::query(&sql.text), |q, p| bind(q, p))
}

/// PostgreSQL, for the operations of [`crate::ops`].
#[derive(Debug)]
pub(crate) struct PgDb;

impl Backend for PgDb {
    type Db = Postgres;
    type Row = PgRow;
    const DIALECT: Dialect = Dialect::Postgres;

    async fn run(c: &mut PgConnection, sql: &Sql) -> Result<u64, DbError> {
        Ok(query(sql).execute(&mut *c).await?.rows_affected())
    }

    async fn rows(c: &mut PgConnection, sql: &Sql) -> Result<Vec<PgRow>, DbError> {
        Ok(query(sql).fetch_all(&mut *c).await?)
    }
}

impl RowRead for PgRow {
    fn text(&self, i: usize) -> Result<String, DbError> {
        Ok(self.try_get(i)?)
    }

    fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        Ok(self.try_get(i)?)
    }

    fn int(&self, i: usize) -> Result<i64, DbError> {
        Ok(self.try_get(i)?)
    }

    fn time(&self, i: usize) -> Result<DateTime<Utc>, DbError> {
        Ok(self.try_get(i)?)
    }

    fn opt_time(&self, i: usize) -> Result<Option<DateTime<Utc>>, DbError> {
        Ok(self.try_get(i)?)
    }
}

/// Where and how to connect to PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    pub(crate) url: String,
    pub(crate) schema: Option<String>,
    pub(crate) max_connections: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) statement_timeout: Duration,
    pub(crate) ping_idle_after: Duration,
}

/// The default [`PostgresOptions::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: u32 = 16;

/// The default [`PostgresOptions::ping_idle_after`].
pub const DEFAULT_PING_IDLE_AFTER: Duration = Duration::from_secs(1);

impl PostgresOptions {
    /// A database URL (`postgres://user@host:5432/db`).
    pub fn url(url: impl Into<String>) -> Self {
        PostgresOptions {
            url: url.into(),
            schema: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            acquire_timeout: DEFAULT_READER_WAIT,
            statement_timeout: DEFAULT_QUERY_TIMEOUT,
            ping_idle_after: DEFAULT_PING_IDLE_AFTER,
        }
    }

    /// Keeps scimkit's tables in this schema (created when missing) instead
    /// of the connection's default. Letters, digits, `_` and `-` only.
    #[must_use]
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// The most connections open at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`], at least 1). A request finding them all
    /// busy waits up to [`PostgresOptions::acquire_timeout`].
    #[must_use]
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// How long a request waits for a free connection (default
    /// [`DEFAULT_READER_WAIT`]) before it fails with `503`.
    #[must_use]
    pub fn acquire_timeout(mut self, t: Duration) -> Self {
        self.acquire_timeout = t;
        self
    }

    /// How long one statement may run (default [`DEFAULT_QUERY_TIMEOUT`]):
    /// PostgreSQL's `statement_timeout` on every pooled connection cancels
    /// it after that, and the request fails with `503`. Migrations run on a
    /// connection of their own, without it.
    #[must_use]
    pub fn statement_timeout(mut self, t: Duration) -> Self {
        self.statement_timeout = t;
        self
    }

    /// A pooled connection left idle at least this long (default
    /// [`DEFAULT_PING_IDLE_AFTER`]) is checked with a round trip before a
    /// request uses it, and replaced when the check fails (the server
    /// restarted, a proxy dropped it). A connection used more recently goes
    /// straight to its query: checking every one doubled the round trips of
    /// a read (see `docs/BENCHMARKS.md`, "PostgreSQL"). `Duration::ZERO`
    /// checks every connection.
    #[must_use]
    pub fn ping_idle_after(mut self, t: Duration) -> Self {
        self.ping_idle_after = t;
        self
    }
}

/// Connects and runs the migrations.
pub(crate) async fn open(o: &PostgresOptions) -> Result<PgPool, SqlError> {
    let mut opts = PgConnectOptions::from_str(&o.url).map_err(SqlError::connect)?;
    if let Some(schema) = &o.schema {
        if !is_safe_name(schema) || schema.contains(['.', ':', '$']) {
            return Err(SqlError::InvalidOption(format!(
                "schema name {schema:?}: letters, digits, `_` and `-` only"
            )));
        }
        let mut c = opts.connect().await.map_err(SqlError::connect)?;
        sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
            .execute(&mut c)
            .await
            .map_err(SqlError::connect)?;
        c.close().await.map_err(SqlError::connect)?;
        opts = opts.options([("search_path", schema.as_str())]);
    }
    {
        let mut c = opts.connect().await.map_err(SqlError::connect)?;
        sqlx::migrate!("./migrations/postgres")
            .run(&mut c)
            .await
            .map_err(SqlError::migrate)?;
        c.close().await.map_err(SqlError::connect)?;
    }
    let ms = o.statement_timeout.as_millis().max(1).to_string();
    let ping_after = o.ping_idle_after;
    let pool = PgPoolOptions::new()
        .max_connections(o.max_connections)
        .acquire_timeout(o.acquire_timeout.max(crate::limits::MIN_POOL_WAIT))
        // sqlx pings every connection it hands out unless told not to: one
        // more round trip per acquire. Only connections idle a while are
        // pinged; a failed ping drops the connection and sqlx opens another.
        .test_before_acquire(false)
        .before_acquire(move |c, meta| {
            Box::pin(async move {
                if meta.idle_for >= ping_after {
                    c.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(opts.options([("statement_timeout", ms.as_str())]))
        .await
        .map_err(SqlError::connect)?;
    Ok(pool)
}
