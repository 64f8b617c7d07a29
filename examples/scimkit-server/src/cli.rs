//! The command line: `serve` (the default), `tenant …`, `events` and
//! `webhook …`.

mod feed;

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use scimkit_schema::Profile;

pub(crate) use self::feed::{
    EventsArgs, EventsFormat, WebhookArgs, WebhookCommand, parse_interval,
};

/// An Entra ID- and Okta-ready SCIM 2.0 server (RFC 7643/7644).
///
/// Each tenant (customer) gets its own Tenant URL and Secret Token, the two
/// values an admin pastes into an identity provider's provisioning settings.
/// On first start, with no tenant in the database, one is created and both
/// values are printed.
#[derive(Debug, Parser)]
#[command(name = "scimkit-server", version, after_help = EXAMPLES)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

const EXAMPLES: &str = "\
Examples:
  scimkit-server                                   serve on 127.0.0.1:8080 with ./scimkit.db
  scimkit-server --base-url https://scim.example.com --bind 0.0.0.0:8080
  scimkit-server --database-url postgres://scim@db.internal/scim --profile entra
  scimkit-server tenant add \"Contoso\"               prints the new tenant's URL and token
  scimkit-server tenant rotate-token 3f2a…          prints a new token; the old one stops working
  scimkit-server tenant rotate-token 3f2a… --keep-old-for 1h   the old one works one more hour
  scimkit-server events --tenant 3f2a… --follow --format jsonl  every change, as it commits
  scimkit-server webhook add --tenant 3f2a… --url https://app.example.com/hooks/scim
  scimkit-server admin reset-password              prints a new password for the console at /admin
  RUST_LOG=debug scimkit-server --log-bodies       debug an integration (tokens are redacted)";

