//! [`FlatResource`]: a resource's JSON copied into one contiguous block, for
//! stores that match filters against many resources held in memory.

use serde_json::{Map, Value};

use super::hint::Hint;
use super::node::Node;
use super::tree::{Json, Num, Obj, View};
use crate::Resource;

// The layout: one byte array holding every value in document order, each a
// tag byte followed by its payload (integers little-endian, unaligned):
//
// | value     | bytes                                              |
// |-----------|----------------------------------------------------|
// | null      | `NULL`                                             |
// | boolean   | `FALSE` or `TRUE`                                  |
// | number    | `POS`/`NEG`/`FLOAT`, then 8 bytes (u64, i64, f64)  |
// | string    | `STR`, len: u32, the UTF-8 bytes                   |
// | array     | `ARRAY`, count: u32, end: u32, the elements        |
// | object    | `OBJECT`, count: u32, end: u32, count × u32 entry offsets, the entries |
// | entry     | key len: u32, the key's UTF-8 bytes, the value     |
//
// `end` is the position just past a container's contents, so a value is
// skipped in one step. An object's entry offsets (from the object's tag) give
// its n-th key in one step, so a remembered entry index (a hint) is checked
// with one comparison, as in the `serde_json` object.
const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const POS: u8 = 3;
const NEG: u8 = 4;
const FLOAT: u8 = 5;
const STR: u8 = 6;
const ARRAY: u8 = 7;
const OBJECT: u8 = 8;

/// A read-only copy of a [`Resource`] laid out for filter evaluation.
///
/// A `serde_json` object is a tree of separate heap blocks: the entry table,
/// every key, every string, every array. When a store holds more resources
/// than the CPU caches do, each block a filter reads is a cache miss of its
/// own, and matching one resource waits for them one after the other. A
/// `FlatResource` holds the same JSON in one block, in document order (an
/// attribute's key, value and sub-attributes side by side), so matching reads
/// a few neighbouring cache lines instead. Values, key order and key case are
/// kept exactly; [`CompiledFilter::matches_flat`] gives the same answer as
/// [`CompiledFilter::matches`] on the resource it was made from.
///
/// It costs one walk of the resource to build and about as much memory as the
/// resource's JSON text; rebuild it whenever the resource changes. (A
/// resource whose copy would pass 4 GiB, which no SCIM request comes near,
/// is kept as JSON instead and evaluated the ordinary way.)
///
/// ```
/// use scimkit_schema::{Compat, Registry, Resource, eval::{CompiledFilter, FlatResource}};
/// use scimkit_filter::parse_filter;
///
/// let registry = Registry::core();
/// let users = registry.resource_type("User").unwrap();
/// let compat = Compat::default();
/// let user = Resource::from_value(serde_json::json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
///     "userName": "bjensen",
///     "emails": [{"type": "work", "value": "bjensen@example.com"}]
/// }))?;
/// let flat = FlatResource::new(&user);
/// let filter = parse_filter(r#"emails[type eq "work" and value ew "@EXAMPLE.com"]"#, &compat.parse)?;
/// let compiled = CompiledFilter::new(&filter, users, &compat)?;
/// assert!(compiled.matches_flat(&flat));
/// assert_eq!(compiled.matches_flat(&flat), compiled.matches(&user));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`CompiledFilter::matches_flat`]: super::CompiledFilter::matches_flat
/// [`CompiledFilter::matches`]: super::CompiledFilter::matches
#[derive(Debug, Clone, PartialEq)]
pub struct FlatResource {
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    /// The layout above.
    Arena(Arena),
    /// A resource whose layout would pass `u32` offsets, kept as JSON
    /// (evaluated the slow way, with the same answers).
    Json(Box<Map<String, Value>>),
}

/// The largest layout, in bytes (offsets are `u32`).
const MAX_ARENA: usize = u32::MAX as usize;

impl FlatResource {
    /// Copies `resource`.
    pub fn new(resource: &Resource) -> FlatResource {
        Self::from_map(resource.as_map())
    }

    /// Copies a resource's JSON object (see [`FlatResource::new`]).
    pub fn from_map(map: &Map<String, Value>) -> FlatResource {
        Self::with_limit(map, MAX_ARENA)
    }

