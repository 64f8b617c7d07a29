//! Matching many resources: [`CompiledFilter::select`].
//!
//! A resource's JSON is a tree of separate heap blocks (the object's entries,
//! each key, each string, each array). When the resources do not fit in the
//! CPU caches, each of those is a cache miss, and evaluating one resource
//! waits for them one after the other. `select` takes resources in batches:
//! it first walks, for every resource of the batch, the blocks the filter will
//! read (a short walk with no decisions, so the CPU overlaps the misses of
//! many resources), then evaluates each resource from warm caches.
//!
//! [`CompiledFilter::select`]: super::CompiledFilter::select

use std::hint::black_box;

use serde_json::{Map, Value};

use super::hint::Hint;
use super::node::{AttrInfo, Node};
use crate::Resource;

/// Resources walked ahead of their evaluation.
pub(crate) const BATCH: usize = 16;

/// The deepest level walked: extension object, its entry, the attribute's
/// entry, an element, the element's entry, its data.
const MAX_LEVEL: u8 = 6;

/// What one pass of the walk found at its level.
#[derive(Default)]
struct Reach {
    /// A value derived from the loads, so they are not optimised away.
    sum: u64,
    /// Whether anything existed at the level (no: deeper passes are useless).
    any: bool,
}

impl Reach {
    fn add(&mut self, x: u64) {
        self.sum = self.sum.wrapping_add(x);
        self.any = true;
    }
}

/// Touches the blocks that evaluating `node` on `root` reads `level` pointer
/// hops away from the resource (the blocks of the levels above are warm from
/// the previous passes, so all the loads of one pass are independent).
fn warm(node: &Node, root: &Map<String, Value>, level: u8, out: &mut Reach) {
    match node {
        Node::Compare(c) => warm_attr(root, &c.attr, None, level, out),
        Node::Present(a) => warm_attr(root, a, None, level, out),
        Node::And(v) | Node::Or(v) => v.iter().for_each(|n| warm(n, root, level, out)),
        Node::Not(n) => warm(n, root, level, out),
        Node::ValuePath { attr, filter } => warm_attr(root, attr, Some(filter), level, out),
        Node::Constant(_) => {}
    }
}

/// Walks to the entry of `attr` (in its extension object when it has one),
/// then into its value.
fn warm_attr(
    root: &Map<String, Value>,
    attr: &AttrInfo,
    inner: Option<&Node>,
    level: u8,
    out: &mut Reach,
) {
    let (container, depth) = match &attr.extension {
        None => (root, 1),
        Some(_) => match entry(root, &attr.hints[0], 1, level, out) {
            Some(Value::Object(m)) => (m, 2),
            _ => return,
        },
    };
    if let Some(v) = entry(container, &attr.hints[1], depth, level, out) {
        warm_value(v, attr, inner, depth, level, out);
    }
}

/// The entry at the hinted position, whose block is `depth` hops away; at
/// that level its value's tag is touched, one level deeper its key's text.
/// Returns the value when the walk goes on below it.
fn entry<'m>(
    m: &'m Map<String, Value>,
    hint: &Hint,
    depth: u8,
    level: u8,
    out: &mut Reach,
) -> Option<&'m Value> {
    let (k, v) = m.iter().nth(hint.get())?;
    if level == depth {
        out.add(tag(v));
        return None;
    }
    if level == depth + 1 {
        out.add(k.as_bytes().first().copied().map_or(0, u64::from));
    }
    Some(v)
}

/// Walks into `v`, whose tag sits in a block `depth` hops away.
fn warm_value(
    v: &Value,
    attr: &AttrInfo,
    inner: Option<&Node>,
    depth: u8,
    level: u8,
    out: &mut Reach,
) {
    match v {
        Value::String(s) if level == depth + 1 => {
            out.add(s.as_bytes().first().copied().map_or(0, u64::from));
        }
        Value::Array(a) if level == depth + 1 => out.add(a.first().map_or(0, tag)),
        Value::Array(a) => {
            for e in a.iter().take(4) {
                warm_element(e, attr, inner, depth + 1, level, out);
            }
        }
        Value::Object(_) => warm_element(v, attr, inner, depth, level, out),
        _ => {}
    }
}

