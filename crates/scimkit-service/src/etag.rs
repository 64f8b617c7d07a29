//! Versions and ETags (RFC 7644 §3.14): `meta.version` is the weak entity tag
//! `W/"<version>"`; `If-Match` and `If-None-Match` (RFC 7232 §3.1, §3.2) take
//! `*` or a list of entity tags.
//!
//! The headers are parsed by the entity-tag grammar of RFC 7232 §2.3, on the
//! header's bytes:
//!
//! ```text
//! If-Match      = "*" / 1#entity-tag
//! entity-tag    = [ weak ] opaque-tag
//! weak          = %x57.2F            ; "W/", case-sensitive
//! opaque-tag    = DQUOTE *etagc DQUOTE
//! etagc         = %x21 / %x23-7E / obs-text
//! ```
//!
//! A header that does not follow it (an empty list such as `,`, an unquoted
//! tag, bytes after a closing quote, `*` mixed with tags) is `400`, never
//! treated as absent: a client that meant to guard its write must not have
//! the write go through unguarded. Empty list elements between tags are
//! ignored (RFC 7230 §7). `obs-text` (bytes `0x80`–`0xFF`) inside the quotes is
//! grammatical: such a tag is kept and matches no version, so `If-Match`
//! answers `412`. Comparison is weak (RFC 7232 §2.3.2), as SCIM versions are
//! weak tags. Several header lines form one list.

use http::HeaderMap;
use http::header::HeaderName;
use scimkit_schema::ScimError;

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
    /// One of these versions (the bytes between the quotes).
    OneOf(Vec<Vec<u8>>),
}

impl Precondition {
    /// Reads a header (all its lines); `Ok(None)` when absent, `400` when
    /// malformed.
    pub(crate) fn from_headers(
        headers: &HeaderMap,
        name: &HeaderName,
    ) -> Result<Option<Precondition>, ScimError> {
        let mut lines = headers.get_all(name).iter().peekable();
        if lines.peek().is_none() {
            return Ok(None);
        }
        let name = if name == http::header::IF_MATCH {
            "If-Match"
        } else if name == http::header::IF_NONE_MATCH {
            "If-None-Match"
        } else {
            name.as_str()
        };
        let mut tags = Vec::new();
        let mut any = false;
        for line in lines {
            parse_line(line.as_bytes(), &mut tags, &mut any).map_err(|why| {
                ScimError::new(
                    400,
                    None,
                    format!(
                        "malformed {name} header: {why}; expected * or a list of entity tags \
                         such as W/\"3\" (RFC 7232 §3.1, §2.3)"
                    ),
                )
            })?;
        }
        match (any, tags.is_empty()) {
            (true, true) => Ok(Some(Precondition::Any)),
            (true, false) => Err(ScimError::new(
                400,
                None,
                format!("malformed {name} header: * cannot be combined with entity tags"),
            )),
            (false, true) => Err(ScimError::new(
                400,
                None,
                format!("malformed {name} header: the list of entity tags is empty"),
            )),
            (false, false) => Ok(Some(Precondition::OneOf(tags))),
        }
    }

    /// Whether `version` satisfies the condition (weak comparison).
    pub(crate) fn matches(&self, version: &str) -> bool {
        match self {
            Precondition::Any => true,
            Precondition::OneOf(tags) => tags.iter().any(|t| t == version.as_bytes()),
        }
    }

    /// Whether this is a list of tags (not `*`).
    pub(crate) fn names_versions(&self) -> bool {
        matches!(self, Precondition::OneOf(_))
    }
}

/// The conditional headers of one request (RFC 7232 §3.1, §3.2).
#[derive(Debug, Clone, Default)]
pub(crate) struct Conditions {
    if_match: Option<Precondition>,
    if_none_match: Option<Precondition>,
}

impl Conditions {
    /// Reads `If-Match` and `If-None-Match`; a malformed one is `400`.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<Conditions, ScimError> {
        Ok(Conditions {
            if_match: Precondition::from_headers(headers, &http::header::IF_MATCH)?,
            if_none_match: Precondition::from_headers(headers, &http::header::IF_NONE_MATCH)?,
        })
    }

    /// Whether the outcome depends on the current version: `If-Match` with
    /// tags, or any `If-None-Match`. Without that (no header, or
    /// `If-Match: *`), a write that loses a compare-and-swap race retries.
    pub(crate) fn names_versions(&self) -> bool {
        self.if_match
            .as_ref()
            .is_some_and(Precondition::names_versions)
            || self.if_none_match.is_some()
    }

    /// `412` unless a write may change the resource at `version`.
    pub(crate) fn check_write(&self, id: &str, version: &str) -> Result<(), ScimError> {
        if let Some(c) = &self.if_match
            && !c.matches(version)
        {
            return Err(ScimError::precondition_failed(format!(
                "resource {id} has changed: the If-Match version is not the current one"
            )));
        }
        if let Some(c) = &self.if_none_match
            && c.matches(version)
        {
            return Err(ScimError::precondition_failed(format!(
                "resource {id} is at a version If-None-Match excludes"
            )));
        }
        Ok(())
    }

    /// For a read: `Err(412)` when `If-Match` fails, `Ok(true)` when
    /// `If-None-Match` matches (answer `304`), `Ok(false)` otherwise.
    pub(crate) fn check_read(&self, id: &str, version: &str) -> Result<bool, ScimError> {
        if let Some(c) = &self.if_match
            && !c.matches(version)
        {
            return Err(ScimError::precondition_failed(format!(
                "resource {id} has changed: the If-Match version is not the current one"
            )));
        }
        Ok(self
            .if_none_match
            .as_ref()
            .is_some_and(|c| c.matches(version)))
    }
}

