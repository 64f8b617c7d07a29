//! The JSON form of the syntax tree (feature `serde`).
//!
//! Written by hand so that the form is exactly the documented one and the
//! field order is fixed (no map with hash order):
//!
//! | node | JSON |
//! |---|---|
//! | [`AttrPath`] | `{"attr":"name","sub":"sub","schema":"urn:…"}` (`sub`, `schema` left out when absent) |
//! | [`Filter::Compare`] | `{"cmp":"eq","path":P,"value":V}`, `V` a JSON scalar |
//! | [`Filter::Present`] | `{"pr":P}` |
//! | [`Filter::And`] / [`Filter::Or`] | `{"and":[F,…]}` / `{"or":[F,…]}` |
//! | [`Filter::Not`] | `{"not":F}` |
//! | [`Filter::ValuePath`] | `{"valuePath":P,"filter":F}` |
//! | [`PatchPath`] | `P`, or `{"valuePath":P,"filter":F}` with `"subAttr":"name"` when given |
//!
//! Numbers are written as JSON numbers: through `i64`/`u64` when the literal
//! is an integer in range, else through `f64`.

use ::serde::ser::{Serialize, SerializeMap, Serializer};

use crate::{AttrPath, CompValue, CompareOp, Filter, Number, PatchPath};

impl Serialize for AttrPath<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let len = 1 + usize::from(self.sub.is_some()) + usize::from(self.schema.is_some());
        let mut map = s.serialize_map(Some(len))?;
        map.serialize_entry("attr", &*self.attr)?;
        if let Some(sub) = &self.sub {
            map.serialize_entry("sub", &**sub)?;
        }
        if let Some(schema) = &self.schema {
            map.serialize_entry("schema", &**schema)?;
        }
        map.end()
    }
}

impl Serialize for CompareOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for Number<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let lit = self.as_str();
        if self.is_integer() {
            if lit.starts_with('-') {
                if let Ok(v) = lit.parse::<i64>() {
                    return s.serialize_i64(v);
                }
            } else if let Ok(v) = lit.parse::<u64>() {
                return s.serialize_u64(v);
            }
        }
        s.serialize_f64(self.as_f64())
    }
}

impl Serialize for CompValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CompValue::Null => s.serialize_unit(),
            CompValue::Bool(b) => s.serialize_bool(*b),
            CompValue::Number(n) => n.serialize(s),
            CompValue::String(v) => s.serialize_str(v),
        }
    }
}

impl Serialize for Filter<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Filter::Compare { path, op, value } => {
                let mut map = s.serialize_map(Some(3))?;
                map.serialize_entry("cmp", op)?;
                map.serialize_entry("path", path)?;
                map.serialize_entry("value", value)?;
                map.end()
            }
            Filter::Present(path) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("pr", path)?;
                map.end()
            }
            Filter::And(terms) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("and", terms)?;
                map.end()
            }
            Filter::Or(terms) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("or", terms)?;
                map.end()
            }
            Filter::Not(inner) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("not", inner)?;
                map.end()
            }
            Filter::ValuePath { path, filter } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("valuePath", path)?;
                map.serialize_entry("filter", filter)?;
                map.end()
            }
        }
    }
}

impl Serialize for PatchPath<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PatchPath::Attr(path) => path.serialize(s),
            PatchPath::ValuePath {
                path,
                filter,
                sub_attr,
            } => {
                let mut map = s.serialize_map(Some(2 + usize::from(sub_attr.is_some())))?;
                map.serialize_entry("valuePath", path)?;
                map.serialize_entry("filter", filter)?;
                if let Some(sub) = sub_attr {
                    map.serialize_entry("subAttr", &**sub)?;
                }
                map.end()
            }
        }
    }
}