    fn with_limit(map: &Map<String, Value>, limit: usize) -> FlatResource {
        let size = size_object(map);
        let repr = if size <= limit {
            let mut b = Builder {
                bytes: Vec::with_capacity(size),
            };
            match b.object(map) {
                Some(()) => Repr::Arena(Arena(b.bytes.into_boxed_slice())),
                None => Repr::Json(Box::new(map.clone())),
            }
        } else {
            Repr::Json(Box::new(map.clone()))
        };
        FlatResource { repr }
    }

    /// The size of the copy in bytes (the heap memory it holds; for a
    /// resource kept as JSON, the size its copy would have taken).
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Arena(a) => a.0.len(),
            Repr::Json(m) => size_object(m),
        }
    }

    /// The layout, or `None` for a resource kept as JSON.
    pub(crate) fn arena(&self) -> Option<&Arena> {
        match &self.repr {
            Repr::Arena(a) => Some(a),
            Repr::Json(_) => None,
        }
    }

    /// The JSON of a resource too large for the layout.
    #[cfg(test)]
    fn json(&self) -> Option<&Map<String, Value>> {
        match &self.repr {
            Repr::Arena(_) => None,
            Repr::Json(m) => Some(m),
        }
    }
}

/// The bytes of the layout.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arena(Box<[u8]>);

impl Arena {
    #[inline]
    pub(crate) fn root(&self) -> FlatObj<'_> {
        FlatObj {
            doc: self,
            at: 0,
            len: self.u32_at(1),
        }
    }

    #[inline]
    fn tag(&self, at: u32) -> u8 {
        self.0.get(at as usize).copied().unwrap_or(NULL)
    }

    /// The little-endian `u32` at `at` (0 past the end, which the builder never points at).
    #[inline]
    fn u32_at(&self, at: u32) -> u32 {
        let at = at as usize;
        self.0
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    }

    fn u64_at(&self, at: u32) -> u64 {
        let at = at as usize;
        self.0
            .get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    }

    #[inline]
    fn raw(&self, at: u32, len: u32) -> &[u8] {
        let at = at as usize;
        self.0.get(at..at + len as usize).unwrap_or(&[])
    }

    /// The position of the `i`-th key of the object at `obj` (for fetching
    /// ahead: an `i` past the object's entries reads some other bytes).
    pub(crate) fn entry(&self, obj: u32, i: usize) -> u32 {
        let i = u32::try_from(i).unwrap_or(0);
        obj.wrapping_add(self.u32_at(obj.wrapping_add(9).wrapping_add(i.wrapping_mul(4))))
    }

    /// The position of the value of the key at `k`.
    pub(crate) fn value_pos(&self, k: u32) -> u32 {
        k.wrapping_add(4).wrapping_add(self.u32_at(k))
    }

    /// Reads one byte in each of the `lines` cache lines from `at` on, so a
    /// batch of resources has them fetched together.
    pub(crate) fn touch(&self, at: u32, lines: usize) -> u64 {
        let at = at as usize;
        (0..lines)
            .map(|l| u64::from(self.0.get(at + 64 * l).copied().unwrap_or(0)))
            .sum()
    }

    /// The position just past the value at `at` and its contents.
    #[inline]
    fn end_of(&self, at: u32) -> u32 {
        match self.tag(at) {
            POS | NEG | FLOAT => at + 9,
            STR => at + 5 + self.u32_at(at + 1),
            ARRAY | OBJECT => self.u32_at(at + 5),
            _ => at + 1,
        }
    }
}

/// Whether `flat` satisfies `node`.
pub(crate) fn eval(node: &Node, flat: &FlatResource) -> bool {
    match &flat.repr {
        Repr::Arena(a) => super::exec::eval::<FlatVal<'_>>(node, a.root()),
        Repr::Json(m) => super::exec::eval::<&Value>(node, m),
    }
}

impl From<&Resource> for FlatResource {
    fn from(resource: &Resource) -> Self {
        FlatResource::new(resource)
    }
}

impl AsRef<FlatResource> for FlatResource {
    fn as_ref(&self) -> &FlatResource {
        self
    }
}

/// The bytes an object takes, to allocate once.
fn size_object(m: &Map<String, Value>) -> usize {
    m.iter()
        .fold(9, |n, (k, v)| n + 8 + k.len() + size_value(v))
}

