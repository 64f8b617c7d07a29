//! String comparison by an attribute's `caseExact` (RFC 7643 §2.2, RFC 7644
//! §3.4.2.2: "caseExact" decides whether `eq`, `co`, `sw`, `ew` and the
//! ordering operators compare case-sensitively).
//!
//! Case-insensitive comparison lowercases both sides. The needle is lowercased
//! once, when the filter is compiled; the attribute value is never copied when
//! both are ASCII (the common case: user names, e-mail addresses, ids), and is
//! lowercased into a temporary `String` only when one of them is not. Values
//! are taken as UTF-8 bytes, so only that last case needs them as `str`.

use std::cmp::Ordering;

/// A comparison string prepared once per filter: kept as written for
/// `caseExact` attributes, lowercased otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Needle {
    /// The text to compare with (lowercased when not case-exact).
    pub(crate) text: String,
    /// Whether the comparison is case-sensitive.
    pub(crate) case_exact: bool,
    /// Whether `text` is ASCII (enables the allocation-free path).
    ascii: bool,
}

impl Needle {
    pub(crate) fn new(text: &str, case_exact: bool) -> Needle {
        let text = if case_exact {
            text.to_owned()
        } else {
            text.to_lowercase()
        };
        let ascii = text.is_ascii();
        Needle {
            text,
            case_exact,
            ascii,
        }
    }

    /// `hay` equals the needle.
    #[inline]
    pub(crate) fn eq(&self, hay: &[u8]) -> bool {
        let text = self.text.as_bytes();
        if self.case_exact {
            return hay == text;
        }
        if self.ascii && hay.is_ascii() {
            return hay.eq_ignore_ascii_case(text);
        }
        lower(hay).is_some_and(|h| h == self.text)
    }

    /// `hay` starts with the needle.
    #[inline]
    pub(crate) fn starts(&self, hay: &[u8]) -> bool {
        let text = self.text.as_bytes();
        if self.case_exact {
            return hay.starts_with(text);
        }
        if self.ascii && hay.is_ascii() {
            return hay
                .get(..text.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(text));
        }
        lower(hay).is_some_and(|h| h.starts_with(self.text.as_str()))
    }

    /// `hay` ends with the needle.
    #[inline]
    pub(crate) fn ends(&self, hay: &[u8]) -> bool {
        let text = self.text.as_bytes();
        if self.case_exact {
            return hay.ends_with(text);
        }
        if self.ascii && hay.is_ascii() {
            return hay
                .len()
                .checked_sub(text.len())
                .and_then(|from| hay.get(from..))
                .is_some_and(|h| h.eq_ignore_ascii_case(text));
        }
        lower(hay).is_some_and(|h| h.ends_with(self.text.as_str()))
    }

    /// `hay` contains the needle.
    pub(crate) fn within(&self, hay: &[u8]) -> bool {
        let text = self.text.as_bytes();
        if self.case_exact {
            return text.is_empty() || hay.windows(text.len()).any(|w| w == text);
        }
        if self.ascii && hay.is_ascii() {
            return text.is_empty()
                || hay
                    .windows(text.len())
                    .any(|w| w.eq_ignore_ascii_case(text));
        }
        lower(hay).is_some_and(|h| h.contains(self.text.as_str()))
    }

    /// How `hay` orders against the needle (UTF-8 byte order is code point
    /// order, so case-exact strings compare as bytes).
    pub(crate) fn cmp(&self, hay: &[u8]) -> Ordering {
        let text = self.text.as_bytes();
        if self.case_exact {
            return hay.cmp(text);
        }
        if self.ascii && hay.is_ascii() {
            return hay
                .iter()
                .map(u8::to_ascii_lowercase)
                .cmp(text.iter().copied());
        }
        match lower(hay) {
            Some(h) => h.as_str().cmp(self.text.as_str()),
            None => hay.cmp(text),
        }
    }
}

/// `hay` lowercased (`str::to_lowercase`); `None` if it is not UTF-8, which
/// the evaluator's text always is.
fn lower(hay: &[u8]) -> Option<String> {
    std::str::from_utf8(hay).ok().map(str::to_lowercase)
}

/// Orders two strings, case-insensitively unless `case_exact` (for `sortBy`).
pub(crate) fn cmp_str(a: &str, b: &str, case_exact: bool) -> Ordering {
    if case_exact {
        a.cmp(b)
    } else if a.is_ascii() && b.is_ascii() {
        cmp_ascii_ci(a, b)
    } else {
        a.to_lowercase().cmp(&b.to_lowercase())
    }
}

fn cmp_ascii_ci(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}