/// Options shared by every subcommand.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Where resources and tenants live: a SQLite file (`./scimkit.db`,
    /// `sqlite://path/to.db`; created when missing, WAL mode) or PostgreSQL
    /// (`postgres://user:password@host:5432/database`).
    #[arg(
        long,
        global = true,
        env = "SCIMKIT_DATABASE_URL",
        default_value = "sqlite://scimkit.db"
    )]
    pub(crate) database_url: String,

    /// The address to listen on, e.g. `0.0.0.0:8080` to accept connections
    /// from other machines; port 0 picks a free port (the bound address is
    /// printed as `Listening on http://…`).
    #[arg(
        long,
        global = true,
        env = "SCIMKIT_BIND",
        default_value = "127.0.0.1:8080"
    )]
    pub(crate) bind: SocketAddr,

    /// The public origin clients reach this server at, when it differs from
    /// `--bind` (behind a tunnel or reverse proxy), e.g.
    /// `https://scim.example.com`. Used in printed Tenant URLs, `Location`
    /// headers and `meta.location`. Without it, the bound address is used
    /// (never a client's `Host` header, unless `--trust-host-header`).
    #[arg(long, global = true, env = "SCIMKIT_BASE_URL")]
    pub(crate) base_url: Option<String>,

    /// Build `Location` and `meta.location` from each request's `Host`
    /// header instead of `--base-url` or the bound address. Only behind a
    /// proxy that sets `Host` itself: otherwise any client chooses the URLs
    /// the server hands out.
    #[arg(long, global = true, env = "SCIMKIT_TRUST_HOST_HEADER")]
    pub(crate) trust_host_header: bool,

    /// Build `Location` and `meta.location` from `X-Forwarded-Proto` and
    /// `X-Forwarded-Host` (falling back to `Host`). Only behind a reverse
    /// proxy that sets (and overwrites) them.
    #[arg(long, global = true, env = "SCIMKIT_TRUST_FORWARDED_HEADERS")]
    pub(crate) trust_forwarded_headers: bool,

    #[command(flatten)]
    pub(crate) limits: ServeLimits,

    /// Which leniencies are on: `strict` (RFC 7643/7644 to the letter),
    /// `interoperable` (everything Entra ID and Okta are known to send),
    /// `entra` or `okta` (exactly what that IdP needs).
    #[arg(long, global = true, env = "SCIMKIT_PROFILE", value_enum, default_value_t = ProfileArg::Interoperable)]
    pub(crate) profile: ProfileArg,

    /// Log format: `text` for people, `json` (one object a line) for log
    /// collectors. The level comes from `RUST_LOG` (default `info`; e.g.
    /// `RUST_LOG=scimkit_service=debug,info`).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub(crate) log_format: LogFormat,

    /// Also log request and response bodies, query strings and request
    /// headers. Credentials are always redacted (`Authorization`, `Cookie`,
    /// `X-Api-Key` and other credential headers, `access_token`-like query
    /// parameters, `password` and every other `returned: never` attribute).
    /// For debugging an integration; bodies hold personal data.
    #[arg(long, global = true)]
    pub(crate) log_bodies: bool,

    /// The newest request-log entries kept per tenant (the provisioning log
    /// the console shows; older ones are deleted as new ones arrive). `0`
    /// keeps no log: every request then costs no write (see
    /// docs/BENCHMARKS.md for what the log costs under load).
    #[arg(long, global = true, default_value_t = scimkit_sql::DEFAULT_REQUEST_LOG_MAX_ENTRIES)]
    pub(crate) request_log_max_entries: u64,

    /// Serve Prometheus metrics at `/metrics` on this separate address
    /// (e.g. `127.0.0.1:9090`).
    #[arg(long, global = true, env = "SCIMKIT_METRICS_BIND")]
    pub(crate) metrics_bind: Option<SocketAddr>,

    /// Serve `/metrics` on the public port too, behind the console's admin
    /// credential (`404` while there is no console).
    #[arg(long, global = true)]
    pub(crate) metrics_public: bool,

    /// How many member ids an audit line of a group membership change shows
    /// (the count is always shown).
    #[arg(long, global = true, env = "SCIMKIT_LOG_MEMBER_IDS", default_value_t = scimkit_service::DEFAULT_LOGGED_MEMBER_IDS)]
    pub(crate) log_member_ids: usize,

    /// How passwords are stored.
    #[command(flatten)]
    pub(crate) passwords: PasswordArgs,

    #[command(flatten)]
    pub(crate) auth: crate::auth::AuthArgs,

    /// Webhook delivery and its limits.
    #[command(flatten)]
    pub(crate) webhooks: WebhookArgs,

    /// How long the change feed keeps records.
    #[command(flatten)]
    pub(crate) retention: crate::retention::RetentionArgs,
    #[command(flatten)]
    pub(crate) console: crate::console::ConsoleArgs,
    /// The most operations one PATCH request may hold; beyond, the request
    /// is answered `413` before any of it is applied.
    #[arg(long, global = true, env = "SCIMKIT_PATCH_MAX_OPERATIONS",
          default_value_t = scimkit_schema::patch::DEFAULT_MAX_PATCH_OPERATIONS)]
    pub(crate) patch_max_operations: usize,

    /// The most values one PATCH operation may carry (e.g. members added at
    /// once); beyond, `400 tooMany` before any of the request is applied.
    #[arg(long, global = true, env = "SCIMKIT_PATCH_MAX_VALUES",
          default_value_t = scimkit_schema::patch::DEFAULT_MAX_PATCH_VALUES_PER_OPERATION)]
    pub(crate) patch_max_values: usize,
    /// The most resources one list request may examine in memory (a filter
    /// or sort the database cannot do); beyond it the request fails with
    /// `400 tooMany`.
    #[arg(long, global = true, env = "SCIMKIT_MAX_LIST_SCAN", default_value_t = scimkit_service::DEFAULT_MAX_LIST_SCAN)]
    pub(crate) max_list_scan: u64,

    /// How many times one PUT, PATCH or DELETE is attempted while other
    /// writers keep changing the same resource; then `409`.
    #[arg(long, global = true, env = "SCIMKIT_WRITE_RETRIES", default_value_t = scimkit_service::DEFAULT_WRITE_RETRIES)]
    pub(crate) write_retries: usize,

    /// The most database connections open at once: SQLite reader
    /// connections (default 4) or the PostgreSQL pool (default 16).
    #[arg(long, global = true, env = "SCIMKIT_DB_CONNECTIONS")]
    pub(crate) db_connections: Option<u32>,

    /// How long, in milliseconds, a request waits for a free database
    /// connection before it fails with `503`.
    #[arg(long, global = true, env = "SCIMKIT_DB_WAIT_MS", default_value_t = duration_ms(scimkit_sql::DEFAULT_READER_WAIT))]
    pub(crate) db_wait_ms: u64,

    /// How long, in milliseconds, one database query may run before it is
    /// stopped and the request fails with `503`.
    #[arg(long, global = true, env = "SCIMKIT_QUERY_TIMEOUT_MS", default_value_t = duration_ms(scimkit_sql::DEFAULT_QUERY_TIMEOUT))]
    pub(crate) query_timeout_ms: u64,
}

