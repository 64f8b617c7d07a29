//! SQL text with bound parameters, written once for both dialects.
//!
//! Architecture invariant: every value that comes from a request (filter
//! literals, tenant ids, resource ids, paging numbers) enters SQL as a bound
//! parameter through [`Sql::bind`]. The only text ever pasted is this crate's
//! own SQL and attribute names taken from the schema after [`is_safe_name`]
//! accepted them.

use chrono::{DateTime, SecondsFormat, Utc};

/// The SQL dialect a statement is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite 3.45+ (JSON1 functions, `?` placeholders).
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    Sqlite,
    /// PostgreSQL 13+ (`jsonb`, `$n` placeholders).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres,
}

/// A bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    /// Text.
    Text(String),
    /// A 64-bit integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A timestamp (SQLite: fixed-width RFC 3339 text; PostgreSQL: `timestamptz`).
    Time(DateTime<Utc>),
    /// A JSON document given as text (PostgreSQL casts it to `jsonb`).
    Json(String),
}

/// The fixed-width UTC form timestamps are stored in on SQLite, so that text
/// order is time order: `2024-01-02T03:04:05.123456Z`.
#[cfg_attr(not(any(feature = "sqlite", test)), allow(dead_code))]
pub(crate) fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A statement (or a fragment of one) and its parameters, in order.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    pub(crate) dialect: Dialect,
    pub(crate) text: String,
    pub(crate) params: Vec<Param>,
}

impl Sql {
    /// An empty statement.
    pub(crate) fn new(dialect: Dialect) -> Self {
        Sql {
            dialect,
            text: String::with_capacity(256),
            params: Vec::new(),
        }
    }

    /// Appends SQL text written by this crate.
    pub(crate) fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder for `p` and records it.
    pub(crate) fn bind(&mut self, p: Param) -> &mut Self {
        let json = matches!(p, Param::Json(_));
        self.params.push(p);
        match self.dialect {
            Dialect::Sqlite => self.text.push('?'),
            Dialect::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.params.len().to_string());
                if json {
                    self.text.push_str("::jsonb");
                }
            }
        }
        self
    }

    /// Binds text.
    pub(crate) fn bind_text(&mut self, s: impl Into<String>) -> &mut Self {
        self.bind(Param::Text(s.into()))
    }

    /// Where the statement is now, to [`Sql::rollback`] to.
    pub(crate) fn mark(&self) -> (usize, usize) {
        (self.text.len(), self.params.len())
    }

    /// Forgets everything written since `mark`.
    pub(crate) fn rollback(&mut self, mark: (usize, usize)) {
        self.text.truncate(mark.0);
        self.params.truncate(mark.1);
    }
}

/// Whether a schema-defined name may be written into SQL text (inside a JSON
/// path or a quoted key): ASCII letters, digits and `-_.:$` only. Attribute
/// names (RFC 7643 §2.1 `ATTRNAME`, plus `$ref`) and schema URNs pass; anything
/// else is never pasted, and the filter term is evaluated in memory instead.
pub(crate) fn is_safe_name(s: &str) -> bool {
    s == "$ref"
        || (!s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_placeholders_count_and_roll_back() {
        let mut a = Sql::new(Dialect::Postgres);
        a.push("a = ").bind_text("x");
        let m = a.mark();
        a.push(" AND b = ").bind(Param::Int(1));
        a.rollback(m);
        a.push(" AND c = ").bind(Param::Json("{}".into()));
        assert_eq!(a.text, "a = $1 AND c = $2::jsonb");
        assert_eq!(a.params.len(), 2);
    }

    #[test]
    fn safe_names() {
        for ok in [
            "userName",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "$ref",
            "x-y_z",
        ] {
            assert!(is_safe_name(ok), "{ok}");
        }
        for bad in ["", "a'b", "a\"b", "a b", "a;b", "é", "a)b", "a[0]", "$1"] {
            assert!(!is_safe_name(bad), "{bad}");
        }
    }
}
