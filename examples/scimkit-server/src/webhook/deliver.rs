//! One endpoint's delivery task: follow the tenant's feed from the
//! endpoint's cursor, POST each record (signed), retry with backoff until
//! it is accepted, then persist the cursor. One record at a time, so an
//! endpoint sees its tenant's records in feed order; the cursor is saved
//! only after a record's every message got a 2xx, so it is never ahead of
//! what was delivered (a crash re-sends at most the record in flight:
//! at-least-once).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt as _;
use scimkit_server::standard_webhooks::{
    HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, WebhookSecret,
};
use scimkit_service::{ChangeFeed, ChangeRecord, Consumer, FeedQuery, TenantId};
use tokio::sync::{Semaphore, watch};

use super::backoff::Backoff;
use super::body::{Message, messages};
use super::endpoint::{Endpoint, Status};

/// What every endpoint's task shares.
pub(crate) struct Delivery {
    pub(crate) feed: Arc<dyn ChangeFeed>,
    pub(crate) http: reqwest::Client,
    /// Attempts in flight, over every endpoint (`--webhook-workers`).
    pub(crate) permits: Arc<Semaphore>,
    pub(crate) backoff: Backoff,
    pub(crate) failing_after: u32,
    pub(crate) max_body: usize,
    pub(crate) timeout: Duration,
}

/// Why a task stopped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stopped {
    /// Shutdown.
    Shutdown,
    /// The endpoint was removed.
    Removed,
}

impl Delivery {
    /// Delivers endpoint `name`'s records until shutdown or its removal.
    pub(crate) async fn run(
        self: Arc<Self>,
        name: String,
        mut stop: watch::Receiver<bool>,
    ) -> Stopped {
        let (consumer, endpoint, secret) = match self.load(&name).await {
            Ok(Some(found)) => found,
            Ok(None) => return Stopped::Removed,
            Err(e) => {
                tracing::error!(target: "scimkit_server::webhook", endpoint = name, error = e, "endpoint not delivered");
                return Stopped::Removed;
            }
        };
        let mut ep = EndpointTask {
            name,
            consumer,
            endpoint,
            secret,
        };
        // A restart honours a retry's wait.
        if let Some(at) = ep.endpoint.state.next_attempt {
            let wait = (at - Utc::now()).to_std().unwrap_or_default();
            if sleep_or_stop(wait, &mut stop).await {
                return Stopped::Shutdown;
            }
        }
        let tenant = TenantId::new(&ep.endpoint.tenant);
        let mut query = FeedQuery::tenant(tenant);
        if let Some(c) = ep.consumer.cursor.clone() {
            query = query.after(c);
        }
        let records = scimkit_service::follow(self.feed.clone(), query);
        let mut records = std::pin::pin!(records);
        loop {
            let next = tokio::select! {
                next = records.next() => next,
                _ = stop.changed() => return Stopped::Shutdown,
            };
            match next {
                None => return Stopped::Shutdown,
                Some(Err(e)) => {
                    tracing::warn!(target: "scimkit_server::webhook", endpoint = ep.name, error = %e, "cannot read the feed; retrying");
                }
                Some(Ok(record)) => {
                    if let Some(stopped) = self.deliver(&mut ep, &record, &mut stop).await {
                        return stopped;
                    }
                }
            }
        }
    }

    async fn load(
        &self,
        name: &str,
    ) -> Result<Option<(Consumer, Endpoint, WebhookSecret)>, String> {
        let Some(consumer) = self.feed.consumer(name).await.map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let endpoint = Endpoint::from_data(&consumer.data)?;
        let secret = WebhookSecret::parse(&endpoint.secret).map_err(|e| e.to_string())?;
        Ok(Some((consumer, endpoint, secret)))
    }

