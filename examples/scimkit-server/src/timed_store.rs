//! A `ResourceStore` that times every call of the store it wraps, for the
//! `scim_store_duration_seconds` histogram of `/metrics` (by operation).

use std::future::Future;
use std::time::Instant;

use async_trait::async_trait;
use scimkit_schema::{Resource, ResourceSchema};
use scimkit_service::{
    ChangeRecord, EventKind, Fetch, ListQuery, ListResult, Member, MemberUpdate, ResourceStore,
    StoreError, StoredResource, TenantId,
};

use crate::metrics::Metrics;

/// Wraps a store; each call is observed under its operation's name.
#[derive(Debug, Clone)]
pub(crate) struct TimedStore<S> {
    inner: S,
    metrics: Metrics,
}

impl<S> TimedStore<S> {
    pub(crate) fn new(inner: S, metrics: Metrics) -> Self {
        TimedStore { inner, metrics }
    }

    async fn timed<T>(&self, operation: &'static str, call: impl Future<Output = T>) -> T {
        let start = Instant::now();
        let out = call.await;
        self.metrics.store_call(operation, start.elapsed());
        out
    }
}

#[async_trait]
impl<S: ResourceStore> ResourceStore for TimedStore<S> {
    async fn create(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        resource: Resource,
    ) -> Result<StoredResource, StoreError> {
        self.timed("create", self.inner.create(tenant, rs, resource))
            .await
    }

    async fn get(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
    ) -> Result<Option<StoredResource>, StoreError> {
        self.timed("get", self.inner.get(tenant, rs, id)).await
    }

    async fn get_with(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        fetch: Fetch,
    ) -> Result<Option<StoredResource>, StoreError> {
        self.timed("get", self.inner.get_with(tenant, rs, id, fetch))
            .await
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
        let call = self
            .inner
            .replace(tenant, rs, id, resource, expected_version, change);
        self.timed("replace", call).await
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        let call = self.inner.delete(tenant, rs, id, expected_version);
        self.timed("delete", call).await
    }

    async fn list(
        &self,
        tenant: &TenantId,
        query: &ListQuery<'_>,
    ) -> Result<ListResult, StoreError> {
        self.timed("list", self.inner.list(tenant, query)).await
    }

    async fn add_members(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        members: &[Member],
    ) -> Result<MemberUpdate, StoreError> {
        let call = self.inner.add_members(tenant, rs, id, members);
        self.timed("add_members", call).await
    }

    async fn missing_ids(
        &self,
        tenant: &TenantId,
        types: &[&ResourceSchema],
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let call = self.inner.missing_ids(tenant, types, ids);
        self.timed("missing_ids", call).await
    }

    async fn remove_members(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        values: &[String],
    ) -> Result<MemberUpdate, StoreError> {
        let call = self.inner.remove_members(tenant, rs, id, values);
        self.timed("remove_members", call).await
    }
}
