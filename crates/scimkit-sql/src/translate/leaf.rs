//! Comparisons, `pr` and value paths written as SQL for each dialect.
//!
//! SQLite reads the document with `json_extract`/`json_type`/`json_each`;
//! PostgreSQL with `->`, `->>` and `jsonb_array_elements`. Case-insensitive
//! comparisons lowercase both sides. The needle was lowercased with
//! [`fold`] (Rust's Unicode `to_lowercase`, as the in-memory evaluator does);
//! SQL's `lower()` is ASCII-only in SQLite, so a case-insensitive comparison
//! of a JSON value with a non-ASCII needle is left to the in-memory evaluator.
//! Extracted `*_lower` columns are folded by [`fold`] when written and so
//! compare exactly for any needle.

use scimkit_filter::CompareOp;
use scimkit_schema::AttrType;
use scimkit_schema::eval::{AttrInfo, Comparison, Node, Operand};

use super::Scope;
use super::source::{ColKind, Source, member_column};
use crate::sql::{Dialect, Param, Sql, is_safe_name};

/// Lowercases text the way the in-memory evaluator does for attributes that
/// are not `caseExact`.
pub(crate) fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// How one scalar value is read in SQL.
#[derive(Debug, Clone)]
enum Scalar {
    /// A text-like SQL expression (a column, or a members column).
    Text { expr: String, folded: bool },
    /// A timestamp column.
    Time(String),
    /// A JSON value: `value` (SQLite: the SQL value; PostgreSQL: jsonb),
    /// `text` its text, `ty` its JSON type name.
    Json {
        value: String,
        text: String,
        ty: String,
    },
}

/// `'$."a"."b"'` (SQLite JSON path; names were checked by `is_safe_name`).
fn sqlite_path(keys: &[&str]) -> String {
    let mut p = String::from("'$");
    for k in keys {
        p.push_str(".\"");
        p.push_str(k);
        p.push('"');
    }
    p.push('\'');
    p
}

/// `r.data->'a'->'b'` and `r.data->'a'->>'b'` (PostgreSQL).
fn pg_access(base: &str, keys: &[&str]) -> (String, String) {
    let mut j = base.to_owned();
    let mut t = base.to_owned();
    for (i, k) in keys.iter().enumerate() {
        j.push_str("->'");
        j.push_str(k);
        j.push('\'');
        t.push_str(if i + 1 == keys.len() { "->>'" } else { "->'" });
        t.push_str(k);
        t.push('\'');
    }
    if keys.is_empty() {
        t = format!("({base} #>> '{{}}')");
    }
    (j, t)
}

/// A JSON value of the resource document.
fn row_json(d: Dialect, keys: &[&str]) -> Scalar {
    match d {
        Dialect::Sqlite => {
            let p = sqlite_path(keys);
            Scalar::Json {
                value: format!("json_extract(r.data, {p})"),
                text: format!("json_extract(r.data, {p})"),
                ty: format!("json_type(r.data, {p})"),
            }
        }
        Dialect::Postgres => {
            let (j, t) = pg_access("r.data", keys);
            Scalar::Json {
                ty: format!("jsonb_typeof({j})"),
                value: j,
                text: t,
            }
        }
    }
}

/// The current element `e` of a JSON array, or its field `sub`.
fn elem_json(d: Dialect, sub: Option<&str>) -> Scalar {
    match (d, sub) {
        (Dialect::Sqlite, None) => Scalar::Json {
            value: "e.value".into(),
            text: "e.value".into(),
            ty: "e.type".into(),
        },
        (Dialect::Sqlite, Some(k)) => {
            let p = sqlite_path(&[k]);
            Scalar::Json {
                value: format!("(CASE WHEN e.type = 'object' THEN json_extract(e.value, {p}) END)"),
                text: format!("(CASE WHEN e.type = 'object' THEN json_extract(e.value, {p}) END)"),
                ty: format!("(CASE WHEN e.type = 'object' THEN json_type(e.value, {p}) END)"),
            }
        }
        (Dialect::Postgres, sub) => {
            let keys: Vec<&str> = sub.into_iter().collect();
            let (j, t) = pg_access("e.v", &keys);
            Scalar::Json {
                ty: format!("jsonb_typeof({j})"),
                value: j,
                text: t,
            }
        }
    }
}

