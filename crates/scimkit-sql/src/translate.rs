//! Filters (RFC 7644 §3.4.2.2) translated to SQL `WHERE` conditions with bound
//! parameters, from the compiled filter tree of `scimkit_schema::eval`, so
//! that SQL and in-memory evaluation agree on every semantic choice (any value
//! of a multi-valued attribute; `ne` matches when no value is equal; `pr`
//! means not absent, `null`, `""`, `[]` or `{}`; `caseExact` from the schema).
//!
//! A translation is either **exact** (the SQL condition selects exactly the
//! matching resources) or a **superset**: a term that cannot be translated
//! becomes `TRUE` when it is an operand of the top-level `and`, and the whole
//! filter becomes `TRUE` otherwise; the store then evaluates the filter in
//! memory and pages after that. Terms are never dropped under `or` or `not`.

mod leaf;
mod source;

use scimkit_filter::CompareOp;
use scimkit_schema::eval::{Comparison, Node, Operand};

use crate::sql::Sql;
pub(crate) use leaf::fold;
use source::Source;

/// What the translator needs to know about the resources queried.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    /// The tenant, bound again inside lookup subqueries so they use their index.
    pub(crate) tenant: &'a str,
    /// The resource type, likewise.
    pub(crate) resource_type: &'a str,
    /// Whether `members` lives in the `group_members` table for this type.
    pub(crate) members_table: bool,
    /// Whether `emails` values are indexed in `resource_emails` for this type.
    pub(crate) emails_table: bool,
    /// Whether `userName` is extracted (lowercased) into `user_name_lower`.
    pub(crate) user_name_column: bool,
    /// Whether `displayName` is extracted (lowercased) into `display_name_lower`.
    pub(crate) display_name_column: bool,
}

/// Writes a condition for `root` into `sql`; returns whether it is exact.
pub(crate) fn filter_condition(sql: &mut Sql, scope: &Scope<'_>, root: &Node) -> bool {
    let m = sql.mark();
    sql.push("(");
    if node(sql, scope, root, false) {
        sql.push(")");
        return true;
    }
    sql.rollback(m);
    if let Node::And(terms) = root {
        sql.push("(1=1");
        for t in terms {
            let m = sql.mark();
            sql.push(" AND (");
            if node(sql, scope, t, false) {
                sql.push(")");
            } else {
                sql.rollback(m);
            }
        }
        sql.push(")");
    } else {
        sql.push("(1=1)");
    }
    false
}

/// Writes `n` exactly, or returns `false` (the caller rolls back). `negated`
/// says that a `NOT` encloses the term, so it must not be `NULL`.
fn node(sql: &mut Sql, scope: &Scope<'_>, n: &Node, negated: bool) -> bool {
    match n {
        Node::And(v) | Node::Or(v) => {
            let join = if matches!(n, Node::And(_)) {
                " AND "
            } else {
                " OR "
            };
            sql.push("(");
            for (i, t) in v.iter().enumerate() {
                if i > 0 {
                    sql.push(join);
                }
                if !node(sql, scope, t, negated) {
                    return false;
                }
            }
            sql.push(")");
            true
        }
        Node::Not(inner) => {
            sql.push("NOT (");
            if !node(sql, scope, inner, !negated) {
                return false;
            }
            sql.push(")");
            true
        }
        Node::Constant(b) => {
            sql.push(if *b { "1=1" } else { "1=0" });
            true
        }
        Node::Compare(_) | Node::Present(_) | Node::ValuePath { .. } => {
            // Under NOT a term must be TRUE or FALSE, never NULL.
            if negated {
                sql.push("COALESCE((");
            }
            let ok = match n {
                Node::Compare(c) => compare(sql, scope, c),
                Node::Present(a) => match Source::row(scope, a) {
                    Some(src) => leaf::present(sql, scope, &src, a),
                    None => false,
                },
                Node::ValuePath { attr, filter } => leaf::value_path(sql, scope, attr, filter),
                _ => false,
            };
            if negated {
                sql.push("), FALSE)");
            }
            ok
        }
        _ => false,
    }
}

/// A comparison at the resource level.
fn compare(sql: &mut Sql, scope: &Scope<'_>, c: &Comparison) -> bool {
    let Some(src) = Source::row(scope, c.attr()) else {
        return false;
    };
    if matches!(c.value(), Operand::Null) {
        // `eq null`: not present; `ne null`: present.
        let eq = c.op() == CompareOp::Eq;
        sql.push(if eq { "NOT COALESCE((" } else { "COALESCE((" });
        if !leaf::present(sql, scope, &src, c.attr()) {
            return false;
        }
        sql.push("), FALSE)");
        return true;
    }
    if c.op() == CompareOp::Ne {
        // `ne`: no value is equal (so an unassigned attribute matches).
        sql.push("NOT COALESCE((");
        if !leaf::compare(sql, scope, &src, c, CompareOp::Eq) {
            return false;
        }
        sql.push("), FALSE)");
        return true;
    }
    leaf::compare(sql, scope, &src, c, c.op())
}
