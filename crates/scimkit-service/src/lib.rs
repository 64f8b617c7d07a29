//! # scimkit-service
//!
//! The SCIM 2.0 protocol engine (RFC 7644), framework-free.
#![doc = ""]

mod auth;
mod config;
#[cfg(feature = "conformance")]
pub mod conformance;
mod endpoints;
pub mod etag;
mod events;
mod memory;
mod request;
mod response;
mod route;
mod service;
mod store;
mod tenant;
mod time;

pub use auth::{
    AuthError, AuthRequest, Authenticator, MeRef, Principal, Secret, StaticTokens, TokenHash,
};
pub use config::Config;
pub use events::{EventKind, EventSink, NoopSink, ProvisioningEvent, VecSink};
pub use memory::MemoryStore;
pub use response::{SCIM_JSON, error_response};
pub use service::{BuildError, ScimService, ScimServiceBuilder};
pub use store::{
    ListQuery, ListResult, Member, MemberUpdate, ResourceStore, SortSpec, StoreError,
    StoredResource, finish_list,
};
pub use tenant::TenantId;