/// `FROM <elements of the array at keys> AS e` (after `EXISTS (SELECT 1 `).
fn json_elements(sql: &mut Sql, keys: &[&str]) {
    match sql.dialect {
        Dialect::Sqlite => {
            let p = sqlite_path(keys);
            sql.push(&format!(
                "FROM json_each(r.data, {p}) AS e WHERE json_type(r.data, {p}) = 'array' AND "
            ));
        }
        Dialect::Postgres => {
            let (j, _) = pg_access("r.data", keys);
            sql.push(&format!(
                "FROM jsonb_array_elements(CASE WHEN jsonb_typeof({j}) = 'array' THEN {j} ELSE '[]'::jsonb END) AS e(v) WHERE "
            ));
        }
    }
}

/// `FROM group_members m WHERE <this group> AND ` (after `EXISTS (SELECT 1 `).
fn member_rows(sql: &mut Sql) {
    sql.push("FROM group_members m WHERE m.tenant_id = r.tenant_id AND m.group_id = r.id AND ");
}

fn sql_op(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Gt => " > ",
        CompareOp::Ge => " >= ",
        CompareOp::Lt => " < ",
        CompareOp::Le => " <= ",
        _ => " = ",
    }
}

/// Writes `scalar op operand`; `false` when it cannot be written exactly.
fn scalar_cond(sql: &mut Sql, s: &Scalar, op: CompareOp, value: &Operand) -> bool {
    let d = sql.dialect;
    match value {
        Operand::String(needle) => {
            let (expr, lower) = match s {
                Scalar::Text { expr, folded } => (expr.clone(), !needle.case_exact() && !folded),
                Scalar::Json { text, .. } => (text.clone(), !needle.case_exact()),
                Scalar::Time(_) => return false,
            };
            if lower && !needle.text().is_ascii() {
                return false;
            }
            let x = if lower {
                format!("lower({expr})")
            } else {
                expr
            };
            text_cond(sql, &x, op, needle.text());
            true
        }
        Operand::DateTime(t) => match s {
            Scalar::Time(col) if op != CompareOp::Ne => {
                sql.push(col).push(sql_op(op)).bind(Param::Time(*t));
                true
            }
            _ => false,
        },
        Operand::Integer(_) | Operand::Decimal(_) => {
            let Scalar::Json { value: v, ty, .. } = s else {
                return false;
            };
            if matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) {
                return false;
            }
            let num = match d {
                Dialect::Sqlite => format!("(CASE WHEN {ty} IN ('integer', 'real') THEN {v} END)"),
                Dialect::Postgres => format!("(CASE WHEN {ty} = 'number' THEN ({v})::numeric END)"),
            };
            sql.push(&num).push(sql_op(op));
            match value {
                Operand::Integer(i) => sql.bind(Param::Int(*i)),
                Operand::Decimal(f) => sql.bind(Param::Float(*f)),
                _ => return false,
            };
            true
        }
        Operand::Bool(b) => {
            let Scalar::Json { value: v, ty, .. } = s else {
                return false;
            };
            if op != CompareOp::Eq {
                return false;
            }
            let lit = if *b { "true" } else { "false" };
            match d {
                Dialect::Sqlite => sql.push(ty).push(" = ").bind_text(lit),
                Dialect::Postgres => sql.push(v).push(" = ").bind(Param::Json(lit.into())),
            };
            true
        }
        _ => false,
    }
}

