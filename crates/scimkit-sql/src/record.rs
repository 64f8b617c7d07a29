//! What the SQL layer reads and writes, before it is shaped into the
//! service's types.

use chrono::{DateTime, Utc};
use scimkit_schema::eval::{CompiledFilter, SortKey};
use serde_json::{Map, Value};

/// A stored resource as read back.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) version: i64,
    pub(crate) created: DateTime<Utc>,
    pub(crate) last_modified: DateTime<Utc>,
    /// The document without `id` and `meta` (with `members` when loaded).
    pub(crate) data: Map<String, Value>,
}

#[cfg(test)]
impl Record {
    /// The resource with `id` and `meta` (`resourceType`, `created`,
    /// `lastModified`), as filters and sorting see it.
    pub(crate) fn to_resource(&self, resource_type: &str) -> scimkit_schema::Resource {
        let mut m = Map::with_capacity(self.data.len() + 2);
        m.insert("id".into(), Value::String(self.id.clone()));
        for (k, v) in &self.data {
            m.insert(k.clone(), v.clone());
        }
        let mut meta = Map::new();
        meta.insert(
            "resourceType".into(),
            Value::String(resource_type.to_owned()),
        );
        meta.insert(
            "created".into(),
            Value::String(crate::sql::time_text(&self.created)),
        );
        meta.insert(
            "lastModified".into(),
            Value::String(crate::sql::time_text(&self.last_modified)),
        );
        m.insert("meta".into(), Value::Object(meta));
        scimkit_schema::Resource::from_map(m)
    }
}

/// Why a database operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DbError {
    /// No such resource.
    #[error("resource not found")]
    NotFound,
    /// The resource exists with another version.
    #[error("version mismatch: the resource is at version {current}")]
    VersionMismatch { current: i64 },
    /// A unique index refused the write: the attribute and the value.
    #[error("{attr} {value:?} is already in use")]
    Unique { attr: String, value: String },
    /// The database failed.
    #[error("database error: {0}")]
    Db(String),
    /// No connection came free in time, or a query ran past its deadline
    /// and was stopped (the detail says which, for the client).
    #[error("{0}")]
    Unavailable(String),
    /// A stored document is not valid JSON.
    #[error("stored document is not valid JSON: {0}")]
    Json(String),
    /// The write's tenant is not (any more) in the `tenants` table.
    #[error("the tenant does not exist")]
    TenantGone,
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e
            && d.is_unique_violation()
        {
            return DbError::Unique {
                attr: "id".into(),
                value: String::new(),
            };
        }
        // The resource row binds its tenant as `(SELECT id FROM tenants
        // WHERE id = ?)` for registered tenants: NULL when it is gone.
        if let sqlx::Error::Database(d) = &e
            && matches!(d.kind(), sqlx::error::ErrorKind::NotNullViolation)
            && d.message().contains("tenant_id")
        {
            return DbError::TenantGone;
        }
        if let sqlx::Error::Database(d) = &e
            && d.code().as_deref() == Some(PG_QUERY_CANCELED)
        {
            return DbError::Unavailable(QUERY_STOPPED.into());
        }
        if let sqlx::Error::PoolTimedOut = &e {
            return DbError::Unavailable(NO_CONNECTION.into());
        }
        DbError::Db(e.to_string())
    }
}

impl From<serde_json::Error> for DbError {
    fn from(e: serde_json::Error) -> Self {
        DbError::Json(e.to_string())
    }
}

/// PostgreSQL's SQLSTATE for a statement cancelled by `statement_timeout`.
const PG_QUERY_CANCELED: &str = "57014";

/// The detail of a query stopped at its deadline.
pub(crate) const QUERY_STOPPED: &str = "the database query ran past the store's query timeout and \
     was stopped; narrow the filter (e.g. an eq on userName, externalId or displayName) \
     or retry later";

/// The detail of a request that found no free connection in time.
pub(crate) const NO_CONNECTION: &str = "every database connection stayed busy past the \
     store's wait for one; retry later";

/// A list request as the SQL layer sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListQuery<'a> {
    pub(crate) filter: Option<&'a CompiledFilter>,
    pub(crate) sort: Option<(&'a SortKey, bool)>,
    /// 1-based.
    pub(crate) start_index: usize,
    pub(crate) count: Option<usize>,
    /// Whether `members` must be assembled (false for `excludedAttributes=members`).
    pub(crate) load_members: bool,
}

/// Whether a page the database returned tells the list's total by itself:
/// it is shorter than asked for, and not an empty page past the end (which
/// says nothing about how many come before it). Otherwise the matches are
/// counted (an index-only count, no documents read).
pub(crate) fn page_tells_total(len: usize, count: Option<usize>, offset: usize) -> bool {
    count.is_none_or(|c| len < c) && (offset == 0 || len > 0)
}

/// One page of results.
#[derive(Debug, Clone)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Page {
    pub(crate) records: Vec<Record>,
    pub(crate) total: usize,
    /// Whether the filter went to SQL exactly (else `records` is a superset).
    pub(crate) filter_pushed_down: bool,
    /// Whether the sort went to SQL.
    pub(crate) sort_pushed_down: bool,
    /// Whether `records` is only the page asked for (filter and sort exact).
    pub(crate) paged: bool,
}
