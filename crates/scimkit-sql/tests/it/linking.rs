//! sqlx and rusqlite link one SQLite library: the store's writer (sqlx) and
//! its readers (rusqlite) open the same file, and two copies of SQLite in
//! one process would each keep their own locks and WAL index state.

use sqlx::Connection as _;

/// The `libsqlite3-sys` versions in the workspace's `Cargo.lock`.
fn locked_versions(lock: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_it = false;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            in_it = false;
        } else if line == r#"name = "libsqlite3-sys""# {
            in_it = true;
        } else if in_it && let Some(v) = line.strip_prefix("version = ") {
            out.push(v.trim_matches('"').to_owned());
            in_it = false;
        }
    }
    out
}

#[tokio::test]
async fn one_sqlite_library() {
    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
    let lock = std::fs::read_to_string(lock_path).unwrap();
    let versions = locked_versions(&lock);
    assert_eq!(
        versions.len(),
        1,
        "Cargo.lock holds libsqlite3-sys {versions:?}: sqlx and rusqlite must link the same \
         one; move their versions together (root Cargo.toml)"
    );

    let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .unwrap();
    let (sqlx_version,): (String,) = sqlx::query_as("select sqlite_version()")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(
        sqlx_version,
        rusqlite::version(),
        "sqlx and rusqlite run different SQLite libraries"
    );
}

#[test]
fn lock_parsing() {
    let lock = "[[package]]\nname = \"libsqlite3-sys\"\nversion = \"0.30.1\"\n\n\
                [[package]]\nname = \"other\"\nversion = \"1.0.0\"\n\n\
                [[package]]\nname = \"libsqlite3-sys\"\nversion = \"0.28.0\"\n";
    assert_eq!(locked_versions(lock), ["0.30.1", "0.28.0"]);
}
