//! Building responses (RFC 7644 §3.1, §3.12): `application/scim+json`
//! bodies, SCIM errors, `Location` and `ETag` headers.

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE, ETAG, HeaderValue, LOCATION, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use scimkit_schema::ScimError;
use serde::Serialize;

/// The SCIM media type (RFC 7644 §8.1).
pub const SCIM_JSON: &str = "application/scim+json";

/// Extra headers for an error response.
#[derive(Debug, Default, Clone)]
pub(crate) struct ErrorHeaders {
    /// `Allow` for `405`.
    pub(crate) allow: Option<&'static str>,
    /// `WWW-Authenticate` for `401`.
    pub(crate) www_authenticate: Option<String>,
}

/// A failure on its way to becoming a response.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) error: ScimError,
    pub(crate) headers: ErrorHeaders,
}

impl From<ScimError> for Failure {
    fn from(error: ScimError) -> Self {
        Failure {
            error,
            headers: ErrorHeaders::default(),
        }
    }
}

impl From<crate::StoreError> for Failure {
    fn from(e: crate::StoreError) -> Self {
        Failure::from(ScimError::from(e))
    }
}

impl Failure {
    /// `405` with an `Allow` header.
    pub(crate) fn method_not_allowed(allow: &'static str) -> Self {
        Failure {
            error: ScimError::new(
                405,
                None,
                format!("method not allowed here; allowed: {allow}"),
            ),
            headers: ErrorHeaders {
                allow: Some(allow),
                www_authenticate: None,
            },
        }
    }
}

/// The result of an endpoint.
pub(crate) type Outcome = Result<Response<Bytes>, Failure>;

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn header(v: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(v).ok()
}

/// A JSON body with the SCIM media type.
pub(crate) fn json(code: u16, body: &impl Serialize) -> Response<Bytes> {
    json_with(code, |buf| serde_json::to_writer(buf, body))
}

/// A JSON body written by `write`, with the SCIM media type.
pub(crate) fn json_with(
    code: u16,
    write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
) -> Response<Bytes> {
    let mut buf = Vec::with_capacity(1024);
    match write(&mut buf) {
        Ok(()) => {
            let mut r = Response::new(Bytes::from(buf));
            *r.status_mut() = status(code);
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "response serialisation failed");
            error(
                &ScimError::internal("internal server error"),
                &ErrorHeaders::default(),
            )
        }
    }
}

/// A resource representation (written by `write`) with `ETag` and, for
/// creation, `Location`.
pub(crate) fn resource(
    code: u16,
    write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
    etag: Option<&str>,
    location: Option<&str>,
) -> Response<Bytes> {
    let mut r = json_with(code, write);
    if let Some(v) = etag.and_then(header) {
        r.headers_mut().insert(ETAG, v);
    }
    if let Some(v) = location.and_then(header) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// A response without body (`204`, `304`), with an optional `ETag`.
pub(crate) fn empty(code: u16, etag: Option<&str>) -> Response<Bytes> {
    let mut r = Response::new(Bytes::new());
    *r.status_mut() = status(code);
    if let Some(v) = etag.and_then(header) {
        r.headers_mut().insert(ETAG, v);
    }
    r
}

/// A SCIM error response (RFC 7644 §3.12).
pub(crate) fn error(e: &ScimError, headers: &ErrorHeaders) -> Response<Bytes> {
    let body = serde_json::to_vec(e).unwrap_or_default();
    let mut r = Response::new(Bytes::from(body));
    *r.status_mut() = status(e.status);
    // Read back into the request's `RequestReport` when the engine finishes.
    r.extensions_mut().insert(crate::ErrorReport::of(e));
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    if let Some(allow) = headers.allow {
        h.insert(ALLOW, HeaderValue::from_static(allow));
    }
    if let Some(v) = headers.www_authenticate.as_deref().and_then(header) {
        h.insert(WWW_AUTHENTICATE, v);
    }
    r
}

/// A SCIM error as a response, for adapters and serve loops that fail
/// before the engine runs (a whole-request timeout: `503`).
pub fn error_response(e: &ScimError) -> Response<Bytes> {
    error(e, &ErrorHeaders::default())
}

/// Why an adapter could not read a request body (see `docs/ADAPTERS.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyError {
    /// The body is longer than the limit (declared or counted): `413`
    /// (RFC 9110 §15.5.14).
    TooLarge,
    /// The body did not arrive within the server's body-read timeout: `408`
    /// (RFC 9110 §15.5.9).
    TimedOut,
    /// The connection failed or the framing broke while reading (a client
    /// that went away): `400`. The client usually never sees it.
    Unreadable,
}

/// The one SCIM error response for a body that could not be read; `limit`
/// is the byte limit that applied (from [`crate::Admission::body_limit`]).
/// Every response here carries `Connection: close`: the rest of the body
/// is unread, so the connection cannot carry another request.
pub fn body_error_response(e: BodyError, limit: usize) -> Response<Bytes> {
    let err = match e {
        BodyError::TooLarge => ScimError::new(
            413,
            None,
            format!("the request body is larger than the limit of {limit} bytes"),
        ),
        BodyError::TimedOut => ScimError::new(
            408,
            None,
            "the request body did not arrive in time; send it without pauses",
        ),
        BodyError::Unreadable => ScimError::bad_request("the request body could not be read"),
    };
    let mut r = error(&err, &ErrorHeaders::default());
    r.headers_mut()
        .insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    r
}
