//! The in-memory [`ResourceStore`]: correct under concurrent use, with hash
//! indexes so the lookups IdPs make before every write (`userName eq`,
//! `externalId eq`, `displayName eq`) are index lookups, not scans.
//!
//! Uniqueness (RFC 7643 §2.1 `uniqueness`) is enforced for every top-level,
//! single-valued string attribute with `uniqueness: server` or `global`,
//! per tenant and resource type.

mod feed;
mod partition;

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use chrono::Utc;
use scimkit_schema::{Resource, ResourceSchema};

use crate::feed::{ChangeFeed, ChangeRecord, Commits, Consumer, FeedPage, FeedQuery, Retention};
use crate::store::{ListQuery, ListResult, ResourceStore, StoreError, StoredResource};
use crate::{EventKind, TenantId};

use feed::{MemoryFeed, Pending};
use partition::Partition;

type Partitions = HashMap<TenantId, HashMap<String, Partition>>;

/// Resources in memory, per tenant and resource type, with an in-memory
/// change feed ([`ChangeFeed`]; lost with the process).
///
/// ```
/// use scimkit_service::{MemoryStore, ResourceStore, TenantId};
/// use scimkit_schema::{Registry, Resource};
/// # tokio_test(async {
/// let store = MemoryStore::new();
/// let registry = Registry::core();
/// let users = registry.resource_type("User").unwrap();
/// let tenant = TenantId::default();
/// let created = store.create(&tenant, users, Resource::from_value(serde_json::json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"
/// })).unwrap()).await.unwrap();
/// let again = store.get(&tenant, users, &created.id).await.unwrap().unwrap();
/// assert_eq!(again.version, created.version);
/// // another tenant sees nothing
/// assert!(store.get(&TenantId::new("other"), users, &created.id).await.unwrap().is_none());
/// # });
/// # fn tokio_test(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    partitions: RwLock<Partitions>,
    versions: AtomicU64,
    feed: MemoryFeed,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Keeps the resource after each change in its feed records
    /// ([`ChangeRecord::resource`]); off by default.
    pub fn with_resources_in_feed(mut self, keep: bool) -> Self {
        self.feed.keep_resources = keep;
        self
    }

    fn next_version(&self) -> String {
        (self.versions.fetch_add(1, Ordering::Relaxed) + 1).to_string()
    }

    fn read<T>(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        f: impl FnOnce(Option<&Partition>) -> T,
    ) -> Result<T, StoreError> {
        let g = self
            .partitions
            .read()
            // A panic elsewhere must not turn every later request into a 500.
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(f(g.get(tenant).and_then(|t| t.get(rs.name()))))
    }

    fn write<T>(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        f: impl FnOnce(&mut Partition) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut g = self
            .partitions
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let by_type = g.entry(tenant.clone()).or_default();
        if !by_type.contains_key(rs.name()) {
            by_type.insert(rs.name().to_owned(), Partition::new(rs));
        }
        match by_type.get_mut(rs.name()) {
            Some(p) => f(p),
            None => Err(StoreError::internal("memory store partition missing")),
        }
    }
}

impl MemoryStore {
    /// Takes the deleted resource `id` out of every group of the tenant
    /// that lists it, giving each such group a new version and
    /// `lastModified`. Scans the tenant's resources that have `members`
    /// (this store is for tests and small deployments).
    fn leave_groups(
        &self,
        by_type: &mut HashMap<String, Partition>,
        id: &str,
    ) -> Vec<StoredResource> {
        let now = Utc::now();
        let mut changed = Vec::new();
        for p in by_type.values_mut() {
            for group in p.listing_member(id) {
                let mut body = Resource::clone(&group.resource);
                crate::store::remove_member_values(&mut body, &[id.to_owned()]);
                let stored = StoredResource::new(
                    group.id.clone(),
                    group.resource_type.clone(),
                    self.next_version(),
                    group.created,
                    now,
                    body,
                );
                p.insert(stored.clone());
                changed.push(stored);
            }
        }
        changed
    }
}

