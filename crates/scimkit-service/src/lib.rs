//! # scimkit-service
//!
//! The SCIM 2.0 protocol engine (RFC 7644), framework-free:
//! [`ScimService::handle`] turns an `http::Request<Bytes>` into an
//! `http::Response<Bytes>`. The framework adapters (`scimkit-axum`,
//! `scimkit-actix`) only move requests and responses in and out.
//!
//! - Every registered resource type gets `POST`, `GET`, `PUT`, `PATCH`,
//!   `DELETE`, lists with `filter`, `sortBy`/`sortOrder`, `startIndex`/`count`,
//!   `attributes`/`excludedAttributes`, and `POST /.search`; plus `/.search`
//!   at the root, `/Bulk`, `/Me`, `/ServiceProviderConfig`, `/Schemas`,
//!   `/ResourceTypes`.
//! - Versions are weak ETags (`meta.version`, `ETag`, `If-Match`, `If-None-Match`).
//! - Every failure is a SCIM error (`urn:ietf:params:scim:api:messages:2.0:Error`).
//! - Storage is a trait, [`ResourceStore`]; [`MemoryStore`] ships here,
//!   SQLite and PostgreSQL in `scimkit-sql`. Callers are authenticated by an
//!   [`Authenticator`] ([`StaticTokens`] ships here) and isolated per
//!   [`TenantId`]. Changes are reported to an [`EventSink`].
//! - Every committed change is a record of a durable change feed
//!   ([`ChangeFeed`], module [`feed`]): read it by cursor or [`follow`] it as
//!   a stream that wakes on commit; [`MemoryStore`] keeps one in memory,
//!   `scimkit-sql` in the database, written in the change's transaction.
//!
//! ```
//! use bytes::Bytes;
//! use scimkit_service::{Config, MemoryStore, ScimService, StaticTokens, TenantId};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let service = ScimService::builder()
//!     .store(MemoryStore::new())
//!     .authenticator(StaticTokens::new().with_token(TenantId::default(), "s3cret"))
//!     .config(Config::default().with_base_path("/scim/v2"))
//!     .build()?;
//!
//! let request = http::Request::post("/scim/v2/Users")
//!     .header("host", "scim.example.com")
//!     .header("authorization", "Bearer s3cret")
//!     .header("content-type", "application/scim+json")
//!     .body(Bytes::from(r#"{
//!         "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!         "userName": "bjensen"
//!     }"#))?;
//! let response = service.handle(request).await;
//! assert_eq!(response.status(), 201);
//! let location = response.headers()["location"].to_str()?;
//! assert!(location.starts_with("http://scim.example.com/scim/v2/Users/"));
//!
//! let body: serde_json::Value = serde_json::from_slice(response.body())?;
//! assert_eq!(body["meta"]["version"], response.headers()["etag"].to_str()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! ## Features
//!
//! | feature | what |
//! |---|---|
//! | `conformance` | [`conformance`]: the HTTP conformance suite adapters run over real sockets |

// docs.rs (`--cfg docsrs`, nightly) marks feature-gated items with the features they need.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's examples (the crates.io page) are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod auth;
mod blocking;
mod config;
#[cfg(feature = "conformance")]
pub mod conformance;
mod context;
mod endpoints;
pub mod etag;
mod events;
pub mod feed;
mod memory;
mod password;
pub mod redact;
mod report;
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
pub use config::{Config, DEFAULT_PATCH_OFFLOAD_VALUES, DEFAULT_WRITE_RETRIES};
pub use events::{
    DEFAULT_LOGGED_MEMBER_IDS, EventKind, EventSink, EventSummary, NoopSink, ProvisioningEvent,
    VecSink,
};
pub use feed::{
    ChangeFeed, ChangeRecord, CommitSignal, Commits, Consumer, Cursor, DEFAULT_FEED_PAGE, FeedPage,
    FeedQuery, Retention, follow,
};
pub use memory::MemoryStore;
pub use password::{
    Argon2Params, DEFAULT_ARGON2_ITERATIONS, DEFAULT_ARGON2_MEMORY_KIB, DEFAULT_ARGON2_PARALLELISM,
    DEFAULT_MAX_CONCURRENT_PASSWORD_HASHES, DEFAULT_MAX_QUEUED_PASSWORD_HASHES,
    InvalidArgon2Params, PasswordHashing, PasswordStorage, hash_password, verify_password,
};
pub use report::{ErrorReport, RequestReport, ResourceRef};
pub use response::{BodyError, SCIM_JSON, body_error_response, error_response};
pub use scimkit_schema::{Switch, Switches};
pub use service::{Admission, BuildError, ScimService, ScimServiceBuilder};
pub use store::{
    DEFAULT_MAX_LIST_SCAN, Fetch, ListQuery, ListResult, MEMBER_CHECK_CHUNK, Member, MemberUpdate,
    PageCollector, ResourceStore, SortSpec, StoreError, StoredResource, finish_list,
};
pub use tenant::TenantId;
