//! # scimkit-server
//!
//! An Entra ID- and Okta-ready SCIM 2.0 server (RFC 7643/7644) built from
//! scimkit: [`scimkit_service`]'s engine behind [`scimkit_axum`], resources
//! and tenants in SQLite (`./scimkit.db`, WAL) or PostgreSQL via
//! [`scimkit_sql`].
//!
//! ```text
//! $ cargo run --release -p scimkit-server
//! No tenant yet: created one.
//!
//! Tenant:        default (id 6f1c…)
//! Tenant URL:    http://127.0.0.1:8080/tenants/6f1c…/scim/v2
//! Secret Token:  9a0b…
//! …
//! Listening on http://127.0.0.1:8080
//! ```
//!
//! Each tenant has its own Tenant URL (`/tenants/{id}/scim/v2`) and Secret
//! Token; a token only opens its own tenant (`401` otherwise). Manage them
//! with `scimkit-server tenant add | list | remove | rotate-token`, or in
//! the console at `/admin` (its password is printed at first start;
//! `scimkit-server admin reset-password` prints a new one); see
//! `scimkit-server --help`.
//!
//! Every committed change is a record of the database's change feed:
//! `scimkit-server events` prints it (`--follow` as it grows), and
//! `scimkit-server webhook add --tenant ID --url URL` has `serve` POST each
//! of a tenant's records to a URL, signed per the Standard Webhooks
//! specification (see [`scimkit_server::standard_webhooks`] to verify them).

mod access_log;
mod auth;
mod cli;
mod console;
mod database;
mod events;
mod events_command;
mod metrics;
mod retention;
mod seed;
mod serve;
mod tenant_admin;
mod timed_store;
mod webhook;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{AdminCommand, Cli, Command, Global, LogFormat, TenantCommand, WebhookCommand};

fn init_logging(global: &Global) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match global.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let global = &cli.global;
    let store = database::open(global).await?;
    let origin = global.origin(global.bind);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => return serve::run(global, store).await,
        Command::Seed(args) => return seed::run(store, &args).await,
        Command::Events(args) => {
            events_command::run(
                std::sync::Arc::new(store.clone()),
                &args,
                global.log_member_ids,
            )
            .await
        }
        Command::Webhook(cmd) => webhook_command(&store, global, cmd).await,
        Command::Admin(AdminCommand::ResetPassword) => match console::argon2_params(global) {
            Ok(params) => console::reset_password(&store, params).await,
            Err(e) => Err(e),
        }
        .map(|password| print!("{}", console::password_block(&origin, &password))),
        Command::Tenant(TenantCommand::Add { name }) => {
            tenant_admin::add(&store, &name)
                .await
                .map(|(tenant, token)| {
                    print!(
                        "{}",
                        tenant_admin::credentials_block(&origin, &tenant, &token)
                    );
                })
        }
        Command::Tenant(TenantCommand::List) => store
            .tenants()
            .list()
            .await
            .map(|t| print!("{}", tenant_admin::list_text(&origin, &t)))
            .map_err(|e| format!("cannot list tenants: {e}")),
        Command::Tenant(TenantCommand::Remove { id }) => match store.tenants().remove(&id).await {
            Ok(true) => {
                println!("Removed tenant {id} and its users and groups.");
                Ok(())
            }
            Ok(false) => Err(format!(
                "no tenant with id {id} (see `scimkit-server tenant list`)"
            )),
            Err(e) => Err(format!("cannot remove tenant {id}: {e}")),
        },
        Command::Tenant(TenantCommand::RotateToken { id, keep_old_for }) => {
            tenant_admin::rotate(&store, &id, keep_old_for)
                .await
                .map(|(token, until)| {
                    println!("Tenant URL:    {}", tenant_admin::tenant_url(&origin, &id));
                    println!("Secret Token:  {}", token.expose());
                    let old = match until {
                        Some(t) => format!(
                            "The old token keeps working until {}.",
                            t.format("%Y-%m-%d %H:%M:%S UTC")
                        ),
                        None => "The old token has stopped working.".to_owned(),
                    };
                    println!(
                        "\nPaste the new Secret Token into your identity provider's provisioning \
                         settings (Entra ID: Provisioning > Admin Credentials). {old}"
                    );
                })
        }
    };
    store.close().await;
    result
}

/// `webhook add | list | remove`.
async fn webhook_command(
    store: &scimkit_sql::SqlStore,
    global: &Global,
    cmd: WebhookCommand,
) -> Result<(), String> {
    match cmd {
        WebhookCommand::Add { tenant, url } => {
            webhook::check_url(&url)?;
            let found = store
                .tenants()
                .find(&tenant)
                .await
                .map_err(|e| format!("cannot read the tenants: {e}"))?;
            if found.is_none() {
                return Err(format!(
                    "no tenant with id {tenant} (see `scimkit-server tenant list`)"
                ));
            }
            let (id, secret) = webhook::add(store, &global.webhooks, &tenant, &url).await?;
            println!("Webhook:         {id}");
            println!("Tenant:          {tenant}");
            println!("URL:             {}", url.trim());
            println!("Signing secret:  {secret}");
            println!(
                "\nEvery change of the tenant from now on is POSTed to the URL by `serve`, \
                 signed per the Standard Webhooks specification (headers webhook-id, \
                 webhook-timestamp, webhook-signature). Verify each delivery with this secret; \
                 it is shown only this once (remove the endpoint and add it again to get a \
                 new one)."
            );
            Ok(())
        }
        WebhookCommand::List => webhook::list_text(store).await.map(|t| print!("{t}")),
        WebhookCommand::Remove { id } => match webhook::remove(store, &id).await? {
            true => {
                println!("Removed webhook endpoint {id}; nothing more is sent to it.");
                Ok(())
            }
            false => Err(format!(
                "no webhook endpoint with id {id} (see `scimkit-server webhook list`)"
            )),
        },
    }
}

/// mimalloc instead of the system allocator: a request allocates many small
/// short-lived blocks (headers, JSON values, rows) on several threads, which
/// glibc's allocator serves markedly slower (docs/BENCHMARKS.md, "Example
/// server load test").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.global);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
