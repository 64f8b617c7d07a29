//! The read-only JSON the evaluator walks.
//!
//! The evaluator (`exec.rs`) is written once against [`Json`] and runs on two
//! representations of a resource: its `serde_json` tree ([`Resource`]) and
//! its contiguous copy ([`FlatResource`]). Both give the same answers; the
//! tests run every rule through both.
//!
//! [`Resource`]: crate::Resource
//! [`FlatResource`]: super::FlatResource

use serde_json::{Map, Value};

use super::hint::{Hint, get_hinted};

/// A JSON number as the evaluator compares it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Num {
    /// A non-negative integer.
    Pos(u64),
    /// A negative integer.
    Neg(i64),
    /// A number with a fraction or an exponent.
    Float(f64),
}

impl Num {
    /// The number as an `i64`, when it is an integer in range (as `serde_json::Number::as_i64`).
    pub(crate) fn as_i64(self) -> Option<i64> {
        match self {
            Num::Pos(u) => i64::try_from(u).ok(),
            Num::Neg(i) => Some(i),
            Num::Float(_) => None,
        }
    }

    /// The number as an `f64` (as `serde_json::Number::as_f64`).
    pub(crate) fn as_f64(self) -> Option<f64> {
        match self {
            Num::Pos(u) => Some(u as f64),
            Num::Neg(i) => Some(i as f64),
            Num::Float(f) => Some(f),
        }
    }

    pub(crate) fn from_number(n: &serde_json::Number) -> Num {
        if let Some(u) = n.as_u64() {
            Num::Pos(u)
        } else if let Some(i) = n.as_i64() {
            Num::Neg(i)
        } else {
            Num::Float(n.as_f64().unwrap_or(f64::NAN))
        }
    }
}

/// What a JSON value is, with its contents.
pub(crate) enum View<'a, J: Json<'a>> {
    Null,
    Bool(bool),
    Num(Num),
    /// A string, as its UTF-8 bytes.
    Str(&'a [u8]),
    Array(J::Elems),
    Object(J::Obj),
}

/// A JSON value the evaluator can read.
pub(crate) trait Json<'a>: Copy + 'a {
    /// A JSON object.
    type Obj: Obj<'a, Val = Self>;
    /// The elements of a JSON array, in order.
    type Elems: Iterator<Item = Self>;

    /// What the value is.
    fn view(self) -> View<'a, Self>;

    /// Whether the value is `null`.
    fn is_null(self) -> bool {
        matches!(self.view(), View::Null)
    }
}

/// A JSON object the evaluator can read.
pub(crate) trait Obj<'a>: Copy + 'a {
    /// Its values.
    type Val: Json<'a, Obj = Self>;

    /// The value of `name` (exact key first, then case-insensitively, as
    /// [`crate::get_ci`]), trying the position `hint` remembers first.
    fn get(self, name: &str, hint: &Hint) -> Option<Self::Val>;

    /// Whether `f` holds for any of the object's values.
    fn any_value(self, f: impl FnMut(Self::Val) -> bool) -> bool;
}

impl<'a> Json<'a> for &'a Value {
    type Obj = &'a Map<String, Value>;
    type Elems = std::slice::Iter<'a, Value>;

    fn view(self) -> View<'a, Self> {
        match self {
            Value::Null => View::Null,
            Value::Bool(b) => View::Bool(*b),
            Value::Number(n) => View::Num(Num::from_number(n)),
            Value::String(s) => View::Str(s.as_bytes()),
            Value::Array(a) => View::Array(a.iter()),
            Value::Object(m) => View::Object(m),
        }
    }

    fn is_null(self) -> bool {
        Value::is_null(self)
    }
}

impl<'a> Obj<'a> for &'a Map<String, Value> {
    type Val = &'a Value;

    fn get(self, name: &str, hint: &Hint) -> Option<&'a Value> {
        get_hinted(self, name, hint)
    }

    fn any_value(self, f: impl FnMut(&'a Value) -> bool) -> bool {
        self.values().any(f)
    }
}
