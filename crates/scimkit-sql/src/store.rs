//! [`SqlStore`]: one type over both databases.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use scimkit_schema::ResourceSchema;
use serde_json::{Map, Value};

use crate::columns::{Layout, MemberRow};
use crate::error::DbError;
use crate::record::{ListQuery, Page, Record};
use crate::sql::{Dialect, Sql};
use crate::stats::{Counters, ReadStats};

/// A SCIM resource store on SQLite or PostgreSQL.
///
/// Cloning is cheap (the pools are shared).
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(crate) backend: Backend,
    unique_display_name: Vec<String>,
    /// How often the SQLite writer connection was taken (see
    /// [`SqlStore::writer_uses`]).
    writer_uses: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Writes check that their tenant is in the `tenants` table.
    pub(crate) registered_tenants: bool,
    pub(crate) counters: Arc<Counters>,
}

#[derive(Debug, Clone)]
pub(crate) enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite {
        read: sqlx::SqlitePool,
        write: sqlx::SqlitePool,
        inserts: crate::sqlite::Inserts,
        checkpoint: Option<sqlx::SqlitePool>,
        /// Reads on the calling thread (file databases).
        readers: Option<crate::sqlite::Readers>,
    },
    #[cfg(feature = "postgres")]
    Postgres { pool: sqlx::PgPool },
}

macro_rules! dispatch {
    ($self:ident, $f:ident, read, $($arg:expr),*) => {
        match &$self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { read, .. } => crate::sqlite::db::$f(read, $($arg),*).await,
            #[cfg(feature = "postgres")]
            Backend::Postgres { pool } => crate::postgres::db::$f(pool, $($arg),*).await,
        }
    };
    ($self:ident, $f:ident, write, $($arg:expr),*) => {
        match &$self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { write, .. } => crate::sqlite::db::$f(write, $($arg),*).await,
            #[cfg(feature = "postgres")]
            Backend::Postgres { pool } => crate::postgres::db::$f(pool, $($arg),*).await,
        }
    };
}

impl SqlStore {
    /// Opens (creating when missing) a SQLite database and runs the migrations.
    #[cfg(feature = "sqlite")]
    pub async fn sqlite(options: crate::SqliteOptions) -> Result<SqlStore, crate::SqlError> {
        let pools = crate::sqlite::open(&options).await?;
        let inserts = crate::sqlite::Inserts::start(pools.write.clone());
        Ok(SqlStore {
            writer_uses: pools.writer_uses,
            registered_tenants: false,
            backend: Backend::Sqlite {
                read: pools.read,
                write: pools.write,
                inserts,
                checkpoint: pools.checkpoint,
                readers: pools.readers,
            },
            unique_display_name: Vec::new(),
            counters: Arc::default(),
        })
    }

    /// Connects to PostgreSQL and runs the migrations.
    #[cfg(feature = "postgres")]
    pub async fn postgres(options: crate::PostgresOptions) -> Result<SqlStore, crate::SqlError> {
        let pool = crate::postgres::open(&options).await?;
        Ok(SqlStore {
            backend: Backend::Postgres { pool },
            unique_display_name: Vec::new(),
            writer_uses: std::sync::Arc::default(),
            registered_tenants: false,
            counters: Arc::default(),
        })
    }

    /// Closes the connections, waiting for queries in flight; SQLite
    /// checkpoints its WAL into the database file when the last one closes.
    pub async fn close(&self) {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite {
                read,
                write,
                checkpoint,
                readers,
                ..
            } => {
                if let Some(r) = readers {
                    r.close();
                }
                if let Some(c) = checkpoint {
                    c.close().await;
                }
                read.close().await;
                write.close().await;
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres { pool } => pool.close().await,
        }
    }

    /// Makes `displayName` unique per tenant (case-insensitively) for the
    /// resource type named `resource_type` (e.g. `"Group"`), enforced by a
    /// unique index. Applies to resources written from now on.
    #[must_use]
    pub fn with_unique_display_name(mut self, resource_type: impl Into<String>) -> Self {
        self.unique_display_name.push(resource_type.into());
        self
    }

