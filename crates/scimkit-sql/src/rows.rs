//! Decoding what the store reads, once for every driver: a row is read
//! through [`RowRead`] (sqlx's SQLite and PostgreSQL rows, rusqlite's rows on
//! the SQLite reader connections), and [`record`], [`member`] and
//! [`attach_members`] turn rows into what the store returns.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::columns::MemberRow;
use crate::error::DbError;
use crate::record::Record;

/// The columns of a row, by position.
pub(crate) trait RowRead {
    /// A text column.
    fn text(&self, i: usize) -> Result<String, DbError>;
    /// A text column that may be NULL.
    fn opt_text(&self, i: usize) -> Result<Option<String>, DbError>;
    /// An integer column.
    fn int(&self, i: usize) -> Result<i64, DbError>;
    /// A timestamp column (SQLite: RFC 3339 text; PostgreSQL: `timestamptz`).
    fn time(&self, i: usize) -> Result<DateTime<Utc>, DbError>;
    /// A timestamp column that may be NULL.
    fn opt_time(&self, i: usize) -> Result<Option<DateTime<Utc>>, DbError>;
}

/// The resource columns, in the order [`crate::read_sql::resource_columns`]
/// selects them: id, version, created, last_modified, the document.
pub(crate) fn record(row: &impl RowRead) -> Result<Record, DbError> {
    let data = match serde_json::from_str(&row.text(4)?)? {
        Value::Object(m) => m,
        _ => return Err(DbError::NotAnObject),
    };
    Ok(Record {
        id: row.text(0)?,
        version: row.int(1)?,
        created: row.time(2)?,
        last_modified: row.time(3)?,
        data,
    })
}

/// A member row, as [`crate::read_sql::members_sql`] selects it.
pub(crate) fn member(row: &impl RowRead) -> Result<MemberRow, DbError> {
    Ok(MemberRow {
        value: row.text(0)?,
        kind: row.opt_text(1)?,
        display: row.opt_text(2)?,
        reference: row.opt_text(3)?,
    })
}

/// Gives `rec` its `members` (none when the group has no member rows).
pub(crate) fn attach_members(rec: &mut Record, members: &[MemberRow]) {
    if !members.is_empty() {
        rec.data.insert(
            "members".into(),
            Value::Array(members.iter().map(MemberRow::to_json).collect()),
        );
    }
}

/// A stored SQLite timestamp (RFC 3339 text, see [`crate::sql::time_text`]).
#[cfg(feature = "sqlite")]
pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, DbError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|source| DbError::Timestamp {
            text: s.to_owned(),
            source,
        })
}