/// A duration in whole milliseconds (for flag defaults).
fn duration_ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The serve loop's limits (`scimkit_axum::ServeOptions`); durations like
/// `10s`, `500ms`, `2m`.
#[derive(Debug, Args)]
pub(crate) struct ServeLimits {
    /// How long a request head (request line and headers) may take before
    /// the connection is closed [default: 10s].
    #[arg(long, global = true, env = "SCIMKIT_HEADER_TIMEOUT", value_parser = parse_timeout)]
    pub(crate) header_timeout: Option<Duration>,

    /// How long a request body may take after its head (`408` beyond)
    /// [default: 20s].
    #[arg(long, global = true, env = "SCIMKIT_BODY_TIMEOUT", value_parser = parse_timeout)]
    pub(crate) body_timeout: Option<Duration>,

    /// How long one request may take in all (`503` beyond, the work is
    /// cancelled) [default: 30s].
    #[arg(long, global = true, env = "SCIMKIT_REQUEST_TIMEOUT", value_parser = parse_timeout)]
    pub(crate) request_timeout: Option<Duration>,

    /// How long a kept-alive connection may wait for its next request
    /// [default: 60s].
    #[arg(long, global = true, env = "SCIMKIT_IDLE_TIMEOUT", value_parser = parse_timeout)]
    pub(crate) idle_timeout: Option<Duration>,

    /// How long a response may wait for the client to read it before the
    /// connection is closed [default: 30s].
    #[arg(long, global = true, env = "SCIMKIT_WRITE_TIMEOUT", value_parser = parse_timeout)]
    pub(crate) write_timeout: Option<Duration>,

    /// How many connections are served at once; beyond it, accepting waits
    /// [default: 1024].
    #[arg(long, global = true, env = "SCIMKIT_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_connections: Option<u32>,
}

impl ServeLimits {
    /// The serve loop's options.
    pub(crate) fn options(&self) -> scimkit_axum::ServeOptions {
        let mut o = scimkit_axum::ServeOptions::default();
        if let Some(d) = self.header_timeout {
            o = o.with_header_timeout(d);
        }
        if let Some(d) = self.body_timeout {
            o = o.with_body_timeout(d);
        }
        if let Some(d) = self.request_timeout {
            o = o.with_request_timeout(d);
        }
        if let Some(d) = self.idle_timeout {
            o = o.with_idle_timeout(d);
        }
        if let Some(d) = self.write_timeout {
            o = o.with_write_timeout(d);
        }
        if let Some(n) = self.max_connections {
            o = o.with_max_connections(usize::try_from(n).unwrap_or(usize::MAX));
        }
        o
    }
}

/// `10s`, `500ms`, `2m`: a positive whole number and a unit.
pub(crate) fn parse_timeout(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 10s, 500ms or 2m"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => return Err(format!("{s:?}: the unit must be ms, s or m (e.g. 10s)")),
    };
    if d.is_zero() {
        return Err(format!("{s:?}: a timeout must be positive"));
    }
    Ok(d)
}

/// What to do.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Serve SCIM (the default).
    Serve,
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Prints the change feed: every committed change, one record a line
    /// (`--follow` waits for new ones).
    Events(EventsArgs),
    /// Manage webhook endpoints (signed deliveries of a tenant's changes).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Manage the console's admin credential.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Fill a tenant with generated users, for load tests.
    #[command(hide = true)]
    Seed(SeedArgs),
}

