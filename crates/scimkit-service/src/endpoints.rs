//! The endpoint handlers (RFC 7644 §3.3–§3.7, §4).

pub(crate) mod bulk;
pub(crate) mod discovery;
pub(crate) mod list;
mod membership;
mod notify;
mod render;
pub(crate) mod resource;
