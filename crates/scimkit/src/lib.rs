//! # scimkit
//!
//! SCIM 2.0 (RFC 7643 schema, RFC 7644 protocol) for Rust: make any service a
//! provisioning target for Microsoft Entra ID, Okta and other identity
//! providers. This crate only re-exports the workspace's crates behind
//! features:
//!
//! | feature | module | what |
//! |---|---|---|
//! | (always) | [`filter`] | SCIM filter and path syntax (`scimkit-filter`) |
//! | (always) | [`schema`] | schemas, resources, messages, PATCH, validation (`scimkit-schema`) |
//! | (always) | [`service`] | the protocol engine, store and auth traits, memory store (`scimkit-service`) |
//! | `axum` | `axum` | `scimkit::axum::router(service)` (`scimkit-axum`) |
//! | `actix` | `actix` | `scimkit::actix::scope("/scim/v2", service)` (`scimkit-actix`) |
//! | `sqlite` | `sql` | the SQLite store (`scimkit-sql`) |
//! | `postgres` | `sql` | the PostgreSQL store (`scimkit-sql`) |
//!
//! ```
//! use scimkit::{Config, MemoryStore, Profile, ScimService, StaticTokens, TenantId};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let service = ScimService::builder()
//!     .store(MemoryStore::new())
//!     .authenticator(StaticTokens::new().with_token(TenantId::default(), "s3cret"))
//!     .config(Config::default().with_profile(Profile::Entra))
//!     .build()?;
//! let request = http::Request::get("/scim/v2/Users?filter=userName%20eq%20%22bjensen%22")
//!     .header("authorization", "Bearer s3cret")
//!     .body(bytes::Bytes::new())?;
//! let response = service.handle(request).await;
//! assert_eq!(response.status(), 200);
//! let body: serde_json::Value = serde_json::from_slice(response.body())?;
//! assert_eq!(body["totalResults"], 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

// docs.rs (`--cfg docsrs`, nightly) marks feature-gated items with the features they need.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's examples (the crates.io page) are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use scimkit_filter as filter;
pub use scimkit_schema as schema;
pub use scimkit_service as service;

#[cfg(feature = "actix")]
pub use scimkit_actix as actix;
#[cfg(feature = "axum")]
pub use scimkit_axum as axum;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use scimkit_sql as sql;

pub use scimkit_schema::{Compat, Profile, Registry, Resource, ScimError};
pub use scimkit_service::{
    Authenticator, Config, EventSink, MemoryStore, ResourceStore, ScimService, StaticTokens,
    TenantId,
};
