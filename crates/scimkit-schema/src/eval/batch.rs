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

use super::FlatResource;
use super::flat::Arena;
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

/// Items taken from an iterator [`BATCH`] at a time.
struct Batches<'r, T, I> {
    iter: I,
    items: [Option<&'r T>; BATCH],
    pos: usize,
    len: usize,
}

impl<'r, T, I: Iterator<Item = &'r T>> Batches<'r, T, I> {
    fn new(iter: I) -> Self {
        Batches {
            iter,
            items: [None; BATCH],
            pos: 0,
            len: 0,
        }
    }

    /// The next item of the current batch (`None` when it is used up).
    fn pop(&mut self) -> Option<&'r T> {
        while self.pos < self.len {
            let r = self.items[self.pos].take();
            self.pos += 1;
            if r.is_some() {
                return r;
            }
        }
        None
    }

    /// Takes the next batch; `false` when the iterator is exhausted.
    fn refill(&mut self) -> bool {
        self.pos = 0;
        self.len = 0;
        for slot in &mut self.items {
            let Some(r) = self.iter.next() else { break };
            *slot = Some(r);
            self.len += 1;
        }
        self.len > 0
    }

    /// The items of the current batch.
    fn current(&self) -> impl Iterator<Item = &'r T> + '_ {
        self.items[..self.len].iter().flatten().copied()
    }
}

/// The resources of `iter` that satisfy `node`, in order.
pub(crate) struct Select<'f, 'r, I> {
    node: &'f Node,
    batch: Batches<'r, Resource, I>,
}

impl<'f, 'r, I: Iterator<Item = &'r Resource>> Select<'f, 'r, I> {
    pub(crate) fn new(node: &'f Node, iter: I) -> Self {
        Select {
            node,
            batch: Batches::new(iter),
        }
    }
}

impl<'r, I: Iterator<Item = &'r Resource>> Iterator for Select<'_, 'r, I> {
    type Item = &'r Resource;

    fn next(&mut self) -> Option<&'r Resource> {
        loop {
            while let Some(r) = self.batch.pop() {
                if super::exec::eval::<&Value>(self.node, r.as_map()) {
                    return Some(r);
                }
            }
            if !self.batch.refill() {
                return None;
            }
            for level in 1..=MAX_LEVEL {
                let mut reach = Reach::default();
                for r in self.batch.current() {
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

/// Cache lines fetched from a key on: its value (2), and for a multi-valued
/// attribute its first elements (4).
fn lines(attr: &AttrInfo) -> usize {
    if attr.multi_valued { 4 } else { 2 }
}

/// What the evaluation of a filter reads first in a flat resource, found
/// once per selection: the position hints of its top-level attributes (for
/// extension attributes, of the extension object and of the attribute in it).
struct FlatPlan<'f> {
    /// Hint and lines to fetch of each base-schema attribute.
    tops: Vec<(&'f Hint, usize)>,
    /// Hints of the extension object and of the attribute, lines to fetch.
    exts: Vec<(&'f Hint, &'f Hint, usize)>,
}

impl<'f> FlatPlan<'f> {
    fn new(node: &'f Node) -> Self {
        let mut plan = FlatPlan {
            tops: Vec::new(),
            exts: Vec::new(),
        };
        plan.add(node);
        plan
    }

    fn add(&mut self, node: &'f Node) {
        let attr = match node {
            Node::Compare(c) => &c.attr,
            Node::Present(a) | Node::ValuePath { attr: a, .. } => a,
            Node::And(v) | Node::Or(v) => return v.iter().for_each(|n| self.add(n)),
            Node::Not(n) => return self.add(n),
            Node::Constant(_) => return,
        };
        match &attr.extension {
            None => self.tops.push((&attr.hints[1], lines(attr))),
            Some(_) => self
                .exts
                .push((&attr.hints[0], &attr.hints[1], lines(attr))),
        }
    }

    /// Reads, for one resource, what lies `level` steps from its start: 1, the
    /// root's entry table; 2, the hinted keys (and the lines after them, where
    /// their values are); 3, the hinted keys of extension objects.
    fn warm(&self, doc: &Arena, level: u8) -> u64 {
        let mut sum = 0;
        match level {
            1 => {
                for (h, _) in &self.tops {
                    sum += u64::from(doc.entry(0, h.get()));
                }
                for (e, _, _) in &self.exts {
                    sum += u64::from(doc.entry(0, e.get()));
                }
            }
            2 => {
                for (h, lines) in &self.tops {
                    sum += doc.touch(doc.entry(0, h.get()), *lines);
                }
                for (e, _, _) in &self.exts {
                    sum += doc.touch(doc.entry(0, e.get()), 2);
                }
            }
            _ => {
                for (e, h, lines) in &self.exts {
                    let obj = doc.value_pos(doc.entry(0, e.get()));
                    sum += doc.touch(doc.entry(obj, h.get()), *lines);
                }
            }
        }
        sum
    }
}

/// The items of `iter` whose [`FlatResource`] satisfies `node`, in order.
pub(crate) struct SelectFlat<'f, 'r, T, I> {
    node: &'f Node,
    plan: FlatPlan<'f>,
    batch: Batches<'r, T, I>,
}

impl<'f, 'r, T, I: Iterator<Item = &'r T>> SelectFlat<'f, 'r, T, I> {
    pub(crate) fn new(node: &'f Node, iter: I) -> Self {
        SelectFlat {
            node,
            plan: FlatPlan::new(node),
            batch: Batches::new(iter),
        }
    }
}

impl<'r, T, I> Iterator for SelectFlat<'_, 'r, T, I>
where
    T: AsRef<FlatResource> + 'r,
    I: Iterator<Item = &'r T>,
{
    type Item = &'r T;

    fn next(&mut self) -> Option<&'r T> {
        loop {
            while let Some(r) = self.batch.pop() {
                if super::flat::eval(self.node, r.as_ref()) {
                    return Some(r);
                }
            }
            if !self.batch.refill() {
                return None;
            }
            let levels = if self.plan.exts.is_empty() { 2 } else { 3 };
            for level in 1..=levels {
                let mut sum = 0u64;
                for r in self.batch.current() {
                    if let Some(a) = r.as_ref().arena() {
                        sum = sum.wrapping_add(self.plan.warm(a, level));
                    }
                }
                black_box(sum);
            }
        }
    }
}
