//! # scimkit-conformance
//!
//! Test kits for SCIM 2.0 (RFC 7643/7644) implementations, to run against
//! your own code the way [`tower-test`](https://docs.rs/tower-test) is run:
//!
//! | module | for | what |
//! |---|---|---|
//! | [`store`] | store authors | the `ResourceStore` suite: one test runs every check against your store |
//! | [`http`] | adapter and server authors | the HTTP suite over real sockets: endpoints, status codes, headers, tenants, Bulk, concurrency |
//! | [`check`] | anyone with a SCIM endpoint | the checker behind `scimkit check`: discovery, RFC 7644, Entra ID and Okta flows against a base URL and a token, with cleanup |
//!
//! The shipped stores (`MemoryStore`, `scimkit-sql`) and adapters
//! (`scimkit-axum`, `scimkit-actix`) run these suites exactly as you would.
//!
//! ```
//! use scimkit_conformance::check::{self, Suite};
//!
//! // The checks are data: what each cites, what it depends on, whether it
//! // creates anything (`--read-only` runs only those that do not).
//! let test_connection = check::catalog()
//!     .iter()
//!     .find(|c| c.id() == "entra.test_connection")
//!     .unwrap();
//! assert_eq!(test_connection.suite(), Suite::Entra);
//! assert!(!test_connection.creates());
//! assert!(test_connection.cites().contains("Microsoft Learn"));
//!
//! // Every dependency is a check that runs before the one that names it.
//! let ids: Vec<&str> = check::catalog().iter().map(|c| c.id()).collect();
//! for (i, c) in check::catalog().iter().enumerate() {
//!     for dep in c.depends_on() {
//!         assert!(ids[..i].contains(dep), "{} depends on {dep}", c.id());
//!     }
//! }
//! ```
//!
//! A store author's test:
//!
//! ```no_run
//! # async fn t() {
//! // `MyStore::connect(..)` in your crate; the memory store here.
//! scimkit_conformance::store::run(|| async { scimkit_service::MemoryStore::new() }).await;
//! # }
//! ```
//!
//! ## Features
//!
//! | feature | what |
//! |---|---|
//! | `rustls` | HTTPS for the checker's client (rustls, webpki roots); `scimkit check` enables it |

// docs.rs (`--cfg docsrs`, nightly) marks feature-gated items with the features they need.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's examples (the crates.io page) are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub mod check;
pub mod http;
pub mod store;
