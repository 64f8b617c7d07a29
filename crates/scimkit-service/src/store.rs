//! The storage contract: [`ResourceStore`] and the types it speaks.
//!
//! A store keeps resources per tenant and per resource type, assigns ids and
//! versions, and enforces uniqueness and compare-and-swap on versions where the
//! data lives (RFC 7644 §3.14 versions, §3.3 `409 uniqueness`). The engine
//! does the protocol; the store does the data.
//!
//! A store may push filters, sorting and paging down (SQL does); it answers
//! in [`ListResult`] what it did, and [`finish_list`] evaluates in memory what
//! it declined.

mod fetch;
mod list;
mod membership;
pub(crate) mod repr;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use scimkit_schema::{Resource, ResourceSchema, ScimError};

pub use fetch::Fetch;
pub use list::{
    DEFAULT_MAX_LIST_SCAN, ListQuery, ListResult, PageCollector, SortSpec, finish_list,
};
pub(crate) use membership::remove_from as remove_member_values;
pub use membership::{Member, MemberUpdate};

use crate::TenantId;
use crate::events::EventKind;
use crate::feed::ChangeRecord;

/// A resource as stored: its body plus the bookkeeping the store owns.
///
/// `resource` carries `id` and `meta` (`resourceType`, `created`,
/// `lastModified`, `version`) as the store wrote them, so filters on `id` and
/// `meta.*` work on it; `meta.location` is added by the engine per request.
///
/// The JSON text of the body is cached with it on first use, so a store
/// that hands out clones of one `StoredResource` (as [`crate::MemoryStore`]
/// does) serialises each version of a resource once.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoredResource {
    /// The server-assigned id.
    pub id: String,
    /// The resource type's name (`User`).
    pub resource_type: String,
    /// The opaque version (the ETag without `W/"…"`); changes on every write.
    pub version: String,
    /// When the resource was created.
    pub created: DateTime<Utc>,
    /// When the resource last changed.
    pub last_modified: DateTime<Utc>,
    /// The resource body, with `id` and `meta` filled in; shared, so that
    /// handing out a stored resource does not copy its JSON.
    pub resource: Arc<Resource>,
    /// The change-feed records this write committed (a store with a
    /// [`crate::ChangeFeed`] fills it on the value a write returns; empty on
    /// reads and for stores without a feed). The engine publishes their
    /// [`crate::ChangeRecord::event`]s to the [`crate::EventSink`].
    pub changes: Vec<ChangeRecord>,
    /// The cached JSON text of `resource`.
    pub(crate) repr: Arc<repr::Repr>,
}

impl PartialEq for StoredResource {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.resource_type == other.resource_type
            && self.version == other.version
            && self.created == other.created
            && self.last_modified == other.last_modified
            && self.resource == other.resource
    }
}

impl StoredResource {
    /// Builds a stored resource and writes `id` and `meta` (without
    /// `location`) into `resource`, so body and bookkeeping agree.
    pub fn new(
        id: impl Into<String>,
        resource_type: impl Into<String>,
        version: impl Into<String>,
        created: DateTime<Utc>,
        last_modified: DateTime<Utc>,
        mut resource: Resource,
    ) -> Self {
        let id = id.into();
        let resource_type = resource_type.into();
        let version = version.into();
        write_bookkeeping(
            &mut resource,
            &id,
            &resource_type,
            &version,
            created,
            last_modified,
        );
        StoredResource {
            id,
            resource_type,
            version,
            created,
            last_modified,
            resource: Arc::new(resource),
            changes: Vec::new(),
            repr: Arc::default(),
        }
    }

    /// The resource with the feed records its write committed.
    pub fn with_changes(mut self, changes: Vec<ChangeRecord>) -> Self {
        self.changes = changes;
        self
    }
}

/// Writes `id` and `meta` into a resource body (RFC 7643 §3.1), keeping `id`
/// after `schemas` and `meta` last.
fn write_bookkeeping(
    resource: &mut Resource,
    id: &str,
    resource_type: &str,
    version: &str,
    created: DateTime<Utc>,
    last_modified: DateTime<Utc>,
) {
    use serde_json::{Map, Value};
    let map = resource.as_map_mut();
    scimkit_schema::remove_ci(map, "meta");
    match scimkit_schema::get_ci_mut(map, "id") {
        Some(v) => *v = Value::String(id.to_owned()),
        None => {
            map.insert("id".to_owned(), Value::String(id.to_owned()));
        }
    }
    let mut meta = Map::new();
    meta.insert("resourceType".into(), resource_type.into());
    meta.insert("created".into(), crate::time::format(created).into());
    meta.insert(
        "lastModified".into(),
        crate::time::format(last_modified).into(),
    );
    meta.insert("version".into(), crate::etag::weak(version).into());
    map.insert("meta".to_owned(), Value::Object(meta));
}

