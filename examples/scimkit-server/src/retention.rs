//! The feed's retention inside `serve`: every `--feed-prune-every`, records
//! older than `--feed-retention-days` or beyond the newest
//! `--feed-retention-records` of a tenant are deleted.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use scimkit_service::feed::{DEFAULT_RETENTION_AGE, DEFAULT_RETENTION_RECORDS};
use scimkit_service::{ChangeFeed, Retention};
use tokio::sync::watch;

/// How often the feed is pruned.
pub(crate) const DEFAULT_PRUNE_EVERY: Duration = Duration::from_secs(600);

/// `--feed-retention-*`.
#[derive(Debug, Args)]
pub(crate) struct RetentionArgs {
    /// Feed records older than this many days are deleted (`0`: kept
    /// whatever their age). A reader or webhook endpoint away longer than
    /// this misses what was pruned.
    #[arg(long, global = true, env = "SCIMKIT_FEED_RETENTION_DAYS", default_value_t = DEFAULT_RETENTION_AGE.as_secs() / 86_400)]
    pub(crate) feed_retention_days: u64,

    /// Each tenant keeps at most this many feed records, the newest (`0`:
    /// no cap).
    #[arg(long, global = true, env = "SCIMKIT_FEED_RETENTION_RECORDS", default_value_t = DEFAULT_RETENTION_RECORDS)]
    pub(crate) feed_retention_records: u64,

    /// Keep each created or replaced resource in its feed record (the
    /// `resource` field of `events` lines and webhook bodies). Off: the
    /// feed holds no attribute values.
    #[arg(long, global = true, env = "SCIMKIT_FEED_KEEP_RESOURCES")]
    pub(crate) feed_keep_resources: bool,

    /// The most feed records one database read returns (`events`, each
    /// webhook endpoint, readers in this process).
    #[arg(long, global = true, env = "SCIMKIT_FEED_PAGE", default_value_t = scimkit_service::DEFAULT_FEED_PAGE, value_parser = parse_page)]
    pub(crate) feed_page: usize,

    /// How often `serve` prunes the feed (e.g. `10m`) [default: 10m].
    #[arg(long, global = true, env = "SCIMKIT_FEED_PRUNE_EVERY", value_parser = crate::cli::parse_interval)]
    pub(crate) feed_prune_every: Option<Duration>,
}

/// `--feed-page`: a whole number, at least 1.
fn parse_page(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{s:?}: a page holds at least 1 record")),
    }
}

impl RetentionArgs {
    /// `--feed-prune-every`.
    pub(crate) fn prune_every(&self) -> Duration {
        self.feed_prune_every.unwrap_or(DEFAULT_PRUNE_EVERY)
    }

    /// The retention these flags ask for.
    pub(crate) fn retention(&self) -> Retention {
        let age = (self.feed_retention_days > 0)
            .then(|| Duration::from_secs(self.feed_retention_days.saturating_mul(86_400)));
        let records = (self.feed_retention_records > 0).then_some(self.feed_retention_records);
        Retention::forever()
            .with_max_age(age)
            .with_max_records_per_tenant(records)
    }
}

/// Prunes now and then every `every`, until `stop`.
pub(crate) async fn run(
    feed: Arc<dyn ChangeFeed>,
    retention: Retention,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match feed.prune(&retention).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(records = n, "pruned the change feed"),
            Err(e) => tracing::warn!(error = %e, "cannot prune the change feed"),
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use clap::Parser as _;

    use crate::cli::Cli;

    #[test]
    fn retention_flags() {
        let d = Cli::try_parse_from(["scimkit-server"])
            .unwrap()
            .global
            .retention;
        let r = d.retention();
        assert_eq!(
            r.max_age,
            Some(scimkit_service::feed::DEFAULT_RETENTION_AGE)
        );
        assert_eq!(
            r.max_records_per_tenant,
            Some(scimkit_service::feed::DEFAULT_RETENTION_RECORDS)
        );
        assert_eq!(d.prune_every(), super::DEFAULT_PRUNE_EVERY);
        assert_eq!(d.feed_page, scimkit_service::DEFAULT_FEED_PAGE);
        assert!(!d.feed_keep_resources);
        let p = Cli::try_parse_from([
            "scimkit-server",
            "--feed-page",
            "1",
            "--feed-keep-resources",
        ])
        .unwrap()
        .global
        .retention;
        assert_eq!(p.feed_page, 1);
        assert!(p.feed_keep_resources);
        assert!(Cli::try_parse_from(["scimkit-server", "--feed-page", "0"]).is_err());
        let c = Cli::try_parse_from([
            "scimkit-server",
            "--feed-retention-days",
            "0",
            "--feed-retention-records",
            "5",
            "--feed-prune-every",
            "1s",
        ])
        .unwrap()
        .global
        .retention;
        let r = c.retention();
        assert_eq!(r.max_age, None);
        assert_eq!(r.max_records_per_tenant, Some(5));
        assert_eq!(c.prune_every(), Duration::from_secs(1));
        let r = Cli::try_parse_from(["scimkit-server", "--feed-retention-days", "1"])
            .unwrap()
            .global
            .retention
            .retention();
        assert_eq!(r.max_age, Some(Duration::from_secs(86_400)));
    }
}
