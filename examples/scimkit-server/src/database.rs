//! `--database-url`: which store to open.

use std::time::Duration;

use scimkit_sql::{PostgresOptions, SqlStore, SqliteOptions};

use crate::cli::Global;

/// Opens the store named by `--database-url`: `postgres://…` /
/// `postgresql://…`, `sqlite://path` / `sqlite:path`, or a bare file path
/// (SQLite), with the connection and time limits of the other flags.
pub(crate) async fn open(global: &Global) -> Result<SqlStore, String> {
    let url = global.database_url.as_str();
    let wait = Duration::from_millis(global.db_wait_ms);
    let timeout = Duration::from_millis(global.query_timeout_ms);
    let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut o = PostgresOptions::url(url)
            .acquire_timeout(wait)
            .statement_timeout(timeout);
        if let Some(n) = global.db_connections {
            o = o.max_connections(n);
        }
        SqlStore::postgres(o).await
    } else {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            return Err(format!("no SQLite file path in database URL {url:?}"));
        }
        let mut o = SqliteOptions::file(path)
            .reader_wait(wait)
            .query_timeout(timeout);
        if let Some(n) = global.db_connections {
            o = o.readers(n);
        }
        SqlStore::sqlite(o).await
    };
    store
        // Tenants live in the `tenants` table: a write for a removed tenant
        // fails instead of leaving rows behind.
        .map(|s| {
            s.with_unique_display_name("Group")
                .with_registered_tenants(true)
                .with_resources_in_feed(global.retention.feed_keep_resources)
                .with_feed_page(global.retention.feed_page)
        })
        .map_err(|e| format!("cannot open the database {}: {e}", redact(url)))
}

/// The URL without its password (for messages).
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}
