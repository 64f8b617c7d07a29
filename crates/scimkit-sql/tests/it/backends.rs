//! The stores the tests run against.

use scimkit_sql::{PostgresOptions, SqlStore, SqliteOptions};

/// A SQLite store in a fresh temporary file.
pub(crate) async fn sqlite_store() -> (SqlStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::sqlite(SqliteOptions::file(dir.path().join("scim.db")))
        .await
        .unwrap();
    (store, dir)
}

/// The PostgreSQL URL the tests use.
pub(crate) fn postgres_url() -> String {
    std::env::var("SCIMKIT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A PostgreSQL store in a fresh schema.
pub(crate) async fn postgres_store() -> SqlStore {
    postgres_store_in(&format!("scimkit_it_{}", uuid::Uuid::new_v4().simple())).await
}

/// A PostgreSQL store in the schema `schema`.
pub(crate) async fn postgres_store_in(schema: &str) -> SqlStore {
    let url = postgres_url();
    SqlStore::postgres(PostgresOptions::url(&url).schema(schema).max_connections(4))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL tests need a database at SCIMKIT_TEST_POSTGRES_URL ({url}); \
                 connecting failed: {e}"
            )
        })
}
