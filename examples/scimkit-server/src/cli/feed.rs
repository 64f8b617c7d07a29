//! The flags and subcommands of the change feed: `events`, `webhook …`,
//! and the limits of webhook delivery inside `serve`.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};

use crate::webhook::backoff::{Backoff, DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_CAP};

/// How long one delivery attempt may take (connect, send, answer) before
/// it counts as failed.
pub(crate) const DEFAULT_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries in flight at once, over every endpoint.
pub(crate) const DEFAULT_WEBHOOK_WORKERS: usize = 8;
/// Consecutive failures after which an endpoint is shown `failing`.
pub(crate) const DEFAULT_WEBHOOK_FAILING_AFTER: u32 = 8;
/// Endpoints one tenant may have.
pub(crate) const DEFAULT_WEBHOOK_MAX_PER_TENANT: usize = 10;
/// The largest request body of one delivery; a larger record is sent
/// without its `resource`, and a membership record split into several
/// messages.
pub(crate) const DEFAULT_WEBHOOK_MAX_BODY: usize = 1024 * 1024;
/// How often `serve` looks for endpoints added or removed by `webhook add`
/// / `remove` (possibly from another process).
pub(crate) const DEFAULT_WEBHOOK_RESCAN: Duration = Duration::from_secs(5);

/// Webhook delivery in `serve`, and `webhook add`'s limit.
#[derive(Debug, Args)]
pub(crate) struct WebhookArgs {
    /// Webhook deliveries in flight at once, over every endpoint; `0`: this
    /// process delivers nothing (let one server of several deliver).
    #[arg(long, global = true, env = "SCIMKIT_WEBHOOK_WORKERS", default_value_t = DEFAULT_WEBHOOK_WORKERS)]
    pub(crate) webhook_workers: usize,

    /// How long one delivery attempt may take before it counts as failed
    /// (e.g. `10s`, `500ms`) [default: 10s].
    #[arg(long, global = true, env = "SCIMKIT_WEBHOOK_TIMEOUT", value_parser = parse_interval)]
    pub(crate) webhook_timeout: Option<Duration>,

    /// The wait before the first retry of a failed delivery; it doubles with
    /// each failure (full jitter) up to `--webhook-backoff-cap` [default: 5s].
    #[arg(long, global = true, env = "SCIMKIT_WEBHOOK_BACKOFF_BASE", value_parser = parse_interval)]
    pub(crate) webhook_backoff_base: Option<Duration>,

    /// The longest wait between two attempts (e.g. `1h`); a failing
    /// endpoint is retried at this pace until it answers [default: 1h].
    #[arg(long, global = true, env = "SCIMKIT_WEBHOOK_BACKOFF_CAP", value_parser = parse_interval)]
    pub(crate) webhook_backoff_cap: Option<Duration>,

    /// Consecutive failed attempts after which `webhook list` shows an
    /// endpoint `failing` (it is still retried; one success makes it `ok`).
    #[arg(long, global = true, env = "SCIMKIT_WEBHOOK_FAILING_AFTER", default_value_t = DEFAULT_WEBHOOK_FAILING_AFTER, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) webhook_failing_after: u32,

    /// The most webhook endpoints one tenant may have (`webhook add`).
    #[arg(long, global = true, env = "SCIMKIT_WEBHOOK_MAX_PER_TENANT", default_value_t = DEFAULT_WEBHOOK_MAX_PER_TENANT)]
    pub(crate) webhook_max_per_tenant: usize,

    /// The largest body of one delivery, in bytes. A larger record is sent
    /// without `resource`; a membership change still larger is split into
    /// several messages of at most this size.
    #[arg(long, global = true, env = "SCIMKIT_WEBHOOK_MAX_BODY", default_value_t = DEFAULT_WEBHOOK_MAX_BODY, value_parser = parse_max_body)]
    pub(crate) webhook_max_body: usize,