fn size_value(v: &Value) -> usize {
    match v {
        Value::Null | Value::Bool(_) => 1,
        Value::Number(_) => 9,
        Value::String(s) => 5 + s.len(),
        Value::Array(a) => a.iter().fold(9, |n, e| n + size_value(e)),
        Value::Object(m) => size_object(m),
    }
}

struct Builder {
    bytes: Vec<u8>,
}

impl Builder {
    fn here(&self) -> Option<u32> {
        u32::try_from(self.bytes.len()).ok()
    }

    fn u32(&mut self, n: usize) -> Option<()> {
        let n = u32::try_from(n).ok()?;
        self.bytes.extend_from_slice(&n.to_le_bytes());
        Some(())
    }

    fn patch_end(&mut self, at: u32) -> Option<()> {
        let end = self.here()?.to_le_bytes();
        let at = at as usize + 5;
        self.bytes.get_mut(at..at + 4)?.copy_from_slice(&end);
        Some(())
    }

    fn object(&mut self, m: &Map<String, Value>) -> Option<()> {
        let at = self.here()?;
        self.bytes.push(OBJECT);
        self.u32(m.len())?;
        self.u32(0)?;
        let table = self.bytes.len();
        self.bytes.resize(table + 4 * m.len(), 0);
        for (i, (k, v)) in m.iter().enumerate() {
            let off = (self.here()? - at).to_le_bytes();
            let slot = table + 4 * i;
            self.bytes.get_mut(slot..slot + 4)?.copy_from_slice(&off);
            self.u32(k.len())?;
            self.bytes.extend_from_slice(k.as_bytes());
            self.value(v)?;
        }
        self.patch_end(at)
    }

    fn value(&mut self, v: &Value) -> Option<()> {
        match v {
            Value::Null => self.bytes.push(NULL),
            Value::Bool(false) => self.bytes.push(FALSE),
            Value::Bool(true) => self.bytes.push(TRUE),
            Value::Number(n) => {
                let (tag, bits) = match Num::from_number(n) {
                    Num::Pos(u) => (POS, u.to_le_bytes()),
                    Num::Neg(i) => (NEG, i.to_le_bytes()),
                    Num::Float(f) => (FLOAT, f.to_le_bytes()),
                };
                self.bytes.push(tag);
                self.bytes.extend_from_slice(&bits);
            }
            Value::String(s) => {
                self.bytes.push(STR);
                self.u32(s.len())?;
                self.bytes.extend_from_slice(s.as_bytes());
            }
            Value::Array(a) => {
                let at = self.here()?;
                self.bytes.push(ARRAY);
                self.u32(a.len())?;
                self.u32(0)?;
                for e in a {
                    self.value(e)?;
                }
                self.patch_end(at)?;
            }
            Value::Object(m) => self.object(m)?,
        }
        Some(())
    }
}

/// A value in a [`FlatResource`].
#[derive(Clone, Copy)]
pub(crate) struct FlatVal<'a> {
    doc: &'a Arena,
    at: u32,
}

/// An object in a [`FlatResource`].
#[derive(Clone, Copy)]
pub(crate) struct FlatObj<'a> {
    doc: &'a Arena,
    at: u32,
    len: u32,
}

/// The elements of an array in a [`FlatResource`].
pub(crate) struct FlatElems<'a> {
    doc: &'a Arena,
    next: u32,
    left: u32,
}

impl<'a> Iterator for FlatElems<'a> {
    type Item = FlatVal<'a>;

    fn next(&mut self) -> Option<FlatVal<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let at = self.next;
        self.next = self.doc.end_of(at);
        Some(FlatVal { doc: self.doc, at })
    }
}

impl<'a> Json<'a> for FlatVal<'a> {
    type Obj = FlatObj<'a>;
    type Elems = FlatElems<'a>;

    #[inline]
    fn view(self) -> View<'a, Self> {
        let (doc, at) = (self.doc, self.at);
        match doc.tag(at) {
            FALSE => View::Bool(false),
            TRUE => View::Bool(true),
            POS => View::Num(Num::Pos(doc.u64_at(at + 1))),
            NEG => View::Num(Num::Neg(doc.u64_at(at + 1) as i64)),
            FLOAT => View::Num(Num::Float(f64::from_bits(doc.u64_at(at + 1)))),
            STR => View::Str(doc.raw(at + 5, doc.u32_at(at + 1))),
            ARRAY => View::Array(FlatElems {
                doc,
                next: at + 9,
                left: doc.u32_at(at + 1),
            }),
            OBJECT => View::Object(FlatObj {
                doc,
                at,
                len: doc.u32_at(at + 1),
            }),
            _ => View::Null,
        }
    }
}