/// Why a store operation failed. The engine maps each to one SCIM error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No resource with this id for this tenant and resource type (`404`).
    #[error("resource {id} not found")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// A value that must be unique is taken (`409 uniqueness`). The detail
    /// names the attribute, never another tenant's data.
    #[error("{detail}")]
    Conflict {
        /// What is taken, e.g. `userName "bjensen" is already in use`.
        detail: String,
    },
    /// The stored version is not the expected one (`412`).
    #[error("version mismatch: resource {id} is at version {current}")]
    VersionMismatch {
        /// The id written.
        id: String,
        /// The version the store holds.
        current: String,
    },
    /// The store cannot express this request (e.g. a filter it cannot
    /// evaluate and will not decline); `400` with the detail.
    #[error("{0}")]
    Invalid(ScimError),
    /// The tenant of the request does not exist (any more): a store that
    /// checks its tenants (e.g. `scimkit-sql` with registered tenants)
    /// refused a write for a removed tenant; `401`, like an unknown token.
    #[error("the tenant does not exist")]
    TenantGone,
    /// The store could not answer in time: every database connection stayed
    /// busy past the wait for one, or a query ran past its deadline and was
    /// stopped. `503` with the detail (it names no data), so the client
    /// retries later or narrows its request.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else (I/O, a broken connection, a poisoned lock): `500`,
    /// logged with its source, never shown to the client.
    #[error("store failure: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// `400 tooMany` (RFC 7644 §3.12): the list would examine more than
    /// `max_scan` resources in memory; the detail says what to narrow.
    pub fn too_many_to_scan(max_scan: u64) -> Self {
        StoreError::Invalid(ScimError::too_many(format!(
            "this list would examine more than {max_scan} resources in memory \
             (the server's max_list_scan); narrow the filter (e.g. an eq on \
             userName, externalId or displayName), sort by another attribute or \
             not at all, or ask for a lower startIndex"
        )))
    }

    /// An internal failure from any error.
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Internal(err.into())
    }
}

impl From<StoreError> for ScimError {
    fn from(err: StoreError) -> ScimError {
        match err {
            StoreError::NotFound { id } => ScimError::not_found(format!("resource {id} not found")),
            StoreError::Conflict { detail } => ScimError::uniqueness(detail),
            StoreError::VersionMismatch { id, .. } => ScimError::precondition_failed(format!(
                "resource {id} has changed: the If-Match version is not the current one"
            )),
            StoreError::Invalid(e) => e,
            StoreError::TenantGone => ScimError::new(
                401,
                None,
                "this tenant does not exist (it was removed); the token opens nothing",
            ),
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                ScimError::new(503, None, detail)
            }
            StoreError::Internal(source) => {
                tracing::error!(error = %source, "store failure");
                ScimError::internal("internal server error")
            }
        }
    }
}

/// The most member ids the engine hands [`ResourceStore::missing_ids`] in
/// one call (a large `members` list is checked slice by slice).
pub const MEMBER_CHECK_CHUNK: usize = 1000;

