//! `sortBy`/`sortOrder` (RFC 7644 §3.4.2.3) as SQL `ORDER BY`, in the order
//! `scimkit_schema::eval::SortKey` defines: resources without a value (absent,
//! `null`, `""`) last when ascending, and the whole order reversed when
//! descending; ties keep insertion order.
//!
//! Pushed down: `id`, `externalId`, `userName`, `displayName` (extracted
//! columns), `meta.created`, `meta.lastModified`, `meta.resourceType` (one
//! value: insertion order), and single-valued JSON attributes (top-level,
//! sub-attributes such as `name.givenName`, extension attributes) that are
//! case-exact strings, numbers or booleans.
//!
//! Case-insensitive JSON strings ([`folded`]): the evaluator orders them by
//! Rust's Unicode `to_lowercase`, SQLite's `lower()` is ASCII-only. The two
//! agree exactly on ASCII text, so such a sort is split: resources whose
//! value is ASCII text (or who have no value) are ordered by SQL with
//! `lower()`, and the few whose value holds non-ASCII characters are read
//! and merged in memory by the evaluator's own order (see `crate::scan`).
//! When no value is non-ASCII, SQL orders and pages alone.
//!
//! Anything else (multi-valued attributes sort by their primary value;
//! `meta.version`, `meta.location`) is sorted in memory.

use scimkit_schema::AttrType;
use scimkit_schema::eval::SortKey;

use crate::sql::{Dialect, is_safe_name};
use crate::translate::Scope;

/// The `ORDER BY` list (without the keywords), or `None` when the sort must
/// happen in memory.
pub(crate) fn order_by(
    d: Dialect,
    scope: &Scope<'_>,
    key: &SortKey,
    descending: bool,
) -> Option<String> {
    let a = key.attr();
    let dir = if descending { "DESC" } else { "ASC" };
    let collate = if d == Dialect::Postgres {
        " COLLATE \"C\""
    } else {
        ""
    };
    let text_col =
        |c: &str| format!("(CASE WHEN {c} <> '' THEN 0 ELSE 1 END) {dir}, {c}{collate} {dir}");
    let expr = match (a.extension(), a.name(), a.sub()) {
        (None, "id", None) => text_col("r.id"),
        (None, "externalId", None) if a.case_exact() => text_col("r.external_id"),
        (None, "userName", None) if scope.user_name_column && !a.case_exact() => {
            text_col("r.user_name_lower")
        }
        (None, "displayName", None) if scope.display_name_column && !a.case_exact() => {
            text_col("r.display_name_lower")
        }
        (None, "meta", Some("created")) => format!("r.created {dir}"),
        (None, "meta", Some("lastModified")) => format!("r.last_modified {dir}"),
        // One value for every resource listed: all ties.
        (None, "meta", Some("resourceType")) => return Some("r.seq ASC".to_owned()),
        (None, "meta", _) => return None,
        _ if a.multi_valued() => return None,
        (ext, name, sub) => {
            let mut keys: Vec<&str> = ext.into_iter().collect();
            keys.push(name);
            keys.extend(sub);
            if !keys.iter().all(|k| is_safe_name(k)) {
                return None;
            }
            let (ty, val) = json_value(d, &keys);
            let typed = match (a.attr_type(), d) {
                (AttrType::String | AttrType::Reference | AttrType::Binary, _)
                    if a.case_exact() =>
                {
                    match d {
                        Dialect::Sqlite => {
                            format!("(CASE WHEN {ty} = 'text' AND {val} <> '' THEN {val} END)")
                        }
                        Dialect::Postgres => format!(
                            "(CASE WHEN {ty} = 'string' AND {val} <> '\"\"'::jsonb THEN ({val} #>> '{{}}') END)"
                        ),
                    }
                }
                (AttrType::Integer | AttrType::Decimal, Dialect::Sqlite) => {
                    format!("(CASE WHEN {ty} IN ('integer', 'real') THEN {val} END)")
                }
                (AttrType::Integer | AttrType::Decimal, Dialect::Postgres) => {
                    format!("(CASE WHEN {ty} = 'number' THEN ({val})::numeric END)")
                }
                (AttrType::Boolean, Dialect::Sqlite) => {
                    format!("(CASE {ty} WHEN 'false' THEN 0 WHEN 'true' THEN 1 END)")
                }
                (AttrType::Boolean, Dialect::Postgres) => {
                    format!("(CASE {ty} WHEN 'boolean' THEN ({val})::boolean END)")
                }
                _ => return None,
            };
            let coll = if d == Dialect::Postgres
                && a.attr_type() != AttrType::Boolean
                && !matches!(a.attr_type(), AttrType::Integer | AttrType::Decimal)
            {
                collate
            } else {
                ""
            };
            format!("(CASE WHEN {typed} IS NULL THEN 1 ELSE 0 END) {dir}, {typed}{coll} {dir}")
        }
    };
    Some(format!("{expr}, r.seq ASC"))
}