    /// Delivers one record (every message of it), retrying until accepted;
    /// then saves the cursor. `Some` when the task must stop.
    async fn deliver(
        &self,
        ep: &mut EndpointTask,
        record: &ChangeRecord,
        stop: &mut watch::Receiver<bool>,
    ) -> Option<Stopped> {
        let json = record.to_json();
        for message in messages(&json, record.cursor.as_str(), self.max_body) {
            loop {
                match self.attempt(ep, &message).await {
                    Ok(()) => break,
                    Err(error) => {
                        let st = &mut ep.endpoint.state;
                        st.failures = st.failures.saturating_add(1);
                        let delay = self.backoff.delay(st.failures, &mut rand::thread_rng());
                        if st.failures >= self.failing_after && st.status != Status::Failing {
                            tracing::warn!(target: "scimkit_server::webhook", endpoint = ep.name, failures = st.failures, error, "endpoint failing");
                            st.status = Status::Failing;
                        }
                        st.last_error = Some(error);
                        st.last_error_at = Some(Utc::now());
                        st.next_attempt = chrono::Duration::from_std(delay)
                            .ok()
                            .and_then(|d| Utc::now().checked_add_signed(d));
                        if let Some(s) = self.save(ep).await {
                            return Some(s);
                        }
                        if sleep_or_stop(delay, stop).await {
                            return Some(Stopped::Shutdown);
                        }
                    }
                }
            }
        }
        let st = &mut ep.endpoint.state;
        if st.status == Status::Failing {
            tracing::info!(target: "scimkit_server::webhook", endpoint = ep.name, "endpoint recovered");
        }
        st.status = Status::Ok;
        st.failures = 0;
        st.next_attempt = None;
        ep.consumer.cursor = Some(record.cursor.clone());
        self.save(ep).await
    }

    /// One POST of one message.
    async fn attempt(&self, ep: &EndpointTask, message: &Message) -> Result<(), String> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| "shutting down".to_owned())?;
        let now = Utc::now().timestamp();
        let signature = ep.secret.sign(&message.id, now, &message.body);
        let sent = self
            .http
            .post(&ep.endpoint.url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(HEADER_ID, &message.id)
            .header(HEADER_TIMESTAMP, now.to_string())
            .header(HEADER_SIGNATURE, signature)
            .body(message.body.clone())
            .send()
            .await;
        match sent {
            Ok(resp) if resp.status().is_success() => Ok(()),
            Ok(resp) => Err(format!("HTTP {}", resp.status().as_u16())),
            Err(e) if e.is_timeout() => Err(format!("timed out after {:?}", self.timeout)),
            Err(e) if e.is_connect() => Err(format!("cannot connect: {}", root_cause(&e))),
            Err(e) => Err(root_cause(&e)),
        }
    }

    /// Saves the endpoint's cursor and state, unless it was removed
    /// meanwhile (`Some(Removed)`: the task stops).
    async fn save(&self, ep: &mut EndpointTask) -> Option<Stopped> {
        match self.feed.consumer(&ep.name).await {
            Ok(None) => return Some(Stopped::Removed),
            Ok(Some(_)) => {}
            Err(e) => {
                tracing::warn!(target: "scimkit_server::webhook", endpoint = ep.name, error = %e, "cannot read the endpoint");
            }
        }
        ep.consumer.data = ep.endpoint.to_data();
        if let Err(e) = self.feed.save_consumer(&ep.consumer).await {
            // The cursor stays behind: the record is sent again later
            // (at-least-once), never skipped.
            tracing::warn!(target: "scimkit_server::webhook", endpoint = ep.name, error = %e, "cannot save the endpoint's cursor");
        }
        None
    }
}

/// The state of one endpoint's task.
struct EndpointTask {
    name: String,
    consumer: Consumer,
    endpoint: Endpoint,
    secret: WebhookSecret,
}

/// Sleeps; `true` when shutdown came first.
async fn sleep_or_stop(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        () = tokio::time::sleep(d) => false,
        _ = stop.changed() => true,
    }
}

/// The innermost error's text (reqwest's own is "error sending request").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
