//! The JSON text of a stored resource, computed once per stored version.
//!
//! Responses carry the stored body with `meta.location` added. When the body
//! ends with a non-empty `meta` object (as [`StoredResource::new`] writes it),
//! its text up to the two closing braces is kept, and a response appends
//! `,"location":"…"}}` to it instead of serialising the body again.

use std::sync::OnceLock;

use serde_json::Value;

use super::StoredResource;

/// The cached text, tied to the body it was made from.
#[derive(Debug, Default)]
pub(crate) struct Repr {
    cell: OnceLock<Option<(usize, String)>>,
}

impl StoredResource {
    /// The body's JSON text without the closing `}}` of `meta` and of the
    /// resource, when the body ends with a non-empty `meta` without
    /// `location`; `None` otherwise (serialise it instead).
    pub(crate) fn json_head(&self) -> Option<&str> {
        let of = std::sync::Arc::as_ptr(&self.resource) as usize;
        let cached = self.repr.cell.get_or_init(|| {
            let map = self.resource.as_map();
            let (last, meta) = map.iter().next_back()?;
            match meta {
                Value::Object(m)
                    if last == "meta" && !m.is_empty() && !m.contains_key("location") => {}
                _ => return None,
            }
            let text = serde_json::to_string(map).ok()?;
            let head = text.strip_suffix("}}")?.to_owned();
            Some((of, head))
        });
        // A body replaced after caching (the field is public) is not ours.
        match cached {
            Some((p, head)) if *p == of => Some(head),
            _ => None,
        }
    }
}
