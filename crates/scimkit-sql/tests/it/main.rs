//! scimkit-sql integration tests: the store conformance suite run against the
//! in-memory store, SQLite and PostgreSQL; index use proven with EXPLAIN.
//!
//! PostgreSQL tests connect to `SCIMKIT_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test works in its own
//! schema. A database that cannot be reached fails the tests, never skips them.

// Tests may unwrap and panic: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod backends;
mod checkpoint;
mod conformance;
mod errors;
mod explain;
mod feed;
mod ids;
mod limits;
mod linking;
mod lists;
mod pool;
mod request_log;
mod tenants;

use std::future::Future;
use std::pin::Pin;

use scimkit_service::ResourceStore;

/// A check of the store suite (`conformance.rs`) on one store.
type Check = for<'a> fn(&'a dyn ResourceStore) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Runs `check` on the in-memory store, SQLite and PostgreSQL, in turn; the
/// failure names the backend.
async fn on_every_backend(check: Check) {
    for (name, open) in BACKENDS {
        let b = open().await;
        eprintln!("store suite on {name}");
        check(b.store.as_ref()).await;
    }
}

/// The backends the store suite runs on.
type Open = fn() -> Pin<Box<dyn Future<Output = backends::Backend>>>;
const BACKENDS: [(&str, Open); 3] = [
    ("memory", || Box::pin(backends::memory())),
    ("sqlite", || Box::pin(backends::sqlite())),
    ("postgres", || Box::pin(backends::postgres())),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_get_replace_delete() {
    on_every_backend(|s| Box::pin(conformance::create_get_replace_delete(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uniqueness() {
    on_every_backend(|s| Box::pin(conformance::uniqueness(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unique_display_name() {
    on_every_backend(|s| Box::pin(conformance::unique_display_name(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_isolation() {
    on_every_backend(|s| Box::pin(conformance::tenant_isolation(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters() {
    on_every_backend(|s| Box::pin(conformance::filters(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorting() {
    on_every_backend(|s| Box::pin(conformance::sorting(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging() {
    on_every_backend(|s| Box::pin(conformance::paging(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn membership() {
    on_every_backend(|s| Box::pin(conformance::membership(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers() {
    on_every_backend(|s| Box::pin(conformance::concurrent_writers(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates() {
    on_every_backend(|s| Box::pin(conformance::concurrent_creates(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_ids() {
    on_every_backend(|s| Box::pin(conformance::missing_ids(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_leaves_groups() {
    on_every_backend(|s| Box::pin(conformance::delete_leaves_groups(s))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_binds() {
    on_every_backend(|s| Box::pin(conformance::many_binds(s))).await;
}
