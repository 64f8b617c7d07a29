//! Integration tests for scimkit-filter: every case is data run through one
//! [`check`] helper, which also asserts that what parses prints back to text
//! that parses, strictly, to the same tree.

// Tests may unwrap and panic: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod budgets;
mod errors;
mod filters;
mod json;
mod paths;
mod roundtrip;

use std::fmt::{Debug, Display};

use scimkit_filter::{
    AttrPath, CompValue, CompareOp, Expected, Filter, Number, ParseError, ParseOptions, PatchPath,
};

/// What a case should give: a tree, or an error at a byte offset.
pub(crate) type Outcome<T> = Result<T, (usize, Expected)>;

/// A parser entry point (`parse_filter`, `parse_patch_path`, `parse_attr_path`).
pub(crate) type ParseFn<T> = fn(&str, &ParseOptions) -> Result<T, ParseError>;

/// `parse_filter`, detached from its input.
pub(crate) fn filter(i: &str, o: &ParseOptions) -> Result<Filter<'static>, ParseError> {
    scimkit_filter::parse_filter(i, o).map(Filter::into_owned)
}

/// `parse_patch_path`, detached from its input.
pub(crate) fn patch(i: &str, o: &ParseOptions) -> Result<PatchPath<'static>, ParseError> {
    scimkit_filter::parse_patch_path(i, o).map(PatchPath::into_owned)
}

/// `parse_attr_path`, detached from its input.
pub(crate) fn attr_path(i: &str, o: &ParseOptions) -> Result<AttrPath<'static>, ParseError> {
    scimkit_filter::parse_attr_path(i, o).map(AttrPath::into_owned)
}

/// Parses `input` strictly and leniently, compares with the expected outcomes,
/// and checks the canonical form of every tree round-trips strictly.
pub(crate) fn check<T>(parse: ParseFn<T>, input: &str, strict: Outcome<T>, lenient: Outcome<T>)
where
    T: PartialEq + Debug + Display,
{
    for (name, opts, want) in [
        ("strict", ParseOptions::strict(), strict),
        ("lenient", ParseOptions::lenient(), lenient),
    ] {
        let got = parse(input, &opts).map_err(|e| (e.offset(), e.expected()));
        assert_eq!(got, want, "{name}: {input:?}");
        if let Ok(tree) = got {
            let text = tree.to_string();
            let back = parse(&text, &ParseOptions::strict())
                .unwrap_or_else(|e| panic!("{input:?} printed as {text:?}: {}", e.render(&text)));
            assert_eq!(back, tree, "{input:?} printed as {text:?}");
        }
    }
}

/// The same outcome strictly and leniently.
pub(crate) fn both<T: Clone>(o: Outcome<T>) -> (Outcome<T>, Outcome<T>) {
    (o.clone(), o)
}

/// An attribute path from its text, split by hand (last `:` ends the URI, then `.`).
pub(crate) fn p(text: &'static str) -> AttrPath<'static> {
    let (schema, rest) = match text.rfind(':') {
        Some(c) => (Some(&text[..c]), &text[c + 1..]),
        None => (None, text),
    };
    let mut path = match rest.split_once('.') {
        Some((attr, sub)) => AttrPath::new(attr).with_sub(sub),
        None => AttrPath::new(rest),
    };
    if let Some(s) = schema {
        path = path.with_schema(s);
    }
    path
}

pub(crate) fn s(v: &'static str) -> CompValue<'static> {
    CompValue::String(v.into())
}

pub(crate) fn n(v: &'static str) -> CompValue<'static> {
    CompValue::Number(Number::new(v).unwrap())
}

pub(crate) fn cmp(path: &'static str, op: CompareOp, value: CompValue<'static>) -> Filter<'static> {
    Filter::compare(p(path), op, value)
}

pub(crate) fn pr(path: &'static str) -> Filter<'static> {
    Filter::Present(p(path))
}

pub(crate) fn and<const N: usize>(terms: [Filter<'static>; N]) -> Filter<'static> {
    Filter::And(terms.into())
}

pub(crate) fn or<const N: usize>(terms: [Filter<'static>; N]) -> Filter<'static> {
    Filter::Or(terms.into())
}

pub(crate) fn not(f: Filter<'static>) -> Filter<'static> {
    Filter::Not(Box::new(f))
}

pub(crate) fn vp(path: &'static str, f: Filter<'static>) -> Filter<'static> {
    Filter::ValuePath {
        path: p(path),
        filter: Box::new(f),
    }
}