/// `x op needle` for text.
fn text_cond(sql: &mut Sql, x: &str, op: CompareOp, needle: &str) {
    let d = sql.dialect;
    let n = || Param::Text(needle.to_owned());
    if needle.is_empty() && matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) {
        sql.push(x).push(" IS NOT NULL");
        return;
    }
    match (op, d) {
        (CompareOp::Co, Dialect::Sqlite) => sql
            .push("instr(")
            .push(x)
            .push(", ")
            .bind(n())
            .push(") > 0"),
        (CompareOp::Co, Dialect::Postgres) => sql
            .push("strpos(")
            .push(x)
            .push(", ")
            .bind(n())
            .push(") > 0"),
        (CompareOp::Sw, Dialect::Sqlite) => sql
            .push("substr(")
            .push(x)
            .push(", 1, length(")
            .bind(n())
            .push(")) = ")
            .bind(n()),
        (CompareOp::Sw, Dialect::Postgres) => sql
            .push("starts_with(")
            .push(x)
            .push(", ")
            .bind(n())
            .push(")"),
        (CompareOp::Ew, Dialect::Sqlite) => sql
            .push("substr(")
            .push(x)
            .push(", -length(")
            .bind(n())
            .push(")) = ")
            .bind(n()),
        (CompareOp::Ew, Dialect::Postgres) => sql
            .push("right(")
            .push(x)
            .push(", length(")
            .bind(n())
            .push(")) = ")
            .bind(n()),
        (op, Dialect::Postgres) if op.is_ordering() => sql
            .push(x)
            .push(" COLLATE \"C\"")
            .push(sql_op(op))
            .bind(n()),
        (op, _) => sql.push(x).push(sql_op(op)).bind(n()),
    };
}

/// A resource-level comparison (`ne` was turned into `NOT eq` by the caller).
pub(super) fn compare(
    sql: &mut Sql,
    scope: &Scope<'_>,
    src: &Source<'_>,
    c: &Comparison,
    op: CompareOp,
) -> bool {
    let d = sql.dialect;
    match src {
        Source::Column(col, kind) => {
            let s = match kind {
                ColKind::Time => Scalar::Time((*col).to_owned()),
                ColKind::Exact => Scalar::Text {
                    expr: (*col).to_owned(),
                    folded: false,
                },
                ColKind::Folded => Scalar::Text {
                    expr: (*col).to_owned(),
                    folded: true,
                },
            };
            scalar_cond(sql, &s, op, c.value())
        }
        Source::Json {
            keys,
            sub,
            multi: false,
        } => {
            let mut k = keys.clone();
            k.extend(sub.iter().copied());
            scalar_cond(sql, &row_json(d, &k), op, c.value())
        }
        Source::Json {
            keys,
            sub,
            multi: true,
        } => {
            if op == CompareOp::Eq && emails_lookup(sql, scope, c.attr(), &[(*sub, c)]) {
                return true;
            }
            sql.push("EXISTS (SELECT 1 ");
            json_elements(sql, keys);
            if !scalar_cond(sql, &elem_json(d, *sub), op, c.value()) {
                return false;
            }
            sql.push(")");
            true
        }
        Source::Members { sub } => {
            let Some((col, kind)) = member_column(sub.unwrap_or("value"), c.attr().case_exact())
            else {
                return false;
            };
            if op == CompareOp::Eq
                && *sub == Some("value")
                && kind == ColKind::Folded
                && let Operand::String(needle) = c.value()
            {
                members_lookup(sql, scope, needle.text());
                return true;
            }
            sql.push("EXISTS (SELECT 1 ");
            member_rows(sql);
            let s = Scalar::Text {
                expr: col.to_owned(),
                folded: kind == ColKind::Folded,
            };
            if !scalar_cond(sql, &s, op, c.value()) {
                return false;
            }
            sql.push(")");
            true
        }
    }
}

/// `r.id IN (groups having this member)`: an index lookup on
/// `group_members(tenant_id, member_id_lower)`.
fn members_lookup(sql: &mut Sql, scope: &Scope<'_>, folded_id: &str) {
    sql.push("r.id IN (SELECT m.group_id FROM group_members m WHERE m.tenant_id = ")
        .bind_text(scope.tenant)
        .push(" AND m.member_id_lower = ")
        .bind_text(folded_id)
        .push(")");
}

