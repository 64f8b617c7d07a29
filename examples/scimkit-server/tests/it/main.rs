//! End-to-end tests of the `scimkit-server` binary over HTTP, on SQLite and
//! on PostgreSQL (`SCIMKIT_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`; each run uses its own fresh
//! database, dropped afterwards).

// Tests may unwrap and panic: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod concurrency;
mod corpus;
mod crash;
mod harness;
mod limits;
mod logs;
mod network;
mod nul;
mod passwords;
mod replay;
mod request_log;
mod tenants;
