//! Group commit for SQLite inserts.
//!
//! SQLite has one writer, and in WAL mode every commit appends each page the
//! transaction changed to the log: a user create changes a dozen pages (the
//! row, each index, the e-mail and unique-value rows), so committing creates
//! one by one writes about 70 KB per user and hands the single writer
//! connection back and forth three times per create.
//!
//! Instead, inserts go to a queue. One task takes whatever is waiting (up to
//! [`MAX_BATCH`]), runs each insert inside its own `SAVEPOINT` of a single
//! transaction, and commits once. An insert that fails (a unique violation,
//! say) is rolled back to its savepoint alone and its caller gets the error;
//! the others commit. No caller hears back before the commit that holds its
//! row has returned, so an acknowledged create is as durable as before. When
//! one request is in flight, a batch is that one insert; batches grow only
//! when requests queue up behind the writer anyway, so nothing waits for a
//! timer.
//!
//! Each insert's statements end with the `INSERT … RETURNING position` of its
//! feed record, so the record is committed with the row, in the same call,
//! and the caller learns its position.

use sqlx::{Row, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::error::DbError;
use crate::sql::Sql;

/// The most inserts committed together.
pub(crate) const MAX_BATCH: usize = 64;

/// How many inserts may wait in the queue before senders wait too.
const QUEUE: usize = 1024;

/// The first integer column of the rows an insert's statements returned
/// (the positions of its feed records).
type Returned = Vec<i64>;

struct Job {
    sql: Sql,
    /// How many rows its statements return.
    rows: usize,
    reply: oneshot::Sender<Result<Returned, DbError>>,
}

/// The sending side of the insert queue; cloning shares it.
#[derive(Debug, Clone)]
pub(crate) struct Inserts {
    tx: mpsc::Sender<Job>,
}

impl Inserts {
    /// Starts the committing task on the current tokio runtime.
    pub(crate) fn start(pool: SqlitePool) -> Inserts {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(commit_loop(pool, rx));
        Inserts { tx }
    }

    /// Runs `sql` (the statements of one insert, returning `rows` rows) in
    /// the next group commit; answers the first column of those rows.
    /// `None` when the committing task was gone before it took the insert
    /// (its runtime shut down), so nothing was written and the caller writes
    /// on its own. An insert the task took but could not answer is an error:
    /// it may have been committed, so it must not be written again.
    pub(crate) async fn run(&self, sql: Sql, rows: usize) -> Option<Result<Returned, DbError>> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job { sql, rows, reply }).await.ok()?;
        Some(rx.await.unwrap_or_else(|_| Err(DbError::QueueStopped)))
    }
}

async fn commit_loop(pool: SqlitePool, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        jobs.push(first);
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let results = commit(&pool, &jobs).await;
        for (job, result) in jobs.drain(..).zip(results) {
            // A caller that went away needs no answer.
            let _ = job.reply.send(result);
        }
    }
}

/// Runs every job in one transaction; returns each job's result (all the
/// same error when the transaction itself fails).
///
/// The fast way is one call for the whole batch: `BEGIN IMMEDIATE`, every
/// job's statements, `COMMIT`, so the batch costs a single hand-off to
/// SQLite's thread whatever its size. When any statement fails, that
/// transaction is rolled back whole and the batch is run again with a
/// savepoint per job, which tells whose insert failed.
async fn commit(pool: &SqlitePool, jobs: &[Job]) -> Vec<Result<Returned, DbError>> {
    match one_call(pool, jobs).await {
        Ok(all) => return split(jobs, all),
        Err(e) if jobs.len() == 1 => return vec![Err(e)],
        Err(_) => {}
    }
    match with_savepoints(pool, jobs).await {
        Ok(results) => results,
        Err(e) => {
            tracing::error!(error = %e, inserts = jobs.len(), "group commit failed");
            let e = std::sync::Arc::new(e);
            jobs.iter()
                .map(|_| Err(DbError::GroupCommit(e.clone())))
                .collect()
        }
    }
}

/// Hands each job its rows of `all`, in order.
fn split(jobs: &[Job], all: Returned) -> Vec<Result<Returned, DbError>> {
    let mut rest = all.into_iter();
    jobs.iter()
        .map(|j| {
            let mine: Returned = rest.by_ref().take(j.rows).collect();
            if mine.len() == j.rows {
                Ok(mine)
            } else {
                Err(DbError::Feed(
                    "a group commit returned fewer rows than asked",
                ))
            }
        })
        .collect()
}

/// The first column of each row, as an integer.
fn firsts(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Returned, DbError> {
    rows.iter()
        .map(|r| r.try_get::<i64, _>(0).map_err(DbError::from))
        .collect()
}

async fn one_call(pool: &SqlitePool, jobs: &[Job]) -> Result<Returned, DbError> {
    let mut conn = pool.acquire().await?;
    let mut text = String::from("BEGIN IMMEDIATE;\n");
    for job in jobs {
        text.push_str(&job.sql.text);
        text.push_str(";\n");
    }
    text.push_str("COMMIT");
    let mut q = sqlx::query(&text);
    for job in jobs {
        for p in &job.sql.params {
            q = super::database::bind(q, p);
        }
    }
    match q.fetch_all(&mut *conn).await {
        Ok(rows) => firsts(&rows),
        Err(e) => {
            // The failed statement stopped the call inside the transaction.
            if let Err(r) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
                tracing::warn!(error = %r, "rollback of a failed group commit failed; closing the connection");
                conn.close_on_drop();
            }
            Err(DbError::from(e))
        }
    }
}

async fn with_savepoints(
    pool: &SqlitePool,
    jobs: &[Job],
) -> Result<Vec<Result<Returned, DbError>>, DbError> {
    let mut tx = pool.begin().await?;
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        // The savepoint, the insert and the release in one call: one hand-off
        // to SQLite's thread per insert.
        let text = format!(
            "SAVEPOINT scimkit_insert;\n{};\nRELEASE scimkit_insert",
            job.sql.text
        );
        let mut q = sqlx::query(&text);
        for p in &job.sql.params {
            q = super::database::bind(q, p);
        }
        match q.fetch_all(&mut *tx).await {
            Ok(rows) => results.push(firsts(&rows)),
            Err(e) => {
                // Undo this insert only (a failed statement left the
                // savepoint open); the transaction goes on.
                sqlx::query("ROLLBACK TO scimkit_insert; RELEASE scimkit_insert")
                    .execute(&mut *tx)
                    .await?;
                results.push(Err(DbError::from(e)));
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}
