//! Matching many flat resources: [`CompiledFilter::select_flat`].
//!
//! When the resources do not fit in the CPU caches, evaluating one resource
//! waits for its cache misses one after the other. `select_flat` takes
//! [`FlatResource`]s in batches: it first reads, for every resource of the
//! batch, the lines the filter will read first (found once
//! per selection from the position hints, [`FlatPlan`]), then evaluates each
//! resource from warm caches (see `docs/BENCHMARKS.md`, "Filter evaluation").
//!
//! [`CompiledFilter::select_flat`]: super::CompiledFilter::select_flat

use std::hint::black_box;

use super::FlatResource;
use super::flat::Arena;
use super::hint::Hint;
use super::node::{AttrInfo, Node};

/// Resources fetched ahead of their evaluation.
pub(crate) const BATCH: usize = 16;

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
