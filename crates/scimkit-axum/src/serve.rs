//! [`serve`]: an HTTP/1.1 server for an axum `Router` that is safe to put on
//! the internet, which `axum::serve` is not: it has no timeout and no
//! connection cap, and hyper refuses request targets real SCIM clients send.
//!
//! | limit | default | setter | beyond it |
//! |---|---|---|---|
//! | header timeout | [`DEFAULT_HEADER_TIMEOUT`] | [`ServeOptions::with_header_timeout`] | connection closed (no response) |
//! | body timeout | [`DEFAULT_BODY_TIMEOUT`] | [`ServeOptions::with_body_timeout`] | `408` SCIM error, connection closed |
//! | request timeout | [`DEFAULT_REQUEST_TIMEOUT`] | [`ServeOptions::with_request_timeout`] | `503` SCIM error, connection closed |
//! | idle timeout | [`DEFAULT_IDLE_TIMEOUT`] | [`ServeOptions::with_idle_timeout`] | kept-alive connection closed |
//! | write timeout | [`DEFAULT_WRITE_TIMEOUT`] | [`ServeOptions::with_write_timeout`] | connection closed |
//! | connections | [`DEFAULT_MAX_CONNECTIONS`] | [`ServeOptions::with_max_connections`] | accepting waits until one closes |
//! | rewritten request line | [`DEFAULT_MAX_REQUEST_LINE`] | [`ServeOptions::with_max_request_line`] | the rest of the line is left as sent |
//!
//! - The **header timeout** runs from accept (first request) or from the
//!   first byte of a request (later ones) until the head is complete: a
//!   stalled or trickling head (one header line every few seconds) is cut.
//! - The **body timeout** runs from the end of the head until the body is
//!   read; the adapter answers `408` (RFC 9110 §15.5.9).
//! - The **request timeout** bounds the application's work for one request,
//!   body included: `503` (RFC 9110 §15.6.4) and the work is cancelled.
//! - The **idle timeout** closes a kept-alive connection that sends no next
//!   request.
//! - The **write timeout** closes a connection whose client reads nothing
//!   of a response for that long.
//!
//! Request targets with raw `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`
//! in the query (Entra ID's SCIM Validator sends
//! `?filter=userName+eq+"x"`) are served as if those bytes had been
//! percent-encoded (see `framing.rs`). HTTP/2 is not served: put TLS and
//! HTTP/2 in a reverse proxy in front.

mod framing;
mod io;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::header::{CONNECTION, HeaderValue};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use scimkit_schema::ScimError;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

use self::io::{ConnState, InFlight, LenientIo};

/// Default [`ServeOptions::with_header_timeout`]: 10 s.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`ServeOptions::with_body_timeout`]: 20 s (shorter than the
/// request timeout, so a slow body gets its `408`).
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(20);
/// Default [`ServeOptions::with_request_timeout`]: 30 s (a full Bulk
/// request on PostgreSQL takes seconds).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`ServeOptions::with_idle_timeout`]: 60 s (identity providers
/// reuse connections between requests of a provisioning cycle).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default [`ServeOptions::with_write_timeout`]: 30 s.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`ServeOptions::with_max_connections`]: 1,024.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default [`ServeOptions::with_max_request_line`]: 16 KiB.
pub const DEFAULT_MAX_REQUEST_LINE: usize = 16 * 1024;
/// How long accepting pauses after an accept error (out of file
/// descriptors), so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The limits of [`serve_with`]; every one has a named default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServeOptions {
    /// How long a request head may take ([`DEFAULT_HEADER_TIMEOUT`]).
    pub header_timeout: Duration,
    /// How long a request body may take after its head ([`DEFAULT_BODY_TIMEOUT`]).
    pub body_timeout: Duration,
    /// How long the application may take for one request, body included
    /// ([`DEFAULT_REQUEST_TIMEOUT`]).
    pub request_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request
    /// ([`DEFAULT_IDLE_TIMEOUT`]).
    pub idle_timeout: Duration,
    /// How long a response write may wait for the client to read
    /// ([`DEFAULT_WRITE_TIMEOUT`]).
    pub write_timeout: Duration,
    /// How many connections are served at once ([`DEFAULT_MAX_CONNECTIONS`]).
    pub max_connections: usize,
    /// How many bytes of a request line are rewritten ([`DEFAULT_MAX_REQUEST_LINE`]).
    pub max_request_line: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_request_line: DEFAULT_MAX_REQUEST_LINE,
        }
    }
}

