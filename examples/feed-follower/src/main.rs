//! `cargo run -p feed-follower -- [DATABASE_URL]`: follows the change feed
//! of a scimkit database (default `sqlite://scimkit.db`, the example
//! server's) and revokes the pretend sessions of users the identity
//! provider deactivates or deletes, until Ctrl-C. Its cursor is kept in the
//! database as the consumer `feed-follower`, so a restart resumes where it
//! stopped.

use std::process::ExitCode;
use std::sync::Arc;

use feed_follower::{Follower, Sessions};
use scimkit_sql::{PostgresOptions, SqlStore, SqliteOptions};

#[tokio::main]
async fn main() -> ExitCode {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://scimkit.db".to_owned());
    let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        SqlStore::postgres(PostgresOptions::url(&url)).await
    } else {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(&url);
        SqlStore::sqlite(SqliteOptions::file(path)).await
    };
    let store = match store {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot open {url}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let sessions = Arc::new(Sessions::new());
    // Each user created from now on "signs in", so a deactivation has
    // sessions to revoke.
    let follower = Follower::new(Arc::new(store.clone()), "feed-follower", sessions)
        .with_sign_in_on_create(true);
    println!("following the change feed; Ctrl-C to stop");
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let result = follower.run(stop).await;
    store.close().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
