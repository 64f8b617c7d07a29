//! The HTTP conformance suite for adapter and server authors: one set of
//! checks of RFC 7644 behaviour over real sockets, run by every adapter
//! crate's tests.
//!
//! An adapter's test gives [`run`] a function that serves a [`ScimService`]
//! on `127.0.0.1:0` and returns its origin (`http://127.0.0.1:PORT`); the
//! suite builds the services it needs (default limits, tenant URLs, PATCH
//! answering `204`) and checks every endpoint, status code and header,
//! tenant isolation, Bulk, paging and concurrency. A failed check panics
//! with what was sent and received.
//!
//! ```no_run
//! # async fn serve(s: scimkit_service::ScimService) -> String { unimplemented!() }
//! # async fn t() {
//! scimkit_conformance::http::run(|service| serve(service)).await;
//! # }
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bulk;
mod client;
mod concurrency;
mod crud;
mod discovery;
mod errors;
mod fixture;
mod list;
mod tenants;

use std::future::Future;

pub use fixture::{TOKEN_A, TOKEN_B, TOKEN_ME, TOKEN_READ_ONLY, service};

use client::Suite;
use scimkit_service::{Config, ScimService};

/// The configuration of the main service under test.
pub fn main_config() -> Config {
    Config::default()
        .with_base_path("/scim/v2")
        .with_max_results(10)
        .with_max_body_size(64 * 1024)
        .with_bulk(true, 5, 32 * 1024)
        .with_unique_group_display_name(true)
        .with_trust_forwarded_headers(true)
        .with_realm("conformance")
}

/// Runs the whole suite; `serve` starts a server for a service and returns
/// its origin (`http://127.0.0.1:PORT`, no trailing `/`).
pub async fn run<F, Fut>(serve: F)
where
    F: Fn(ScimService) -> Fut,
    Fut: Future<Output = String>,
{
    let main = Suite::new(serve(service(main_config()).await).await, "/scim/v2");
    discovery::run(&main).await;
    errors::run(&main).await;
    crud::run(&main).await;
    list::run(&main).await;
    bulk::run(&main).await;
    concurrency::run(&main).await;
    tenants::run_by_token(&main).await;

    let no_content = main_config().with_patch_returns_no_content(true);
    let nc = Suite::new(serve(service(no_content).await).await, "/scim/v2");
    crud::run_no_content(&nc).await;

    let groups_nc = main_config().with_patch_no_content_for(["Group"]);
    let gnc = Suite::new(serve(service(groups_nc).await).await, "/scim/v2");
    crud::run_no_content_groups(&gnc).await;

    let tenant_urls = main_config().with_tenant_urls(true);
    let origin = serve(service(tenant_urls).await).await;
    tenants::run_by_path(&origin).await;
}
