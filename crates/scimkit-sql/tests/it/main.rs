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
mod ids;
mod limits;
mod linking;
mod lists;
mod tenants;

/// Runs every conformance check against one backend, one test each.
macro_rules! suite {
    ($name:ident, $open:path) => {
        mod $name {
            use crate::conformance as c;
            suite!(@tests $open; create_get_replace_delete, uniqueness, unique_display_name,
                tenant_isolation, filters, sorting, paging, membership, concurrent_writers, concurrent_creates, missing_ids, delete_leaves_groups, many_binds);
        }
    };
    (@tests $open:path; $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let b = $open().await;
                c::$check(b.store.as_ref()).await;
            }
        )*
    };
}

suite!(memory, crate::backends::memory);
suite!(sqlite, crate::backends::sqlite);
suite!(postgres, crate::backends::postgres);