    /// How many times this store took its SQLite writer connection (each
    /// write, each group commit); always 0 on PostgreSQL, which has no
    /// single writer. For metrics and for tests that a path stays off the
    /// writer (authentication does).
    pub fn writer_uses(&self) -> u64 {
        self.writer_uses.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn layout(&self, rs: &ResourceSchema) -> Layout {
        let unique = self
            .unique_display_name
            .iter()
            .any(|n| n.eq_ignore_ascii_case(rs.name()));
        let mut layout = Layout::of(rs, unique);
        layout.registered_tenant = self.registered_tenants;
        layout
    }

    /// Makes every write check, inside its own transaction, that its tenant
    /// is a row of the `tenants` table ([`crate::Tenants`]), and fail with
    /// a `401` SCIM error when it is not: a write racing `tenant remove`
    /// either commits before the removal (which then deletes it) or finds
    /// no tenant, so nothing of a removed tenant is ever left behind.
    /// PostgreSQL takes the tenant row `FOR KEY SHARE`, which
    /// [`crate::Tenants::remove`] waits for; on SQLite the single writer
    /// serialises them. Off by default: stores whose tenants are not in
    /// the `tenants` table keep writing as before.
    #[must_use]
    pub fn with_registered_tenants(mut self, on: bool) -> Self {
        self.registered_tenants = on;
        self
    }

    pub(crate) async fn insert(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        id: &str,
        doc: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Record, DbError> {
        let layout = self.layout(rs);
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { write, inserts, .. } => {
                crate::sqlite::insert(write, inserts, tenant, rs.name(), &layout, id, doc, now)
                    .await
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres { pool } => {
                crate::postgres::db::insert(pool, tenant, rs.name(), &layout, id, doc, now).await
            }
        }
    }

    pub(crate) async fn fetch(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        id: &str,
        with_members: bool,
    ) -> Result<Option<Record>, DbError> {
        let layout = self.layout(rs);
        #[cfg(feature = "sqlite")]
        if let Backend::Sqlite {
            readers: Some(r), ..
        } = &self.backend
        {
            return r
                .fetch(
                    tenant,
                    rs.name(),
                    &layout,
                    id,
                    with_members,
                    self.counters.clone(),
                )
                .await;
        }
        dispatch!(
            self,
            fetch,
            read,
            tenant,
            rs.name(),
            &layout,
            id,
            with_members,
            &self.counters
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn update(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        id: &str,
        doc: Map<String, Value>,
        expected: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Record, DbError> {
        let layout = self.layout(rs);
        dispatch!(
            self,
            update,
            write,
            tenant,
            rs.name(),
            &layout,
            id,
            doc,
            expected,
            now
        )
    }

    pub(crate) async fn remove(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        id: &str,
        expected: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        let layout = self.layout(rs);
        dispatch!(
            self,
            delete,
            write,
            tenant,
            rs.name(),
            &layout,
            id,
            expected,
            now
        )
    }

    pub(crate) async fn find_missing(
        &self,
        tenant: &str,
        types: &[&str],
        ids: &[String],
    ) -> Result<Vec<String>, DbError> {
        dispatch!(self, missing_ids, read, tenant, types, ids)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn change_members(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        group: &str,
        add: &[MemberRow],
        remove: &[String],
        now: DateTime<Utc>,
    ) -> Result<(Record, Vec<String>), DbError> {
        let registered = self.registered_tenants;
        dispatch!(
            self,
            change_members,
            write,
            tenant,
            rs.name(),
            group,
            add,
            remove,
            now,
            registered
        )
    }

    pub(crate) async fn explain_query(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        q: &ListQuery<'_>,
    ) -> Result<(String, Vec<String>, bool), DbError> {
        let layout = self.layout(rs);
        dispatch!(self, explain, read, tenant, rs.name(), &layout, q)
    }

    pub(crate) async fn query(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        q: &ListQuery<'_>,
    ) -> Result<Page, DbError> {
        let layout = self.layout(rs);
        #[cfg(feature = "sqlite")]
        if let Backend::Sqlite {
            readers: Some(r), ..
        } = &self.backend
        {
            return r
                .list(tenant, rs.name(), &layout, q, self.counters.clone())
                .await;
        }
        dispatch!(
            self,
            list,
            read,
            tenant,
            rs.name(),
            &layout,
            q,
            &self.counters
        )
    }

    /// The SQL dialect of the database.
    pub(crate) fn dialect(&self) -> Dialect {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { .. } => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Backend::Postgres { .. } => Dialect::Postgres,
        }
    }

    /// The columns a scan statement selects (resource columns, then `seq`).
    pub(crate) fn scan_cols(&self) -> String {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { .. } => crate::sqlite::db::scan_cols(),
            #[cfg(feature = "postgres")]
            Backend::Postgres { .. } => crate::postgres::db::scan_cols(),
        }
    }

    /// Runs a scan statement (see [`SqlStore::scan_cols`]).
    pub(crate) async fn scan_rows(
        &self,
        sql: &Sql,
        members_of: Option<&str>,
    ) -> Result<Vec<(i64, Record)>, DbError> {
        #[cfg(feature = "sqlite")]
        if let Backend::Sqlite {
            readers: Some(r), ..
        } = &self.backend
        {
            return r
                .scan_rows(
                    sql.clone(),
                    members_of.map(str::to_owned),
                    self.counters.clone(),
                )
                .await;
        }
        dispatch!(self, scan_rows, read, sql, members_of, &self.counters)
    }

    /// Runs a `SELECT count(*)`.
    pub(crate) async fn count_rows(&self, sql: &Sql) -> Result<u64, DbError> {
        #[cfg(feature = "sqlite")]
        if let Backend::Sqlite {
            readers: Some(r), ..
        } = &self.backend
        {
            return r.count(sql.clone()).await;
        }
        dispatch!(self, count, read, sql)
    }

    /// Adds `members` to records from their member rows.
    pub(crate) async fn attach_members(
        &self,
        tenant: &str,
        mut recs: Vec<Record>,
    ) -> Result<Vec<Record>, DbError> {
        #[cfg(feature = "sqlite")]
        if let Backend::Sqlite {
            readers: Some(r), ..
        } = &self.backend
        {
            return r.attach_all(tenant, recs, self.counters.clone()).await;
        }
        let r: Result<(), DbError> =
            dispatch!(self, attach_all, read, tenant, &mut recs, &self.counters);
        r.map(|()| recs)
    }

    /// What the store's reads have cost since it was opened: rows read,
    /// member rows read, the most resources one list held at once, and the
    /// reader connections open now.
    pub fn read_stats(&self) -> ReadStats {
        let (open, most) = self.readers_open();
        self.counters.snapshot(open, most)
    }

    /// Reader connections open now, and the most open at once so far.
    fn readers_open(&self) -> (u64, u64) {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { read, readers, .. } => match readers {
                Some(r) => (r.open_count(), r.most_open()),
                None => (u64::from(read.size()), u64::from(read.size())),
            },
            #[cfg(feature = "postgres")]
            Backend::Postgres { pool } => (u64::from(pool.size()), u64::from(pool.size())),
        }
    }
}