    /// How often `serve` looks for endpoints added or removed
    /// [default: 5s].
    #[arg(long, global = true, env = "SCIMKIT_WEBHOOK_RESCAN", value_parser = parse_interval)]
    pub(crate) webhook_rescan: Option<Duration>,
}

impl WebhookArgs {
    /// `--webhook-timeout`.
    pub(crate) fn timeout(&self) -> Duration {
        self.webhook_timeout.unwrap_or(DEFAULT_WEBHOOK_TIMEOUT)
    }

    /// `--webhook-backoff-base` and `--webhook-backoff-cap` (a cap below
    /// the base is the base).
    pub(crate) fn backoff(&self) -> Backoff {
        let base = self.webhook_backoff_base.unwrap_or(DEFAULT_BACKOFF_BASE);
        let cap = self.webhook_backoff_cap.unwrap_or(DEFAULT_BACKOFF_CAP);
        Backoff {
            base,
            cap: cap.max(base),
        }
    }

    /// `--webhook-rescan`.
    pub(crate) fn rescan(&self) -> Duration {
        self.webhook_rescan.unwrap_or(DEFAULT_WEBHOOK_RESCAN)
    }
}

/// The smallest `--webhook-max-body`: a record without its resource and
/// one member id must fit.
pub(crate) const MIN_WEBHOOK_MAX_BODY: usize = 1024;

fn parse_max_body(s: &str) -> Result<usize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of bytes"))?;
    if n < MIN_WEBHOOK_MAX_BODY {
        return Err(format!(
            "{n} bytes is below the smallest body, {MIN_WEBHOOK_MAX_BODY} bytes"
        ));
    }
    Ok(n)
}

/// `500ms`, `10s`, `2m`, `1h`: a positive whole number and a unit.
pub(crate) fn parse_interval(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 500ms, 10s, 2m or 1h"))?;
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(format!("{s:?}: the unit must be ms, s, m or h (e.g. 10s)")),
    };
    let ms = n
        .checked_mul(unit_ms)
        .ok_or_else(|| format!("{s:?} is too long"))?;
    if ms == 0 {
        return Err(format!("{s:?}: a duration must be positive"));
    }
    Ok(Duration::from_millis(ms))
}

/// `events …`.
#[derive(Debug, Args)]
pub(crate) struct EventsArgs {
    /// Only this tenant's records (its id, from `tenant list`).
    #[arg(long)]
    pub(crate) tenant: Option<String>,
    /// Start after this cursor (the `cursor` of the last record seen);
    /// without it, from the oldest record kept.
    #[arg(long)]
    pub(crate) after: Option<String>,
    /// Keep printing records as they are committed, until SIGINT or SIGTERM.
    #[arg(long)]
    pub(crate) follow: bool,
    /// `text` (one readable line a record) or `jsonl` (one JSON object a
    /// line, the webhook body).
    #[arg(long, value_enum, default_value_t = EventsFormat::Text)]
    pub(crate) format: EventsFormat,
}

/// `events --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EventsFormat {
    /// A readable line a record.
    Text,
    /// One JSON object a line.
    Jsonl,
}

/// `webhook …`.
#[derive(Debug, Subcommand)]
pub(crate) enum WebhookCommand {
    /// Adds an endpoint that receives every change of a tenant, signed
    /// (Standard Webhooks); prints its signing secret, once.
    Add {
        /// The tenant whose changes are sent (its id, from `tenant list`).
        #[arg(long)]
        tenant: String,
        /// Where to POST them: an `http://` or `https://` URL.
        #[arg(long)]
        url: String,
    },
    /// Lists the endpoints: id, tenant, URL, status (`ok` / `failing`),
    /// cursor, last error, next attempt. Never secrets.
    List,
    /// Removes an endpoint; nothing more is sent to it.
    Remove {
        /// The endpoint's id (from `webhook list`).
        id: String,
    },
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use std::time::Duration;

    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    #[test]
    fn intervals() {
        let cases: &[(&str, Option<u64>)] = &[
            ("500ms", Some(500)),
            ("10s", Some(10_000)),
            ("2m", Some(120_000)),
            ("1h", Some(3_600_000)),
            ("0s", None),
            ("10", None),
            ("1d", None),
            ("-1s", None),
            ("99999999999999999999h", None),
            ("18446744073709551615h", None),
        ];
        for (s, want) in cases {
            assert_eq!(
                parse_interval(s).ok(),
                want.map(Duration::from_millis),
                "{s}"
            );
        }
    }