#[async_trait]
impl ResourceStore for MemoryStore {
    async fn create(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        resource: Resource,
    ) -> Result<StoredResource, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let version = self.next_version();
        let now = Utc::now();
        let stored = StoredResource::new(id, rs.name(), version, now, now, resource);
        let stored = self.write(tenant, rs, |p| {
            p.check_unique(&stored.resource, None)?;
            p.insert(stored.clone());
            let changes = self.feed.append(
                tenant,
                vec![Pending {
                    resource_type: rs.name(),
                    id: &stored.id,
                    stored: Some(&stored),
                    kind: EventKind::Created,
                }],
            );
            Ok(stored.with_changes(changes))
        })?;
        self.feed.notify();
        Ok(stored)
    }

    async fn get(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
    ) -> Result<Option<StoredResource>, StoreError> {
        self.read(tenant, rs, |p| p.and_then(|p| p.get(id).cloned()))
    }

    async fn replace(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
        change: &[EventKind],
    ) -> Result<StoredResource, StoreError> {
        let version = self.next_version();
        let stored = self.write(tenant, rs, |p| {
            let current = p
                .get(id)
                .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
            if let Some(expected) = expected_version
                && expected != current.version
            {
                return Err(StoreError::VersionMismatch {
                    id: id.to_owned(),
                    current: current.version.clone(),
                });
            }
            let stored = StoredResource::new(
                id,
                rs.name(),
                version,
                current.created,
                Utc::now(),
                resource,
            );
            p.check_unique(&stored.resource, Some(id))?;
            p.insert(stored.clone());
            let updated = [EventKind::Updated {
                changed_attributes: Vec::new(),
            }];
            let kinds = if change.is_empty() {
                &updated[..]
            } else {
                change
            };
            let pending = kinds
                .iter()
                .map(|kind| Pending {
                    resource_type: rs.name(),
                    id,
                    stored: Some(&stored),
                    kind: kind.clone(),
                })
                .collect();
            let changes = self.feed.append(tenant, pending);
            Ok(stored.with_changes(changes))
        })?;
        self.feed.notify();
        Ok(stored)
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        let mut g = self
            .partitions
            .write()
            .map_err(|_| StoreError::internal("memory store lock poisoned"))?;
        let by_type = g
            .get_mut(tenant)
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        let p = by_type
            .get_mut(rs.name())
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        let current = p
            .get(id)
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(StoreError::VersionMismatch {
                id: id.to_owned(),
                current: current.version.clone(),
            });
        }
        p.remove(id);
        // Under the same lock: no reader sees the member gone but the group unchanged.
        let groups = self.leave_groups(by_type, id);
        let mut pending = vec![Pending {
            resource_type: rs.name(),
            id,
            stored: None,
            kind: EventKind::Deleted,
        }];
        pending.extend(groups.iter().map(|g| Pending {
            resource_type: &g.resource_type,
            id: &g.id,
            stored: Some(g),
            kind: EventKind::MembersRemoved {
                members: vec![id.to_owned()],
            },
        }));
        let changes = self.feed.append(tenant, pending);
        drop(g);
        self.feed.notify();
        Ok(changes)
    }

    async fn missing_ids(
        &self,
        tenant: &TenantId,
        types: &[&ResourceSchema],
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let g = self
            .partitions
            .read()
            .map_err(|_| StoreError::internal("memory store lock poisoned"))?;
        let by_type = g.get(tenant);
        Ok(ids
            .iter()
            .filter(|id| {
                !types.iter().any(|rs| {
                    by_type
                        .and_then(|t| t.get(rs.name()))
                        .is_some_and(|p| p.get(id).is_some())
                })
            })
            .cloned()
            .collect())
    }

    async fn list(
        &self,
        tenant: &TenantId,
        query: &ListQuery<'_>,
    ) -> Result<ListResult, StoreError> {
        self.read(tenant, query.rs, |p| match p {
            Some(p) => p.list(query),
            None => Ok(ListResult::complete(Vec::new(), 0)),
        })?
    }
}

#[async_trait]
impl ChangeFeed for MemoryStore {
    async fn read(&self, query: &FeedQuery) -> Result<FeedPage, StoreError> {
        self.feed.read(query)
    }

    fn commits(&self) -> Commits {
        self.feed.commits()
    }

    async fn prune(&self, retention: &Retention) -> Result<u64, StoreError> {
        Ok(self.feed.prune(retention))
    }

    async fn consumer(&self, name: &str) -> Result<Option<Consumer>, StoreError> {
        Ok(self.feed.consumer(name))
    }

    async fn consumers(&self) -> Result<Vec<Consumer>, StoreError> {
        Ok(self.feed.consumers())
    }

    async fn save_consumer(&self, consumer: &Consumer) -> Result<(), StoreError> {
        self.feed.save_consumer(consumer)
    }

    async fn remove_consumer(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.feed.remove_consumer(name))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// A panic while the store's lock is held (a bug, a panicking
    /// closure) poisons it; the store recovers instead of answering `500`
    /// to every later request.
    #[tokio::test]
    async fn a_panic_under_the_lock_does_not_poison_the_store() {
        let registry = scimkit_schema::Registry::core();
        let rs = registry
            .resource_type_by_endpoint("/Users")
            .unwrap()
            .clone();
        let store = MemoryStore::new();
        let tenant = TenantId::default();
        let poisoned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = store.write(&tenant, &rs, |_| -> Result<(), StoreError> {
                panic!("a bug under the write lock")
            });
        }));
        assert!(poisoned.is_err());
        assert!(store.partitions.is_poisoned());
        let user = Resource::from_map(
            serde_json::json!({"userName": "after"})
                .as_object()
                .unwrap()
                .clone(),
        );
        let created = store.create(&tenant, &rs, user).await.unwrap();
        assert!(
            store
                .get(&tenant, &rs, &created.id)
                .await
                .unwrap()
                .is_some()
        );
    }
}
