//! [`RequestLogWriter`]: the bounded queue in front of the request log.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};

use super::{DEFAULT_REQUEST_LOG_MAX_ENTRIES, RequestLog, RequestLogEntry};

/// How many entries may wait for the writer task by default.
pub const DEFAULT_REQUEST_LOG_QUEUE: usize = 4_096;

/// The most bytes of one logged body by default (longer ones are cut, on a
/// character boundary, and marked).
pub const DEFAULT_REQUEST_LOG_BODY_BYTES: usize = 16 * 1024;

/// The most entries the writer task stores in one transaction.
/// (14 bound values each: far under either database's parameter cap).
pub const REQUEST_LOG_BATCH: usize = 64;

/// How a [`RequestLogWriter`] behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestLogOptions {
    /// Entries that may wait; beyond, [`RequestLogWriter::log`] drops.
    pub queue: usize,
    /// The newest entries kept per tenant (older ones are pruned as new
    /// ones are written).
    pub max_entries_per_tenant: u64,
    /// The most bytes of a logged body.
    pub max_body_bytes: usize,
}

impl Default for RequestLogOptions {
    fn default() -> Self {
        RequestLogOptions {
            queue: DEFAULT_REQUEST_LOG_QUEUE,
            max_entries_per_tenant: DEFAULT_REQUEST_LOG_MAX_ENTRIES,
            max_body_bytes: DEFAULT_REQUEST_LOG_BODY_BYTES,
        }
    }
}

impl RequestLogOptions {
    /// With a queue of `n` entries (at least 1).
    #[must_use]
    pub fn queue(mut self, n: usize) -> Self {
        self.queue = n.max(1);
        self
    }

    /// Keeping the newest `n` entries per tenant.
    #[must_use]
    pub fn max_entries_per_tenant(mut self, n: u64) -> Self {
        self.max_entries_per_tenant = n;
        self
    }

    /// Cutting bodies at `n` bytes.
    #[must_use]
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = n;
        self
    }
}

enum Msg {
    Entry(Box<RequestLogEntry>),
    Flush(oneshot::Sender<()>),
}

/// The sending side of the request log: [`RequestLogWriter::log`] never
/// waits. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RequestLogWriter {
    tx: mpsc::Sender<Msg>,
    dropped: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    max_body_bytes: usize,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Msg")
    }
}

impl RequestLogWriter {
    pub(super) fn start(log: RequestLog, options: RequestLogOptions) -> Self {
        let (tx, rx) = mpsc::channel(options.queue.max(1));
        let failed = Arc::new(AtomicU64::new(0));
        tokio::spawn(write_loop(
            log,
            rx,
            options.max_entries_per_tenant,
            failed.clone(),
        ));
        RequestLogWriter {
            tx,
            dropped: Arc::new(AtomicU64::new(0)),
            failed,
            max_body_bytes: options.max_body_bytes,
        }
    }

    /// Queues `entry` (its bodies cut to the configured size); `false` when
    /// the queue was full or the task gone, and the entry was dropped (and
    /// counted).
    pub fn log(&self, mut entry: RequestLogEntry) -> bool {
        for body in [&mut entry.request_body, &mut entry.response_body]
            .into_iter()
            .flatten()
        {
            cut(body, self.max_body_bytes);
        }
        if self.tx.try_send(Msg::Entry(Box::new(entry))).is_ok() {
            true
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            false
        }
    }

    /// How many entries were dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// How many entries were lost because the database refused a batch.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// How many entries wait to be written.
    pub fn queued(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Waits until every entry queued before this call is written (or
    /// failed). For tests and shutdown.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
pub(crate) fn cut(s: &mut String, max: usize) {
    if s.len() <= max {
        return;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push_str("…(truncated)");
}

async fn write_loop(
    log: RequestLog,
    mut rx: mpsc::Receiver<Msg>,
    max_per_tenant: u64,
    failed: Arc<AtomicU64>,
) {
    let mut batch = Vec::with_capacity(super::writer::REQUEST_LOG_BATCH);
    let mut flushes = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(m) = next.take() {
            match m {
                Msg::Entry(e) => batch.push(*e),
                Msg::Flush(f) => flushes.push(f),
            }
            if batch.len() < REQUEST_LOG_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let n = batch.len() as u64;
            if let Err(e) = log.append_pruning(&batch, Some(max_per_tenant)).await {
                failed.fetch_add(n, Ordering::Relaxed);
                tracing::warn!(error = %e, entries = n, "could not write the request log");
            }
            batch.clear();
        }
        for f in flushes.drain(..) {
            let _ = f.send(());
        }
    }
}