/// `emails.value eq "x"` or `emails[type eq "work" and value eq "x"]` as an
/// index lookup on `resource_emails`, when the terms allow it.
fn emails_lookup(
    sql: &mut Sql,
    scope: &Scope<'_>,
    attr: &AttrInfo,
    terms: &[(Option<&str>, &Comparison)],
) -> bool {
    if !scope.emails_table || attr.extension().is_some() || attr.name() != "emails" {
        return false;
    }
    let mut value = None;
    let mut ty = None;
    for (sub, c) in terms {
        let Operand::String(n) = c.value() else {
            return false;
        };
        if c.op() != CompareOp::Eq || n.case_exact() {
            return false;
        }
        match sub {
            Some("value") if value.is_none() => value = Some(n.text()),
            Some("type") if ty.is_none() => ty = Some(n.text()),
            _ => return false,
        }
    }
    let Some(value) = value else { return false };
    sql.push("r.id IN (SELECT x.resource_id FROM resource_emails x WHERE x.tenant_id = ")
        .bind_text(scope.tenant)
        .push(" AND x.resource_type = ")
        .bind_text(scope.resource_type)
        .push(" AND x.value_lower = ")
        .bind_text(value);
    if let Some(ty) = ty {
        sql.push(" AND x.type_lower = ").bind_text(ty);
    }
    sql.push(")");
    true
}

/// `pr` at the resource level: a value that is not `null` or `""` (RFC 7643
/// §2.5). A complex attribute named as a whole (`name pr`) is left to the
/// in-memory evaluator, which looks into its members.
pub(super) fn present(sql: &mut Sql, _scope: &Scope<'_>, src: &Source<'_>, a: &AttrInfo) -> bool {
    let d = sql.dialect;
    match src {
        Source::Column(col, ColKind::Time) => {
            sql.push(col).push(" IS NOT NULL");
        }
        Source::Column(col, _) => {
            sql.push("COALESCE(").push(col).push(" <> '', FALSE)");
        }
        Source::Json { .. } if a.attr_type() == AttrType::Complex => return false,
        Source::Json {
            keys,
            sub,
            multi: false,
        } => {
            let mut k = keys.clone();
            k.extend(sub.iter().copied());
            json_present(sql, &row_json(d, &k));
        }
        Source::Json {
            keys,
            sub,
            multi: true,
        } => {
            sql.push("EXISTS (SELECT 1 ");
            json_elements(sql, keys);
            json_present(sql, &elem_json(d, *sub));
            sql.push(")");
        }
        Source::Members { sub } => {
            sql.push("EXISTS (SELECT 1 ");
            member_rows(sql);
            match sub {
                None => sql.push("1=1"),
                Some(s) => match member_column(s, false) {
                    Some((col, _)) => sql.push("COALESCE(").push(col).push(" <> '', FALSE)"),
                    None => return false,
                },
            };
            sql.push(")");
        }
    }
    true
}

/// A scalar has a value: not absent, `null` or `""`.
fn json_present(sql: &mut Sql, s: &Scalar) {
    let Scalar::Json { value, ty, .. } = s else {
        sql.push("1=0");
        return;
    };
    match sql.dialect {
        Dialect::Sqlite => sql.push(&format!(
            "(CASE COALESCE({ty}, 'null') WHEN 'null' THEN 0 WHEN 'text' THEN {value} <> '' \
             WHEN 'array' THEN {value} <> '[]' WHEN 'object' THEN {value} <> '{{}}' ELSE 1 END)"
        )),
        Dialect::Postgres => sql.push(&format!(
            "(CASE COALESCE({ty}, 'null') WHEN 'null' THEN FALSE WHEN 'string' THEN {value} <> '\"\"'::jsonb \
             WHEN 'array' THEN {value} <> '[]'::jsonb WHEN 'object' THEN {value} <> '{{}}'::jsonb ELSE TRUE END)"
        )),
    };
}

/// Where the elements of a value path come from.
#[derive(Clone, Copy)]
enum Elems {
    Json,
    Members,
}

