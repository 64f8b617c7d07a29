//! The durable change feed: every committed change as a [`ChangeRecord`],
//! written by the store in the same transaction as the change, read by
//! cursor ([`ChangeFeed::read`]) or followed as a stream ([`follow`]).
//!
//! This is how an application reacts to provisioning (revoke a deactivated
//! user's sessions) and keeps an audit log: a reader keeps the cursor of the
//! last record it handled and resumes after it, across restarts, and never
//! skips a committed change. Delivery is at-least-once; within one resource,
//! records come in version order.
//!
//! ## The records of a write
//!
//! One store write gives its records in its own transaction, contiguous,
//! all with the write's version, in this order:
//!
//! | write | records |
//! |---|---|
//! | create | `Created` |
//! | replace / PATCH | `Updated { changed_attributes }`, or `Deactivated` / `Reactivated` (with the changed attributes) when `active` flipped; for a group whose members changed, the member records below (after `Updated` for the other attributes, if any) |
//! | members added / removed | `MembersAdded { members }`, then `MembersRemoved { members }` (no `Updated` for a membership-only change) |
//! | delete | `Deleted` (version `None`), then `MembersRemoved { members: [id] }` for each group that listed it, with the group's new version |
//!
//! The engine computes what a replace means from the old and new body and
//! hands it to [`crate::ResourceStore::replace`] as `change`; a store derives
//! the records of create, delete and membership writes itself.
//!
//! ## Implementing a feed
//!
//! A store that implements [`ChangeFeed`] writes the records of each write
//! in the write's transaction, returns them from the write (on
//! [`crate::StoredResource::changes`], or from `delete`), and calls
//! [`CommitSignal::notify`] after the commit. Cursors are fixed-width
//! strings whose order is the feed's order. `read` must never return a
//! record while one with a lower cursor may still commit.

mod cursor;
mod follow;
mod record;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use cursor::{Cursor, InvalidCursor, MAX_CURSOR_LEN};
pub use follow::{CommitSignal, Commits, DEFAULT_FOLLOW_POLL, follow, follow_every};
pub use record::ChangeRecord;

use crate::TenantId;
use crate::store::StoreError;

/// The most records one [`ChangeFeed::read`] returns by default; stores
/// cap [`FeedQuery::limit`] by this or their own setting.
pub const DEFAULT_FEED_PAGE: usize = 1000;

/// How long records are kept by default (30 days).
pub const DEFAULT_RETENTION_AGE: Duration = Duration::from_secs(30 * 24 * 3600);

/// How many records per tenant are kept by default.
pub const DEFAULT_RETENTION_RECORDS: u64 = 1_000_000;

/// The longest consumer name (bytes).
pub const MAX_CONSUMER_NAME_LEN: usize = 200;

/// What a reader asks for.
///
/// ```
/// use scimkit_service::{Cursor, FeedQuery, TenantId};
/// let q = FeedQuery::tenant(TenantId::new("t1")).after(Cursor::new("0000000000000007")).limit(10);
/// assert_eq!(q.limit, 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeedQuery {
    /// Only this tenant's records (`None`: every tenant).
    pub tenant: Option<TenantId>,
    /// Only one resource's history: `(resourceType, id)`.
    pub resource: Option<(String, String)>,
    /// Records after this cursor (exclusive); `None`: from the oldest kept.
    pub after: Option<Cursor>,
    /// At most this many records (capped by the store's page setting,
    /// [`DEFAULT_FEED_PAGE`] by default; 0 counts as 1).
    pub limit: usize,
}

impl FeedQuery {
    /// Every tenant's records, from the oldest kept.
    pub fn all() -> Self {
        FeedQuery {
            tenant: None,
            resource: None,
            after: None,
            limit: DEFAULT_FEED_PAGE,
        }
    }

    /// One tenant's records, from the oldest kept.
    pub fn tenant(tenant: TenantId) -> Self {
        FeedQuery {
            tenant: Some(tenant),
            ..FeedQuery::all()
        }
    }

    /// Only after `cursor` (exclusive).
    pub fn after(mut self, cursor: Cursor) -> Self {
        self.after = Some(cursor);
        self
    }

    /// At most `n` records.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = n;
        self
    }

    /// Only the history of one resource.
    pub fn resource(mut self, resource_type: impl Into<String>, id: impl Into<String>) -> Self {
        self.resource = Some((resource_type.into(), id.into()));
        self
    }

    /// The page size a store uses: `limit`, at least 1, at most `cap`.
    pub fn effective_limit(&self, cap: usize) -> usize {
        self.limit.clamp(1, cap.max(1))
    }
}

/// What [`ChangeFeed::read`] answers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FeedPage {
    /// The records, oldest first.
    pub records: Vec<ChangeRecord>,
    /// Where to resume: the last record's cursor, or the query's `after`
    /// when there is none.
    pub next: Option<Cursor>,
}

