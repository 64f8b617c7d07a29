//! Position hints for JSON object lookups.
//!
//! Resources of one type are usually written with their keys in the same
//! order, so the position where a key was found in the last resource is where
//! it is in the next one. Checking that position first skips hashing the key
//! and probing the hash table, which matters when a filter is matched against
//! many resources that are not in the CPU cache. A wrong hint costs one key
//! comparison; the result is always what [`get_ci`] returns. Positions are
//! entry indexes, the same in a `serde_json` object and in the
//! [`FlatResource`](super::FlatResource) made from it.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use serde_json::{Map, Value};

use crate::get_ci;

/// The last position a key was found at. Shared between threads (relaxed
/// atomics: a stale hint is only slower, never wrong).
#[derive(Debug, Default)]
pub(crate) struct Hint(AtomicUsize);

impl Hint {
    /// The hinted position.
    pub(crate) fn get(&self) -> usize {
        self.0.load(Relaxed)
    }

    /// Remembers the position a key was found at.
    pub(crate) fn set(&self, pos: usize) {
        if self.0.load(Relaxed) != pos {
            self.0.store(pos, Relaxed);
        }
    }
}

impl Clone for Hint {
    fn clone(&self) -> Self {
        Hint(AtomicUsize::new(self.0.load(Relaxed)))
    }
}

/// Hints carry no meaning: any two are equal.
impl PartialEq for Hint {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Hint {}

/// [`get_ci`] that tries the hinted position first.
pub(crate) fn get_hinted<'m>(
    map: &'m Map<String, Value>,
    name: &str,
    hint: &Hint,
) -> Option<&'m Value> {
    let at = hint.0.load(Relaxed);
    if let Some((k, v)) = map.iter().nth(at)
        && k == name
    {
        return Some(v);
    }
    let (key, v) = get_ci(map, name)?;
    if let Some(pos) = map.keys().position(|k| std::ptr::eq(k, key))
        && pos != at
    {
        hint.0.store(pos, Relaxed);
    }
    Some(v)
}
