//! scimkit-service in-process tests (the HTTP conformance suite runs in the
//! adapter crates, over real sockets).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admission;
mod architecture;
mod auth;
mod etag;
mod events;
mod feed;
mod handle;
mod list;
mod logging;
mod memory;
mod nul;
mod password;
mod patch_budgets;
mod report;
mod secrets;
mod support;
