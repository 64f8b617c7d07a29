//! [`SqlStore`]: one type over both databases.

use chrono::{DateTime, Utc};
use scimkit_schema::ResourceSchema;
use serde_json::{Map, Value};

use crate::columns::{Layout, MemberRow};
use crate::record::{DbError, ListQuery, Page, Record};

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
}

#[derive(Debug, Clone)]
pub(crate) enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite {
        read: sqlx::SqlitePool,
        write: sqlx::SqlitePool,
        inserts: crate::batch::Inserts,
        checkpoint: Option<sqlx::SqlitePool>,
        /// Reads on the calling thread (file databases).
        readers: Option<crate::sqlite_read::Readers>,
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
        let inserts = crate::batch::Inserts::start(pools.write.clone());
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
            return r.fetch(tenant, rs.name(), &layout, id, with_members).await;
        }
        dispatch!(
            self,
            fetch,
            read,
            tenant,
            rs.name(),
            &layout,
            id,
            with_members
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
            return r.list(tenant, rs.name(), &layout, q).await;
        }
        dispatch!(self, list, read, tenant, rs.name(), &layout, q)
    }
}
