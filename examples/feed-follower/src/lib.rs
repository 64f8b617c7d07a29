//! # feed-follower
//!
//! How an application reacts to provisioning with scimkit's change feed:
//! when the identity provider deactivates or deletes a user, revoke that
//! user's sessions, within a second, and never miss one, across restarts.
//!
//! A [`Follower`] reads the feed of a store (any [`ChangeFeed`]: SQLite,
//! PostgreSQL, memory) from its cursor, acts on each record, then saves the
//! record's cursor as a durable [`Consumer`]. Acting first and saving
//! after makes delivery at-least-once: after a crash between the two, the
//! record is seen again, so the action must be idempotent (revoking the
//! sessions of a user who has none does nothing).
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use feed_follower::{Follower, Sessions};
//! use scimkit_service::{ChangeFeed, MemoryStore};
//!
//! let store = MemoryStore::new();
//! let sessions = Arc::new(Sessions::new());
//! let feed: Arc<dyn ChangeFeed> = Arc::new(store);
//! let follower = Follower::new(feed, "sessions", sessions.clone());
//! // Nothing has happened yet.
//! assert_eq!(follower.catch_up().await.unwrap(), 0);
//! # });
//! ```

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::StreamExt as _;
use scimkit_service::{ChangeFeed, ChangeRecord, Consumer, EventKind, FeedQuery, StoreError};

/// A pretend session store: the sessions each user has open.
#[derive(Debug, Default)]
pub struct Sessions {
    open: Mutex<BTreeMap<String, Vec<String>>>,
    revoked: Mutex<Vec<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sessions {
    /// No sessions.
    pub fn new() -> Self {
        Sessions::default()
    }

    /// User `user` (a SCIM resource id) signs in.
    pub fn open(&self, user: &str, session: &str) {
        lock(&self.open)
            .entry(user.to_owned())
            .or_default()
            .push(session.to_owned());
    }

    /// The sessions `user` has open.
    pub fn of(&self, user: &str) -> Vec<String> {
        lock(&self.open).get(user).cloned().unwrap_or_default()
    }

    /// Ends every session of `user`; how many there were. Idempotent.
    pub fn revoke(&self, user: &str) -> usize {
        let ended = lock(&self.open).remove(user).map_or(0, |s| s.len());
        if ended > 0 {
            lock(&self.revoked).push(user.to_owned());
        }
        ended
    }

    /// The users whose sessions were revoked, in order (one entry per
    /// revocation that ended sessions).
    pub fn revocations(&self) -> Vec<String> {
        lock(&self.revoked).clone()
    }
}

/// Follows a feed and revokes sessions on `deactivated` and `deleted`
/// users, keeping its cursor in the store as the consumer `name`.
pub struct Follower {
    feed: Arc<dyn ChangeFeed>,
    name: String,
    sessions: Arc<Sessions>,
    sign_in_on_create: bool,
}

impl Follower {
    /// A follower named `name` (its cursor is kept under that name).
    pub fn new(
        feed: Arc<dyn ChangeFeed>,
        name: impl Into<String>,
        sessions: Arc<Sessions>,
    ) -> Self {
        Follower {
            feed,
            name: name.into(),
            sessions,
            sign_in_on_create: false,
        }
    }

    /// For the demonstration: each created user "signs in" (gets a
    /// pretend session), so there is something to revoke.
    pub fn with_sign_in_on_create(mut self, on: bool) -> Self {
        self.sign_in_on_create = on;
        self
    }

    /// Where it resumes: the query after its saved cursor.
    async fn query(&self) -> Result<FeedQuery, StoreError> {
        let mut query = FeedQuery::all();
        if let Some(c) = self.feed.consumer(&self.name).await?.and_then(|c| c.cursor) {
            query = query.after(c);
        }
        Ok(query)
    }

    /// Acts on one record, then saves its cursor.
    pub async fn handle(&self, record: &ChangeRecord) -> Result<(), StoreError> {
        if record.resource_type == "User" {
            match record.kind {
                EventKind::Deactivated { .. } | EventKind::Deleted => {
                    let ended = self.sessions.revoke(&record.id);
                    if ended > 0 {
                        println!(
                            "revoked {ended} session(s) of user {} (tenant {}): {}",
                            record.id,
                            record.tenant,
                            record.kind.summary(0)
                        );
                    }
                }
                EventKind::Created if self.sign_in_on_create => {
                    self.sessions
                        .open(&record.id, &format!("session-{}", record.cursor));
                }
                _ => {}
            }
        }
        let consumer = Consumer::new(&self.name).with_cursor(Some(record.cursor.clone()));
        self.feed.save_consumer(&consumer).await
    }

    /// Handles every record after the saved cursor, up to the end of the
    /// feed; how many.
    pub async fn catch_up(&self) -> Result<usize, StoreError> {
        let mut query = self.query().await?;
        let mut handled = 0;
        loop {
            let page = self.feed.read(&query).await?;
            let Some(last) = page.records.last() else {
                return Ok(handled);
            };
            query = query.after(last.cursor.clone());
            for r in &page.records {
                self.handle(r).await?;
                handled += 1;
            }
        }
    }

    /// Follows the feed (woken by commits) until `stop` resolves.
    pub async fn run(&self, stop: impl Future<Output = ()>) -> Result<(), StoreError> {
        let records = scimkit_service::follow(self.feed.clone(), self.query().await?);
        let mut records = std::pin::pin!(records);
        let mut stop = std::pin::pin!(stop);
        loop {
            let next = tokio::select! {
                next = records.next() => next,
                () = &mut stop => return Ok(()),
            };
            match next {
                None => return Ok(()),
                Some(Ok(r)) => self.handle(&r).await?,
                // The stream retries from the same cursor: nothing skipped.
                Some(Err(e)) => eprintln!("cannot read the feed (retrying): {e}"),
            }
        }
    }
}
