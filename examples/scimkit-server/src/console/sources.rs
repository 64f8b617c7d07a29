//! What the console shows besides resources: a resource's change history
//! (the change feed) and the provisioning log (the request log). Pages
//! read them through these two small traits; the implementations below
//! read the server's database.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use scimkit_sql::SqlStore;

/// One change of a resource.
pub(crate) struct Change {
    pub(crate) at: DateTime<Utc>,
    /// `created`, `updated`, `deactivated`, … (the feed's `kind`).
    pub(crate) kind: String,
    pub(crate) version: Option<String>,
    /// Changed attributes or members, for people.
    pub(crate) detail: String,
}

/// A page of changes, oldest first, and where the next page starts.
pub(crate) struct Changes {
    pub(crate) changes: Vec<Change>,
    pub(crate) next: Option<String>,
}

/// A resource's change history.
#[async_trait]
pub(crate) trait History: Send + Sync {
    /// At most `limit` changes of resource `kind`/`id` of `tenant` after
    /// `after` (a cursor of an earlier page), oldest first.
    async fn changes(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Changes, String>;
}

/// Which statuses a log query wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusClass {
    All,
    Success,
    Failure,
    ClientError,
    ServerError,
}

impl StatusClass {
    pub(crate) fn parse(s: &str) -> StatusClass {
        match s {
            "2xx" => StatusClass::Success,
            "failed" => StatusClass::Failure,
            "4xx" => StatusClass::ClientError,
            "5xx" => StatusClass::ServerError,
            _ => StatusClass::All,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StatusClass::All => "",
            StatusClass::Success => "2xx",
            StatusClass::Failure => "failed",
            StatusClass::ClientError => "4xx",
            StatusClass::ServerError => "5xx",
        }
    }
}

/// A query of the provisioning log.
#[allow(dead_code)] // read by the request log once it lands (wave3-why)
pub(crate) struct LogQuery {
    pub(crate) tenant: String,
    pub(crate) status: StatusClass,
    /// Resource type (`User`, `Group`), and id.
    pub(crate) resource_type: Option<String>,
    pub(crate) resource_id: Option<String>,
    /// A compatibility switch that fired.
    pub(crate) switch: Option<String>,
    /// Only entries older than this page cursor.
    pub(crate) before: Option<String>,
    /// Only entries at or after this time.
    pub(crate) since: Option<DateTime<Utc>>,
    pub(crate) limit: usize,
}

/// One request as logged.
pub(crate) struct LogEntry {
    pub(crate) at: DateTime<Utc>,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) filter: Option<String>,
    pub(crate) status: u16,
    pub(crate) scim_type: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) duration_ms: f64,
    pub(crate) switches: Vec<String>,
    pub(crate) resource: Option<(String, String)>,
}

/// A page of the log, newest first, and the cursor of the next (older) page.
pub(crate) struct LogPage {
    pub(crate) entries: Vec<LogEntry>,
    pub(crate) older: Option<String>,
}

/// The provisioning log.
#[async_trait]
pub(crate) trait RequestLog: Send + Sync {
    /// Entries matching `q`, newest first, at most `q.limit`.
    async fn entries(&self, q: &LogQuery) -> Result<LogPage, String>;
    /// The names of the compatibility switches, for the log's filter.
    fn switch_names(&self) -> Vec<&'static str>;
}

/// The history from the store's change feed.
pub(crate) struct FeedHistory {
    _store: SqlStore,
}

impl FeedHistory {
    pub(crate) fn new(store: SqlStore) -> Self {
        FeedHistory { _store: store }
    }
}

#[async_trait]
impl History for FeedHistory {
    async fn changes(
        &self,
        _tenant: &str,
        _kind: &str,
        _id: &str,
        _after: Option<&str>,
        _limit: usize,
    ) -> Result<Changes, String> {
        Err("this build keeps no change feed".to_owned())
    }
}

/// The request log from the store.
pub(crate) struct StoreLog {
    _store: SqlStore,
}

impl StoreLog {
    pub(crate) fn new(store: SqlStore) -> Self {
        StoreLog { _store: store }
    }
}

#[async_trait]
impl RequestLog for StoreLog {
    async fn entries(&self, _q: &LogQuery) -> Result<LogPage, String> {
        Err("this build keeps no request log".to_owned())
    }

    fn switch_names(&self) -> Vec<&'static str> {
        Vec::new()
    }
}
