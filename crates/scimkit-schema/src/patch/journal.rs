//! The undo log that makes a PATCH request all-or-nothing (RFC 7644 §3.5.2:
//! "each operation … SHALL be applied in sequence … if any operation fails,
//! the resource SHALL NOT be modified"), and the change record.
//!
//! Each change records just enough to undo itself: the previous value of a
//! top-level attribute (moved out, or cloned once per attribute), or, for
//! appends to and removals from multi-valued attributes such as a group's
//! `members`, only the old length or the removed element. A failing request
//! replays the log backwards.
//!
//! Why a log and not a copy: [`super::apply`] patches a resource the caller
//! owns, in place, and promises to leave it as it was on error; the log
//! makes that cost what the request touched, not the size of the resource.
//! The server does not rely on the rollback: [`super::run`] (what
//! `scimkit-service` and `scimkit patch apply` call) clones the stored
//! resource once, because the store's copy is shared and validation of the
//! result compares it with the original (`RequestKind::PatchResult`), and
//! drops the clone on error. There the log earns its keep as the change
//! record ([`Journal::changed`], the members added and removed), which
//! drives the no-op check (version kept) and the provisioning events.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Map, Value};

/// Where a top-level attribute lives: the resource object or an extension object.
pub(crate) type Ext<'s> = Option<&'s str>;

/// Keys are borrowed from the schema (canonical names and extension URIs)
/// so that recording a change allocates nothing but the moved or cloned value.
#[derive(Debug)]
enum Step<'s> {
    /// `key` in the container held `old` (at its index), or was absent.
    Key {
        ext: Ext<'s>,
        key: Cow<'s, str>,
        old: Option<(usize, Value)>,
    },
    /// The array at `key` had `len` elements (values were appended).
    Truncate {
        ext: Ext<'s>,
        key: &'s str,
        len: usize,
    },
    /// Sub-attribute `sub` of the complex value at `key` (or of its value
    /// at `index`, for a multi-valued attribute) held `old` (at its
    /// position in the object), or was absent.
    Sub {
        ext: Ext<'s>,
        key: &'s str,
        index: Option<usize>,
        sub: &'s str,
        old: Option<(usize, Value)>,
    },
    /// `removed` (each with its index before the removal, ascending) were
    /// removed from the array at `key`.
    Reinsert {
        ext: Ext<'s>,
        key: &'s str,
        removed: Vec<(usize, Value)>,
    },
}

/// The undo log and what changed.
#[derive(Debug, Default)]
pub(crate) struct Journal<'s> {
    steps: Vec<Step<'s>>,
    /// The keys that have a [`Step::Key`] (at most one each): bounded by
    /// the attributes of the schema, so looking one up does not grow with
    /// the number of steps.
    keyed: Vec<(Ext<'s>, Cow<'s, str>)>,
    /// Changed top-level attributes: (extension URI, name).
    pub(crate) changed: Vec<(Ext<'s>, &'s str)>,
    /// `members` values added.
    pub(crate) members_added: Vec<String>,
    /// `members` values removed.
    pub(crate) members_removed: Vec<String>,
    /// The value set of the attribute the last `add` appended to, while no
    /// other operation has run since.
    pub(crate) seen: Option<super::seen::SeenCache<'s>>,
    /// The value index of the attribute the last filtered operation looked
    /// into, while no operation has changed what it indexes since.
    pub(crate) index: Option<super::ops::ValueIndex<'s>>,
}

/// The container object (resource root or extension object), read-only.
pub(crate) fn container<'m>(
    root: &'m Map<String, Value>,
    ext: Ext<'_>,
) -> Option<&'m Map<String, Value>> {
    match ext {
        None => Some(root),
        Some(uri) => match super::value::field(root, uri) {
            Some(Value::Object(m)) => Some(m),
            _ => None,
        },
    }
}

/// The container object, mutable (exact key: callers canonicalise first).
pub(crate) fn container_mut<'m>(
    root: &'m mut Map<String, Value>,
    ext: Ext<'_>,
) -> Option<&'m mut Map<String, Value>> {
    match ext {
        None => Some(root),
        Some(uri) => match super::value::field_exact_mut(root, uri) {
            Some(Value::Object(m)) => Some(m),
            _ => None,
        },
    }
}

