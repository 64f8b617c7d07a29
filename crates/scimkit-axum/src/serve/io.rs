//! The connection wrapper below hyper: rewrites request targets (see
//! [`super::framing`]) and closes connections whose request head is too slow
//! or that sit idle too long between requests.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use super::framing::Framer;

/// What one connection's requests share with its byte stream.
#[derive(Debug, Default)]
pub(crate) struct ConnState {
    /// Requests handed to the application whose response is not yet
    /// written. While one is, the read timers do not run: hyper only reads
    /// to notice a client going away.
    in_flight: AtomicUsize,
    /// The reader to wake when the last request in flight is answered: hyper
    /// does not read again on its own, and the idle timer must start.
    reader: Mutex<Option<Waker>>,
}

impl ConnState {
    fn set_reader(&self, w: &Waker) {
        let mut g = self.reader.lock().unwrap_or_else(PoisonError::into_inner);
        if !g.as_ref().is_some_and(|old| old.will_wake(w)) {
            *g = Some(w.clone());
        }
    }
}

/// Counts one request in flight until dropped (with the response body).
#[derive(Debug)]
pub(crate) struct InFlight(Arc<ConnState>);

impl InFlight {
    pub(crate) fn new(state: &Arc<ConnState>) -> Self {
        state.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(state))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            let w = self
                .0
                .reader
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(w) = w {
                w.wake();
            }
        }
    }
}

/// Which read timer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for (the rest of) a request head, from accept or from its first byte.
    Head,
    /// Kept alive between requests, no byte of the next one yet.
    Idle,
}

/// A byte stream with request-target rewriting and read timers.
#[derive(Debug)]
pub(crate) struct LenientIo<T> {
    inner: T,
    framer: Framer,
    /// Rewritten bytes that did not fit the caller's buffer.
    pending: Vec<u8>,
    pending_at: usize,
    state: Arc<ConnState>,
    timer: Pin<Box<Sleep>>,
    armed: Option<Phase>,
    header_timeout: Duration,
    idle_timeout: Duration,
    /// Runs while a write makes no progress (a client that does not read).
    write_timer: Pin<Box<Sleep>>,
    write_armed: bool,
    write_timeout: Duration,
    /// When a write last made progress: idleness counts from the last byte
    /// either way, so a long response being read is not idle.
    last_write: Instant,
}

impl<T> LenientIo<T> {
    pub(crate) fn new(
        inner: T,
        state: Arc<ConnState>,
        max_request_line: usize,
        header_timeout: Duration,
        idle_timeout: Duration,
        write_timeout: Duration,
    ) -> Self {
        LenientIo {
            inner,
            framer: Framer::new(max_request_line),
            pending: Vec::new(),
            pending_at: 0,
            state,
            timer: Box::pin(tokio::time::sleep(header_timeout)),
            armed: Some(Phase::Head),
            header_timeout,
            idle_timeout,
            write_timer: Box::pin(tokio::time::sleep(write_timeout)),
            write_armed: false,
            write_timeout,
            last_write: Instant::now(),
        }
    }

    /// Passes a write's outcome on; a write pending for longer than the
    /// write timeout fails the connection.
    fn track_write<R>(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if r.is_ready() {
            self.write_armed = false;
            self.last_write = Instant::now();
            return r;
        }
        if !self.write_armed {
            self.write_armed = true;
            self.write_timer
                .as_mut()
                .reset(Instant::now() + self.write_timeout);
        }
        ready!(self.write_timer.as_mut().poll(cx));
        tracing::debug!("the client read nothing within the write timeout; closing");
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client did not read the response within the write timeout",
        )))
    }

    /// The timer that should run now, if any.
    fn phase(&mut self) -> Option<Phase> {
        if self.state.in_flight.load(Ordering::SeqCst) > 0 {
            return None;
        }
        // The first request head counts from accept.
        let first = self.framer.heads_completed() == 0;
        if self.framer.in_head() || (first && self.framer.between_requests()) {
            Some(Phase::Head)
        } else if self.framer.between_requests() || self.framer.is_opaque() {
            // Opaque: hyper rejects what the framer gave up on and closes; if
            // it keeps the connection, idleness is still bounded.
            Some(Phase::Idle)
        } else {
            // In a body: the body-read and whole-request timeouts apply.
            None
        }
    }

    fn copy_pending(&mut self, buf: &mut ReadBuf<'_>) {
        let rest = &self.pending[self.pending_at..];
        let n = rest.len().min(buf.remaining());
        buf.put_slice(&rest[..n]);
        self.pending_at += n;
        if self.pending_at == self.pending.len() {
            self.pending.clear();
            self.pending_at = 0;
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for LenientIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pending_at < this.pending.len() {
            this.copy_pending(buf);
            return Poll::Ready(Ok(()));
        }
        let phase = this.phase();
        if phase != this.armed {
            this.armed = phase;
            let timeout = match phase {
                Some(Phase::Head) => this.header_timeout,
                Some(Phase::Idle) => this.idle_timeout,
                None => Duration::ZERO,
            };
            this.timer.as_mut().reset(Instant::now() + timeout);
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => {
                this.state.set_reader(cx.waker());
                if this.armed.is_some() {
                    if this.armed == Some(Phase::Idle) {
                        // A response still being written is not idleness
                        // (the write timeout governs a client that stops reading).
                        let from = if this.write_armed {
                            Instant::now()
                        } else {
                            this.last_write
                        };
                        let until = from + this.idle_timeout;
                        if until > this.timer.deadline() {
                            this.timer.as_mut().reset(until);
                        }
                    }
                    ready!(this.timer.as_mut().poll(cx));
                    return Poll::Ready(match this.armed {
                        Some(Phase::Head) => {
                            tracing::debug!("request head not received in time; closing");
                            Err(io::Error::new(
                                io::ErrorKind::TimedOut,
                                "request head not received within the header timeout",
                            ))
                        }
                        // EOF: hyper closes an idle connection quietly.
                        _ => Ok(()),
                    });
                }
                return Poll::Pending;
            }
        }
        let new = &buf.filled()[before..];
        if new.is_empty() {
            return Poll::Ready(Ok(()));
        }
        this.framer.process(new, &mut this.pending);
        if this.pending.len() == new.len() {
            // Nothing rewritten: the bytes in `buf` are the output.
            this.pending.clear();
        } else {
            buf.set_filled(before);
            this.copy_pending(buf);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for LenientIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.track_write(cx, r)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_flush(cx);
        this.track_write(cx, r)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.track_write(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
