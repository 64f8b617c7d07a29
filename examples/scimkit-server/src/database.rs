//! `--database-url`: which store to open.

use scimkit_sql::{PostgresOptions, SqlStore, SqliteOptions};

/// Opens the store named by `url`: `postgres://…` / `postgresql://…`,
/// `sqlite://path` / `sqlite:path`, or a bare file path (SQLite).
pub(crate) async fn open(url: &str) -> Result<SqlStore, String> {
    let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        SqlStore::postgres(PostgresOptions::url(url)).await
    } else {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            return Err(format!("no SQLite file path in database URL {url:?}"));
        }
        SqlStore::sqlite(SqliteOptions::file(path)).await
    };
    store
        // Tenants live in the `tenants` table: a write for a removed tenant
        // fails instead of leaving rows behind.
        .map(|s| {
            s.with_unique_display_name("Group")
                .with_registered_tenants(true)
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
