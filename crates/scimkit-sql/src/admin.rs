//! The `admin_credentials` and `admin_sessions` tables: what a server's
//! admin console (the example server's `/admin`) keeps in the same database
//! as its tenants, so the admin credential and open sessions survive a
//! restart and are shared by every server process on one database.
//!
//! Nothing secret is stored in clear: the credential is whatever PHC string
//! the caller hashed it to (Argon2id in the example server), and a session
//! is stored under the SHA-256 digest of its id ([`TokenHash`]; session ids
//! are 256-bit random values, so a fast hash is enough). The CSRF token of
//! a session is stored as given: it is no credential on its own (a request
//! needs the session cookie too), and forms must embed it.
//!
//! On SQLite every write goes through the store's single writer connection.

use chrono::{DateTime, SubsecRound, Utc};
use scimkit_service::TokenHash;

use crate::SqlError;
#[cfg(feature = "postgres")]
use crate::postgres::PgDb;
#[cfg(feature = "sqlite")]
use crate::sqlite::SqliteDb;
use crate::store::Connections;

/// The name of the one credential row.
const ADMIN: &str = "admin";

/// The console tables of a [`crate::SqlStore`]'s database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Admin {
    backend: Connections,
}

impl crate::SqlStore {
    /// The admin credential and sessions of this store's database.
    pub fn admin(&self) -> Admin {
        Admin {
            backend: self.backend.clone(),
        }
    }
}

/// An open admin session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdminSession {
    /// The session's CSRF token, which every form of the session carries.
    pub csrf: String,
    /// When the session was opened.
    pub created: DateTime<Utc>,
    /// When it stops being accepted.
    pub expires: DateTime<Utc>,
}

/// The statements, generic over the database.
mod table {
    use chrono::{DateTime, Utc};
    use sqlx::Pool;

    use super::{ADMIN, AdminSession};
    use crate::error::DbError;
    use crate::ops::Backend;
    use crate::rows::RowRead;
    use crate::sql::{Param, Sql};

    pub(super) async fn password_hash<B: Backend>(
        pool: &Pool<B::Db>,
    ) -> Result<Option<String>, DbError> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT password_hash FROM admin_credentials WHERE name = ")
            .bind_text(ADMIN);
        let mut c = pool.acquire().await?;
        let rows = B::rows(&mut c, &sql).await?;
        rows.first().map(|r| r.text(0)).transpose()
    }

    /// Sets the credential: `replace` overwrites one that exists (and
    /// closes every session, in the same transaction), otherwise an
    /// existing one is kept. The number of rows written.
    pub(super) async fn set_password_hash<B: Backend>(
        pool: &Pool<B::Db>,
        phc: &str,
        now: DateTime<Utc>,
        replace: bool,
    ) -> Result<u64, DbError> {
        let mut tx = pool.begin().await?;
        let mut sql = Sql::new(B::DIALECT);
        sql.push("INSERT INTO admin_credentials (name, password_hash, updated) VALUES (")
            .bind_text(ADMIN)
            .push(", ")
            .bind_text(phc)
            .push(", ")
            .bind(Param::Time(now))
            .push(") ON CONFLICT (name) ");
        if replace {
            sql.push(
                "DO UPDATE SET password_hash = excluded.password_hash, updated = excluded.updated",
            );
        } else {
            sql.push("DO NOTHING");
        }
        let n = B::run(&mut tx, &sql).await?;
        if replace {
            let mut sql = Sql::new(B::DIALECT);
            sql.push("DELETE FROM admin_sessions");
            B::run(&mut tx, &sql).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Opens a session after removing the expired ones and the oldest
    /// beyond `max - 1`, in one transaction.
    pub(super) async fn open<B: Backend>(
        pool: &Pool<B::Db>,
        id_hex: &str,
        session: &AdminSession,
        max: u32,
    ) -> Result<(), DbError> {
        let mut tx = pool.begin().await?;
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM admin_sessions WHERE expires <= ")
            .bind(Param::Time(session.created));
        B::run(&mut tx, &sql).await?;
        let keep = i64::from(max.max(1)) - 1;
        let mut sql = Sql::new(B::DIALECT);
        sql.push(
            "DELETE FROM admin_sessions WHERE id_sha256 NOT IN \
             (SELECT id_sha256 FROM admin_sessions ORDER BY created DESC, id_sha256 LIMIT ",
        )
        .bind(Param::Int(keep))
        .push(")");
        B::run(&mut tx, &sql).await?;
        let mut sql = Sql::new(B::DIALECT);
        sql.push("INSERT INTO admin_sessions (id_sha256, csrf, created, expires) VALUES (")
            .bind_text(id_hex)
            .push(", ")
            .bind_text(session.csrf.as_str())
            .push(", ")
            .bind(Param::Time(session.created))
            .push(", ")
            .bind(Param::Time(session.expires))
            .push(")");
        B::run(&mut tx, &sql).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn session<B: Backend>(
        pool: &Pool<B::Db>,
        id_hex: &str,
    ) -> Result<Option<AdminSession>, DbError> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT csrf, created, expires FROM admin_sessions WHERE id_sha256 = ")
            .bind_text(id_hex);
        let mut c = pool.acquire().await?;
        let rows = B::rows(&mut c, &sql).await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        Ok(Some(AdminSession {
            csrf: row.text(0)?,
            created: row.time(1)?,
            expires: row.time(2)?,
        }))
    }

    pub(super) async fn close<B: Backend>(
        pool: &Pool<B::Db>,
        id_hex: &str,
    ) -> Result<u64, DbError> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM admin_sessions WHERE id_sha256 = ")
            .bind_text(id_hex);
        let mut c = pool.acquire().await?;
        B::run(&mut c, &sql).await
    }

    pub(super) async fn count<B: Backend>(pool: &Pool<B::Db>) -> Result<i64, DbError> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT COUNT(*) FROM admin_sessions");
        let mut c = pool.acquire().await?;
        let rows = B::rows(&mut c, &sql).await?;
        rows.first().map_or(Ok(0), |r| r.int(0))
    }
}

