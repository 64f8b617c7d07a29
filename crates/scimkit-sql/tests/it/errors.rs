//! Opening a store fails with an error that says what failed (connecting,
//! migrating, an option) and keeps the database's own error as its source.

use std::error::Error as _;

use scimkit_sql::{PostgresOptions, SqlError, SqlStore, SqliteOptions};

/// What an opening failure should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Connect,
    Migrate,
    InvalidOption,
}

fn check(case: &str, got: Result<SqlStore, SqlError>, want: Kind) {
    let e = match got {
        Ok(_) => panic!("{case}: opened"),
        Err(e) => e,
    };
    let kind = match &e {
        SqlError::Connect(_) => Kind::Connect,
        SqlError::Migrate(_) => Kind::Migrate,
        SqlError::InvalidOption(_) => Kind::InvalidOption,
        other => panic!("{case}: {other:?}"),
    };
    assert_eq!(kind, want, "{case}: {e}");
    if want != Kind::InvalidOption {
        assert!(e.source().is_some(), "{case}: {e} has no source");
    }
}

#[tokio::test]
async fn opening_failures_say_what_failed() {
    let dir = tempfile::tempdir().unwrap();

    // A changed migration: the database says it ran another text.
    let changed = dir.path().join("changed.db");
    SqlStore::sqlite(SqliteOptions::file(&changed))
        .await
        .unwrap()
        .close()
        .await;
    rusqlite::Connection::open(&changed)
        .unwrap()
        .execute("UPDATE _sqlx_migrations SET checksum = x'00'", [])
        .unwrap();

    let cases = [
        (
            "sqlite file in a missing directory",
            SqlStore::sqlite(SqliteOptions::file(dir.path().join("no/such/dir/x.db"))).await,
            Kind::Connect,
        ),
        (
            "sqlite migration changed",
            SqlStore::sqlite(SqliteOptions::file(&changed)).await,
            Kind::Migrate,
        ),
        (
            "postgres nobody listens",
            SqlStore::postgres(PostgresOptions::url("postgres://postgres@127.0.0.1:1/test")).await,
            Kind::Connect,
        ),
        (
            "postgres bad schema name",
            SqlStore::postgres(PostgresOptions::url(crate::backends::postgres_url()).schema("a;b"))
                .await,
            Kind::InvalidOption,
        ),
    ];
    for (case, got, want) in cases {
        check(case, got, want);
    }
}
