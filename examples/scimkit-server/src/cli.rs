//! The command line: `serve` (the default) and `tenant …`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use scimkit_schema::Profile;

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

    /// Also log request and response bodies and request headers (the
    /// `Authorization` header is always redacted). For debugging an
    /// integration; bodies hold personal data.
    #[arg(long, global = true)]
    pub(crate) log_bodies: bool,
}

/// The serve loop's limits (`scimkit_axum::ServeOptions`); durations like
/// `10s`, `500ms`, `2m`.
#[derive(Debug, Args)]
pub(crate) struct ServeLimits {
    /// How long a request head (request line and headers) may take before
    /// the connection is closed [default: 10s].
    #[arg(long, global = true, env = "SCIMKIT_HEADER_TIMEOUT", value_parser = parse_duration)]
    pub(crate) header_timeout: Option<Duration>,

    /// How long a request body may take after its head (`408` beyond)
    /// [default: 20s].
    #[arg(long, global = true, env = "SCIMKIT_BODY_TIMEOUT", value_parser = parse_duration)]
    pub(crate) body_timeout: Option<Duration>,

    /// How long one request may take in all (`503` beyond, the work is
    /// cancelled) [default: 30s].
    #[arg(long, global = true, env = "SCIMKIT_REQUEST_TIMEOUT", value_parser = parse_duration)]
    pub(crate) request_timeout: Option<Duration>,

    /// How long a kept-alive connection may wait for its next request
    /// [default: 60s].
    #[arg(long, global = true, env = "SCIMKIT_IDLE_TIMEOUT", value_parser = parse_duration)]
    pub(crate) idle_timeout: Option<Duration>,

    /// How long a response may wait for the client to read it before the
    /// connection is closed [default: 30s].
    #[arg(long, global = true, env = "SCIMKIT_WRITE_TIMEOUT", value_parser = parse_duration)]
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
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
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
    /// Fill a tenant with generated users, for load tests.
    #[command(hide = true)]
    Seed(SeedArgs),
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
    /// working within seconds on every server using this database.
    RotateToken {
        /// The tenant's id (from `tenant list`).
        id: String,
    },
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn durations() {
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
            assert_eq!(parse_duration(s).ok(), *want, "{s}");
        }
    }
}
