//! # scimkit-sql
//!
//! A [`ResourceStore`](scimkit_service::ResourceStore) on **SQLite** (embedded,
//! one file, the default) and **PostgreSQL**, with SCIM filters, sorting and
//! paging (RFC 7644 §3.4.2) translated to SQL with bound parameters.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use scimkit_schema::{Registry, Resource};
//! use scimkit_service::{ResourceStore, StoreError, TenantId};
//! use scimkit_sql::{SqlStore, SqliteOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let store = SqlStore::sqlite(SqliteOptions::file(dir.path().join("scim.db"))).await?;
//! let registry = Registry::core();
//! let users = registry.resource_type("User").unwrap();
//! let tenant = TenantId::default();
//! let user = |name: &str| Resource::from_value(serde_json::json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name,
//! }));
//!
//! let created = store.create(&tenant, users, user("bjensen")?).await?;
//! let read = store.get(&tenant, users, &created.id).await?.unwrap();
//! assert_eq!(read.resource.as_map()["userName"], "bjensen");
//!
//! // userName is unique per tenant, case-insensitively: 409 uniqueness.
//! let dup = store.create(&tenant, users, user("BJENSEN")?).await;
//! assert!(matches!(dup, Err(StoreError::Conflict { .. })));
//!
//! // Replace with compare-and-swap on the version: a stale one is 412.
//! let stale = store.replace(&tenant, users, &created.id, user("babs")?, Some("999"), &[]).await;
//! assert!(matches!(stale, Err(StoreError::VersionMismatch { .. })));
//!
//! // Every committed change is a record of the change feed.
//! use scimkit_service::{ChangeFeed, EventKind, FeedQuery};
//! let page = store.read(&FeedQuery::tenant(tenant.clone())).await?;
//! assert_eq!(page.records.len(), 1);
//! assert_eq!(page.records[0].kind, EventKind::Created);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! | feature | default | what |
//! |---|---|---|
//! | `sqlite` | on | [`SqlStore::sqlite`], [`SqliteOptions`] |
//! | `postgres` | off | [`SqlStore::postgres`], `PostgresOptions` |
//!
//! ## Storage
//!
//! - `resources`: one row per resource (tenant, type, id, version, created,
//!   lastModified) with the JSON document (SQLite text, PostgreSQL `jsonb`;
//!   extension attributes under their schema URN key, RFC 7643 §3.3) and
//!   extracted, indexed columns for the lookups identity providers make before
//!   every write: `user_name_lower`, `external_id`, `display_name_lower`.
//! - `resource_emails`: one row per e-mail address, so
//!   `emails[type eq "work"].value eq "…"` is an index lookup.
//! - `group_members`: one row per member, so adding or removing one member of
//!   a 100,000-member group writes one row (and bumps the group's version and
//!   `lastModified` with a one-row `UPDATE`); `members` is assembled on read.
//!   `add_members` and `remove_members` return the group *without* `members`
//!   (reading them back is what the table avoids); re-read with `get` when
//!   the whole group is needed.
//! - `unique_values`: the values of attributes with `uniqueness` server or
//!   global (`userName`; Group `displayName` when the engine marks it), with a
//!   primary key per tenant and type: a duplicate is refused by the database
//!   and reported as [`StoreError::Conflict`](scimkit_service::StoreError) (`409 uniqueness`).
//! - Versions are compare-and-swapped in the `UPDATE … WHERE version = ?`;
//!   zero rows changed is a version mismatch (`412`). Several server processes
//!   may share one PostgreSQL database.
//! - `feed`: the change feed ([`scimkit_service::ChangeFeed`] for
//!   [`SqlStore`]): every write inserts its records in its own transaction
//!   (the SQLite group commit included), so a record exists exactly when its
//!   change committed; `feed_consumers` keeps named readers. Cursors never
//!   skip, also with several processes writing to one PostgreSQL database
//!   (module docs of `feed.rs` and `docs/ARCHITECTURE.md`); followers wake on
//!   commit, across processes through `LISTEN/NOTIFY`.
//!   [`SqlStore::with_resources_in_feed`] keeps resource bodies in records
//!   (off by default), [`SqlStore::with_feed_page`] caps a read. Retention
//!   prunes in statements of [`SqlStore::with_feed_prune_chunk`] records and
//!   marks per tenant how far it went (`feed_pruned`), so a reader whose
//!   cursor is below it gets [`FeedPage::gap`](scimkit_service::FeedPage::gap).
//!   Removing a tenant removes its feed. A PostgreSQL delete that keeps
//!   racing membership changes gives up (`503`) after
//!   [`SqlStore::with_delete_attempts`] attempts.
//! - Migrations ship with the crate (`migrations/sqlite`, `migrations/postgres`)
//!   and run when the store opens.
//!
//! ## Filters
//!
//! Filters arrive compiled (`scimkit_schema::eval::CompiledFilter`): paths
//! resolved against the schema, values typed. The translation follows the
//! evaluator's semantics (any value of a multi-valued attribute, `ne` when no
//! value is equal, `pr`, `caseExact`, value paths as `EXISTS` over
//! `json_each` / `jsonb_array_elements`). Every value is a bound parameter;
//! the only names written into SQL are the schema's canonical attribute names,
//! after a check that they hold nothing but letters, digits and `-_.:`.
//! What cannot be translated exactly (a complex attribute's `pr`, a
//! case-insensitive comparison with a non-ASCII value on SQLite, dateTime
//! values inside the document, `meta.version`) becomes `TRUE` when it is an
//! operand of the top-level `and` (and the whole filter becomes `TRUE`
//! otherwise); the store then says so in `ListResult`, and the engine filters,
//! sorts and pages in memory. [`SqlStore::explain_list`] shows the SQL and the
//! database's plan for a list request.
//!
//! Stored documents are expected in the canonical key case that
//! `scimkit_schema::validate` produces (`userName`, not `USERNAME`).
//!
//! ## SQLite durability
//!
//! The database runs in WAL mode with `synchronous=NORMAL`: a commit is in the
//! WAL file when it returns, so acknowledged writes survive the process being
//! killed (`kill -9`); an operating-system crash or power loss may lose the
//! last commits. [`Durability::Full`] syncs every commit.
//!
//! ## SQLite concurrency
//!
//! - Writes go through one writer connection (SQLite has one writer).
//!   Creates waiting for it are committed together: one transaction, one
//!   call to SQLite for the batch, and on a failure a savepoint per create
//!   so only the failing one gets its error. A create is acknowledged only
//!   after the commit that holds it.
//! - WAL checkpoints run in a background task on their own connection, not
//!   inside a writer's commit.
//! - Reads of a database file run on plain SQLite connections on the calling
//!   thread (no hand-off to a connection thread and back); a read that runs
//!   past a step limit is interrupted and redone on tokio's blocking pool, so
//!   a scanning filter never holds an async worker for long.
//!
//! `docs/BENCHMARKS.md` ("Example server load test") has the figures.
//!
//! Database types (sqlx) never leave this crate.

