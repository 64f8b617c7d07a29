//! [`SqlStore`]: one type over both databases.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use scimkit_schema::ResourceSchema;
use scimkit_service::{ChangeRecord, EventKind};
use serde_json::{Map, Value};

use crate::columns::Layout;
use crate::error::DbError;
use crate::ops::write::{Expect, MemberChange, MembersChanged, Recording};
use crate::ops::{self, write};
#[cfg(feature = "postgres")]
use crate::postgres::PgDb;
use crate::read_sql::Target;
use crate::record::{ListQuery, Page, Record};
use crate::sql::{Dialect, Sql};
#[cfg(feature = "sqlite")]
use crate::sqlite::SqliteDb;
use crate::stats::{Counters, ReadStats};

/// A SCIM resource store on SQLite or PostgreSQL.
///
/// Cloning is cheap (the pools are shared).
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(crate) backend: Connections,
    unique_display_name: Vec<String>,
    /// How often the SQLite writer connection was taken (see
    /// [`SqlStore::writer_uses`]).
    writer_uses: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Writes check that their tenant is in the `tenants` table.
    pub(crate) registered_tenants: bool,
    pub(crate) counters: Arc<Counters>,
    /// The change feed's settings and wake-ups.
    pub(crate) feed: crate::feed::FeedState,
}

#[derive(Debug, Clone)]
/// The connections of the database a store runs on.
pub(crate) enum Connections {
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

impl SqlStore {
    /// Opens (creating when missing) a SQLite database and runs the migrations.
    #[cfg(feature = "sqlite")]
    pub async fn sqlite(options: crate::SqliteOptions) -> Result<SqlStore, crate::SqlError> {
        let pools = crate::sqlite::open(&options).await?;
        let inserts = crate::sqlite::Inserts::start(pools.write.clone());
        Ok(SqlStore {
            writer_uses: pools.writer_uses,
            registered_tenants: false,
            backend: Connections::Sqlite {
                read: pools.read,
                write: pools.write,
                inserts,
                checkpoint: pools.checkpoint,
                readers: pools.readers,
            },
            unique_display_name: Vec::new(),
            counters: Arc::default(),
            feed: crate::feed::FeedState::new(),
        })
    }

    /// Connects to PostgreSQL and runs the migrations.
    #[cfg(feature = "postgres")]
    pub async fn postgres(options: crate::PostgresOptions) -> Result<SqlStore, crate::SqlError> {
        let pool = crate::postgres::open(&options).await?;
        let feed = crate::feed::FeedState::new();
        feed.listen(&pool);
        Ok(SqlStore {
            backend: Connections::Postgres { pool },
            unique_display_name: Vec::new(),
            writer_uses: std::sync::Arc::default(),
            registered_tenants: false,
            counters: Arc::default(),
            feed,
        })
    }

    /// Closes the connections, waiting for queries in flight; SQLite
    /// checkpoints its WAL into the database file when the last one closes.
    pub async fn close(&self) {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite {
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
            Connections::Postgres { pool } => pool.close().await,
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

    /// The resources of type `rs` of `tenant`, stored in `layout`.
    fn target<'a>(tenant: &'a str, rs: &'a ResourceSchema, layout: &'a Layout) -> Target<'a> {
        Target {
            tenant,
            rt: rs.name(),
            layout,
        }
    }

    pub(crate) async fn insert(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        id: &str,
        doc: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<(Record, Vec<ChangeRecord>), DbError> {
        let layout = self.layout(rs);
        let target = Self::target(tenant, rs, &layout);
        let keep = self.feed.keep_resources;
        let r = match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, inserts, .. } => {
                crate::sqlite::insert(write, inserts, target, id, doc, now, keep).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                write::insert::<PgDb>(pool, target, id, doc, now, keep).await
            }
        };
        self.feed.committed(&r);
        r
    }