impl FeedPage {
    /// A page; `next` is the last record's cursor, else `after`.
    pub fn new(records: Vec<ChangeRecord>, after: Option<Cursor>) -> Self {
        let next = records.last().map(|r| r.cursor.clone()).or(after);
        FeedPage { records, next }
    }
}

/// Retention: records older than `max_age`, or beyond the newest
/// `max_records_per_tenant` of their tenant, may be pruned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retention {
    /// Records older than this may go (`None`: no age limit).
    pub max_age: Option<Duration>,
    /// Only the newest this many records per tenant are kept (`None`: no
    /// count limit).
    pub max_records_per_tenant: Option<u64>,
}

impl Default for Retention {
    /// [`DEFAULT_RETENTION_AGE`] and [`DEFAULT_RETENTION_RECORDS`].
    fn default() -> Self {
        Retention {
            max_age: Some(DEFAULT_RETENTION_AGE),
            max_records_per_tenant: Some(DEFAULT_RETENTION_RECORDS),
        }
    }
}

impl Retention {
    /// Keep everything.
    pub fn forever() -> Self {
        Retention {
            max_age: None,
            max_records_per_tenant: None,
        }
    }

    /// With an age limit.
    pub fn with_max_age(mut self, max_age: Option<Duration>) -> Self {
        self.max_age = max_age;
        self
    }

    /// With a count limit per tenant.
    pub fn with_max_records_per_tenant(mut self, n: Option<u64>) -> Self {
        self.max_records_per_tenant = n;
        self
    }
}

/// A durable named reader (a webhook endpoint, an app's worker): its
/// cursor and free JSON state, kept by the store.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Consumer {
    /// The name (1 to [`MAX_CONSUMER_NAME_LEN`] bytes).
    pub name: String,
    /// The cursor of the last record handled (`None`: nothing yet).
    pub cursor: Option<Cursor>,
    /// The consumer's own state (e.g. a webhook's URL, secret, failures).
    pub data: serde_json::Value,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
}

impl Consumer {
    /// A consumer at the start of the feed, with `null` data.
    pub fn new(name: impl Into<String>) -> Self {
        Consumer {
            name: name.into(),
            cursor: None,
            data: serde_json::Value::Null,
            updated_at: Utc::now(),
        }
    }

    /// With a cursor.
    pub fn with_cursor(mut self, cursor: Option<Cursor>) -> Self {
        self.cursor = cursor;
        self
    }

    /// With data.
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }

    /// `400 invalidValue` unless `name` is 1 to [`MAX_CONSUMER_NAME_LEN`]
    /// bytes without control characters (stores check it on save).
    pub fn check_name(name: &str) -> Result<(), StoreError> {
        if name.is_empty()
            || name.len() > MAX_CONSUMER_NAME_LEN
            || name.chars().any(char::is_control)
        {
            return Err(StoreError::Invalid(
                scimkit_schema::ScimError::invalid_value(format!(
                    "a consumer name has 1 to {MAX_CONSUMER_NAME_LEN} bytes and no control \
                     characters; this one has {} bytes",
                    name.len()
                )),
            ));
        }
        Ok(())
    }
}

/// A feed of committed changes, next to [`crate::ResourceStore`]:
/// implemented by [`crate::MemoryStore`] and `scimkit-sql`'s `SqlStore`.
#[async_trait]
pub trait ChangeFeed: Send + Sync + 'static {
    /// Records after `query.after` (exclusive), oldest first, at most
    /// `query.limit` (capped). NEVER returns a record while an earlier one
    /// (a lower cursor) may still commit: a reader that resumes from any
    /// cursor it was given never skips a committed change.
    async fn read(&self, query: &FeedQuery) -> Result<FeedPage, StoreError>;

    /// A signal that fires after commits (in this process, and for
    /// PostgreSQL in every process on the database, via LISTEN/NOTIFY).
    /// Spurious wake-ups are allowed.
    fn commits(&self) -> Commits;

    /// Deletes what `retention` allows; returns how many records went.
    async fn prune(&self, retention: &Retention) -> Result<u64, StoreError>;

    /// The consumer with this name.
    async fn consumer(&self, name: &str) -> Result<Option<Consumer>, StoreError>;

    /// Every consumer, by name.
    async fn consumers(&self) -> Result<Vec<Consumer>, StoreError>;

    /// Creates or replaces a consumer (the store sets `updated_at`).
    async fn save_consumer(&self, consumer: &Consumer) -> Result<(), StoreError>;

    /// Removes a consumer; `false` when there was none.
    async fn remove_consumer(&self, name: &str) -> Result<bool, StoreError>;
}
