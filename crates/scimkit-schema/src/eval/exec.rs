//! Evaluating a compiled filter against one resource (RFC 7644 §3.4.2.2).
//! Nothing here allocates for ASCII data, and nothing can fail: every check
//! that can fail was done when compiling.

use std::cmp::Ordering;

use scimkit_filter::CompareOp;
use serde_json::{Map, Value};

use super::datetime::parse_instant;
use super::hint::get_hinted;
use super::node::{AttrInfo, Comparison, Node, Operand};

/// What paths are relative to: the resource, or one element of a
/// multi-valued attribute inside a value path.
#[derive(Clone, Copy)]
enum Scope<'v> {
    Root(&'v Map<String, Value>),
    Elem(&'v Value),
}

/// Whether the resource (its JSON object) satisfies `node`.
pub(crate) fn eval(node: &Node, root: &Map<String, Value>) -> bool {
    eval_in(node, Scope::Root(root))
}

fn eval_in(node: &Node, scope: Scope<'_>) -> bool {
    match node {
        Node::Compare(c) => compare(c, scope),
        Node::Present(a) => any(scope, a, present),
        Node::And(v) => v.iter().all(|n| eval_in(n, scope)),
        Node::Or(v) => v.iter().any(|n| eval_in(n, scope)),
        Node::Not(n) => !eval_in(n, scope),
        Node::ValuePath { attr, filter } => match scope {
            Scope::Root(root) => match top(root, attr) {
                Some(Value::Array(a)) => a.iter().any(|e| eval_in(filter, Scope::Elem(e))),
                Some(v @ Value::Object(_)) => eval_in(filter, Scope::Elem(v)),
                _ => false,
            },
            Scope::Elem(_) => false,
        },
        Node::Constant(b) => *b,
    }
}

/// The top-level value of `attr`: in the resource, or in its extension object.
pub(crate) fn top<'v>(root: &'v Map<String, Value>, attr: &AttrInfo) -> Option<&'v Value> {
    let container = match &attr.extension {
        None => root,
        Some(uri) => match get_hinted(root, uri, &attr.hints[0]) {
            Some(Value::Object(m)) => m,
            _ => return None,
        },
    };
    get_hinted(container, &attr.name, &attr.hints[1])
}

/// The non-null sub-attribute `attr.sub` of a complex value.
pub(crate) fn sub_of<'v>(v: &'v Value, attr: &AttrInfo) -> Option<&'v Value> {
    let sub = attr.sub.as_deref()?;
    match v {
        Value::Object(m) => match get_hinted(m, sub, &attr.hints[2]) {
            Some(Value::Null) | None => None,
            Some(v) => Some(v),
        },
        _ => None,
    }
}

/// Whether any (non-null) value of `attr` in `scope` satisfies `f`.
fn any<F: FnMut(&Value) -> bool>(scope: Scope<'_>, attr: &AttrInfo, mut f: F) -> bool {
    let v = match scope {
        Scope::Root(root) => match top(root, attr) {
            Some(v) => v,
            None => return false,
        },
        Scope::Elem(e) => {
            return match &attr.sub {
                None => !e.is_null() && f(e),
                Some(_) => sub_of(e, attr).is_some_and(f),
            };
        }
    };
    match (v, &attr.sub) {
        (Value::Null, _) => false,
        (Value::Array(a), None) => a.iter().any(|e| !e.is_null() && f(e)),
        (Value::Array(a), Some(_)) => a.iter().any(|e| sub_of(e, attr).is_some_and(&mut f)),
        (v, None) => f(v),
        (v, Some(_)) => sub_of(v, attr).is_some_and(f),
    }
}

/// RFC 7643 §2.5: unassigned, `null` and `[]` are the same state; `""` and
/// `{}` (or an object whose members have no value) count as no value too.
pub(crate) fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(present),
        Value::Object(m) => m.values().any(present),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

fn compare(c: &Comparison, scope: Scope<'_>) -> bool {
    match (c.op, &c.value) {
        (CompareOp::Eq, Operand::Null) => !any(scope, &c.attr, present),
        (CompareOp::Ne, Operand::Null) => any(scope, &c.attr, present),
        (CompareOp::Ne, want) => !any(scope, &c.attr, |v| test(CompareOp::Eq, want, v)),
        (op, want) => any(scope, &c.attr, |v| test(op, want, v)),
    }
}

/// Whether one value satisfies `op want` (any operator but `ne`, which the
/// caller turns into "no value is equal").
fn test(op: CompareOp, want: &Operand, v: &Value) -> bool {
    match (want, v) {
        (Operand::String(s), Value::String(h)) => match op {
            CompareOp::Eq => s.needle.eq(h),
            CompareOp::Ne => !s.needle.eq(h),
            CompareOp::Co => s.needle.within(h),
            CompareOp::Sw => s.needle.starts(h),
            CompareOp::Ew => s.needle.ends(h),
            _ => ordered(op, s.needle.cmp(h)),
        },
        (Operand::DateTime(t), Value::String(h)) => {
            parse_instant(h).is_some_and(|x| ordered(op, x.cmp(t)))
        }
        (Operand::Bool(b), Value::Bool(x)) => ordered(op, x.cmp(b)),
        (Operand::Integer(i), Value::Number(n)) => match n.as_i64() {
            Some(x) => ordered(op, x.cmp(i)),
            None => n
                .as_f64()
                .and_then(|x| x.partial_cmp(&(*i as f64)))
                .is_some_and(|o| ordered(op, o)),
        },
        (Operand::Decimal(d), Value::Number(n)) => n
            .as_f64()
            .and_then(|x| x.partial_cmp(d))
            .is_some_and(|o| ordered(op, o)),
        _ => false,
    }
}

/// Whether `value.cmp(operand)` satisfies an `eq`/`ne`/ordering operator.
fn ordered(op: CompareOp, o: Ordering) -> bool {
    match op {
        CompareOp::Eq => o == Ordering::Equal,
        CompareOp::Ne => o != Ordering::Equal,
        CompareOp::Gt => o == Ordering::Greater,
        CompareOp::Ge => o != Ordering::Less,
        CompareOp::Lt => o == Ordering::Less,
        CompareOp::Le => o != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}
