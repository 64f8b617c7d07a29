//! scimkit-sql integration tests: the store conformance suite
//! (`scimkit_conformance::store`) run against SQLite and PostgreSQL; index
//! use proven with EXPLAIN.
//!
//! PostgreSQL tests connect to `SCIMKIT_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test works in its own
//! schema. A database that cannot be reached fails the tests, never skips them.

// Tests may unwrap and panic: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod backends;
mod checkpoint;
mod errors;
mod explain;
mod feed;
mod feed_edges;
mod feed_gaps;
mod ids;
mod limits;
mod linking;
mod lists;
mod pool;
mod request_log;
mod tenants;

use std::sync::Mutex;

/// The store suite (scimkit-conformance), run as any store author runs it:
/// each check on a fresh SQLite file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_suite_on_sqlite() {
    // The temporary directories live until the suite is done.
    let dirs = Mutex::new(Vec::new());
    scimkit_conformance::store::run(|| async {
        let (store, dir) = backends::sqlite_store().await;
        dirs.lock().unwrap().push(dir);
        store
    })
    .await;
}

/// The store suite on PostgreSQL, each check in a fresh schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_suite_on_postgres() {
    scimkit_conformance::store::run(backends::postgres_store).await;
}
