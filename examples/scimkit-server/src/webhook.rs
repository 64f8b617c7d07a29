//! Webhooks: `webhook add | list | remove`, and their delivery inside
//! `serve`.
//!
//! An endpoint is a feed consumer named `webhook:{id}` (see
//! [`endpoint`]), so endpoints, their cursors and their delivery state live
//! in the database. `serve` runs one task per endpoint ([`deliver`]), all
//! sharing `--webhook-workers` attempts in flight, started and stopped as
//! endpoints are added and removed (looked for every `--webhook-rescan`).
//! Deliveries follow the Standard Webhooks specification
//! ([`scimkit_server::standard_webhooks`]).

pub(crate) mod backoff;
mod body;
mod deliver;
mod endpoint;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use scimkit_server::standard_webhooks::WebhookSecret;
use scimkit_service::{ChangeFeed, Consumer};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::cli::WebhookArgs;

use self::deliver::Delivery;
pub(crate) use self::endpoint::check_url;
use self::endpoint::{DeliveryState, Endpoint, consumer_name, endpoint_id};

/// `webhook add`: stores a new endpoint for `tenant` (which the caller
/// checked exists) and returns its id and signing secret.
pub(crate) async fn add(
    feed: &dyn ChangeFeed,
    args: &WebhookArgs,
    tenant: &str,
    url: &str,
) -> Result<(String, String), String> {
    let url = check_url(url)?;
    let existing = endpoints(feed)
        .await?
        .into_iter()
        .filter(|(_, _, e)| e.tenant == tenant)
        .count();
    if existing >= args.webhook_max_per_tenant {
        return Err(format!(
            "tenant {tenant} already has {existing} webhook endpoints, the most allowed \
             (--webhook-max-per-tenant {}); remove one first",
            args.webhook_max_per_tenant
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let secret = WebhookSecret::generate().to_text();
    let endpoint = Endpoint {
        tenant: tenant.to_owned(),
        url: url.to_string(),
        secret: secret.clone(),
        state: DeliveryState::default(),
    };
    // New endpoints start at the end of the feed: they receive what
    // changes from now on, not the tenant's history.
    let head = feed_head(feed, tenant).await?;
    let consumer = Consumer::new(consumer_name(&id))
        .with_cursor(head)
        .with_data(endpoint.to_data());
    feed.save_consumer(&consumer)
        .await
        .map_err(|e| format!("cannot save the endpoint: {e}"))?;
    Ok((id, secret))
}

/// The cursor of the tenant's newest record, if any.
async fn feed_head(
    feed: &dyn ChangeFeed,
    tenant: &str,
) -> Result<Option<scimkit_service::Cursor>, String> {
    let mut query = scimkit_service::FeedQuery::tenant(scimkit_service::TenantId::new(tenant));
    let mut head = None;
    loop {
        if let Some(c) = head.clone() {
            query = query.after(c);
        }
        let page = feed
            .read(&query)
            .await
            .map_err(|e| format!("cannot read the feed: {e}"))?;
        if page.records.is_empty() {
            return Ok(head);
        }
        head = page.records.last().map(|r| r.cursor.clone());
    }
}

/// Every endpoint: (id, consumer, data).
async fn endpoints(feed: &dyn ChangeFeed) -> Result<Vec<(String, Consumer, Endpoint)>, String> {
    let consumers = feed
        .consumers()
        .await
        .map_err(|e| format!("cannot read the webhook endpoints: {e}"))?;
    let mut out = Vec::new();
    for c in consumers {
        let Some(id) = endpoint_id(&c.name).map(str::to_owned) else {
            continue;
        };
        match Endpoint::from_data(&c.data) {
            Ok(e) => out.push((id, c, e)),
            Err(e) => tracing::warn!(endpoint = id, error = e, "skipping an unreadable endpoint"),
        }
    }
    Ok(out)
}

/// `webhook list`.
pub(crate) async fn list_text(feed: &dyn ChangeFeed) -> Result<String, String> {
    let all = endpoints(feed).await?;
    if all.is_empty() {
        return Ok(
            "No webhook endpoints. Add one with `scimkit-server webhook add --tenant ID --url URL`.\n"
                .to_owned(),
        );
    }
    let mut out = String::new();
    let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    for (id, c, e) in all {
        let st = &e.state;
        let _ = writeln!(
            out,
            "{id}  {status}\n    tenant:       {tenant}\n    url:          {url}\n    cursor:       {cursor}\n    failures:     {failures}\n    last error:   {error}\n    next attempt: {next}",
            status = st.status.as_str(),
            tenant = e.tenant,
            url = e.url,
            cursor = c.cursor.as_ref().map_or("-", |c| c.as_str()),
            failures = st.failures,
            error = match (&st.last_error, st.last_error_at) {
                (Some(err), Some(at)) => format!("{err} (at {})", time(at)),
                (Some(err), None) => err.clone(),
                _ => "-".to_owned(),
            },
            next = st.next_attempt.map_or_else(|| "-".to_owned(), time),
        );
    }
    Ok(out)
}

/// `webhook remove ID`: `false` when there is no such endpoint.
pub(crate) async fn remove(feed: &dyn ChangeFeed, id: &str) -> Result<bool, String> {
    feed.remove_consumer(&consumer_name(id))
        .await
        .map_err(|e| format!("cannot remove endpoint {id}: {e}"))
}

/// Delivery running inside `serve`.
pub(crate) struct Deliveries {
    stop: watch::Sender<bool>,
    supervisor: tokio::task::JoinHandle<()>,
    grace: Duration,
}

/// Starts delivering to every endpoint (none when `--webhook-workers 0`).
pub(crate) fn start(
    feed: Arc<dyn ChangeFeed>,
    args: &WebhookArgs,
    metrics: Option<crate::metrics::Metrics>,
) -> Result<Option<Deliveries>, String> {
    if args.webhook_workers == 0 {
        tracing::info!("--webhook-workers 0: this process delivers no webhooks");
        return Ok(None);
    }
    let http = reqwest::Client::builder()
        .timeout(args.timeout())
        .connect_timeout(args.timeout())
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "scimkit-server/",
            env!("CARGO_PKG_VERSION"),
            " webhooks"
        ))
        .build()
        .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?;
    let delivery = Arc::new(Delivery {
        feed,
        http,
        permits: Arc::new(Semaphore::new(args.webhook_workers)),
        backoff: args.backoff(),
        failing_after: args.webhook_failing_after,
        max_body: args.webhook_max_body,
        timeout: args.timeout(),
    });
    let (stop, stopped) = watch::channel(false);
    let supervisor = tokio::spawn(supervise(delivery, stopped, args.rescan(), metrics));
    Ok(Some(Deliveries {
        stop,
        supervisor,
        grace: args.timeout() + Duration::from_secs(1),
    }))
}

impl Deliveries {
    /// Stops every task: attempts in flight get up to the attempt timeout
    /// to finish (their cursor is saved when they succeed), then are cut.
    pub(crate) async fn shutdown(self) {
        let _ = self.stop.send(true);
        let abort = self.supervisor.abort_handle();
        if tokio::time::timeout(self.grace, self.supervisor)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

/// Starts a task per endpoint and stops the tasks of removed ones, every
/// `rescan`, until shutdown.
/// The most records counted for one consumer's backlog gauge (one feed
/// read): a longer backlog shows as this many.
pub(crate) const BACKLOG_COUNTED: usize = 1000;

/// Sets each durable consumer's `scim_feed_backlog` gauge (the records
/// after its saved cursor: its tenant's for a webhook endpoint, which also
/// sets `scim_webhook_backlog`, every tenant's for any other consumer),
/// counted up to [`BACKLOG_COUNTED`] with one bounded feed read.
async fn measure_backlog(
    feed: &dyn ChangeFeed,
    metrics: &crate::metrics::Metrics,
    consumers: &[Consumer],
) {
    for c in consumers {
        let webhook = endpoint_id(&c.name).is_some();
        let query = if webhook {
            let Ok(ep) = Endpoint::from_data(&c.data) else {
                continue;
            };
            scimkit_service::FeedQuery::tenant(scimkit_service::TenantId::new(&ep.tenant))
        } else {
            scimkit_service::FeedQuery::all()
        };
        let mut query = query.limit(BACKLOG_COUNTED);
        if let Some(cursor) = c.cursor.clone() {
            query = query.after(cursor);
        }
        if let Ok(page) = feed.read(&query).await {
            let n = page.records.len() as u64;
            metrics.set_feed_backlog(&c.name, n);
            if webhook {
                metrics.set_webhook_backlog(&c.name, n);
            }
        }
    }
}

async fn supervise(
    delivery: Arc<Delivery>,
    mut stop: watch::Receiver<bool>,
    rescan: Duration,
    metrics: Option<crate::metrics::Metrics>,
) {
    let mut tasks = JoinSet::new();
    let mut running: BTreeMap<String, tokio::task::AbortHandle> = BTreeMap::new();
    loop {
        match delivery.feed.consumers().await {
            Ok(consumers) => {
                if let Some(m) = &metrics {
                    measure_backlog(delivery.feed.as_ref(), m, &consumers).await;
                }
                let names: Vec<String> = consumers
                    .into_iter()
                    .map(|c| c.name)
                    .filter(|n| endpoint_id(n).is_some())
                    .collect();
                running.retain(|name, task| {
                    let keep = names.contains(name) && !task.is_finished();
                    if !keep {
                        task.abort();
                    }
                    keep
                });
                for name in names {
                    if let std::collections::btree_map::Entry::Vacant(slot) = running.entry(name) {
                        let name = slot.key().clone();
                        tracing::info!(target: "scimkit_server::webhook", endpoint = name, "delivering");
                        slot.insert(tasks.spawn(delivery.clone().run(name, stop.clone())));
                    }
                }
            }
            Err(e) => {
                tracing::warn!(target: "scimkit_server::webhook", error = %e, "cannot read the webhook endpoints")
            }
        }
        // Reap finished tasks.
        while tasks.try_join_next().is_some() {}
        tokio::select! {
            () = tokio::time::sleep(rescan) => {}
            _ = stop.changed() => break,
        }
    }
    while tasks.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests;
