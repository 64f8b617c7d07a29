//! The `tenants` table: one row per customer of a multi-tenant SCIM server,
//! each with its own Tenant URL (`/tenants/{id}/…`) and Secret Token.
//!
//! Only the SHA-256 digest of a token is stored ([`TokenHash`]): tokens are
//! 256-bit random values, so a fast hash is enough (no password KDF is
//! needed: there is nothing to brute-force), and a database leak does not
//! reveal a usable token. Comparing a presented token's digest with the
//! stored one in constant time is the authenticator's job.
//!
//! RFC 7644 §2 leaves authentication to HTTP; the bearer token is RFC 6750.

use chrono::{DateTime, SubsecRound, Utc};
use scimkit_service::TokenHash;

use crate::SqlError;
use crate::error::DbError;
#[cfg(feature = "postgres")]
use crate::postgres::PgDb;
use crate::rows::RowRead;
#[cfg(feature = "sqlite")]
use crate::sqlite::SqliteDb;
use crate::store::Connections;

/// A tenant as stored (without its token).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tenant {
    /// The id in the Tenant URL (`/tenants/{id}/scim/v2`).
    pub id: String,
    /// A name for people (the customer's name).
    pub name: String,
    /// When the tenant was added.
    pub created: DateTime<Utc>,
    /// When its token was last set.
    pub token_rotated: DateTime<Utc>,
}

/// The tenants of a [`crate::SqlStore`]'s database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Tenants {
    backend: Connections,
}

impl crate::SqlStore {
    /// The tenants table of this store's database.
    pub fn tenants(&self) -> Tenants {
        Tenants {
            backend: self.backend.clone(),
        }
    }
}

/// What authenticating a tenant's requests needs: the tenant, the digest of
/// its token, and the previous token's digest while it is still accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    /// The tenant.
    pub tenant: Tenant,
    /// The digest of the current token.
    pub token: TokenHash,
    /// The digest of the previous token and until when it is accepted
    /// (`tenant rotate-token --keep-old-for`); `None` when only the
    /// current token works. Whoever checks it compares the time.
    pub old_token: Option<(TokenHash, DateTime<Utc>)>,
}

/// A tenant from a row of [`COLUMNS`] (id, name, created, token_rotated).
fn tenant(row: &impl RowRead) -> Result<Tenant, DbError> {
    Ok(Tenant {
        id: row.text(0)?,
        name: row.text(1)?,
        created: row.time(2)?,
        token_rotated: row.time(3)?,
    })
}

/// Credentials from a row of `table::credentials_sql` (`None` when the
/// stored digest is unreadable: such a tenant opens nothing).
fn credentials_of(row: &impl RowRead) -> Result<Option<Credentials>, DbError> {
    let Some(token) = TokenHash::from_hex(&row.text(4)?) else {
        return Ok(None);
    };
    let old_token = match (row.opt_text(5)?, row.opt_time(6)?) {
        (Some(h), Some(t)) => TokenHash::from_hex(&h).map(|h| (h, t)),
        _ => None,
    };
    Ok(Some(Credentials {
        tenant: tenant(row)?,
        token,
        old_token,
    }))
}

const COLUMNS: &str = "SELECT id, name, created, token_rotated FROM tenants";

/// The tables that hold a tenant's data (resources, and its change
/// feed with how far retention pruned it), all emptied of the tenant in
/// the transaction that removes it. Feed consumers are not a tenant's
/// (their data is the application's own JSON): they stay.
const RESOURCE_TABLES: [&str; 6] = [
    "resources",
    "resource_emails",
    "group_members",
    "unique_values",
    "feed",
    "feed_pruned",
];

/// The statements of the tenants table, generic over the database.
mod table {
    use chrono::{DateTime, Utc};
    use sqlx::Pool;

    use super::{COLUMNS, Credentials, RESOURCE_TABLES, Tenant, tenant};
    use crate::error::DbError;
    use crate::ops::Backend;
    use crate::sql::{Param, Sql};
    use scimkit_service::TokenHash;

