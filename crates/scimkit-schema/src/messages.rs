//! SCIM protocol messages (RFC 7644 §3): the request and response bodies
//! that are not resources.
//!
//! - [`PatchOp`]: the PATCH request (§3.5.2).

mod patch_op;

pub use patch_op::*;