/// A case-insensitive string sort split at ASCII (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Folded {
    /// The condition selecting resources whose value is text with a
    /// non-ASCII character (never `NULL`).
    pub(crate) non_ascii: String,
    /// The `ORDER BY` list for the others (exact for them).
    pub(crate) order: String,
}

/// The split sort of a single-valued, case-insensitive string attribute in
/// the resource document, or `None` when the attribute is not one.
pub(crate) fn folded(d: Dialect, key: &SortKey, descending: bool) -> Option<Folded> {
    let a = key.attr();
    if a.case_exact()
        || a.multi_valued()
        || !matches!(
            a.attr_type(),
            AttrType::String | AttrType::Reference | AttrType::Binary
        )
        || (a.extension().is_none() && matches!(a.name(), "id" | "meta" | "externalId"))
    {
        return None;
    }
    let mut keys: Vec<&str> = a.extension().into_iter().collect();
    keys.push(a.name());
    keys.extend(a.sub());
    if !keys.iter().all(|k| is_safe_name(k)) {
        return None;
    }
    let dir = if descending { "DESC" } else { "ASC" };
    let (ty, val) = json_value(d, &keys);
    let (non_ascii, typed, coll) = match d {
        Dialect::Sqlite => (
            format!(
                "COALESCE(({ty} = 'text' AND length(CAST({val} AS BLOB)) <> length({val})), 0)"
            ),
            format!("(CASE WHEN {ty} = 'text' AND {val} <> '' THEN lower({val}) END)"),
            "",
        ),
        Dialect::Postgres => {
            let text = format!("({val} #>> '{{}}')");
            (
                format!(
                    "COALESCE(({ty} = 'string' AND octet_length({text}) <> char_length({text})), FALSE)"
                ),
                format!("(CASE WHEN {ty} = 'string' AND {text} <> '' THEN lower({text}) END)"),
                " COLLATE \"C\"",
            )
        }
    };
    Some(Folded {
        non_ascii,
        order: format!(
            "(CASE WHEN {typed} IS NULL THEN 1 ELSE 0 END) {dir}, {typed}{coll} {dir}, r.seq ASC"
        ),
    })
}

/// The JSON type and value of a document attribute: SQLite `json_type` and
/// `json_extract`; PostgreSQL `jsonb_typeof` and the `jsonb` value.
fn json_value(d: Dialect, keys: &[&str]) -> (String, String) {
    match d {
        Dialect::Sqlite => {
            let mut p = String::from("'$");
            for k in keys {
                p.push_str(&format!(".\"{k}\""));
            }
            p.push('\'');
            (
                format!("json_type(r.data, {p})"),
                format!("json_extract(r.data, {p})"),
            )
        }
        Dialect::Postgres => {
            let mut j = String::from("r.data");
            for k in keys {
                j.push_str(&format!("->'{k}'"));
            }
            (format!("jsonb_typeof({j})"), j)
        }
    }
}
