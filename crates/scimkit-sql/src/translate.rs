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
//!
//! Database limits (RFC 7644 §3.4.2.2 sets none on a filter's size; the
//! parser's `max_terms`/`max_depth` do): `or`s of `eq` on one extracted
//! column become one `IN` list; other `and`/`or` chains are written as
//! balanced trees, so a chain of `n` terms nests `log2(n)` deep, not `n`
//! (SQLite refuses expressions nested over 1,000 deep); and a translation
//! binding more than [`max_params`] values (SQLite allows 32,766, PostgreSQL
//! 65,535) is replaced by a superset, so the filter is evaluated in memory
//! (within the list's scan budget) instead of failing.

mod leaf;
mod source;

use scimkit_filter::CompareOp;
use scimkit_schema::eval::{Comparison, Node, Operand};

use crate::sql::{Dialect, Param, Sql};
pub(crate) use leaf::fold;
use source::{ColKind, Source};

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

/// The most values a filter's translation may bind: the database's limit
/// (SQLite's `SQLITE_MAX_VARIABLE_NUMBER`, 32,766; PostgreSQL's 65,535 bind
/// parameters) less [`PARAMS_RESERVED`] for the rest of the statement.
pub(crate) fn max_params(d: Dialect) -> usize {
    let limit = match d {
        Dialect::Sqlite => 32_766,
        Dialect::Postgres => 65_535,
    };
    limit - PARAMS_RESERVED
}

/// Parameters kept for the statement around a filter (tenant, type, paging).
const PARAMS_RESERVED: usize = 16;

/// Writes a condition for `root` into `sql`; returns whether it is exact.
pub(crate) fn filter_condition(sql: &mut Sql, scope: &Scope<'_>, root: &Node) -> bool {
    let m = sql.mark();
    let budget = m.1 + max_params(sql.dialect);
    sql.push("(");
    if node(sql, scope, root, false) && sql.params.len() <= budget {
        sql.push(")");
        return true;
    }
    sql.rollback(m);
    if filter_superset(sql, scope, root) && sql.params.len() <= budget {
        return false;
    }
    sql.rollback(m);
    sql.push("(1=1)");
    false
}

/// The superset condition: the translatable operands of a top-level `and`.
fn filter_superset(sql: &mut Sql, scope: &Scope<'_>, root: &Node) -> bool {
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
    true
}

/// One operand of an `and`/`or` as written: a node, or an `IN` list that
/// stands for several `eq` terms on one column.
enum Operandish<'n> {
    Node(&'n Node),
    In(&'static str, Vec<&'n str>),
}

/// The column and needle of `attr eq "text"` on an extracted text column
/// compared as stored (case-exact on an exact column, case-insensitive on a
/// folded one), which an `IN` list can gather.
fn in_candidate<'n>(scope: &Scope<'_>, n: &'n Node) -> Option<(&'static str, &'n str)> {
    let Node::Compare(c) = n else { return None };
    if c.op() != CompareOp::Eq {
        return None;
    }
    let Operand::String(needle) = c.value() else {
        return None;
    };
    match Source::row(scope, c.attr())? {
        Source::Column(col, ColKind::Exact) if needle.case_exact() => Some((col, needle.text())),
        Source::Column(col, ColKind::Folded) if !needle.case_exact() => Some((col, needle.text())),
        _ => None,
    }
}

/// The operands of an `or` with its `eq` terms on one column gathered.
fn gather<'n>(scope: &Scope<'_>, v: &'n [Node]) -> Vec<Operandish<'n>> {
    let mut out: Vec<Operandish<'n>> = Vec::with_capacity(v.len());
    for t in v {
        if let Some((col, text)) = in_candidate(scope, t) {
            let found = out.iter_mut().find_map(|o| match o {
                Operandish::In(c, list) if *c == col => Some(list),
                _ => None,
            });
            match found {
                Some(list) => list.push(text),
                None => out.push(Operandish::In(col, vec![text])),
            }
        } else {
            out.push(Operandish::Node(t));
        }
    }
    out
}

/// Writes `items` joined by `join` as a balanced tree of parentheses.
fn balanced(
    sql: &mut Sql,
    scope: &Scope<'_>,
    items: &[Operandish<'_>],
    join: &str,
    negated: bool,
) -> bool {
    match items {
        [] => {
            sql.push(if join == " AND " { "1=1" } else { "1=0" });
            true
        }
        [one] => match one {
            Operandish::Node(n) => node(sql, scope, n, negated),
            Operandish::In(col, list) => {
                if negated {
                    sql.push("COALESCE((");
                }
                sql.push(col).push(" IN (");
                for (i, t) in list.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind(Param::Text((*t).to_owned()));
                }
                sql.push(")");
                if negated {
                    sql.push("), FALSE)");
                }
                true
            }
        },
        _ => {
            let (l, r) = items.split_at(items.len() / 2);
            sql.push("(");
            if !balanced(sql, scope, l, join, negated) {
                return false;
            }
            sql.push(join);
            if !balanced(sql, scope, r, join, negated) {
                return false;
            }
            sql.push(")");
            true
        }
    }
}

/// Writes `n` exactly, or returns `false` (the caller rolls back). `negated`
/// says that a `NOT` encloses the term, so it must not be `NULL`.
fn node(sql: &mut Sql, scope: &Scope<'_>, n: &Node, negated: bool) -> bool {
    match n {
        Node::And(v) => {
            let items: Vec<Operandish<'_>> = v.iter().map(Operandish::Node).collect();
            sql.push("(");
            let ok = balanced(sql, scope, &items, " AND ", negated);
            sql.push(")");
            ok
        }
        Node::Or(v) => {
            sql.push("(");
            let ok = balanced(sql, scope, &gather(scope, v), " OR ", negated);
            sql.push(")");
            ok
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