impl ServeOptions {
    /// Sets [`ServeOptions::header_timeout`].
    pub fn with_header_timeout(mut self, d: Duration) -> Self {
        self.header_timeout = d;
        self
    }

    /// Sets [`ServeOptions::body_timeout`].
    pub fn with_body_timeout(mut self, d: Duration) -> Self {
        self.body_timeout = d;
        self
    }

    /// Sets [`ServeOptions::request_timeout`].
    pub fn with_request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// Sets [`ServeOptions::idle_timeout`].
    pub fn with_idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Sets [`ServeOptions::write_timeout`].
    pub fn with_write_timeout(mut self, d: Duration) -> Self {
        self.write_timeout = d;
        self
    }

    /// Sets [`ServeOptions::max_connections`] (at least 1).
    pub fn with_max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Sets [`ServeOptions::max_request_line`].
    pub fn with_max_request_line(mut self, bytes: usize) -> Self {
        self.max_request_line = bytes;
        self
    }
}

/// When the body of a request must have arrived; [`serve`] puts it in each
/// request's extensions and [`crate::handle`] answers `408` past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyReadDeadline(Instant);

impl BodyReadDeadline {
    /// A deadline at `instant`.
    pub fn new(instant: Instant) -> Self {
        BodyReadDeadline(instant)
    }

    /// The deadline.
    pub fn instant(&self) -> Instant {
        self.0
    }
}

/// Serves `app` on `listener` with the default [`ServeOptions`], forever.
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    serve_with(listener, app, ServeOptions::default()).await
}

/// Serves `app` on `listener` with `options`, forever.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
) -> std::io::Result<()> {
    serve_with_shutdown(listener, app, options, std::future::pending()).await
}

static OPEN_CONNECTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The connections open now on every [`serve`] / [`serve_with_shutdown`]
/// loop of this process (for a metrics gauge).
pub fn open_connections() -> u64 {
    OPEN_CONNECTIONS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Serves `app` on `listener` with `options` until `shutdown` resolves,
/// then stops accepting, lets requests in flight finish (each bounded by
/// the request timeout) and returns.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(options.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            p = Arc::clone(&permits).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed; pausing");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::new(ConnState::default());
        let io = LenientIo::new(
            stream,
            Arc::clone(&state),
            options.max_request_line,
            options.header_timeout,
            options.idle_timeout,
            options.write_timeout,
        );
        let service = ConnService {
            app: app.clone(),
            state,
            options,
        };
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            // The header timeout is LenientIo's: hyper's would also count
            // the idle time between requests.
            .header_read_timeout(None)
            .serve_connection(TokioIo::new(io), service);
        let conn = graceful.watch(conn);
        OPEN_CONNECTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            OPEN_CONNECTIONS.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// One connection's request handler: timeouts, body deadline, in-flight count.
#[derive(Clone)]
struct ConnService {
    app: Router,
    state: Arc<ConnState>,
    options: ServeOptions,
}

impl hyper::service::Service<http::Request<Incoming>> for ConnService {
    type Response = http::Response<GuardedBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, req: http::Request<Incoming>) -> Self::Future {
        let guard = InFlight::new(&self.state);
        let app = self.app.clone();
        let options = self.options;
        Box::pin(async move {
            let mut req = req.map(Body::new);
            req.extensions_mut()
                .insert(BodyReadDeadline::new(Instant::now() + options.body_timeout));
            let resp = match tokio::time::timeout(options.request_timeout, app.oneshot(req)).await {
                Ok(Ok(resp)) => resp,
                Ok(Err(never)) => match never {},
                Err(_) => {
                    tracing::warn!(
                        timeout_ms = options.request_timeout.as_millis(),
                        "request timed out; answering 503"
                    );
                    let mut r = scimkit_service::error_response(&ScimError::new(
                        503,
                        None,
                        format!(
                            "the request took longer than {} ms; it was cancelled, retry later",
                            options.request_timeout.as_millis()
                        ),
                    ));
                    r.headers_mut()
                        .insert(CONNECTION, HeaderValue::from_static("close"));
                    r.map(Body::from)
                }
            };
            Ok(resp.map(|inner| GuardedBody {
                inner,
                _guard: guard,
            }))
        })
    }
}

/// A response body that counts its request in flight until written.
struct GuardedBody {
    inner: Body,
    _guard: InFlight,
}

impl hyper::body::Body for GuardedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
