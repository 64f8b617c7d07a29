//! PostgreSQL wake-ups across processes: a notifier task that sends one
//! `NOTIFY` for the commits that piled up since its last one, and a
//! listener task that turns notifications (from any process) into the
//! store's commit signal, reconnecting when its connection drops.

use std::sync::Arc;
use std::time::Duration;

use scimkit_service::CommitSignal;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::Notify;
use tokio::task::AbortHandle;

/// The channel every store of a database notifies and listens on.
pub(crate) const CHANNEL: &str = "scimkit_feed";

/// How long the listener waits before connecting again after a failure.
const RECONNECT: Duration = Duration::from_secs(1);

/// Starts both tasks; their abort handles.
pub(crate) fn start(pool: &PgPool, signal: &CommitSignal, poke: &Arc<Notify>) -> Vec<AbortHandle> {
    let notifier = {
        let (pool, poke) = (pool.clone(), poke.clone());
        tokio::spawn(async move {
            loop {
                poke.notified().await;
                if let Err(e) = sqlx::query("SELECT pg_notify($1, '')")
                    .bind(CHANNEL)
                    .execute(&pool)
                    .await
                {
                    tracing::debug!(error = %e, "feed NOTIFY failed; followers fall back to polling");
                }
            }
        })
    };
    let listener = {
        let (pool, signal) = (pool.clone(), signal.clone());
        tokio::spawn(async move {
            loop {
                match listen(&pool).await {
                    Ok(mut l) => loop {
                        // `recv` reconnects by itself; an error means it could not.
                        match l.recv().await {
                            Ok(_) => signal.notify(),
                            Err(e) => {
                                tracing::warn!(error = %e, "feed LISTEN connection lost");
                                break;
                            }
                        }
                    },
                    Err(e) => tracing::warn!(error = %e, "feed LISTEN failed"),
                }
                // Commits may have gone unheard: wake followers to look.
                signal.notify();
                tokio::time::sleep(RECONNECT).await;
            }
        })
    };
    vec![notifier.abort_handle(), listener.abort_handle()]
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut l = PgListener::connect_with(pool).await?;
    l.listen(CHANNEL).await?;
    Ok(l)
}