impl<'s> Journal<'s> {
    fn has_key_step(&self, ext: Ext<'_>, key: &str) -> bool {
        self.keyed.iter().any(|(e, k)| *e == ext && k == key)
    }

    fn push_key(&mut self, ext: Ext<'s>, key: Cow<'s, str>, old: Option<(usize, Value)>) {
        self.keyed.push((ext, key.clone()));
        self.steps.push(Step::Key { ext, key, old });
    }

    /// Records that `key` is about to change in place: its current value is
    /// cloned once per request (later changes to it need no record).
    pub(crate) fn snapshot(&mut self, root: &Map<String, Value>, ext: Ext<'s>, key: &'s str) {
        if self.has_key_step(ext, key) {
            return;
        }
        let old =
            container(root, ext).and_then(|c| c.get_full_index(key).map(|(i, v)| (i, v.clone())));
        self.push_key(ext, Cow::Borrowed(key), old);
    }

    /// Whether a snapshot already covers `key` (then nothing needs recording).
    pub(crate) fn covered(&self, ext: Ext<'_>, key: &str) -> bool {
        self.has_key_step(ext, key)
    }

    /// Records that `key` held `old` at `index` (moved out by the caller), or
    /// was absent; nothing is recorded when a snapshot already covers it.
    pub(crate) fn replaced(
        &mut self,
        ext: Ext<'s>,
        key: Cow<'s, str>,
        old: Option<(usize, Value)>,
    ) {
        if self.has_key_step(ext, &key) {
            return;
        }
        self.push_key(ext, key, old);
    }

    /// Records that values are about to be appended to the array at `key`,
    /// which has `len` elements.
    pub(crate) fn appending(&mut self, ext: Ext<'s>, key: &'s str, len: usize) {
        if self.has_key_step(ext, key) {
            return;
        }
        self.steps.push(Step::Truncate { ext, key, len });
    }

    /// Records that `removed` (each with its index before the removal,
    /// ascending) were removed from the array at `key`.
    pub(crate) fn removed_elems(
        &mut self,
        ext: Ext<'s>,
        key: &'s str,
        removed: Vec<(usize, Value)>,
    ) {
        if removed.is_empty() || self.has_key_step(ext, key) {
            return;
        }
        self.steps.push(Step::Reinsert { ext, key, removed });
    }

    /// Records that sub-attribute `sub` of the complex value at `key` (value
    /// `index` of it, for a multi-valued attribute) held `old`, or was absent.
    pub(crate) fn sub_changed(
        &mut self,
        ext: Ext<'s>,
        key: &'s str,
        index: Option<usize>,
        sub: &'s str,
        old: Option<(usize, Value)>,
    ) {
        if self.has_key_step(ext, key) {
            return;
        }
        self.steps.push(Step::Sub {
            ext,
            key,
            index,
            sub,
            old,
        });
    }

    /// Notes a changed top-level attribute.
    pub(crate) fn mark(&mut self, ext: Ext<'s>, name: &'s str) {
        if !self.changed.contains(&(ext, name)) {
            self.changed.push((ext, name));
        }
    }