/// `attr[filter]`: one element satisfies the whole inner filter.
pub(super) fn value_path(sql: &mut Sql, scope: &Scope<'_>, attr: &AttrInfo, filter: &Node) -> bool {
    let Some(src) = Source::row(scope, attr) else {
        return false;
    };
    match src {
        Source::Json {
            keys,
            sub: None,
            multi: true,
        } => {
            if let Some(terms) = eq_terms(filter) {
                let m = sql.mark();
                if emails_lookup(sql, scope, attr, &terms) {
                    return true;
                }
                sql.rollback(m);
            }
            sql.push("EXISTS (SELECT 1 ");
            json_elements(sql, &keys);
            sql.push("(");
            if !elem_node(sql, Elems::Json, filter, false) {
                return false;
            }
            sql.push("))");
            true
        }
        Source::Members { sub: None } => {
            if let Node::Compare(c) = filter
                && let (CompareOp::Eq, Some("value"), Operand::String(n)) =
                    (c.op(), c.attr().sub(), c.value())
                && !n.case_exact()
            {
                members_lookup(sql, scope, n.text());
                return true;
            }
            sql.push("EXISTS (SELECT 1 ");
            member_rows(sql);
            sql.push("(");
            if !elem_node(sql, Elems::Members, filter, false) {
                return false;
            }
            sql.push("))");
            true
        }
        _ => false,
    }
}

/// The inner filter as a list of `sub eq "…"` terms, when it is one.
fn eq_terms(filter: &Node) -> Option<Vec<(Option<&str>, &Comparison)>> {
    match filter {
        Node::Compare(c) => Some(vec![(c.attr().sub(), c)]),
        Node::And(v) => v
            .iter()
            .map(|n| match n {
                Node::Compare(c) => Some((c.attr().sub(), c)),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// A node of a value path's inner filter, about the current element.
fn elem_node(sql: &mut Sql, elems: Elems, n: &Node, negated: bool) -> bool {
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
                if !elem_node(sql, elems, t, negated) {
                    return false;
                }
            }
            sql.push(")");
            true
        }
        Node::Not(inner) => {
            sql.push("NOT (");
            if !elem_node(sql, elems, inner, !negated) {
                return false;
            }
            sql.push(")");
            true
        }
        Node::Constant(b) => {
            sql.push(if *b { "1=1" } else { "1=0" });
            true
        }
        Node::Compare(c) => {
            if matches!(c.value(), Operand::Null) || c.attr().attr_type() == AttrType::Complex {
                return false;
            }
            let Some(s) = elem_scalar(sql.dialect, elems, c.attr()) else {
                return false;
            };
            let (op, ne) = match c.op() {
                CompareOp::Ne => (CompareOp::Eq, true),
                op => (op, false),
            };
            sql.push(if ne {
                "NOT COALESCE(("
            } else if negated {
                "COALESCE(("
            } else {
                "(("
            });
            if !scalar_cond(sql, &s, op, c.value()) {
                return false;
            }
            sql.push(if ne || negated { "), FALSE)" } else { "))" });
            true
        }
        Node::Present(a) => {
            if a.attr_type() == AttrType::Complex {
                return false;
            }
            let Some(s) = elem_scalar(sql.dialect, elems, a) else {
                return false;
            };
            match s {
                Scalar::Json { .. } => json_present(sql, &s),
                Scalar::Text { expr, .. } => {
                    sql.push("COALESCE(").push(&expr).push(" <> '', FALSE)");
                }
                Scalar::Time(_) => return false,
            }
            true
        }
        _ => false,
    }
}

/// A field of the current element.
fn elem_scalar(d: Dialect, elems: Elems, a: &AttrInfo) -> Option<Scalar> {
    match elems {
        Elems::Json => {
            if !a.sub().is_none_or(is_safe_name) {
                return None;
            }
            Some(elem_json(d, a.sub()))
        }
        Elems::Members => {
            let (col, kind) = member_column(a.sub()?, a.case_exact())?;
            Some(Scalar::Text {
                expr: col.to_owned(),
                folded: kind == ColKind::Folded,
            })
        }
    }
}