    /// Every webhook limit: its default, and its flag.
    #[test]
    fn webhook_flags_have_defaults_and_change() {
        let d = Cli::try_parse_from(["scimkit-server"])
            .unwrap()
            .global
            .webhooks;
        assert_eq!(d.webhook_workers, DEFAULT_WEBHOOK_WORKERS);
        assert_eq!(d.timeout(), DEFAULT_WEBHOOK_TIMEOUT);
        assert_eq!(d.backoff().base, DEFAULT_BACKOFF_BASE);
        assert_eq!(d.backoff().cap, DEFAULT_BACKOFF_CAP);
        assert_eq!(d.webhook_failing_after, DEFAULT_WEBHOOK_FAILING_AFTER);
        assert_eq!(d.webhook_max_per_tenant, DEFAULT_WEBHOOK_MAX_PER_TENANT);
        assert_eq!(d.webhook_max_body, DEFAULT_WEBHOOK_MAX_BODY);
        assert_eq!(d.rescan(), DEFAULT_WEBHOOK_RESCAN);
        let c = Cli::try_parse_from([
            "scimkit-server",
            "--webhook-workers",
            "0",
            "--webhook-timeout",
            "250ms",
            "--webhook-backoff-base",
            "100ms",
            "--webhook-backoff-cap",
            "2s",
            "--webhook-failing-after",
            "3",
            "--webhook-max-per-tenant",
            "1",
            "--webhook-max-body",
            "1024",
            "--webhook-rescan",
            "200ms",
        ])
        .unwrap()
        .global
        .webhooks;
        assert_eq!(c.webhook_workers, 0);
        assert_eq!(c.timeout(), Duration::from_millis(250));
        assert_eq!(c.backoff().base, Duration::from_millis(100));
        assert_eq!(c.backoff().cap, Duration::from_secs(2));
        assert_eq!(c.webhook_failing_after, 3);
        assert_eq!(c.webhook_max_per_tenant, 1);
        assert_eq!(c.webhook_max_body, MIN_WEBHOOK_MAX_BODY);
        assert_eq!(c.rescan(), Duration::from_millis(200));
        // Below the edges.
        for bad in [
            ["--webhook-max-body", "1023"],
            ["--webhook-failing-after", "0"],
            ["--webhook-timeout", "0s"],
        ] {
            let args = ["scimkit-server", bad[0], bad[1]];
            assert!(Cli::try_parse_from(args).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn events_and_webhook_commands_parse() {
        let c = Cli::try_parse_from([
            "scimkit-server",
            "events",
            "--tenant",
            "t1",
            "--after",
            "00ff",
            "--follow",
            "--format",
            "jsonl",
        ])
        .unwrap();
        let Some(Command::Events(e)) = c.command else {
            panic!("not the events command")
        };
        assert_eq!(e.tenant.as_deref(), Some("t1"));
        assert_eq!(e.after.as_deref(), Some("00ff"));
        assert!(e.follow);
        assert_eq!(e.format, EventsFormat::Jsonl);
        let c = Cli::try_parse_from([
            "scimkit-server",
            "webhook",
            "add",
            "--tenant",
            "t1",
            "--url",
            "https://h/x",
        ])
        .unwrap();
        assert!(matches!(
            c.command,
            Some(Command::Webhook(WebhookCommand::Add { .. }))
        ));
        assert!(
            Cli::try_parse_from(["scimkit-server", "webhook", "add", "--tenant", "t"]).is_err()
        );
    }
}