impl<'a> FlatObj<'a> {
    /// The position of the `i`-th key (its length, then its bytes).
    #[inline]
    fn key_at(self, i: u32) -> u32 {
        self.at + self.doc.u32_at(self.at + 9 + 4 * i)
    }

    /// The bytes of the key at `k`.
    #[inline]
    fn key(self, k: u32) -> &'a [u8] {
        self.doc.raw(k + 4, self.doc.u32_at(k))
    }

    /// The value of the key at `k`.
    #[inline]
    fn value_of(self, k: u32) -> FlatVal<'a> {
        FlatVal {
            doc: self.doc,
            at: k + 4 + self.doc.u32_at(k),
        }
    }
}

impl<'a> Obj<'a> for FlatObj<'a> {
    type Val = FlatVal<'a>;

    #[inline]
    fn get(self, name: &str, hint: &Hint) -> Option<FlatVal<'a>> {
        let name = name.as_bytes();
        if let Ok(i) = u32::try_from(hint.get())
            && i < self.len
        {
            let k = self.key_at(i);
            if self.key(k) == name {
                return Some(self.value_of(k));
            }
        }
        let mut folded = None;
        for i in 0..self.len {
            let key = self.key(self.key_at(i));
            if key == name {
                folded = Some(i);
                break;
            }
            if folded.is_none() && key.eq_ignore_ascii_case(name) {
                folded = Some(i);
            }
        }
        let i = folded?;
        hint.set(i as usize);
        Some(self.value_of(self.key_at(i)))
    }

    fn any_value(self, mut f: impl FnMut(FlatVal<'a>) -> bool) -> bool {
        (0..self.len).any(|i| f(self.value_of(self.key_at(i))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_follows_the_document() {
        let r = Resource::from_value(json!({"a": [1, "x"], "b": {"c": null}})).unwrap();
        let f = FlatResource::new(&r);
        let mut want = vec![OBJECT, 2, 0, 0, 0, 70, 0, 0, 0, 17, 0, 0, 0, 46, 0, 0, 0];
        want.extend([1, 0, 0, 0, b'a']);
        want.extend([ARRAY, 2, 0, 0, 0, 46, 0, 0, 0]);
        want.extend([POS, 1, 0, 0, 0, 0, 0, 0, 0]);
        want.extend([STR, 1, 0, 0, 0, b'x']);
        want.extend([1, 0, 0, 0, b'b']);
        want.extend([OBJECT, 1, 0, 0, 0, 70, 0, 0, 0, 13, 0, 0, 0]);
        want.extend([1, 0, 0, 0, b'c']);
        want.push(NULL);
        assert_eq!(f.arena().map(|a| &*a.0), Some(&want[..]));
        assert_eq!(f.heap_bytes(), want.len());
        assert_eq!(size_object(r.as_map()), want.len());
    }

    #[test]
    fn too_large_a_resource_is_kept_as_json() {
        let r =
            Resource::from_value(json!({"userName": "bjensen", "emails": [{"value": "b@x.org"}]}))
                .unwrap();
        let f = FlatResource::with_limit(r.as_map(), 20);
        assert!(f.arena().is_none());
        assert_eq!(f.json(), Some(r.as_map()));
        assert_eq!(f.heap_bytes(), size_object(r.as_map()));
        let registry = crate::Registry::core();
        let users = registry.resource_type("User").unwrap();
        let compat = crate::Compat::default();
        for (text, want) in [
            (r#"emails[value ew "@X.org"]"#, true),
            (r#"userName eq "other""#, false),
        ] {
            let filter = scimkit_filter::parse_filter(text, &compat.parse).unwrap();
            let c = super::super::CompiledFilter::new(&filter, users, &compat).unwrap();
            assert_eq!(c.matches_flat(&f), want, "{text}");
            assert_eq!(c.select_flat([&f]).count(), usize::from(want), "{text}");
        }
    }
}
