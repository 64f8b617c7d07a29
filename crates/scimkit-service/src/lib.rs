//! # scimkit-service
//!
//! The SCIM 2.0 protocol engine (RFC 7644), framework-free.
#![doc = ""]

mod auth;
pub mod etag;
mod events;
mod memory;
mod store;
mod tenant;
mod time;

pub use auth::{
    AuthError, AuthRequest, Authenticator, MeRef, Principal, Secret, StaticTokens, TokenHash,
};
pub use events::{EventKind, EventSink, NoopSink, ProvisioningEvent, VecSink};
pub use memory::MemoryStore;
pub use store::{
    ListQuery, ListResult, Member, MemberUpdate, ResourceStore, SortSpec, StoreError,
    StoredResource, finish_list,
};
pub use tenant::TenantId;
