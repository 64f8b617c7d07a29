//! What the store's reads cost: [`ReadStats`], counted as the store works,
//! so that memory bounds can be checked by what the code holds (rows
//! materialised, member rows read, readers open) rather than by timing.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Counters of a store's reads since it was opened (see
/// [`crate::SqlStore::read_stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadStats {
    /// Resource rows read from the database (documents decoded).
    pub rows_read: u64,
    /// Group member rows read.
    pub member_rows_read: u64,
    /// The most resources one list held in memory at once.
    pub most_held: u64,
    /// Reader connections open now (SQLite file databases: the rusqlite
    /// readers; otherwise the sqlx read pool's connections).
    pub readers_open: u64,
    /// The most reader connections open at once so far (SQLite file
    /// databases; otherwise the same as `readers_open`).
    pub most_readers_open: u64,
}

/// The live counters behind [`ReadStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    rows: AtomicU64,
    member_rows: AtomicU64,
    most_held: AtomicU64,
}

impl Counters {
    pub(crate) fn rows(&self, n: usize) {
        self.rows.fetch_add(n as u64, Relaxed);
    }

    pub(crate) fn member_rows(&self, n: usize) {
        self.member_rows.fetch_add(n as u64, Relaxed);
    }

    pub(crate) fn held(&self, n: usize) {
        self.most_held.fetch_max(n as u64, Relaxed);
    }

    pub(crate) fn snapshot(&self, readers_open: u64, most_readers_open: u64) -> ReadStats {
        ReadStats {
            rows_read: self.rows.load(Relaxed),
            member_rows_read: self.member_rows.load(Relaxed),
            most_held: self.most_held.load(Relaxed),
            readers_open,
            most_readers_open,
        }
    }
}