/// Where resources live. Implemented by [`crate::MemoryStore`] and by
/// `scimkit-sql`; implement it to keep SCIM resources in your own database.
///
/// Every call names the tenant: a store must never let one tenant read,
/// write, list or collide (uniqueness) with another tenant's resources.
/// Every call names the resource type through its [`ResourceSchema`].
///
/// Uniqueness: a store rejects with [`StoreError::Conflict`] a create or
/// replace that would give two resources of one type and tenant the same
/// value of an attribute with `uniqueness: server` (or `global`) — compared
/// case-insensitively unless the attribute is `caseExact` (`userName` is
/// not). The engine marks Group `displayName` `server` when configured.
#[async_trait]
pub trait ResourceStore: Send + Sync + 'static {
    /// Stores a new resource: assigns `id`, `version`, `created` and
    /// `lastModified` (equal), and returns it. `resource` comes validated,
    /// without `id` and `meta`.
    async fn create(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        resource: Resource,
    ) -> Result<StoredResource, StoreError>;

    /// The resource with this id, or `None`.
    async fn get(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
    ) -> Result<Option<StoredResource>, StoreError>;

    /// The resource with this id, or `None`, loading what `fetch` asks
    /// for: a store may leave out what `fetch` skips (the engine reads with
    /// [`Fetch::for_projection`], so the response never shows it). The
    /// default ignores `fetch` and calls [`ResourceStore::get`].
    async fn get_with(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        fetch: Fetch,
    ) -> Result<Option<StoredResource>, StoreError> {
        let _ = fetch;
        self.get(tenant, rs, id).await
    }

    /// Replaces the resource's body (keeping `id` and `created`), assigns a
    /// new version and `lastModified`. With `expected_version`, fails with
    /// [`StoreError::VersionMismatch`] unless the stored version is that one
    /// (compare-and-swap).
    ///
    /// `change` is what the write means, computed by the engine from the
    /// old and new body (`Updated`, or `Deactivated` / `Reactivated`, then
    /// `MembersAdded` / `MembersRemoved`; see [`crate::feed`]): a store with
    /// a [`crate::ChangeFeed`] records these, in this order, in the
    /// replace's transaction, and returns them on
    /// [`StoredResource::changes`]. A store without a feed ignores it.
    async fn replace(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
        change: &[EventKind],
    ) -> Result<StoredResource, StoreError>;

    /// Deletes the resource; with `expected_version`, only at that version.
    ///
    /// In the same write, the resource leaves every group of the tenant
    /// that lists it as a member, and each such group gets a new version
    /// and `lastModified` (its representation changed), so a group never
    /// names a deleted member.
    ///
    /// Returns the feed records the delete committed (`Deleted`, then a
    /// `MembersRemoved` per group it left); a store without a feed returns
    /// none.
    async fn delete(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<Vec<ChangeRecord>, StoreError>;

    /// Lists resources of `query.rs`; see [`ListQuery`] and [`ListResult`]
    /// for what a store may push down.
    ///
    /// Contract (details on [`ListQuery`]): hold `O(start_index + count)`
    /// resources whatever the tenant's size (offer rows one by one to a
    /// [`PageCollector`] for what is evaluated in memory); examine at most
    /// [`ListQuery::max_scan`] resources in memory, else fail with
    /// [`StoreError::too_many_to_scan`]; leave out of the returned resources
    /// what [`ListQuery::fetch`] skips. A store that returns everything
    /// unprocessed stays correct ([`finish_list`] finishes it), but holds the
    /// whole type.
    async fn list(
        &self,
        tenant: &TenantId,
        query: &ListQuery<'_>,
    ) -> Result<ListResult, StoreError>;

    /// Adds `members` to the group `id` (those already present are skipped)
    /// and returns the group and the values actually added; a store that
    /// adds nothing keeps version and `lastModified`. The returned group may
    /// leave out `members` (a store that keeps members as rows need not read
    /// them back); the engine re-reads the group when it answers with it.
    ///
    /// The default reads, edits and replaces with compare-and-swap, retrying
    /// on a concurrent write; SQL stores can insert rows instead.
    async fn add_members(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        members: &[Member],
    ) -> Result<MemberUpdate, StoreError> {
        membership::edit_with_retry(
            self,
            tenant,
            rs,
            id,
            |r| membership::add_to(r, members),
            |members| EventKind::MembersAdded { members },
        )
        .await
    }

    /// The values of `ids` that are the id of no resource of any of
    /// `types` in this tenant (RFC 7643 §4.2: a group's `members` refer to
    /// Users and Groups of the same service provider). The engine checks
    /// group members with it before writing them, in slices of at most
    /// [`MEMBER_CHECK_CHUNK`] ids, so a store can answer each slice with one
    /// query.
    ///
    /// The default asks [`ResourceStore::get`] for each id and type; stores
    /// that can look up many ids at once should override it.
    async fn missing_ids(
        &self,
        tenant: &TenantId,
        types: &[&ResourceSchema],
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut missing = Vec::new();
        'ids: for id in ids {
            for rs in types {
                if self.get(tenant, rs, id).await?.is_some() {
                    continue 'ids;
                }
            }
            missing.push(id.clone());
        }
        Ok(missing)
    }

    /// Removes the members with these `value`s from the group `id` and
    /// returns the group and the values actually removed.
    async fn remove_members(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        values: &[String],
    ) -> Result<MemberUpdate, StoreError> {
        membership::edit_with_retry(
            self,
            tenant,
            rs,
            id,
            |r| membership::remove_from(r, values),
            |members| EventKind::MembersRemoved { members },
        )
        .await
    }
}
