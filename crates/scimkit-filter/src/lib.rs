//! # scimkit-filter
//!
//! The SCIM 2.0 filter, attribute-path and PATCH-path grammar
//! (RFC 7644 §3.4.2.2, §3.5.2 and §3.10; RFC 7643 §2.1), parsed with
//! [nom](https://docs.rs/nom) into a borrowed, documented syntax tree.
//!
//! ```
//! use scimkit_filter::{parse_filter, AttrPath, CompValue, CompareOp, Filter, ParseOptions};
//!
//! let f = parse_filter(r#"userName eq "bjensen@example.com""#, &ParseOptions::default())?;
//! assert_eq!(
//!     f,
//!     Filter::compare(
//!         AttrPath::new("userName"),
//!         CompareOp::Eq,
//!         CompValue::String("bjensen@example.com".into()),
//!     )
//! );
//! # Ok::<(), scimkit_filter::ParseError>(())
//! ```
//!
//! - **Strict or lenient.** [`ParseOptions::strict`] follows the ABNF to the
//!   letter; the default, [`ParseOptions::lenient`], turns on each deviation
//!   real identity providers send, one named switch each (`extra_spaces`,
//!   `literal_case`, `value_path_sub_attr`).
//! - **The tree borrows** from the input; only strings with escapes allocate.
//!   `and`/`or` are n-ary and flattened; `and` binds tighter than `or`.
//! - **Printing round-trips.** `Display` writes a canonical form that parses
//!   back, strictly, to the same tree.
//! - **Errors** ([`ParseError`]) carry the byte offset, what was expected
//!   there and the SCIM `scimType`, and render with a caret.
//! - **Budgets** on input length, nesting depth and number of expressions
//!   make hostile input fail fast, without deep recursion.
//!
//! | feature | default | what |
//! |---|---|---|
//! | `serde` | on | `Serialize` for the tree, in the JSON form documented on each impl: `{"cmp":"eq","path":{"attr":"userName"},"value":"x"}`, `{"and":[…]}`, … |
//!
//! Architecture invariant: this crate knows no JSON value, no schema and no
//! HTTP. It turns text into a tree and back, nothing more.

// docs.rs (`--cfg docsrs`, nightly) marks feature-gated items with the features they need.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's examples (the crates.io page) are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod ast;
mod display;
mod error;
mod leniency;
mod options;
mod parser;
#[cfg(feature = "serde")]
mod serde;

pub use ast::{AttrPath, CompValue, CompareOp, Filter, Number, PatchPath};
pub use error::{Expected, ParseError, Target};
pub use leniency::{Leniencies, take_leniencies};
pub use options::ParseOptions;

/// Parses a filter (`filter` in RFC 7644 §3.4.2.2).
pub fn parse_filter<'a>(input: &'a str, options: &ParseOptions) -> Result<Filter<'a>, ParseError> {
    parser::filter(input, options)
}

/// Parses a PATCH operation's `path` (RFC 7644 §3.5.2).
pub fn parse_patch_path<'a>(
    input: &'a str,
    options: &ParseOptions,
) -> Result<PatchPath<'a>, ParseError> {
    parser::patch_path(input, options)
}

/// Parses an attribute path (`attrPath`), as used by `attributes`,
/// `excludedAttributes` and `sortBy` (RFC 7644 §3.10).
pub fn parse_attr_path<'a>(
    input: &'a str,
    options: &ParseOptions,
) -> Result<AttrPath<'a>, ParseError> {
    parser::attr_path_only(input, options)
}

/// Whether `b` is a JSON number (RFC 8259 §6):
/// `[ "-" ] int [ frac ] [ exp ]`.
pub(crate) fn is_json_number(b: &[u8]) -> bool {
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}
