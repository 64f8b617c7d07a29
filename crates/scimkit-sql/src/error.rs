//! Errors of opening a store.

/// Why a store could not be opened (connecting or migrating failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SqlError(String);

impl From<crate::record::DbError> for SqlError {
    fn from(e: crate::record::DbError) -> Self {
        SqlError(e.to_string())
    }
}
