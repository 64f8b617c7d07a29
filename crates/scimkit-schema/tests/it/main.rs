//! The integration tests of scimkit-schema, one binary (each area a module).

// Tests may unwrap and panic: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod eval;
mod messages;
mod model;
mod patch;
mod project;
mod validate;
mod views;
