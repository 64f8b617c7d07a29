//! The memory store's change feed: records in a map by position, written
//! under the store's write lock, so their order is the order of the writes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use scimkit_schema::ScimError;

use crate::feed::{
    ChangeRecord, CommitSignal, Commits, Consumer, Cursor, DEFAULT_FEED_PAGE, FeedPage, FeedQuery,
    Retention,
};
use crate::store::StoredResource;
use crate::{EventKind, StoreError, TenantId};

/// One record to append: what changed, the resource after (if any).
pub(super) struct Pending<'a> {
    pub(super) resource_type: &'a str,
    pub(super) id: &'a str,
    pub(super) stored: Option<&'a StoredResource>,
    pub(super) kind: EventKind,
}

#[derive(Debug, Default)]
struct Inner {
    next: u64,
    records: BTreeMap<u64, ChangeRecord>,
}

#[derive(Debug, Default)]
pub(super) struct MemoryFeed {
    inner: Mutex<Inner>,
    consumers: Mutex<BTreeMap<String, Consumer>>,
    signal: CommitSignal,
    pub(super) keep_resources: bool,
}

fn cursor(n: u64) -> Cursor {
    Cursor::new(format!("{n:016x}"))
}

fn position(c: &Cursor) -> Result<u64, StoreError> {
    let s = c.as_str();
    if s.len() == 16
        && let Ok(n) = u64::from_str_radix(s, 16)
    {
        return Ok(n);
    }
    Err(StoreError::Invalid(ScimError::invalid_value(format!(
        "cursor {s:?} is not a position of this feed (16 hexadecimal digits)"
    ))))
}

impl MemoryFeed {
    /// Appends the records of one write (call under the store's write lock).
    pub(super) fn append(&self, tenant: &TenantId, pending: Vec<Pending<'_>>) -> Vec<ChangeRecord> {
        let now = Utc::now();
        let mut g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = Vec::with_capacity(pending.len());
        for p in pending {
            g.next += 1;
            let mut r = ChangeRecord::new(
                cursor(g.next),
                tenant.clone(),
                p.resource_type,
                p.id,
                p.stored.map(|s| s.version.clone()),
                p.kind,
                now,
            );
            if self.keep_resources
                && let Some(s) = p.stored
            {
                r = r.with_resource(serde_json::Value::Object(s.resource.as_map().clone()));
            }
            let n = g.next;
            g.records.insert(n, r.clone());
            out.push(r);
        }
        out
    }

    /// Wakes followers (call after the write lock is released).
    pub(super) fn notify(&self) {
        self.signal.notify();
    }

    pub(super) fn commits(&self) -> Commits {
        self.signal.subscribe()
    }

    pub(super) fn read(&self, q: &FeedQuery) -> Result<FeedPage, StoreError> {
        let from = match &q.after {
            Some(c) => position(c)?.saturating_add(1),
            None => 0,
        };
        let limit = q.effective_limit(DEFAULT_FEED_PAGE);
        let g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let records: Vec<ChangeRecord> = g
            .records
            .range(from..)
            .map(|(_, r)| r)
            .filter(|r| q.tenant.as_ref().is_none_or(|t| *t == r.tenant))
            .filter(|r| {
                q.resource
                    .as_ref()
                    .is_none_or(|(ty, id)| *ty == r.resource_type && *id == r.id)
            })
            .take(limit)
            .cloned()
            .collect();
        Ok(FeedPage::new(records, q.after.clone()))
    }

    pub(super) fn prune(&self, retention: &Retention) -> u64 {
        let mut g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = g.records.len();
        if let Some(age) = retention.max_age {
            let oldest: DateTime<Utc> = match chrono::Duration::from_std(age) {
                Ok(d) => Utc::now() - d,
                Err(_) => DateTime::<Utc>::MIN_UTC,
            };
            g.records.retain(|_, r| r.occurred_at >= oldest);
        }
        if let Some(keep) = retention.max_records_per_tenant {
            let mut seen: HashMap<TenantId, u64> = HashMap::new();
            let mut drop = Vec::new();
            for (n, r) in g.records.iter().rev() {
                let c = seen.entry(r.tenant.clone()).or_default();
                *c += 1;
                if *c > keep {
                    drop.push(*n);
                }
            }
            for n in drop {
                g.records.remove(&n);
            }
        }
        (before - g.records.len()) as u64
    }

    fn consumers_lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Consumer>> {
        self.consumers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn consumer(&self, name: &str) -> Option<Consumer> {
        self.consumers_lock().get(name).cloned()
    }

    pub(super) fn consumers(&self) -> Vec<Consumer> {
        self.consumers_lock().values().cloned().collect()
    }

    pub(super) fn save_consumer(&self, c: &Consumer) -> Result<(), StoreError> {
        Consumer::check_name(&c.name)?;
        let mut c = c.clone();
        c.updated_at = Utc::now();
        self.consumers_lock().insert(c.name.clone(), c);
        Ok(())
    }

    pub(super) fn remove_consumer(&self, name: &str) -> bool {
        self.consumers_lock().remove(name).is_some()
    }
}