    pub(super) async fn add<B: Backend>(
        pool: &Pool<B::Db>,
        t: &Tenant,
        token: &TokenHash,
    ) -> Result<(), DbError> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("INSERT INTO tenants (id, name, token_sha256, created, token_rotated) VALUES (");
        sql.bind_text(t.id.as_str())
            .push(", ")
            .bind_text(t.name.as_str())
            .push(", ");
        sql.bind_text(token.to_hex())
            .push(", ")
            .bind(Param::Time(t.created))
            .push(", ");
        sql.bind(Param::Time(t.token_rotated)).push(")");
        let mut c = pool.acquire().await?;
        B::run(&mut c, &sql).await?;
        Ok(())
    }

    pub(super) async fn list<B: Backend>(pool: &Pool<B::Db>) -> Result<Vec<Tenant>, DbError> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push(COLUMNS).push(" ORDER BY created, id");
        let mut c = pool.acquire().await?;
        B::rows(&mut c, &sql).await?.iter().map(tenant).collect()
    }

    pub(super) async fn page<B: Backend>(
        pool: &Pool<B::Db>,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<Tenant>, DbError> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push(COLUMNS)
            .push(" ORDER BY created, id LIMIT ")
            .bind(Param::Int(i64::from(limit)))
            .push(" OFFSET ")
            .bind(Param::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
        let mut c = pool.acquire().await?;
        B::rows(&mut c, &sql).await?.iter().map(tenant).collect()
    }

    /// The statement reading tenant `id`'s credentials.
    pub(super) fn credentials_sql(d: crate::sql::Dialect, id: &str) -> Sql {
        let mut sql = Sql::new(d);
        sql.push(
            "SELECT id, name, created, token_rotated, token_sha256, old_token_sha256, \
             old_token_expires FROM tenants WHERE id = ",
        )
        .bind_text(id);
        sql
    }

    pub(super) async fn credentials<B: Backend>(
        pool: &Pool<B::Db>,
        id: &str,
    ) -> Result<Option<Credentials>, DbError> {
        let sql = credentials_sql(B::DIALECT, id);
        let mut c = pool.acquire().await?;
        let rows = B::rows(&mut c, &sql).await?;
        match rows.first() {
            Some(row) => super::credentials_of(row),
            None => Ok(None),
        }
    }

    pub(super) async fn rotate<B: Backend>(
        pool: &Pool<B::Db>,
        id: &str,
        token: &TokenHash,
        now: DateTime<Utc>,
        keep_old_until: Option<DateTime<Utc>>,
    ) -> Result<u64, DbError> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("UPDATE tenants SET ");
        match keep_old_until {
            Some(t) => sql
                .push("old_token_sha256 = token_sha256, old_token_expires = ")
                .bind(Param::Time(t)),
            None => sql.push("old_token_sha256 = NULL, old_token_expires = NULL"),
        };
        sql.push(", token_sha256 = ").bind_text(token.to_hex());
        sql.push(", token_rotated = ").bind(Param::Time(now));
        sql.push(" WHERE id = ").bind_text(id);
        let mut c = pool.acquire().await?;
        B::run(&mut c, &sql).await
    }

    pub(super) async fn remove<B: Backend>(pool: &Pool<B::Db>, id: &str) -> Result<u64, DbError> {
        let mut tx = pool.begin().await?;
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM tenants WHERE id = ").bind_text(id);
        let n = B::run(&mut tx, &sql).await?;
        for table in RESOURCE_TABLES {
            let mut sql = Sql::new(B::DIALECT);
            sql.push("DELETE FROM ")
                .push(table)
                .push(" WHERE tenant_id = ")
                .bind_text(id);
            B::run(&mut tx, &sql).await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}

impl Tenants {
    /// Adds a tenant whose token has digest `token`. Fails if `id` (or the
    /// token) is taken.
    pub async fn add(&self, id: &str, name: &str, token: &TokenHash) -> Result<Tenant, SqlError> {
        let now = Utc::now().trunc_subsecs(6);
        let t = Tenant {
            id: id.to_owned(),
            name: name.to_owned(),
            created: now,
            token_rotated: now,
        };
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => table::add::<SqliteDb>(write, &t, token).await?,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::add::<PgDb>(pool, &t, token).await?,
        }
        Ok(t)
    }

    /// Every tenant, oldest first.
    pub async fn list(&self) -> Result<Vec<Tenant>, SqlError> {
        Ok(match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => table::list::<SqliteDb>(write).await?,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::list::<PgDb>(pool).await?,
        })
    }

    /// At most `limit` tenants, oldest first, skipping the first `offset`
    /// (a bounded page, for lists shown to people).
    pub async fn page(&self, offset: u64, limit: u32) -> Result<Vec<Tenant>, SqlError> {
        Ok(match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => {
                table::page::<SqliteDb>(read, offset, limit).await?
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::page::<PgDb>(pool, offset, limit).await?,
        })
    }

    /// The tenant `id` and the digest of its token, if it exists. Reads
    /// on a reader connection (never SQLite's single writer).
    pub async fn find(&self, id: &str) -> Result<Option<(Tenant, TokenHash)>, SqlError> {
        Ok(self.credentials(id).await?.map(|c| (c.tenant, c.token)))
    }

    /// The credentials of tenant `id`, if it exists, read on a reader
    /// connection (never SQLite's single writer): what an authenticator
    /// checks a bearer token against.
    pub async fn credentials(&self, id: &str) -> Result<Option<Credentials>, SqlError> {
        // Authentication reads this on every request: on a SQLite file, on a
        // reader on the calling thread rather than through sqlx's pool.
        #[cfg(feature = "sqlite")]
        if let Connections::Sqlite {
            readers: Some(r), ..
        } = &self.backend
        {
            let sql = table::credentials_sql(crate::sql::Dialect::Sqlite, id);
            return Ok(r.first_row(sql, |row| credentials_of(row)).await?.flatten());
        }
        Ok(match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read, .. } => table::credentials::<SqliteDb>(read, id).await?,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::credentials::<PgDb>(pool, id).await?,
        })
    }

    /// Replaces the token of tenant `id`; the old one stops working at
    /// once. `false` if there is no such tenant.
    pub async fn set_token(&self, id: &str, token: &TokenHash) -> Result<bool, SqlError> {
        self.rotate_token(id, token, None).await
    }

    /// Replaces the token of tenant `id`. With `keep_old_until`, the
    /// current token stays accepted until then (so an admin can update the
    /// identity provider without failed provisioning cycles); without, it
    /// stops at once (and so does any older one kept before). `false` if
    /// there is no such tenant.
    pub async fn rotate_token(
        &self,
        id: &str,
        token: &TokenHash,
        keep_old_until: Option<DateTime<Utc>>,
    ) -> Result<bool, SqlError> {
        let now = Utc::now().trunc_subsecs(6);
        let keep = keep_old_until.map(|t| t.trunc_subsecs(6));
        let n = match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => {
                table::rotate::<SqliteDb>(write, id, token, now, keep).await?
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => {
                table::rotate::<PgDb>(pool, id, token, now, keep).await?
            }
        };
        Ok(n > 0)
    }

    /// Removes tenant `id` and every resource it holds, in one transaction;
    /// `false` if there is no such tenant.
    ///
    /// The tenant row goes first: on PostgreSQL that waits for every write
    /// in flight that holds it (`FOR KEY SHARE`, see
    /// [`crate::SqlStore::with_registered_tenants`]) and makes later ones
    /// find no tenant; the resource rows are deleted after, so none written
    /// before the removal is left behind. On SQLite the single writer
    /// serialises removal and writes.
    pub async fn remove(&self, id: &str) -> Result<bool, SqlError> {
        let n = match &self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write, .. } => table::remove::<SqliteDb>(write, id).await?,
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool } => table::remove::<PgDb>(pool, id).await?,
        };
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use scimkit_service::TokenHash;

    use crate::{SqlStore, SqliteOptions};

    #[tokio::test]
    async fn tenants_are_added_found_rotated_listed_and_removed() {
        let store = SqlStore::sqlite(SqliteOptions::in_memory()).await.unwrap();
        let t = store.tenants();
        t.add("b", "Fabrikam", &TokenHash::of("tb")).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        t.add("a", "Contoso", &TokenHash::of("ta")).await.unwrap();
        assert!(
            t.add("a", "again", &TokenHash::of("tc")).await.is_err(),
            "ids are unique"
        );
        assert!(
            t.add("c", "same token", &TokenHash::of("ta"))
                .await
                .is_err(),
            "tokens are unique"
        );

        let (found, hash) = t.find("a").await.unwrap().unwrap();
        assert_eq!(
            (found.name.as_str(), hash),
            ("Contoso", TokenHash::of("ta"))
        );
        assert!(t.find("zz").await.unwrap().is_none());

        assert!(t.set_token("a", &TokenHash::of("ta2")).await.unwrap());
        assert!(!t.set_token("zz", &TokenHash::of("x")).await.unwrap());
        assert_eq!(t.find("a").await.unwrap().unwrap().1, TokenHash::of("ta2"));

        let ids: Vec<String> = t.list().await.unwrap().into_iter().map(|t| t.id).collect();
        assert_eq!(ids, ["b", "a"], "oldest first");
        let page = |offset, limit| {
            let t = t.clone();
            async move {
                let p = t.page(offset, limit).await.unwrap();
                p.into_iter().map(|t| t.id).collect::<Vec<_>>()
            }
        };
        assert_eq!(page(0, 1).await, ["b"]);
        assert_eq!(page(1, 5).await, ["a"]);
        assert!(page(2, 5).await.is_empty());
        assert!(page(0, 0).await.is_empty());

        assert!(t.remove("b").await.unwrap());
        assert!(!t.remove("b").await.unwrap());
        assert_eq!(t.list().await.unwrap().len(), 1);
    }
}