/// `admin …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Sets a new random admin password for the console (`/admin`) and
    /// prints it once; every console session is logged out.
    ResetPassword,
}

/// `tenant …`.
#[derive(Debug, Subcommand)]
pub(crate) enum TenantCommand {
    /// Adds a tenant and prints its Tenant URL and Secret Token (shown only once).
    Add {
        /// A name for people, e.g. the customer's name.
        name: String,
    },
    /// Lists the tenants (ids, names, Tenant URLs; never tokens).
    List,
    /// Removes a tenant and every user and group it holds.
    Remove {
        /// The tenant's id (from `tenant list`).
        id: String,
    },
    /// Gives a tenant a new Secret Token and prints it; the old token stops
    /// working at once on every server using this database, or after
    /// `--keep-old-for`.
    RotateToken {
        /// The tenant's id (from `tenant list`).
        id: String,
        /// Keep accepting the old token this long (e.g. `30m`, `1h`, `1h30m`,
        /// `2d`; at most 30 days), so the identity provider can be updated
        /// without failed provisioning cycles. Without it the old token stops
        /// at once.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        keep_old_for: Option<std::time::Duration>,
    },
}

/// The longest `--keep-old-for`: a forgotten rotation must not leave the
/// old token open for long.
pub(crate) const MAX_KEEP_OLD_FOR: std::time::Duration =
    std::time::Duration::from_secs(30 * 24 * 3600);

/// Parses `90s`, `30m`, `1h`, `1h30m`, `2d` (at most [`MAX_KEEP_OLD_FOR`]).
pub(crate) fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("{text:?} is not a duration like 30m, 1h, 1h30m or 2d");
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    if !digits.is_empty() || total == 0 {
        return Err(bad());
    }
    let d = std::time::Duration::from_secs(total);
    if d > MAX_KEEP_OLD_FOR {
        return Err(format!(
            "{text:?} is longer than the {} days an old token may be kept",
            MAX_KEEP_OLD_FOR.as_secs() / 86_400
        ));
    }
    Ok(d)
}

/// `seed …` (hidden).
#[derive(Debug, Args)]
pub(crate) struct SeedArgs {
    /// The tenant to fill.
    #[arg(long)]
    pub(crate) tenant: String,
    /// How many users to create (`user{n}@example.com`, n from 0).
    #[arg(long, default_value_t = 1000)]
    pub(crate) users: u64,
    /// Also create the group `big` with the first this-many users as members.
    #[arg(long, default_value_t = 0)]
    pub(crate) group_members: u64,
    /// Write the ids of the users that are not in `big` here, one a line.
    #[arg(long)]
    pub(crate) ids_file: Option<std::path::PathBuf>,
}

/// `--profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProfileArg {
    /// RFC 7643/7644 to the letter.
    Strict,
    /// Everything real clients are known to send.
    Interoperable,
    /// What Microsoft Entra ID needs.
    Entra,
    /// What Okta needs.
    Okta,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Profile {
        match p {
            ProfileArg::Strict => Profile::Strict,
            ProfileArg::Interoperable => Profile::Interoperable,
            ProfileArg::Entra => Profile::Entra,
            ProfileArg::Okta => Profile::Okta,
        }
    }
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line.
    Json,
}

impl Global {
    /// The origin printed in Tenant URLs: `--base-url`, else `http://{bind}`.
    pub(crate) fn origin(&self, bound: SocketAddr) -> String {
        match &self.base_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!("http://{bound}"),
        }
    }
}

/// How `password` (RFC 7643 §4.1.1) is stored, and the bound on hashing.
#[derive(Debug, Args)]
pub(crate) struct PasswordArgs {
    /// `hash` (Argon2id, never in clear), `drop` (accept and discard) or
    /// `keep` (as sent: only for a database that encrypts on its own).
    #[arg(long, global = true, env = "SCIMKIT_PASSWORD_STORAGE", value_enum, default_value_t = PasswordStorageArg::Hash)]
    pub(crate) password_storage: PasswordStorageArg,

