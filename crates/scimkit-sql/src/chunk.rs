//! How many bound parameters one statement may carry, and how many rows of
//! a multi-row statement fit under that.
//!
//! Each database caps the parameters of one statement: SQLite at
//! `SQLITE_MAX_VARIABLE_NUMBER` (32,766 in the SQLite this crate bundles,
//! 3.46; it was 999 before 3.32), PostgreSQL at 65,535 (the wire protocol
//! counts them in 16 bits). A statement past the cap fails ("too many SQL
//! variables"), so every statement whose parameters grow with the request
//! (member rows, e-mail rows, id lists) is split into statements under it,
//! run in the same transaction.

use crate::sql::Dialect;

/// The most bound parameters of one SQLite statement
/// (`SQLITE_MAX_VARIABLE_NUMBER` of the bundled SQLite).
pub const SQLITE_MAX_BINDS: usize = 32_766;

/// The most bound parameters of one PostgreSQL statement (the protocol's
/// 16-bit parameter count).
pub const POSTGRES_MAX_BINDS: usize = 65_535;

/// The most bound parameters of one statement in `dialect`.
pub(crate) const fn max_binds(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Sqlite => SQLITE_MAX_BINDS,
        Dialect::Postgres => POSTGRES_MAX_BINDS,
    }
}

/// How many rows of `per_row` parameters fit in one statement of `dialect`
/// that also binds `fixed` others (at least one).
pub(crate) const fn rows_per_statement(dialect: Dialect, per_row: usize, fixed: usize) -> usize {
    let room = max_binds(dialect).saturating_sub(fixed) / if per_row == 0 { 1 } else { per_row };
    if room == 0 { 1 } else { room }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_fit_under_the_cap() {
        for d in [Dialect::Sqlite, Dialect::Postgres] {
            for (per_row, fixed) in [(1, 0), (1, 3), (5, 0), (8, 0), (1, 40)] {
                let n = rows_per_statement(d, per_row, fixed);
                assert!(
                    n * per_row + fixed <= max_binds(d),
                    "{d:?} {per_row} {fixed}"
                );
                assert!(
                    (n + 1) * per_row + fixed > max_binds(d),
                    "{d:?} {per_row} {fixed}"
                );
            }
        }
        assert_eq!(rows_per_statement(Dialect::Sqlite, 8, 0), 4_095);
    }
}
