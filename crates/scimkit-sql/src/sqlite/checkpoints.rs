//! The WAL checkpointer: copies the write-ahead log back into the database
//! file in the background, off the writer's commits.

use std::time::Duration;

use sqlx::SqlitePool;

/// How often the checkpointer copies the WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// WAL size (pages) beyond which the checkpointer also restarts the log, so
/// that it cannot grow without bound under a write load that never pauses
/// (64 MiB at SQLite's default 4 KiB pages).
const WAL_RESTART_PAGES: i64 = 16_384;

/// Copies the WAL into the database file in the background.
///
/// SQLite's own automatic checkpoint runs inside the commit that crosses
/// 1,000 WAL pages, on the writer connection: that commit then also syncs
/// the WAL and the database file, and every write queued behind it waits
/// (under a create load, a third of the writer's time). Here the writer has
/// automatic checkpoints off, and this task runs a `PASSIVE` checkpoint
/// (which never blocks writers or readers) on its own connection every
/// [`CHECKPOINT_EVERY`]; when the log has grown past [`WAL_RESTART_PAGES`]
/// anyway, a `RESTART` checkpoint waits for readers and starts the log over.
/// The task ends when its pool is closed ([`crate::SqlStore::close`]).
pub(crate) fn start(pool: SqlitePool, writer: SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            let passive = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&pool)
                .await;
            let result = match passive {
                Ok((_, log, _)) if log > WAL_RESTART_PAGES => {
                    // On the writer's own connection: it runs between two
                    // writes instead of making the writer wait in SQLite's
                    // busy handler (whose sleeps reach 100 ms).
                    sqlx::query("PRAGMA wal_checkpoint(RESTART)")
                        .execute(&writer)
                        .await
                        .map(drop)
                }
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {}
                Err(_) if pool.is_closed() => break,
                Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; retrying"),
            }
        }
    });
}
