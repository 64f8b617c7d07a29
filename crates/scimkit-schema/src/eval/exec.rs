//! Evaluating a compiled filter against one resource (RFC 7644 §3.4.2.2).
//! Nothing here allocates for ASCII data, and nothing can fail: every check
//! that can fail was done when compiling.

use std::cmp::Ordering;

use scimkit_filter::CompareOp;

use super::datetime::parse_instant;
use super::node::{AttrInfo, Comparison, Node, Operand};
use super::tree::{Json, Obj, View};

/// What paths are relative to: the resource, or one element of a
/// multi-valued attribute inside a value path.
enum Scope<'a, J: Json<'a>> {
    Root(J::Obj),
    Elem(J),
}

impl<'a, J: Json<'a>> Clone for Scope<'a, J> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<'a, J: Json<'a>> Copy for Scope<'a, J> {}

/// Whether the resource (its JSON object) satisfies `node`.
pub(crate) fn eval<'a, J: Json<'a>>(node: &Node, root: J::Obj) -> bool {
    eval_in::<J>(node, Scope::Root(root))
}

fn eval_in<'a, J: Json<'a>>(node: &Node, scope: Scope<'a, J>) -> bool {
    match node {
        Node::Compare(c) => compare(c, scope),
        Node::Present(a) => any(scope, a, present),
        Node::And(v) => v.iter().all(|n| eval_in(n, scope)),
        Node::Or(v) => v.iter().any(|n| eval_in(n, scope)),
        Node::Not(n) => !eval_in(n, scope),
        Node::ValuePath { attr, filter } => match scope {
            Scope::Root(root) => match top::<J>(root, attr) {
                Some(v) => match v.view() {
                    View::Array(mut a) => a.any(|e| eval_in::<J>(filter, Scope::Elem(e))),
                    View::Object(_) => eval_in::<J>(filter, Scope::Elem(v)),
                    _ => false,
                },
                None => false,
            },
            Scope::Elem(_) => false,
        },
        Node::Constant(b) => *b,
    }
}

/// The top-level value of `attr`: in the resource, or in its extension object.
pub(crate) fn top<'a, J: Json<'a>>(root: J::Obj, attr: &AttrInfo) -> Option<J> {
    let container = match &attr.extension {
        None => root,
        Some(uri) => match root.get(uri, &attr.hints[0])?.view() {
            View::Object(m) => m,
            _ => return None,
        },
    };
    container.get(&attr.name, &attr.hints[1])
}

/// The non-null sub-attribute `attr.sub` of a complex value.
pub(crate) fn sub_of<'a, J: Json<'a>>(v: J, attr: &AttrInfo) -> Option<J> {
    let sub = attr.sub.as_deref()?;
    match v.view() {
        View::Object(m) => m.get(sub, &attr.hints[2]).filter(|v| !v.is_null()),
        _ => None,
    }
}

/// Whether any (non-null) value of `attr` in `scope` satisfies `f`.
fn any<'a, J: Json<'a>, F: FnMut(J) -> bool>(
    scope: Scope<'a, J>,
    attr: &AttrInfo,
    mut f: F,
) -> bool {
    let v = match scope {
        Scope::Root(root) => match top::<J>(root, attr) {
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
    match (v.view(), &attr.sub) {
        (View::Null, _) => false,
        (View::Array(mut a), None) => a.any(|e| !e.is_null() && f(e)),
        (View::Array(mut a), Some(_)) => a.any(|e| sub_of(e, attr).is_some_and(&mut f)),
        (_, None) => f(v),
        (_, Some(_)) => sub_of(v, attr).is_some_and(f),
    }
}

/// RFC 7643 §2.5: unassigned, `null` and `[]` are the same state; `""` and
/// `{}` (or an object whose members have no value) count as no value too.
pub(crate) fn present<'a, J: Json<'a>>(v: J) -> bool {
    match v.view() {
        View::Null => false,
        View::Str(s) => !s.is_empty(),
        View::Array(mut a) => a.any(present),
        View::Object(m) => m.any_value(present),
        View::Bool(_) | View::Num(_) => true,
    }
}

fn compare<'a, J: Json<'a>>(c: &Comparison, scope: Scope<'a, J>) -> bool {
    match (c.op, &c.value) {
        (CompareOp::Eq, Operand::Null) => !any(scope, &c.attr, present),
        (CompareOp::Ne, Operand::Null) => any(scope, &c.attr, present),
        (CompareOp::Ne, want) => !any(scope, &c.attr, |v| test(CompareOp::Eq, want, v)),
        (op, want) => any(scope, &c.attr, |v| test(op, want, v)),
    }
}

/// Whether one value satisfies `op want` (any operator but `ne`, which the
/// caller turns into "no value is equal").
fn test<'a, J: Json<'a>>(op: CompareOp, want: &Operand, v: J) -> bool {
    match (want, v.view()) {
        (Operand::String(s), View::Str(h)) => match op {
            CompareOp::Eq => s.needle.eq(h),
            CompareOp::Ne => !s.needle.eq(h),
            CompareOp::Co => s.needle.within(h),
            CompareOp::Sw => s.needle.starts(h),
            CompareOp::Ew => s.needle.ends(h),
            _ => ordered(op, s.needle.cmp(h)),
        },
        (Operand::DateTime(t), View::Str(h)) => std::str::from_utf8(h)
            .ok()
            .and_then(parse_instant)
            .is_some_and(|x| ordered(op, x.cmp(t))),
        (Operand::Bool(b), View::Bool(x)) => ordered(op, x.cmp(b)),
        (Operand::Integer(i), View::Num(n)) => match n.as_i64() {
            Some(x) => ordered(op, x.cmp(i)),
            None => n
                .as_f64()
                .and_then(|x| x.partial_cmp(&(*i as f64)))
                .is_some_and(|o| ordered(op, o)),
        },
        (Operand::Decimal(d), View::Num(n)) => n
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
