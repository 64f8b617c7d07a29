//! `/admin`: the provisioning console, on the server's own port.
//!
//! Server-rendered HTML (maud), usable without JavaScript; one small
//! script only refreshes the provisioning log. Behind one admin credential:
//! a random password printed once at first start (`scimkit-server admin
//! reset-password` prints a new one), stored as an Argon2id PHC string in
//! the database ([`scimkit_sql::Admin`]), so it and the open sessions
//! survive restarts and are shared by every process on the database.
//!
//! - Sessions: a random 256-bit id in a cookie (`HttpOnly`,
//!   `SameSite=Strict`, `Path=/admin`, `Secure` when `--base-url` is https),
//!   stored by digest with an expiry (`--admin-session-ttl`), at most
//!   `--admin-max-sessions` at once.
//! - CSRF: every form carries its session's token, compared in constant time
//!   on every POST (the login form a token of its own, in a short-lived
//!   cookie as well).
//! - Login attempts are limited per client address and in all
//!   ([`limiter`]).
//! - Every page reads through the engine (a read-only [`engine::Engine`]:
//!   the same paging and limits as a SCIM list) or the stores' APIs.

mod auth;
mod engine;
mod layout;
mod limiter;
mod log;
mod resources;
mod sources;
mod tenants;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use rand::Rng as _;
use rand::rngs::OsRng;
use scimkit_service::{Argon2Params, Config};
use scimkit_sql::SqlStore;

pub(crate) use limiter::{DEFAULT_LOGIN_ATTEMPTS_GLOBAL, DEFAULT_LOGIN_ATTEMPTS_PER_ADDRESS};
pub(crate) use sources::{History, RequestLog};

/// How many console sessions may be open at once by default (the oldest
/// is closed when another opens).
pub(crate) const DEFAULT_MAX_SESSIONS: u32 = 32;

/// The largest console form body by default.
pub(crate) const DEFAULT_MAX_FORM_BYTES: usize = 16 * 1024;

/// The console's flags.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ConsoleArgs {
    /// How long a console login lasts (e.g. `30m`, `8h`, `1d`); then the
    /// next page asks to log in again.
    #[arg(long, global = true, env = "SCIMKIT_ADMIN_SESSION_TTL", value_parser = crate::cli::parse_duration, default_value = "8h")]
    pub(crate) admin_session_ttl: Duration,

    /// How many console sessions may be open at once; opening one more
    /// closes the oldest.
    #[arg(long, global = true, env = "SCIMKIT_ADMIN_MAX_SESSIONS", default_value_t = DEFAULT_MAX_SESSIONS, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) admin_max_sessions: u32,

    /// Console login attempts one client address may make per minute
    /// (right or wrong); beyond, `429`.
    #[arg(long, global = true, env = "SCIMKIT_ADMIN_LOGIN_ATTEMPTS", default_value_t = DEFAULT_LOGIN_ATTEMPTS_PER_ADDRESS)]
    pub(crate) admin_login_attempts: u32,

    /// Console login attempts all clients together may make per minute;
    /// beyond, `429`.
    #[arg(long, global = true, env = "SCIMKIT_ADMIN_LOGIN_ATTEMPTS_GLOBAL", default_value_t = DEFAULT_LOGIN_ATTEMPTS_GLOBAL)]
    pub(crate) admin_login_attempts_global: u32,

    /// The largest console form body, in bytes; beyond, `413`.
    #[arg(long, global = true, env = "SCIMKIT_ADMIN_MAX_FORM_BYTES", default_value_t = DEFAULT_MAX_FORM_BYTES)]
    pub(crate) admin_max_form_bytes: usize,
}

/// What every console handler shares.
pub(crate) struct Console {
    pub(crate) store: SqlStore,
    pub(crate) engine: engine::Engine,
    pub(crate) origin: String,
    pub(crate) secure_cookies: bool,
    pub(crate) args: ConsoleArgs,
    pub(crate) limiter: limiter::LoginLimiter,
    pub(crate) history: Arc<dyn History>,
    pub(crate) log: Arc<dyn RequestLog>,
}

impl Console {
    /// The console of `store`, reading resources through a read-only engine
    /// built with `config`.
    pub(crate) fn new(
        store: SqlStore,
        config: Config,
        origin: String,
        args: ConsoleArgs,
    ) -> Result<Console, String> {
        let engine = engine::Engine::new(store.clone(), config)?;
        let feed: Arc<dyn scimkit_service::ChangeFeed> = Arc::new(store.clone());
        let history: Arc<dyn History> = Arc::new(sources::FeedHistory::new(Some(feed)));
        let log: Arc<dyn RequestLog> = Arc::new(sources::StoreLog::new(&store));
        Ok(Console {
            limiter: limiter::LoginLimiter::new(
                args.admin_login_attempts,
                args.admin_login_attempts_global,
            ),
            secure_cookies: origin.starts_with("https://"),
            store,
            engine,
            origin,
            args,
            history,
            log,
        })
    }
}