    /// Undoes every recorded change, newest first.
    pub(crate) fn rollback(&mut self, root: &mut Map<String, Value>) {
        while let Some(step) = self.steps.pop() {
            match step {
                Step::Key { ext, key, old } => {
                    let Some(c) = container_mut(root, ext) else {
                        continue;
                    };
                    match old {
                        None => {
                            c.shift_remove(key.as_ref());
                        }
                        Some((index, value)) => {
                            if let Some(slot) = c.get_mut(key.as_ref()) {
                                *slot = value;
                            } else {
                                let index = index.min(c.len());
                                c.shift_insert(index, key.into_owned(), value);
                            }
                        }
                    }
                }
                Step::Truncate { ext, key, len } => {
                    if let Some(Value::Array(a)) =
                        container_mut(root, ext).and_then(|c| c.get_mut(key))
                    {
                        a.truncate(len);
                    }
                }
                Step::Sub {
                    ext,
                    key,
                    index,
                    sub,
                    old,
                } => {
                    let parent = container_mut(root, ext).and_then(|c| c.get_mut(key));
                    let obj = match (parent, index) {
                        (Some(Value::Object(m)), None) => m,
                        (Some(Value::Array(a)), Some(i)) => match a.get_mut(i) {
                            Some(Value::Object(m)) => m,
                            _ => continue,
                        },
                        _ => continue,
                    };
                    match old {
                        None => {
                            obj.shift_remove(sub);
                        }
                        Some((i, v)) => {
                            if let Some(slot) = obj.get_mut(sub) {
                                *slot = v;
                            } else {
                                let i = i.min(obj.len());
                                obj.shift_insert(i, sub.to_owned(), v);
                            }
                        }
                    }
                }
                Step::Reinsert { ext, key, removed } => {
                    let Some(c) = container_mut(root, ext) else {
                        continue;
                    };
                    match c.get_mut(key) {
                        Some(Value::Array(a)) => reinsert(a, removed),
                        _ => {
                            let mut a = Vec::with_capacity(removed.len());
                            reinsert(&mut a, removed);
                            c.insert(key.to_owned(), Value::Array(a));
                        }
                    }
                }
            }
        }
        self.keyed.clear();
        self.changed.clear();
        self.members_added.clear();
        self.members_removed.clear();
    }

    /// Drops attributes whose net value did not change (snapshot equal to
    /// the final value), and member ids both added and removed.
    pub(crate) fn settle(&mut self, root: &Map<String, Value>) {
        let mut seen: Vec<(Ext<'_>, &str)> = Vec::new();
        let mut unchanged: Vec<(Ext<'_>, &str)> = Vec::new();
        for s in &self.steps {
            let (ext, key) = match s {
                Step::Key { ext, key, .. } => (*ext, key.as_ref()),
                Step::Truncate { ext, key, .. }
                | Step::Reinsert { ext, key, .. }
                | Step::Sub { ext, key, .. } => (*ext, *key),
            };
            if seen.contains(&(ext, key)) {
                continue;
            }
            seen.push((ext, key));
            if let Step::Key { old, .. } = s {
                let now = container(root, ext).and_then(|c| c.get(key));
                if now == old.as_ref().map(|(_, v)| v) {
                    unchanged.push((ext, key));
                }
            }
        }
        self.changed.retain(|c| !unchanged.contains(c));
        if !self.members_added.is_empty() && !self.members_removed.is_empty() {
            let removed: HashSet<&String> = self.members_removed.iter().collect();
            let both: HashSet<String> = self
                .members_added
                .iter()
                .filter(|a| removed.contains(a))
                .cloned()
                .collect();
            self.members_added.retain(|a| !both.contains(a));
            self.members_removed.retain(|a| !both.contains(a));
        }
    }
}

/// `Map::get_full` for serde_json maps: the index and value of `key`.
trait GetFullIndex {
    fn get_full_index(&self, key: &str) -> Option<(usize, &Value)>;
}

impl GetFullIndex for Map<String, Value> {
    fn get_full_index(&self, key: &str) -> Option<(usize, &Value)> {
        self.iter()
            .enumerate()
            .find(|(_, (k, _))| k.as_str() == key)
            .map(|(i, (_, v))| (i, v))
    }
}

/// Puts `removed` (indices before the removal, ascending) back into `a`,
/// in one pass.
fn reinsert(a: &mut Vec<Value>, removed: Vec<(usize, Value)>) {
    let kept = std::mem::take(a);
    a.reserve(kept.len() + removed.len());
    let mut kept = kept.into_iter();
    for (index, value) in removed {
        while a.len() < index {
            match kept.next() {
                Some(v) => a.push(v),
                None => break,
            }
        }
        a.push(value);
    }
    a.extend(kept);
}

/// The index of `key` in `map`.
pub(crate) fn index_of(map: &Map<String, Value>, key: &str) -> usize {
    map.get_full_index(key).map_or(map.len(), |(i, _)| i)
}
