//! The store's operations on SQLite through sqlx (the writer, and reads of
//! the in-memory database): how a [`Param`] binds, and the statements of
//! [`crate::ops`] instantiated for SQLite.

use sqlx::Sqlite;
use sqlx::sqlite::SqliteArguments;

use crate::sql::{Param, time_text};

type Q<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>;

pub(crate) fn bind<'q>(q: Q<'q>, p: &'q Param) -> Q<'q> {
    match p {
        Param::Text(s) | Param::Json(s) => q.bind(s.as_str()),
        Param::Int(i) => q.bind(*i),
        Param::Float(f) => q.bind(*f),
        Param::Time(t) => q.bind(time_text(t)),
    }
}

pub(crate) mod db {
    //! The operations instantiated for SQLite.
    use super::bind;
    crate::ops::backend!(sqlx::Sqlite, crate::sql::Dialect::Sqlite, bind, "data");
}
