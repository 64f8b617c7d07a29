//! Versions and ETags (RFC 7644 §3.14): `meta.version` is the weak entity tag
//! `W/"<version>"`; `If-Match` and `If-None-Match` take a list of tags or `*`.

use http::HeaderMap;
use http::header::HeaderName;

/// The weak ETag of a version: `W/"<version>"`.
pub fn weak(version: &str) -> String {
    format!("W/\"{version}\"")
}

/// The opaque version inside an entity tag (`W/"3"` and `"3"` give `3`).
pub fn opaque(tag: &str) -> &str {
    let t = tag.trim();
    let t = t
        .strip_prefix("W/")
        .or_else(|| t.strip_prefix("w/"))
        .unwrap_or(t);
    t.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t)
}

/// A parsed `If-Match` / `If-None-Match` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Precondition {
    /// `*`: any current version.
    Any,
    /// One of these versions (opaque parts).
    OneOf(Vec<String>),
}

impl Precondition {
    /// Reads a header (all its values); `None` when absent.
    pub(crate) fn from_headers(headers: &HeaderMap, name: HeaderName) -> Option<Precondition> {
        let mut tags = Vec::new();
        for v in headers.get_all(name) {
            let text = v.to_str().ok()?;
            for part in text.split(',') {
                let part = part.trim();
                if part == "*" {
                    return Some(Precondition::Any);
                }
                if !part.is_empty() {
                    tags.push(opaque(part).to_owned());
                }
            }
        }
        (!tags.is_empty()).then_some(Precondition::OneOf(tags))
    }

    /// Whether `version` satisfies the condition (weak comparison).
    pub(crate) fn matches(&self, version: &str) -> bool {
        match self {
            Precondition::Any => true,
            Precondition::OneOf(tags) => tags.iter().any(|t| t == version),
        }
    }
}
