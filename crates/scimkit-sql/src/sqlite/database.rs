//! SQLite through sqlx (the writer, and reads of the in-memory database):
//! how a [`Param`] binds, how a row reads, and the [`Backend`] the generic
//! operations of [`crate::ops`] run on.

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqliteRow};
use sqlx::{Row, Sqlite};

use crate::error::DbError;
use crate::ops::Backend;
use crate::rows::RowRead;
use crate::sql::{Dialect, Param, Sql, time_text};

type Q<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>;

/// Binds `p` to `q` (timestamps as fixed-width RFC 3339 text).
pub(crate) fn bind<'q>(q: Q<'q>, p: &'q Param) -> Q<'q> {
    match p {
        Param::Text(s) | Param::Json(s) => q.bind(s.as_str()),
        Param::Int(i) => q.bind(*i),
        Param::Float(f) => q.bind(*f),
        Param::Time(t) => q.bind(time_text(t)),
    }
}

/// The query of `sql` with its parameters bound.
fn query(sql: &Sql) -> Q<'_> {
    sql.params
        .iter()
        .fold(sqlx::query(&sql.text), |q, p| bind(q, p))
}

/// SQLite, for the operations of [`crate::ops`].
#[derive(Debug)]
pub(crate) struct SqliteDb;

impl Backend for SqliteDb {
    type Db = Sqlite;
    type Row = SqliteRow;
    const DIALECT: Dialect = Dialect::Sqlite;

    async fn run(c: &mut SqliteConnection, sql: &Sql) -> Result<u64, DbError> {
        Ok(query(sql).execute(&mut *c).await?.rows_affected())
    }

    async fn rows(c: &mut SqliteConnection, sql: &Sql) -> Result<Vec<SqliteRow>, DbError> {
        Ok(query(sql).fetch_all(&mut *c).await?)
    }
}

impl RowRead for SqliteRow {
    fn text(&self, i: usize) -> Result<String, DbError> {
        Ok(self.try_get(i)?)
    }

    fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        Ok(self.try_get(i)?)
    }

    fn int(&self, i: usize) -> Result<i64, DbError> {
        Ok(self.try_get(i)?)
    }

    fn time(&self, i: usize) -> Result<DateTime<Utc>, DbError> {
        Ok(self.try_get(i)?)
    }

    fn opt_time(&self, i: usize) -> Result<Option<DateTime<Utc>>, DbError> {
        Ok(self.try_get(i)?)
    }
}
