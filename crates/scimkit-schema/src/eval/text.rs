//! String comparison by an attribute's `caseExact` (RFC 7643 §2.2, RFC 7644
//! §3.4.2.2: "caseExact" decides whether `eq`, `co`, `sw`, `ew` and the
//! ordering operators compare case-sensitively).
//!
//! Case-insensitive comparison lowercases both sides. The needle is lowercased
//! once, when the filter is compiled; the attribute value is never copied when
//! both are ASCII (the common case: user names, e-mail addresses, ids), and is
//! lowercased into a temporary `String` only when one of them is not.

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
    pub(crate) fn eq(&self, hay: &str) -> bool {
        if self.case_exact {
            return hay == self.text;
        }
        if self.ascii && hay.is_ascii() {
            return hay.eq_ignore_ascii_case(&self.text);
        }
        hay.to_lowercase() == self.text
    }

    /// `hay` starts with the needle.
    pub(crate) fn starts(&self, hay: &str) -> bool {
        if self.case_exact {
            return hay.starts_with(self.text.as_str());
        }
        if self.ascii && hay.is_ascii() {
            let n = self.text.len();
            return hay.len() >= n
                && hay.as_bytes()[..n].eq_ignore_ascii_case(self.text.as_bytes());
        }
        hay.to_lowercase().starts_with(self.text.as_str())
    }

    /// `hay` ends with the needle.
    pub(crate) fn ends(&self, hay: &str) -> bool {
        if self.case_exact {
            return hay.ends_with(self.text.as_str());
        }
        if self.ascii && hay.is_ascii() {
            let n = self.text.len();
            return hay.len() >= n
                && hay.as_bytes()[hay.len() - n..].eq_ignore_ascii_case(self.text.as_bytes());
        }
        hay.to_lowercase().ends_with(self.text.as_str())
    }

    /// `hay` contains the needle.
    pub(crate) fn within(&self, hay: &str) -> bool {
        if self.case_exact {
            return hay.contains(self.text.as_str());
        }
        if self.ascii && hay.is_ascii() {
            let n = self.text.as_bytes();
            return n.is_empty()
                || hay
                    .as_bytes()
                    .windows(n.len())
                    .any(|w| w.eq_ignore_ascii_case(n));
        }
        hay.to_lowercase().contains(self.text.as_str())
    }

    /// How `hay` orders against the needle.
    pub(crate) fn cmp(&self, hay: &str) -> Ordering {
        if self.case_exact {
            return hay.cmp(self.text.as_str());
        }
        if self.ascii && hay.is_ascii() {
            return cmp_ascii_ci(hay, &self.text);
        }
        hay.to_lowercase().as_str().cmp(self.text.as_str())
    }
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
