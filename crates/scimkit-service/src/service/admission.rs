//! Head-first admission: what the engine decides from a request's head
//! alone (route, declared size, content type, caller), before an adapter
//! reads a byte of the body. An unauthenticated client never makes the
//! server hold its body (RFC 9110 §15.5.14 for `413`; RFC 6750 §3 for the
//! `401` challenge).

use std::time::Instant;

use bytes::Bytes;
use http::Response;

use crate::Principal;
use crate::response::{BodyError, body_error_response};

/// A request whose head passed [`ScimService::admit`](crate::ScimService::admit):
/// it names a SCIM endpoint, its declared length is within the limit for
/// that endpoint, its content type is accepted and its caller is
/// authenticated for the tenant in its path. Hand it, with the body, to
/// [`ScimService::handle_admitted`](crate::ScimService::handle_admitted).
#[derive(Debug)]
pub struct Admission {
    pub(crate) principal: Principal,
    pub(crate) body_limit: usize,
    pub(crate) path_tenant: Option<String>,
    pub(crate) span: tracing::Span,
    pub(crate) start: Instant,
}

impl Admission {
    /// The most body bytes to read for this request (`Config::max_body_size`,
    /// or `Config::bulk_max_payload_size` for `/Bulk`); read at most this
    /// many plus one, and answer [`Admission::body_error`] beyond.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// Who is calling.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The response for a body that could not be read: `413`, `408` or `400`
    /// (the one place these are built; see [`BodyError`]).
    pub fn body_error(&self, e: BodyError) -> Response<Bytes> {
        let mut resp = body_error_response(e, self.body_limit);
        crate::service::finish(
            &self.span,
            self.start,
            &mut resp,
            &crate::report::Recorder::default(),
            Some(self.principal.tenant.clone()),
        );
        resp
    }
}
