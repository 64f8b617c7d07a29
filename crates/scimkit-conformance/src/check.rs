//! The checker behind `scimkit check`: tests a live SCIM endpoint (a base
//! URL and a bearer token) the way Microsoft Entra ID and Okta will use it.
//!
//! The checks are data ([`catalog`]): each has an id (`rfc.users.create`), a
//! [`Suite`], a title, the checks it depends on, the RFC section or IdP
//! document it cites, and whether it creates resources. [`run`] runs the
//! selected checks in order against a [`Target`] with the [`Options`]'
//! timeouts, skips (with the reason) what cannot apply (Bulk not advertised,
//! a dependency failed, `read_only`), and reports each failure with what was
//! sent, what came back (trimmed), what was expected and why.
//!
//! Everything the run creates is named with one unique prefix
//! (`scimkit-check-…`) and deleted at the end, also when a check failed
//! midway, the overall timeout elapsed or the run was interrupted; only
//! [`Options::keep`] leaves it.
//!
//! ```no_run
//! # async fn t() -> Result<(), scimkit_conformance::check::CheckError> {
//! use scimkit_conformance::check::{self, Options, Suite, Target};
//!
//! let target = Target::new("https://scim.example.com/scim/v2", "s3cret")?;
//! let options = Options::default().with_suites([Suite::Discovery, Suite::Entra]);
//! let report = check::run(&target, &options, &mut |_| {}, std::future::pending()).await?;
//! println!("{}", report.to_json());
//! assert!(report.passed());
//! # Ok(()) }
//! ```

mod catalog;
mod client;
mod cx;
mod discovery;
mod entra;
mod okta;
mod report;
mod rfc;
mod runner;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

pub use catalog::{CheckInfo, catalog};
pub use report::{Failure, Outcome, Report, Status};
pub use runner::{MAX_SWEPT, Progress, run};

/// A group of checks, selectable with `scimkit check --suite`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Suite {
    /// `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas` (RFC 7644 §4).
    Discovery,
    /// RFC 7644 CRUD, filters, paging, sorting, projection, errors, ETags and
    /// Bulk when advertised.
    Rfc,
    /// The requests Microsoft Entra ID's provisioning service sends, in its
    /// default job and with `aadOptscim062020`.
    Entra,
    /// Okta's user and group flows.
    Okta,
}

impl Suite {
    /// Every suite, in the order they run.
    pub const ALL: [Suite; 4] = [Suite::Discovery, Suite::Rfc, Suite::Entra, Suite::Okta];

    /// The suite's name (`discovery`, `rfc`, `entra`, `okta`).
    pub fn name(self) -> &'static str {
        match self {
            Suite::Discovery => "discovery",
            Suite::Rfc => "rfc",
            Suite::Entra => "entra",
            Suite::Okta => "okta",
        }
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Suite {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Suite::ALL
            .into_iter()
            .find(|x| x.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown suite `{s}` (expected discovery, rfc, entra or okta)"))
    }
}

/// The endpoint under test: the base URL (what Entra calls the Tenant URL,
/// Okta the SCIM connector base URL) and the bearer token.
#[derive(Clone)]
pub struct Target {
    base_url: String,
    token: String,
}

impl Target {
    /// A target. The URL must be `http://` or `https://`; a query
    /// (`?aadOptscim062020`, which Entra reads from the Tenant URL) and
    /// trailing slashes are dropped.
    pub fn new(base_url: &str, token: impl Into<String>) -> Result<Self, CheckError> {
        let url = reqwest::Url::parse(base_url.trim())
            .map_err(|e| CheckError::InvalidUrl(format!("{base_url}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(CheckError::InvalidUrl(format!(
                "{base_url}: expected an http:// or https:// URL with a host"
            )));
        }
        let mut url = url;
        url.set_query(None);
        url.set_fragment(None);
        let base_url = url.as_str().trim_end_matches('/').to_owned();
        let token = token.into();
        if token.trim().is_empty() {
            return Err(CheckError::InvalidToken);
        }
        Ok(Target { base_url, token })
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// How a run goes: which suites, what it may do, its timeouts.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// The suites to run; empty is every suite. Checks of other suites that a
    /// selected check depends on run too.
    pub suites: Vec<Suite>,
    /// Run only the checks that create nothing (for production endpoints).
    pub read_only: bool,
    /// Leave what the run created instead of deleting it.
    pub keep: bool,
    /// The whole run's budget (the checks; cleanup has its own).
    pub timeout: Duration,
    /// One request's budget, connecting included.
    pub request_timeout: Duration,
    /// The cleanup's budget, after the checks.
    pub cleanup_timeout: Duration,
    /// The prefix of every name the run creates; a fresh
    /// `scimkit-check-<8 hex digits>` when `None`.
    pub prefix: Option<String>,
    /// The most of one response body the checker reads; a larger body fails
    /// the check that asked for it.
    pub max_response_bytes: usize,
}

/// [`Options::timeout`] by default: 5 minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// [`Options::request_timeout`] by default: 15 seconds.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// [`Options::cleanup_timeout`] by default: 2 minutes.
pub const DEFAULT_CLEANUP_TIMEOUT: Duration = Duration::from_secs(120);
/// [`Options::max_response_bytes`] by default: 4 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            suites: Vec::new(),
            read_only: false,
            keep: false,
            timeout: DEFAULT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            cleanup_timeout: DEFAULT_CLEANUP_TIMEOUT,
            prefix: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl Options {
    /// Only these suites (and what they depend on).
    pub fn with_suites(mut self, suites: impl IntoIterator<Item = Suite>) -> Self {
        self.suites = suites.into_iter().collect();
        self
    }

    /// Only checks that create nothing.
    pub fn with_read_only(mut self, on: bool) -> Self {
        self.read_only = on;
        self
    }

    /// Leave what the run created.
    pub fn with_keep(mut self, on: bool) -> Self {
        self.keep = on;
        self
    }

    /// The whole run's budget.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// One request's budget.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The cleanup's budget.
    pub fn with_cleanup_timeout(mut self, timeout: Duration) -> Self {
        self.cleanup_timeout = timeout;
        self
    }

    /// The most of one response body the checker reads.
    pub fn with_max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The prefix of every name the run creates.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }
}

/// Why the endpoint could not be tested at all (`scimkit check` exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The base URL is not an `http(s)://` URL.
    #[error("invalid base URL {0}")]
    InvalidUrl(String),
    /// The token is empty.
    #[error("the bearer token is empty")]
    InvalidToken,
    /// No HTTP answer (connection refused, DNS, TLS, timeout).
    #[error("{url} is unreachable: {detail}")]
    Unreachable {
        /// What was requested.
        url: String,
        /// What went wrong.
        detail: String,
    },
    /// Discovery answered `401` or `403`: the token is not accepted.
    #[error("{url} refused the token: HTTP {status} {body}")]
    Unauthorized {
        /// What was requested.
        url: String,
        /// `401` or `403`.
        status: u16,
        /// The response body, trimmed.
        body: String,
    },
    /// The HTTP client could not be built (TLS backend).
    #[error("HTTP client: {0}")]
    Client(String),
}