/// `etagc = %x21 / %x23-7E / obs-text`.
fn etagc(b: u8) -> bool {
    b == 0x21 || (0x23..=0x7E).contains(&b) || b >= 0x80
}

fn ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Describes a byte for an error message (never echoes more than one byte).
fn describe(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("{:?}", char::from(b))
    } else {
        format!("byte 0x{b:02X}")
    }
}

/// One header line: `*`, or `#entity-tag` with empty elements skipped.
fn parse_line(line: &[u8], tags: &mut Vec<Vec<u8>>, any: &mut bool) -> Result<(), String> {
    let mut i = 0;
    loop {
        while line.get(i).is_some_and(|&b| ows(b) || b == b',') {
            i += 1;
        }
        let Some(&first) = line.get(i) else {
            return Ok(());
        };
        let start = i;
        if first == b'*' {
            *any = true;
            i += 1;
        } else {
            if line[i..].starts_with(b"W/") {
                i += 2;
            }
            if line.get(i) != Some(&b'"') {
                return Err(format!(
                    "at byte {start}: an entity tag must be quoted (found {})",
                    line.get(i).map_or("the end".to_owned(), |&b| describe(b))
                ));
            }
            i += 1;
            let open = i;
            while line.get(i).is_some_and(|&b| etagc(b)) {
                i += 1;
            }
            match line.get(i) {
                Some(b'"') => {}
                Some(&b) => {
                    return Err(format!("at byte {i}: {} inside an entity tag", describe(b)));
                }
                None => return Err(format!("at byte {start}: the entity tag is not closed")),
            }
            tags.push(line[open..i].to_vec());
            i += 1;
        }
        while line.get(i).is_some_and(|&b| ows(b)) {
            i += 1;
        }
        match line.get(i) {
            None | Some(b',') => {}
            Some(&b) => {
                return Err(format!(
                    "at byte {i}: {} after an element (a comma must separate them)",
                    describe(b)
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parsed = Result<Option<Precondition>, u16>;

    fn parse(v: &[u8]) -> Parsed {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::IF_MATCH,
            http::HeaderValue::from_bytes(v).map_err(|_| 0u16)?,
        );
        Precondition::from_headers(&h, &http::header::IF_MATCH).map_err(|e| e.status)
    }

    fn tags(t: &[&str]) -> Parsed {
        Ok(Some(Precondition::OneOf(
            t.iter().map(|s| s.as_bytes().to_vec()).collect(),
        )))
    }

    #[test]
    fn grammar() {
        let cases: Vec<(&[u8], Parsed)> = vec![
            (b"*", Ok(Some(Precondition::Any))),
            (b" * ", Ok(Some(Precondition::Any))),
            (b"W/\"3\"", tags(&["3"])),
            (b"\"3\"", tags(&["3"])),
            (b"W/\"a,b\"", tags(&["a,b"])),
            (b"\"1\", , W/\"2\",", tags(&["1", "2"])),
            (b"\"\"", tags(&[""])),
            (
                b"W/\"1\xE9\"",
                Ok(Some(Precondition::OneOf(vec![b"1\xE9".to_vec()]))),
            ),
            (b",", Err(400)),
            (b" , ,", Err(400)),
            (b"", Err(400)),
            (b"W/\"1\"\xE9", Err(400)),
            (b"3", Err(400)),
            (b"garbage", Err(400)),
            (b"w/\"3\"", Err(400)),
            (b"W/3", Err(400)),
            (b"\"3", Err(400)),
            (b"\"3\" \"4\"", Err(400)),
            (b"*, \"3\"", Err(400)),
            (b"**", Err(400)),
            (b"\"a b\"", Err(400)),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input), want, "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn lines_form_one_list() {
        let mut h = HeaderMap::new();
        h.append(
            http::header::IF_MATCH,
            http::HeaderValue::from_static("\"1\""),
        );
        h.append(
            http::header::IF_MATCH,
            http::HeaderValue::from_static("W/\"2\""),
        );
        let p = Precondition::from_headers(&h, &http::header::IF_MATCH);
        assert_eq!(p.map_err(|e| e.status), tags(&["1", "2"]));
        assert!(
            Precondition::from_headers(&HeaderMap::new(), &http::header::IF_MATCH)
                .is_ok_and(|p| p.is_none())
        );
    }
}