/// The check the public `/metrics` (`--metrics-public`) makes: an open
/// console session.
pub(crate) fn metrics_admin_check(console: Arc<Console>) -> crate::metrics::AdminCheck {
    Arc::new(move |parts: &http::request::Parts| {
        let console = Arc::clone(&console);
        let headers = parts.headers.clone();
        Box::pin(async move { auth::has_session(&console, &headers).await })
    })
}

/// The console's routes, all under `/admin`.
pub(crate) fn router(console: Arc<Console>) -> Router {
    let limit = console.args.admin_max_form_bytes;
    Router::new()
        .route("/admin", get(auth::home))
        .route("/admin/", get(auth::home))
        .route("/admin/login", get(auth::login_form).post(auth::login))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/static/console.css", get(layout::css))
        .route("/admin/static/console.js", get(layout::js))
        .route("/admin/tenants", get(tenants::list).post(tenants::add))
        .route("/admin/tenants/{tenant}", get(log::summary))
        .route(
            "/admin/tenants/{tenant}/remove",
            get(tenants::confirm_remove).post(tenants::remove),
        )
        .route("/admin/tenants/{tenant}/rotate", post(tenants::rotate))
        .route("/admin/tenants/{tenant}/users", get(resources::users))
        .route("/admin/tenants/{tenant}/groups", get(resources::groups))
        .route(
            "/admin/tenants/{tenant}/resources/{kind}/{id}",
            get(resources::one),
        )
        .route("/admin/tenants/{tenant}/log", get(log::entries_page))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::map_response(layout::headers))
        .with_state(console)
}

/// A new admin password: 24 characters from `[A-Za-z0-9]` (about 142 bits).
fn new_password() -> String {
    (&mut OsRng)
        .sample_iter(rand::distributions::Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

/// The Argon2id parameters of the admin password: those of
/// `--argon2-memory-kib` and `--argon2-iterations`.
pub(crate) fn argon2_params(global: &crate::cli::Global) -> Result<Argon2Params, String> {
    let pw = &global.passwords;
    Argon2Params::new(
        pw.argon2_memory_kib,
        pw.argon2_iterations,
        scimkit_service::DEFAULT_ARGON2_PARALLELISM,
    )
    .map_err(|e| format!("--argon2-memory-kib / --argon2-iterations: {e}"))
}

/// Hashes `password` with Argon2id on the blocking pool.
async fn hash(params: Argon2Params, password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || scimkit_service::hash_password(&params, &password))
        .await
        .map_err(|e| format!("hashing the admin password failed: {e}"))?
        .map_err(|e| format!("hashing the admin password failed: {e}"))
}

/// At first start (no admin credential in the database): sets a new random
/// one and returns it, to be printed once. `None` when one exists.
pub(crate) async fn first_start_password(
    store: &SqlStore,
    params: Argon2Params,
) -> Result<Option<String>, String> {
    let admin = store.admin();
    if admin
        .password_hash()
        .await
        .map_err(|e| format!("cannot read the admin credential: {e}"))?
        .is_some()
    {
        return Ok(None);
    }
    let password = new_password();
    let phc = hash(params, password.clone()).await?;
    let set = admin
        .init_password_hash(&phc)
        .await
        .map_err(|e| format!("cannot store the admin credential: {e}"))?;
    Ok(set.then_some(password))
}

/// `admin reset-password`: a new random admin password (every console
/// session is closed).
pub(crate) async fn reset_password(
    store: &SqlStore,
    params: Argon2Params,
) -> Result<String, String> {
    let password = new_password();
    let phc = hash(params, password.clone()).await?;
    store
        .admin()
        .reset_password_hash(&phc)
        .await
        .map_err(|e| format!("cannot store the admin credential: {e}"))?;
    Ok(password)
}

/// The lines printed with a new admin password.
pub(crate) fn password_block(origin: &str, password: &str) -> String {
    format!(
        "Console:       {origin}/admin\n\
         Admin password: {password}\n\
         \n\
         The admin password is shown only this once; if it is lost, run \
         `scimkit-server admin reset-password`.\n"
    )
}
