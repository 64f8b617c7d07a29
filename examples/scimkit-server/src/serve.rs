//! `serve`: the SCIM endpoints of every tenant at
//! `/tenants/{id}/scim/v2/…`, until SIGINT or SIGTERM.
//!
//! Shutdown is graceful: the listener stops accepting, requests in flight
//! finish (so every write a client saw acknowledged is committed), then the
//! database connections close (SQLite checkpoints its WAL into the file).

use std::io::Write as _;
use std::net::SocketAddr;

use scimkit_schema::Profile;
use scimkit_service::redact::Redactor;
use scimkit_service::{Config, ScimService};
use scimkit_sql::{RequestLogOptions, SqlStore};
use tokio::net::TcpListener;

use crate::access_log::{LogOptions, log_request};
use crate::auth::TenantAuth;
use crate::cli::Global;
use crate::events::LogSink;
use crate::metrics::{self, Metrics, MetricsAccess};
use crate::tenant_admin;

/// The engine's configuration for these options, serving at `bound`, or
/// why the options are unusable (Argon2 parameters).
///
/// `Location` and `meta.location` use `--base-url`, else the bound address;
/// a client's `Host` or `X-Forwarded-*` headers only with
/// `--trust-host-header` / `--trust-forwarded-headers` (issue 11: a client
/// sending `Host: evil.example` must not choose the URLs handed out).
pub(crate) fn config(global: &Global, bound: SocketAddr) -> Result<Config, String> {
    let pw = &global.passwords;
    let mut config = Config::default()
        .with_password_storage(pw.storage()?)
        .with_password_hashing(
            pw.max_concurrent_password_hashes,
            pw.max_queued_password_hashes,
        )
        .with_base_path("/scim/v2")
        .with_tenant_urls(true)
        .with_profile(Profile::from(global.profile))
        .with_unique_group_display_name(true)
        // A group PATCH answers 204: a 200 would carry every member (megabytes
        // for a large group, per one-member change). Entra ID's and Okta's
        // documented group PATCH exchanges end in 204; user PATCHes keep 200
        // with the user, as both show them.
        .with_patch_no_content_for(["Group"])
        .with_patch_max_operations(global.patch_max_operations)
        .with_patch_max_values_per_operation(global.patch_max_values)
        .with_max_list_scan(global.max_list_scan)
        .with_write_retries(global.write_retries);
    let trust_request = global.trust_host_header || global.trust_forwarded_headers;
    if global.base_url.is_some() || !trust_request {
        config = config.with_public_origin(global.origin(bound));
    }
    Ok(config.with_trust_forwarded_headers(global.trust_forwarded_headers))
}