    pub(crate) async fn fetch(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        id: &str,
        with_members: bool,
    ) -> Result<Option<Record>, DbError> {
        let layout = self.layout(rs);
        let target = Self::target(tenant, rs, &layout);
        let counters = &self.counters;
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite {
                readers: Some(r), ..
            } => r.fetch(target, id, with_members, counters.clone()).await,
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => {
                ops::fetch::<SqliteDb>(read, target, id, with_members, counters).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                ops::fetch::<PgDb>(pool, target, id, with_members, counters).await
            }
        }
    }

    pub(crate) async fn update(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        id: &str,
        doc: Map<String, Value>,
        expect: Expect,
        change: &[EventKind],
    ) -> Result<(Record, Vec<ChangeRecord>), DbError> {
        let layout = self.layout(rs);
        let target = Self::target(tenant, rs, &layout);
        let rec = Recording {
            change,
            keep: self.feed.keep_resources,
        };
        let r = match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                write::update::<SqliteDb>(write, target, id, doc, expect, rec).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                write::update::<PgDb>(pool, target, id, doc, expect, rec).await
            }
        };
        self.feed.committed(&r);
        r
    }

    pub(crate) async fn remove(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        id: &str,
        expect: Expect,
    ) -> Result<Vec<ChangeRecord>, DbError> {
        let layout = self.layout(rs);
        let target = Self::target(tenant, rs, &layout);
        let r = match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                write::delete::<SqliteDb>(write, target, id, expect).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => write::delete::<PgDb>(pool, target, id, expect).await,
        };
        self.feed.committed(&r);
        r
    }

    pub(crate) async fn find_missing(
        &self,
        tenant: &str,
        types: &[&str],
        ids: &[String],
    ) -> Result<Vec<String>, DbError> {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => {
                ops::missing_ids::<SqliteDb>(read, tenant, types, ids).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                ops::missing_ids::<PgDb>(pool, tenant, types, ids).await
            }
        }
    }

    pub(crate) async fn change_members(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        group: &str,
        change: MemberChange<'_>,
        now: DateTime<Utc>,
    ) -> Result<MembersChanged, DbError> {
        let layout = self.layout(rs);
        let target = Self::target(tenant, rs, &layout);
        let r = match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                write::change_members::<SqliteDb>(write, target, group, change, now).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                write::change_members::<PgDb>(pool, target, group, change, now).await
            }
        };
        self.feed.committed(&r);
        r
    }

    pub(crate) async fn explain_query(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        q: &ListQuery<'_>,
    ) -> Result<(String, Vec<String>, bool), DbError> {
        let layout = self.layout(rs);
        let target = Self::target(tenant, rs, &layout);
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => ops::explain::<SqliteDb>(read, target, q).await,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => ops::explain::<PgDb>(pool, target, q).await,
        }
    }

    pub(crate) async fn query(
        &self,
        tenant: &str,
        rs: &ResourceSchema,
        q: &ListQuery<'_>,
    ) -> Result<Page, DbError> {
        let layout = self.layout(rs);
        let target = Self::target(tenant, rs, &layout);
        let counters = &self.counters;
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite {
                readers: Some(r), ..
            } => r.list(target, q, counters.clone()).await,
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => {
                ops::list::<SqliteDb>(read, target, q, counters).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => ops::list::<PgDb>(pool, target, q, counters).await,
        }
    }

    /// The SQL dialect of the database.
    pub(crate) fn dialect(&self) -> Dialect {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { .. } => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Connections::Postgres { .. } => Dialect::Postgres,
        }
    }

    /// The columns a scan statement selects (resource columns, then `seq`).
    pub(crate) fn scan_cols(&self) -> String {
        crate::read_sql::scan_columns(self.dialect())
    }

    /// Runs a scan statement (see [`SqlStore::scan_cols`]).
    pub(crate) async fn scan_rows(
        &self,
        sql: &Sql,
        members_of: Option<&str>,
    ) -> Result<Vec<(i64, Record)>, DbError> {
        let counters = &self.counters;
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite {
                readers: Some(r), ..
            } => {
                r.scan_rows(sql.clone(), members_of.map(str::to_owned), counters.clone())
                    .await
            }
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => {
                ops::scan_rows::<SqliteDb>(read, sql, members_of, counters).await
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                ops::scan_rows::<PgDb>(pool, sql, members_of, counters).await
            }
        }
    }

    /// Runs a `SELECT count(*)`.
    pub(crate) async fn count_rows(&self, sql: &Sql) -> Result<u64, DbError> {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite {
                readers: Some(r), ..
            } => r.count(sql.clone()).await,
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => ops::count::<SqliteDb>(read, sql).await,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => ops::count::<PgDb>(pool, sql).await,
        }
    }

    /// Adds `members` to records from their member rows.
    pub(crate) async fn attach_members(
        &self,
        tenant: &str,
        mut recs: Vec<Record>,
    ) -> Result<Vec<Record>, DbError> {
        let counters = &self.counters;
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite {
                readers: Some(r), ..
            } => return r.attach_all(tenant, recs, counters.clone()).await,
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => {
                ops::attach_all::<SqliteDb>(read, tenant, &mut recs, counters).await?;
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                ops::attach_all::<PgDb>(pool, tenant, &mut recs, counters).await?;
            }
        }
        Ok(recs)
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
            Connections::Sqlite { read, readers, .. } => match readers {
                Some(r) => (r.open_count(), r.most_open()),
                None => (u64::from(read.size()), u64::from(read.size())),
            },
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => (u64::from(pool.size()), u64::from(pool.size())),
        }
    }
}
