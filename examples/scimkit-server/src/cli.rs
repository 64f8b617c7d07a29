//! The command line: `serve` (the default) and `tenant …`.

use std::net::SocketAddr;

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
    /// headers and `meta.location`.
    #[arg(long, global = true, env = "SCIMKIT_BASE_URL")]
    pub(crate) base_url: Option<String>,

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

    /// The most resources one list request may examine in memory (a filter
    /// or sort the database cannot do); beyond it the request fails with
    /// `400 tooMany`.
    #[arg(long, global = true, env = "SCIMKIT_MAX_LIST_SCAN", default_value_t = scimkit_service::DEFAULT_MAX_LIST_SCAN)]
    pub(crate) max_list_scan: u64,

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
