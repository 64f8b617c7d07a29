//! Waking readers on commit ([`CommitSignal`], [`Commits`]) and following a
//! feed as a stream ([`follow`]).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::watch;

use super::{ChangeFeed, ChangeRecord, FeedQuery};
use crate::store::StoreError;

/// How long [`follow`] waits for a commit signal before it reads again
/// anyway (the fallback if a notification is lost).
pub const DEFAULT_FOLLOW_POLL: Duration = Duration::from_secs(1);

/// The sending side of commit signals: a store keeps one and calls
/// [`CommitSignal::notify`] after each commit that wrote records.
#[derive(Debug, Clone)]
pub struct CommitSignal {
    tx: Arc<watch::Sender<u64>>,
}

impl Default for CommitSignal {
    fn default() -> Self {
        CommitSignal::new()
    }
}

impl CommitSignal {
    /// A signal nobody listens to yet.
    pub fn new() -> Self {
        CommitSignal {
            tx: Arc::new(watch::Sender::new(0)),
        }
    }

    /// Wakes every [`Commits`] subscribed to this signal.
    pub fn notify(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that wakes on the commits signalled from now on.
    pub fn subscribe(&self) -> Commits {
        Commits {
            rx: self.tx.subscribe(),
        }
    }
}

/// The receiving side: cloneable and cheap. [`Commits::changed`] resolves
/// after the next commit signal (one that came since the last `changed` or
/// [`Commits::mark_seen`] counts, so none is missed between a read and the
/// wait).
#[derive(Debug, Clone)]
pub struct Commits {
    rx: watch::Receiver<u64>,
}

impl Commits {
    /// Waits for a commit signal not seen yet. Never resolves once the
    /// sending side is gone (wait with a timeout, as [`follow`] does).
    pub async fn changed(&mut self) {
        if self.rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Marks every signal so far as seen: call it before reading, so that
    /// a commit after the read wakes the next [`Commits::changed`].
    pub fn mark_seen(&mut self) {
        self.rx.borrow_and_update();
    }
}

/// Follows a feed as an async stream: reads a page after the last cursor,
/// yields its records, and when a read finds nothing waits for
/// [`ChangeFeed::commits`] or `poll` (default [`DEFAULT_FOLLOW_POLL`]),
/// whichever comes first. Runs on tokio.
///
/// A failed read is yielded as an `Err`; the stream then waits `poll` and
/// reads again from the same cursor, so a consumer that keeps going after
/// an error skips nothing.
pub fn follow(
    feed: Arc<dyn ChangeFeed>,
    query: FeedQuery,
) -> impl Stream<Item = Result<ChangeRecord, StoreError>> + Send {
    follow_every(feed, query, DEFAULT_FOLLOW_POLL)
}

/// [`follow`] with another fallback poll interval.
pub fn follow_every(
    feed: Arc<dyn ChangeFeed>,
    query: FeedQuery,
    poll: Duration,
) -> impl Stream<Item = Result<ChangeRecord, StoreError>> + Send {
    let commits = feed.commits();
    let state = Following {
        feed,
        query,
        commits,
        buffered: VecDeque::new(),
        poll,
        wait_first: false,
    };
    futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(r) = s.buffered.pop_front() {
                return Some((Ok(r), s));
            }
            if s.wait_first {
                // Wait for a commit, or the fallback poll.
                let _ = tokio::time::timeout(s.poll, s.commits.changed()).await;
            }
            s.commits.mark_seen();
            match s.feed.read(&s.query).await {
                Ok(page) => {
                    s.wait_first = page.records.is_empty();
                    if let Some(last) = page.records.last() {
                        s.query.after = Some(last.cursor.clone());
                    }
                    s.buffered.extend(page.records);
                }
                Err(e) => {
                    s.wait_first = true;
                    return Some((Err(e), s));
                }
            }
        }
    })
}

struct Following {
    feed: Arc<dyn ChangeFeed>,
    query: FeedQuery,
    commits: Commits,
    buffered: VecDeque<ChangeRecord>,
    poll: Duration,
    wait_first: bool,
}