/// Walks into one value (an array element, or a single complex value) whose
/// tag sits `depth` hops away: the sub-attribute `attr.sub`, or every
/// sub-attribute the inner filter of a value path reads.
fn warm_element(
    e: &Value,
    attr: &AttrInfo,
    inner: Option<&Node>,
    depth: u8,
    level: u8,
    out: &mut Reach,
) {
    match (e, inner) {
        (Value::Object(m), Some(node)) => warm_inner(node, m, depth, level, out),
        (Value::Object(m), None) if attr.sub.is_some() => {
            if let Some(v) = entry(m, &attr.hints[2], depth + 1, level, out) {
                warm_value(v, attr, None, depth + 1, level, out);
            }
        }
        (Value::String(s), _) if level == depth + 1 => {
            out.add(s.as_bytes().first().copied().map_or(0, u64::from));
        }
        _ => {}
    }
}

fn warm_inner(node: &Node, m: &Map<String, Value>, depth: u8, level: u8, out: &mut Reach) {
    match node {
        Node::Compare(c) => warm_sub(&c.attr, m, depth, level, out),
        Node::Present(a) => warm_sub(a, m, depth, level, out),
        Node::And(v) | Node::Or(v) => v.iter().for_each(|n| warm_inner(n, m, depth, level, out)),
        Node::Not(n) => warm_inner(n, m, depth, level, out),
        Node::ValuePath { .. } | Node::Constant(_) => {}
    }
}

fn warm_sub(attr: &AttrInfo, m: &Map<String, Value>, depth: u8, level: u8, out: &mut Reach) {
    if attr.sub.is_some()
        && let Some(Value::String(s)) = entry(m, &attr.hints[2], depth + 1, level, out)
        && level == depth + 2
    {
        out.add(s.as_bytes().first().copied().map_or(0, u64::from));
    }
}

/// Reads a value's tag (its own block).
fn tag(v: &Value) -> u64 {
    match v {
        Value::Null => 1,
        Value::Bool(_) => 2,
        Value::Number(_) => 3,
        Value::String(s) => 4 + s.len() as u64,
        Value::Array(a) => 5 + a.len() as u64,
        Value::Object(m) => 6 + m.len() as u64,
    }
}

/// The resources of `iter` that satisfy `node`, in order.
pub(crate) struct Select<'f, 'r, I> {
    pub(crate) node: &'f Node,
    pub(crate) iter: I,
    pub(crate) batch: [Option<&'r Resource>; BATCH],
    pub(crate) pos: usize,
    pub(crate) len: usize,
}

impl<'r, I: Iterator<Item = &'r Resource>> Iterator for Select<'_, 'r, I> {
    type Item = &'r Resource;

    fn next(&mut self) -> Option<&'r Resource> {
        loop {
            while self.pos < self.len {
                let r = self.batch[self.pos].take();
                self.pos += 1;
                if let Some(r) = r
                    && super::exec::eval(self.node, r.as_map())
                {
                    return Some(r);
                }
            }
            self.len = 0;
            self.pos = 0;
            for slot in &mut self.batch {
                let Some(r) = self.iter.next() else { break };
                *slot = Some(r);
                self.len += 1;
            }
            if self.len == 0 {
                return None;
            }
            for level in 1..=MAX_LEVEL {
                let mut reach = Reach::default();
                for r in self.batch[..self.len].iter().flatten() {
                    warm(self.node, r.as_map(), level, &mut reach);
                }
                black_box(reach.sum);
                if !reach.any {
                    break;
                }
            }
        }
    }
}