// docs.rs (`--cfg docsrs`, nightly) marks feature-gated items with the features they need.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's examples (the crates.io page) are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod admin;
mod chunk;
mod columns;
mod error;
mod explain;
mod feed;
mod limits;
mod ops;
#[cfg(feature = "postgres")]
mod postgres;
mod read_sql;
mod record;
mod request_log;
mod resource_store;
mod rows;
mod scan;
mod sort;
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
mod stats;
mod store;
mod tenants;
#[cfg(test)]
mod tests;
mod translate;

pub use admin::{Admin, AdminSession};
pub use chunk::{POSTGRES_MAX_BINDS, SQLITE_MAX_BINDS};
pub use error::{BoxError, SqlError};
pub use explain::QueryPlan;
pub use feed::DEFAULT_PRUNE_CHUNK;
pub use limits::{DEFAULT_QUERY_TIMEOUT, DEFAULT_READER_WAIT};
pub use ops::write::DEFAULT_DELETE_ATTEMPTS;
#[cfg(feature = "postgres")]
pub use postgres::{DEFAULT_MAX_CONNECTIONS, DEFAULT_PING_IDLE_AFTER, PostgresOptions};
pub use request_log::{
    DEFAULT_REQUEST_LOG_BODY_BYTES, DEFAULT_REQUEST_LOG_MAX_ENTRIES, DEFAULT_REQUEST_LOG_PAGE,
    DEFAULT_REQUEST_LOG_QUEUE, MAX_REQUEST_LOG_PAGE, REQUEST_LOG_BATCH, RequestLog,
    RequestLogEntry, RequestLogOptions, RequestLogPage, RequestLogQuery, RequestLogWriter,
};
#[cfg(feature = "sqlite")]
pub use sqlite::{DEFAULT_MMAP_SIZE, DEFAULT_READERS, Durability, SqliteOptions};
pub use stats::ReadStats;
pub use store::SqlStore;
pub use tenants::{Credentials, Tenant, Tenants};