    /// Argon2id memory cost in KiB.
    #[arg(long, global = true, env = "SCIMKIT_ARGON2_MEMORY_KIB", default_value_t = scimkit_service::DEFAULT_ARGON2_MEMORY_KIB)]
    pub(crate) argon2_memory_kib: u32,

    /// Argon2id iterations.
    #[arg(long, global = true, env = "SCIMKIT_ARGON2_ITERATIONS", default_value_t = scimkit_service::DEFAULT_ARGON2_ITERATIONS)]
    pub(crate) argon2_iterations: u32,

    /// Passwords hashed at once (each holds the Argon2 memory and a thread).
    #[arg(long, global = true, env = "SCIMKIT_MAX_CONCURRENT_PASSWORD_HASHES", default_value_t = scimkit_service::DEFAULT_MAX_CONCURRENT_PASSWORD_HASHES)]
    pub(crate) max_concurrent_password_hashes: usize,

    /// Writes that may wait for a hashing slot; more answer 503.
    #[arg(long, global = true, env = "SCIMKIT_MAX_QUEUED_PASSWORD_HASHES", default_value_t = scimkit_service::DEFAULT_MAX_QUEUED_PASSWORD_HASHES)]
    pub(crate) max_queued_password_hashes: usize,
}

/// `--password-storage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PasswordStorageArg {
    /// An Argon2id hash.
    Hash,
    /// Not stored.
    Drop,
    /// Stored as sent.
    Keep,
}

impl PasswordArgs {
    /// The engine's policy, or why the Argon2 parameters are unusable.
    pub(crate) fn storage(&self) -> Result<scimkit_service::PasswordStorage, String> {
        use scimkit_service::{Argon2Params, DEFAULT_ARGON2_PARALLELISM, PasswordStorage};
        Ok(match self.password_storage {
            PasswordStorageArg::Drop => PasswordStorage::Drop,
            PasswordStorageArg::Keep => PasswordStorage::KeepAsSent,
            PasswordStorageArg::Hash => PasswordStorage::Hash(
                Argon2Params::new(
                    self.argon2_memory_kib,
                    self.argon2_iterations,
                    DEFAULT_ARGON2_PARALLELISM,
                )
                .map_err(|e| format!("--argon2-memory-kib / --argon2-iterations: {e}"))?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use super::{MAX_KEEP_OLD_FOR, parse_duration, parse_timeout};

    #[test]
    fn auth_cache_flags() {
        use clap::Parser as _;
        let d = super::Cli::try_parse_from(["scimkit-server"]).unwrap();
        assert_eq!(
            d.global.auth.auth_max_unknown,
            crate::auth::DEFAULT_MAX_UNKNOWN
        );
        assert_eq!(
            d.global.auth.auth_unknown_ttl_ms,
            crate::auth::DEFAULT_UNKNOWN_TTL.as_millis() as u64
        );
        let c = super::Cli::try_parse_from([
            "scimkit-server",
            "--auth-max-unknown",
            "5",
            "--auth-unknown-ttl-ms",
            "0",
        ])
        .unwrap();
        assert_eq!(c.global.auth.auth_max_unknown, 5);
        assert_eq!(c.global.auth.auth_unknown_ttl_ms, 0);
    }

    #[test]
    fn durations() {
        let ok = [
            ("90s", 90),
            ("30m", 1800),
            ("1h", 3600),
            ("1h30m", 5400),
            ("2d", 172_800),
            ("30d", MAX_KEEP_OLD_FOR.as_secs()),
        ];
        for (text, secs) in ok {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(secs)),
                "{text}"
            );
        }
        for text in [
            "",
            "0m",
            "1",
            "h",
            "1x",
            "31d",
            "1.5h",
            "-1h",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(text).is_err(), "{text}");
        }
    }

    #[test]
    fn timeouts() {
        let cases: &[(&str, Option<Duration>)] = &[
            ("10s", Some(Duration::from_secs(10))),
            ("300ms", Some(Duration::from_millis(300))),
            ("2m", Some(Duration::from_secs(120))),
            ("0s", None),
            ("10", None),
            ("s", None),
            ("1h", None),
            ("-1s", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_timeout(s).ok(), *want, "{s}");
        }
    }
}