impl Admin {
    /// The stored admin credential (a PHC string), if one was set.
    pub async fn password_hash(&self) -> Result<Option<String>, SqlError> {
        Ok(match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => table::password_hash::<SqliteDb>(read).await?,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::password_hash::<PgDb>(pool).await?,
        })
    }

    /// Sets the admin credential unless one exists; `true` if this call set
    /// it. Several processes starting at once on one database set it once.
    pub async fn init_password_hash(&self, phc: &str) -> Result<bool, SqlError> {
        let now = Utc::now().trunc_subsecs(6);
        Ok(match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                table::set_password_hash::<SqliteDb>(write, phc, now, false).await?
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                table::set_password_hash::<PgDb>(pool, phc, now, false).await?
            }
        } > 0)
    }

    /// Replaces the admin credential and closes every session.
    pub async fn reset_password_hash(&self, phc: &str) -> Result<(), SqlError> {
        let now = Utc::now().trunc_subsecs(6);
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                table::set_password_hash::<SqliteDb>(write, phc, now, true).await?
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                table::set_password_hash::<PgDb>(pool, phc, now, true).await?
            }
        };
        Ok(())
    }

    /// Opens a session whose id has digest `id`, keeping at most `max`
    /// sessions: expired ones are removed first, then the oldest.
    pub async fn open_session(
        &self,
        id: &TokenHash,
        csrf: &str,
        expires: DateTime<Utc>,
        max: u32,
    ) -> Result<AdminSession, SqlError> {
        let session = AdminSession {
            csrf: csrf.to_owned(),
            created: Utc::now().trunc_subsecs(6),
            expires: expires.trunc_subsecs(6),
        };
        let hex = id.to_hex();
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                table::open::<SqliteDb>(write, &hex, &session, max).await?
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                table::open::<PgDb>(pool, &hex, &session, max).await?
            }
        };
        Ok(session)
    }

    /// The session whose id has digest `id`, expired or not (the caller
    /// compares `expires`).
    pub async fn session(&self, id: &TokenHash) -> Result<Option<AdminSession>, SqlError> {
        let hex = id.to_hex();
        Ok(match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => table::session::<SqliteDb>(read, &hex).await?,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::session::<PgDb>(pool, &hex).await?,
        })
    }

    /// Closes the session whose id has digest `id`; `false` if there was
    /// none.
    pub async fn close_session(&self, id: &TokenHash) -> Result<bool, SqlError> {
        let hex = id.to_hex();
        Ok(match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => table::close::<SqliteDb>(write, &hex).await?,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::close::<PgDb>(pool, &hex).await?,
        } > 0)
    }

    /// How many sessions are stored (expired ones included until the next
    /// session opens).
    pub async fn session_count(&self) -> Result<u64, SqlError> {
        let n = match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => table::count::<SqliteDb>(read).await?,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::count::<PgDb>(pool).await?,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
