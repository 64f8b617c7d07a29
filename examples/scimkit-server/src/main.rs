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
//! with `scimkit-server tenant add | list | remove | rotate-token`; see
//! `scimkit-server --help`.

mod access_log;
mod auth;
mod cli;
mod database;
mod events;
mod metrics;
mod seed;
mod serve;
mod tenant_admin;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, Global, LogFormat, TenantCommand};

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