/// Serves until a shutdown signal, then closes the store.
pub(crate) async fn run(global: &Global, store: SqlStore) -> Result<(), String> {
    // Unusable options stop the start before anything listens.
    global.passwords.storage()?;
    let listener = TcpListener::bind(global.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", global.bind))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let origin = global.origin(bound);

    let tenants = store
        .tenants()
        .list()
        .await
        .map_err(|e| format!("cannot read the tenants: {e}"))?;
    if tenants.is_empty() {
        let (tenant, token) = tenant_admin::add(&store, "default").await?;
        println!("No tenant yet: created one.\n");
        print!(
            "{}",
            tenant_admin::credentials_block(&origin, &tenant, &token)
        );
        println!();
    }
    if let Some(password) =
        crate::console::first_start_password(&store, crate::console::argon2_params(global)?).await?
    {
        print!("{}", crate::console::password_block(&origin, &password));
        println!();
    }

    let config = config(global, bound)?;
    if bound.ip().is_unspecified()
        && global.base_url.is_none()
        && !global.trust_host_header
        && !global.trust_forwarded_headers
    {
        tracing::warn!(
            %bound,
            "Location headers will name http://{bound}; set --base-url to the address clients use"
        );
    }
    let body_limit = config.body_limit();
    let metrics = Metrics::new();
    let service = ScimService::builder()
        .store(crate::timed_store::TimedStore::new(
            store.clone(),
            metrics.clone(),
        ))
        .authenticator(TenantAuth::new(store.tenants()).with_args(&global.auth))
        .events(std::sync::Arc::new(LogSink {
            member_ids: global.log_member_ids,
        }))
        .config(config)
        .build()
        .map_err(|e| format!("cannot build the SCIM service: {e}"))?;
    let request_log = store.request_log().writer(
        RequestLogOptions::default().max_entries_per_tenant(global.request_log_max_entries),
    );
    let log = LogOptions {
        bodies: global.log_bodies,
        body_limit,
        redactor: std::sync::Arc::new(Redactor::new(service.registry())),
        // `--request-log-max-entries 0`: no provisioning log (and none of its writes).
        request_log: (global.request_log_max_entries > 0).then(|| request_log.clone()),
        metrics: metrics.clone(),
    };
    let console = std::sync::Arc::new(crate::console::Console::new(
        store.clone(),
        self::config(global, bound)?,
        origin.clone(),
        global.console.clone(),
    )?);
    let access = MetricsAccess::default();
    // The public /metrics opens to an open console session.
    access.set_admin_check(crate::console::metrics_admin_check(console.clone()));
    let scim = crate::console::router(console).merge(
        scimkit_axum::router(service).layer(axum::middleware::from_fn_with_state(log, log_request)),
    );
    let app = if global.metrics_public {
        axum::Router::new()
            .route(
                "/metrics",
                axum::routing::get(metrics::public_metrics)
                    .with_state((metrics.clone(), access.clone())),
            )
            .merge(scim)
    } else {
        scim
    };
    if let Some(addr) = global.metrics_bind {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr} for metrics: {e}"))?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot read the metrics address: {e}"))?;
        println!("Metrics on http://{bound}/metrics");
        let app = axum::Router::new().route(
            "/metrics",
            axum::routing::get(metrics::private_metrics).with_state(metrics.clone()),
        );
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the metrics listener failed");
            }
        });
    }

    let feed: std::sync::Arc<dyn scimkit_service::ChangeFeed> = std::sync::Arc::new(store.clone());
    let deliveries = crate::webhook::start(feed.clone(), &global.webhooks, Some(metrics.clone()))?;
    let (stop_pruning, pruning_stopped) = tokio::sync::watch::channel(false);
    let pruning = tokio::spawn(crate::retention::run(
        feed,
        global.retention.retention(),
        global.retention.prune_every(),
        pruning_stopped,
    ));

    println!("Listening on http://{bound}");
    let _ = std::io::stdout().flush();
    tracing::info!(%bound, %origin, profile = ?global.profile, "serving SCIM");

    let options = global.limits.options();
    tracing::debug!(?options, "serve limits");
    let served = scimkit_axum::serve_with_shutdown(listener, app, options, shutdown_signal()).await;
    tracing::info!("stopped accepting; writing the request log, closing the database");
    request_log.flush().await;
    if let Some(d) = deliveries {
        d.shutdown().await;
    }
    let _ = stop_pruning.send(true);
    let _ = pruning.await;
    tracing::info!("request log written; closing the database");
    store.close().await;
    tracing::info!("database closed");
    served.map_err(|e| format!("server error: {e}"))
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT: shutting down"),
        () = term => tracing::info!("SIGTERM: shutting down"),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::Cli;

    /// The PATCH budgets: defaults from the engine, flags to change them.
    #[test]
    fn patch_budget_flags() {
        let cli = Cli::try_parse_from(["scimkit-server"]).unwrap();
        let c = super::config(&cli.global, "127.0.0.1:8080".parse().unwrap()).unwrap();
        assert_eq!(c.patch_max_operations, 10_000);
        assert_eq!(c.patch_max_values_per_operation, 10_000);
        let cli = Cli::try_parse_from([
            "scimkit-server",
            "--patch-max-operations",
            "50",
            "--patch-max-values",
            "40000",
        ])
        .unwrap();
        let c = super::config(&cli.global, "127.0.0.1:8080".parse().unwrap()).unwrap();
        assert_eq!(c.patch_max_operations, 50);
        assert_eq!(c.patch_max_values_per_operation, 40_000);
        let cli = Cli::try_parse_from(["scimkit-server", "--write-retries", "5"]).unwrap();
        let c = super::config(&cli.global, "127.0.0.1:8080".parse().unwrap()).unwrap();
        assert_eq!(c.write_retries, 5);
    }
}
