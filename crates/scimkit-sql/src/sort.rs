//! `sortBy`/`sortOrder` (RFC 7644 §3.4.2.3) as SQL `ORDER BY`, in the order
//! `scimkit_schema::eval::SortKey` defines: resources without a value (absent,
//! `null`, `""`) last when ascending, and the whole order reversed when
//! descending; ties keep insertion order.
//!
//! Pushed down: `id`, `externalId`, `userName`, `displayName` (extracted
//! columns), `meta.created`, `meta.lastModified`, and single-valued JSON
//! attributes that are case-exact strings, numbers or booleans. Anything else
//! (multi-valued attributes sort by their primary value; case-insensitive
//! JSON strings would need Unicode lowercasing) is sorted in memory.

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
        (None, "meta", _) => return None,
        _ if a.multi_valued() => return None,
        (ext, name, sub) => {
            let mut keys: Vec<&str> = ext.into_iter().collect();
            keys.push(name);
            keys.extend(sub);
            if !keys.iter().all(|k| is_safe_name(k)) {
                return None;
            }
            let (ty, val) = match d {
                Dialect::Sqlite => {
                    let mut p = String::from("'$");
                    for k in &keys {
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
                    for k in &keys {
                        j.push_str(&format!("->'{k}'"));
                    }
                    (format!("jsonb_typeof({j})"), j)
                }
            };
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
