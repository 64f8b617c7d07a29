//! What the console shows besides resources: a resource's change history
//! (the change feed) and the provisioning log (the request log). Pages
//! read them through these two small traits; the implementations below
//! read the server's database.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use scimkit_service::{ChangeFeed, Cursor, EventKind, FeedQuery, Switch, TenantId};
use scimkit_sql::{RequestLogEntry, RequestLogQuery, SqlStore};

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
    /// Its position in the log (larger is newer).
    pub(crate) position: i64,
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

/// Member ids a history line shows (the count is always shown).
const MEMBER_IDS_SHOWN: usize = 5;

/// The history from a change feed (`None`: the store keeps none).
pub(crate) struct FeedHistory {
    feed: Option<Arc<dyn ChangeFeed>>,
}

impl FeedHistory {
    pub(crate) fn new(feed: Option<Arc<dyn ChangeFeed>>) -> Self {
        FeedHistory { feed }
    }
}

/// What a change did, for people.
fn detail(kind: &EventKind) -> String {
    if let Some(attrs) = kind.changed_attributes() {
        return attrs.join(", ");
    }
    match kind {
        EventKind::MembersAdded { members } | EventKind::MembersRemoved { members } => {
            let shown: Vec<&str> = members
                .iter()
                .take(MEMBER_IDS_SHOWN)
                .map(String::as_str)
                .collect();
            let more = members.len().saturating_sub(MEMBER_IDS_SHOWN);
            let mut s = format!("{} member(s): {}", members.len(), shown.join(", "));
            if more > 0 {
                s.push_str(&format!(" and {more} more"));
            }
            s
        }
        _ => String::new(),
    }
}

#[async_trait]
impl History for FeedHistory {
    async fn changes(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Changes, String> {
        let Some(feed) = &self.feed else {
            return Err("this store keeps no change feed".to_owned());
        };
        let mut q = FeedQuery::tenant(TenantId::new(tenant))
            .resource(kind, id)
            .limit(limit);
        if let Some(a) = after {
            q = q.after(
                a.parse::<Cursor>()
                    .map_err(|e| format!("bad history position: {e}"))?,
            );
        }
        let page = feed.read(&q).await.map_err(|e| e.to_string())?;
        Ok(Changes {
            changes: page
                .records
                .iter()
                .map(|r| Change {
                    at: r.occurred_at,
                    kind: r.kind.name().to_owned(),
                    version: r.version.clone(),
                    detail: detail(&r.kind),
                })
                .collect(),
            next: page.next.map(|c| c.as_str().to_owned()),
        })
    }
}

/// The request log in the store's database ([`scimkit_sql::RequestLog`]).
pub(crate) struct StoreLog {
    log: scimkit_sql::RequestLog,
}

impl StoreLog {
    pub(crate) fn new(store: &SqlStore) -> Self {
        StoreLog {
            log: store.request_log(),
        }
    }

