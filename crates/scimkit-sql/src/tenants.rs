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

type Row = (String, String, DateTime<Utc>, DateTime<Utc>);
type RowWithTokens = (
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    String,
    Option<String>,
    Option<DateTime<Utc>>,
);

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

fn tenant((id, name, created, token_rotated): Row) -> Tenant {
    Tenant {
        id,
        name,
        created,
        token_rotated,
    }
}

fn err(e: sqlx::Error) -> SqlError {
    SqlError::from(e)
}

/// Runs the same statements on either backend's reader (SQLite: the read
/// pool, never the single writer); `$n` placeholders are written `?n` for
/// SQLite.
macro_rules! on_reader {
    ($self:ident, |$pool:ident, $sql:ident| $body:expr) => {
        match &$self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { read: $pool, .. } => {
                let $sql = |s: &str| s.replace('$', "?");
                $body
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool: $pool } => {
                let $sql = |s: &str| s.to_owned();
                $body
            }
        }
    };
}

/// Runs the same statements on either backend; `$n` placeholders are written
/// `?n` for SQLite.
macro_rules! on_backend {
    ($self:ident, |$pool:ident, $sql:ident| $body:expr) => {
        match &$self.backend {
            #[cfg(feature = "sqlite")]
            Connections::Sqlite { write: $pool, .. } => {
                let $sql = |s: &str| s.replace('$', "?");
                $body
            }
            #[cfg(feature = "postgres")]
            Connections::Postgres { pool: $pool } => {
                let $sql = |s: &str| s.to_owned();
                $body
            }
        }
    };
}

const COLUMNS: &str = "SELECT id, name, created, token_rotated FROM tenants";

impl Tenants {
    /// Adds a tenant whose token has digest `token`. Fails if `id` (or the
    /// token) is taken.
    pub async fn add(&self, id: &str, name: &str, token: &TokenHash) -> Result<Tenant, SqlError> {
        let now = Utc::now().trunc_subsecs(6);
        let hex = token.to_hex();
        on_backend!(self, |pool, sql| {
            sqlx::query(&sql("INSERT INTO tenants (id, name, token_sha256, created, token_rotated) VALUES ($1, $2, $3, $4, $4)"))
                .bind(id)
                .bind(name)
                .bind(&hex)
                .bind(now)
                .execute(pool)
                .await
                .map_err(err)?;
        });
        Ok(Tenant {
            id: id.to_owned(),
            name: name.to_owned(),
            created: now,
            token_rotated: now,
        })
    }

    /// Every tenant, oldest first.
    pub async fn list(&self) -> Result<Vec<Tenant>, SqlError> {
        let rows: Vec<Row> = on_backend!(self, |pool, sql| {
            sqlx::query_as(&sql(&format!("{COLUMNS} ORDER BY created, id")))
                .fetch_all(pool)
                .await
                .map_err(err)?
        });
        Ok(rows.into_iter().map(tenant).collect())
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
        let row: Option<RowWithTokens> = on_reader!(self, |pool, sql| {
            sqlx::query_as(&sql(
                "SELECT id, name, created, token_rotated, token_sha256, old_token_sha256, \
                 old_token_expires FROM tenants WHERE id = $1",
            ))
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(err)?
        });
        Ok(
            row.and_then(|(id, name, created, rotated, hex, old, expires)| {
                let token = TokenHash::from_hex(&hex)?;
                let old_token = match (old, expires) {
                    (Some(h), Some(t)) => TokenHash::from_hex(&h).map(|h| (h, t)),
                    _ => None,
                };
                Some(Credentials {
                    tenant: tenant((id, name, created, rotated)),
                    token,
                    old_token,
                })
            }),
        )
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
        let hex = token.to_hex();
        let keep = match keep_old_until {
            Some(_) => "old_token_sha256 = token_sha256, old_token_expires = $4",
            None => "old_token_sha256 = NULL, old_token_expires = $4",
        };
        let text = format!(
            "UPDATE tenants SET {keep}, token_sha256 = $1, token_rotated = $2 WHERE id = $3"
        );
        let n = on_backend!(self, |pool, sql| {
            sqlx::query(&sql(&text))
                .bind(&hex)
                .bind(now)
                .bind(id)
                .bind(keep_old_until.map(|t| t.trunc_subsecs(6)))
                .execute(pool)
                .await
                .map_err(err)?
                .rows_affected()
        });
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
        const TABLES: [&str; 4] = [
            "resources",
            "resource_emails",
            "group_members",
            "unique_values",
        ];
        let n = on_backend!(self, |pool, sql| {
            let mut tx = pool.begin().await.map_err(err)?;
            let n = sqlx::query(&sql("DELETE FROM tenants WHERE id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(err)?
                .rows_affected();
            for table in TABLES {
                sqlx::query(&sql(&format!("DELETE FROM {table} WHERE tenant_id = $1")))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
            }
            tx.commit().await.map_err(err)?;
            n
        });
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

        assert!(t.remove("b").await.unwrap());
        assert!(!t.remove("b").await.unwrap());
        assert_eq!(t.list().await.unwrap().len(), 1);
    }
}
