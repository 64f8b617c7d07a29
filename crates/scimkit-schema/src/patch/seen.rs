//! A set of the values of a multi-valued attribute, keyed on the comparison
//! PATCH uses to tell whether two values are "the same value" (RFC 7644
//! §3.5.2.1: an `add` does not duplicate a value already present), so that
//! adding or removing n values among m costs O(n + m), not O(n × m).
//!
//! Two complex values of an attribute that has a `value` sub-attribute are the
//! same when their `value`s are equal (ASCII case-insensitively for a string
//! `value` that is not `caseExact`) and, when both carry a string `type`, their
//! types are equal ignoring ASCII case. Any other two values are the same
//! when they are equal JSON.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::value::field;

/// The [`Seen`] set of one attribute's array, kept from one `add` operation
/// to the next one on the same attribute (10,000 operations each adding one
/// member then cost 10,000 steps, not 10,000 × the group's size).
#[derive(Debug)]
pub(crate) struct SeenCache<'s> {
    /// The extension holding the attribute, if any.
    pub(crate) ext: Option<&'s str>,
    /// The attribute's canonical name.
    pub(crate) key: &'s str,
    /// The array's length the set describes.
    pub(crate) len: usize,
    /// The set.
    pub(crate) seen: Seen,
}

/// The values seen so far.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// `Some(case_exact)` when values compare by their `value` sub-attribute.
    rule: Option<bool>,
    /// By `value` key: the types present.
    by_value: HashMap<String, Types>,
    /// Values compared as whole JSON, by canonical text.
    whole: HashSet<String>,
}

/// The `type`s of the values that share one `value`.
#[derive(Debug, Default)]
struct Types {
    /// A value without a string `type` (the same as any value with this `value`).
    untyped: bool,
    /// The ASCII-lowercased string `type`s.
    typed: HashSet<String>,
}

/// How one value is compared.
enum Key {
    /// By `value`, with the lowercased string `type` if there is one.
    Value(String, Option<String>),
    /// As whole JSON.
    Whole(String),
}

impl Seen {
    /// An empty set for an attribute compared by `value` with this
    /// case-exactness (`rule`), or as whole JSON (`None`).
    pub(crate) fn new(rule: Option<bool>) -> Self {
        Seen {
            rule,
            ..Seen::default()
        }
    }

    fn key(&self, v: &Value) -> Key {
        if let (Value::Object(m), Some(case_exact)) = (v, self.rule)
            && let Some(value) = field(m, "value")
        {
            let text = match value {
                Value::String(s) if !case_exact => format!("s{}", s.to_ascii_lowercase()),
                other => format!("j{}", canonical(other)),
            };
            let ty = match field(m, "type") {
                Some(Value::String(t)) => Some(t.to_ascii_lowercase()),
                _ => None,
            };
            return Key::Value(text, ty);
        }
        Key::Whole(canonical(v))
    }

    /// Whether a value the same as `v` was inserted.
    pub(crate) fn contains(&self, v: &Value) -> bool {
        match self.key(v) {
            Key::Whole(k) => self.whole.contains(&k),
            Key::Value(k, ty) => match (self.by_value.get(&k), ty) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(types), Some(t)) => types.untyped || types.typed.contains(&t),
            },
        }
    }

    /// Inserts `v`; returns whether no value the same as `v` was there.
    pub(crate) fn insert(&mut self, v: &Value) -> bool {
        match self.key(v) {
            Key::Whole(k) => self.whole.insert(k),
            Key::Value(k, ty) => {
                let types = self.by_value.entry(k).or_default();
                let fresh = match &ty {
                    None => !types.untyped && types.typed.is_empty(),
                    Some(t) => !types.untyped && !types.typed.contains(t),
                };
                match ty {
                    None => types.untyped = true,
                    Some(t) => {
                        types.typed.insert(t);
                    }
                }
                fresh
            }
        }
    }
}

/// JSON text with object keys sorted, so that equal values (whose objects
/// may list their keys in another order) have equal text.
fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => write_object(m, out),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(e, out);
            }
            out.push(']');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn write_object(m: &Map<String, Value>, out: &mut String) {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    out.push('{');
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:", Value::String(k.clone()));
        if let Some(v) = m.get(k) {
            write_canonical(v, out);
        }
    }
    out.push('}');
}
