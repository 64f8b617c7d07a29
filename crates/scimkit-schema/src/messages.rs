//! SCIM protocol messages (RFC 7644 §3): the request and response bodies
//! that are not resources, and the service provider configuration
//! (RFC 7643 §5).
//!
//! - [`ListResponse`]: the query response (RFC 7644 §3.4.2).
//! - [`SearchRequest`]: the body of `POST …/.search` (RFC 7644 §3.4.3).
//! - [`PatchOp`]: the PATCH request (RFC 7644 §3.5.2).
//! - [`BulkRequest`] and [`BulkResponse`]: bulk operations (RFC 7644 §3.7).
//! - [`ServiceProviderConfig`]: the `/ServiceProviderConfig` resource (RFC 7643 §5).
//!
//! Reading is tolerant where real clients and the RFC's own examples are
//! (numbers sent as strings, `status` as a number, `Resources` in any case);
//! writing is always in the RFC's exact form.

mod bulk;
mod de;
mod list_response;
mod patch_op;
mod search_request;
mod service_provider_config;

pub use bulk::*;
pub use list_response::*;
pub use patch_op::*;
pub use search_request::*;
pub use service_provider_config::*;