    /// One status class (or all) of `q`.
    async fn one_class(&self, q: &LogQuery, class: Option<u16>) -> Result<LogPage, String> {
        let mut sq = RequestLogQuery::tenant(q.tenant.clone()).limit(q.limit);
        if let Some(c) = class {
            sq = sq.status_class(c);
        }
        if let Some(t) = &q.resource_type {
            sq = sq.resource(t.clone(), q.resource_id.clone());
        } else if let Some(id) = &q.resource_id {
            // An id without a type: either.
            sq.resource_id = Some(id.clone());
        }
        if let Some(name) = &q.switch {
            let sw = Switch::from_name(name)
                .ok_or_else(|| format!("there is no compatibility switch named {name:?}"))?;
            sq = sq.switch(sw);
        }
        if let Some(b) = &q.before {
            let id: i64 = b.parse().map_err(|_| format!("bad log position {b:?}"))?;
            sq = sq.before(id);
        }
        let page = self.log.list(&sq).await.map_err(|e| e.to_string())?;
        let mut entries: Vec<LogEntry> = page.entries.into_iter().map(entry).collect();
        if let Some(since) = q.since {
            entries.retain(|e| e.at >= since);
        }
        Ok(LogPage {
            entries,
            older: page.next.map(|n| n.to_string()),
        })
    }
}

/// A stored entry as the pages show it.
fn entry(e: RequestLogEntry) -> LogEntry {
    LogEntry {
        position: e.id,
        at: e.time,
        method: e.method,
        path: e.path,
        filter: e.filter,
        status: e.status,
        scim_type: e.scim_type,
        detail: e.detail,
        duration_ms: e.duration_us as f64 / 1000.0,
        switches: e.switches.names().map(str::to_owned).collect(),
        resource: match (e.resource_type, e.resource_id) {
            (Some(t), Some(id)) => Some((t, id)),
            _ => None,
        },
    }
}

#[async_trait]
impl RequestLog for StoreLog {
    async fn entries(&self, q: &LogQuery) -> Result<LogPage, String> {
        let classes: &[u16] = match q.status {
            StatusClass::All => return self.one_class(q, None).await,
            StatusClass::Success => &[2],
            StatusClass::ClientError => &[4],
            StatusClass::ServerError => &[5],
            StatusClass::Failure => &[4, 5],
        };
        // Newest first across the classes: each class's newest `limit`
        // below `before`, merged, the newest `limit` of them kept.
        let mut entries = Vec::new();
        for c in classes {
            entries.extend(self.one_class(q, Some(*c)).await?.entries);
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.position));
        let full = entries.len() >= q.limit;
        entries.truncate(q.limit);
        let older = if full {
            entries.last().map(|e| e.position.to_string())
        } else {
            None
        };
        Ok(LogPage { entries, older })
    }

    fn switch_names(&self) -> Vec<&'static str> {
        Switch::ALL.iter().map(|s| s.name()).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use bytes::Bytes;
    use scimkit_service::{ChangeFeed, MemoryStore, ScimService, StaticTokens, TenantId};
    use serde_json::{Value, json};

    use super::{FeedHistory, History};

    async fn send(s: &ScimService, method: &str, uri: &str, body: Value) -> Value {
        let req = http::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", "Bearer t")
            .header("content-type", "application/scim+json")
            .header("host", "scim.example")
            .body(Bytes::from(body.to_string()))
            .unwrap();
        let resp = s.handle(req).await;
        assert!(
            resp.status().is_success(),
            "{method} {uri}: {:?}",
            resp.body()
        );
        serde_json::from_slice(resp.body()).unwrap_or(Value::Null)
    }

    /// A user's creation and deactivation, a page at a time.
    #[tokio::test]
    async fn history_pages_a_resources_changes() {
        let store = Arc::new(MemoryStore::new());
        let service = ScimService::builder()
            .shared_store(store.clone())
            .authenticator(StaticTokens::new().with_token(TenantId::new("acme"), "t"))
            .build()
            .unwrap();
        let user =
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"});
        let created = send(&service, "POST", "/scim/v2/Users", user).await;
        let id = created["id"].as_str().unwrap().to_owned();
        let other =
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "b"});
        send(&service, "POST", "/scim/v2/Users", other).await;
        let off = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": false}]});
        send(&service, "PATCH", &format!("/scim/v2/Users/{id}"), off).await;

        let feed: Arc<dyn ChangeFeed> = store;
        let h = FeedHistory::new(Some(feed));
        let first = h.changes("acme", "User", &id, None, 1).await.unwrap();
        assert_eq!(first.changes.len(), 1);
        assert_eq!(first.changes[0].kind, "created");
        let next = first.next.unwrap();
        let second = h
            .changes("acme", "User", &id, Some(&next), 10)
            .await
            .unwrap();
        let kinds: Vec<_> = second.changes.iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds, ["deactivated"]);
        assert_eq!(second.changes[0].detail, "active");
        assert!(
            h.changes("acme", "User", &id, Some("\u{7f}"), 1)
                .await
                .is_err()
        );
        assert!(
            FeedHistory::new(None)
                .changes("acme", "User", &id, None, 1)
                .await
                .is_err()
        );
    }
}
