//! Budgets: hostile input fails fast, in bounded time, memory and stack.
//!
//! Each input runs in a thread with a small stack, so unbounded recursion
//! would crash the test instead of passing by luck: 100,000 nested levels
//! need hundreds of megabytes of stack, the depth budget keeps it to
//! `max_depth` levels (about 1 KiB each in release builds; unoptimised test
//! builds keep every temporary in its own slot, about 5 KiB a level).

use std::time::{Duration, Instant};

use scimkit_filter::Expected::{self, *};
use scimkit_filter::{ParseOptions, parse_filter, parse_patch_path};

const MB: usize = 1 << 20;

fn nested_parens() -> String {
    format!("{}a pr{}", "(".repeat(100_000), ")".repeat(100_000))
}

fn or_chain() -> String {
    let mut s = "a pr or ".repeat(MB / 8);
    s.push_str("a pr");
    s
}

fn long_string() -> String {
    format!(r#"a eq "{}""#, "x".repeat(MB))
}

/// The test threads' stack: 256 KiB optimised, 1 MiB unoptimised.
const STACK: usize = if cfg!(debug_assertions) { 1024 } else { 256 } * 1024;

/// Runs `f` on a small stack and returns its result.
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn expect_err(input: String, opts: ParseOptions, offset: usize, expected: Expected) {
    let (got, took) = small_stack(move || {
        let start = Instant::now();
        let got = parse_filter(&input, &opts).map_err(|e| (e.offset(), e.expected()));
        (got.map(|f| f.into_owned()), start.elapsed())
    });
    assert_eq!(got, Err((offset, expected)));
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn default_length_budget() {
    let max = ParseOptions::DEFAULT_MAX_LEN;
    for input in [nested_parens(), or_chain(), long_string()] {
        expect_err(input, ParseOptions::default(), max, LengthBudget);
    }
    let e = parse_patch_path(&"a".repeat(max + 1), &ParseOptions::default()).unwrap_err();
    assert_eq!(
        (e.offset(), e.expected(), e.scim_type()),
        (max, LengthBudget, "invalidPath")
    );
}

#[test]
fn depth_budget() {
    let raised = |o: ParseOptions| o.with_max_len(4 * MB);
    for o in [ParseOptions::strict(), ParseOptions::lenient()] {
        expect_err(
            nested_parens(),
            raised(o),
            ParseOptions::DEFAULT_MAX_DEPTH,
            DepthBudget,
        );
        // `not (` nests too: the error points at the `n` of the `not` too many.
        let nots = format!("{}a pr{}", "not (".repeat(100_000), ")".repeat(100_000));
        expect_err(
            nots,
            raised(o),
            5 * ParseOptions::DEFAULT_MAX_DEPTH,
            DepthBudget,
        );
    }
    // A budget of 2 allows two levels, not three.
    let o = ParseOptions::strict().with_max_depth(2);
    assert!(parse_filter("((a pr))", &o).is_ok());
    assert!(parse_filter("(emails[a pr])", &o).is_ok());
    let e = parse_filter("(((a pr)))", &o).unwrap_err();
    assert_eq!((e.offset(), e.expected()), (2, DepthBudget));
    let e = parse_filter("((emails[a pr]))", &o).unwrap_err();
    assert_eq!((e.offset(), e.expected()), (8, DepthBudget));
}

#[test]
fn term_budget() {
    let o = ParseOptions::default().with_max_len(4 * MB);
    let terms = ParseOptions::DEFAULT_MAX_TERMS;
    // The term past the budget is the (terms + 1)th, at 8 bytes each.
    expect_err(or_chain(), o, terms * 8, TermBudget);
    let o = ParseOptions::strict().with_max_terms(3);
    assert!(parse_filter("a pr or b pr and c pr", &o).is_ok());
    let e = parse_filter("a pr or b pr and c pr or d pr", &o).unwrap_err();
    assert_eq!((e.offset(), e.expected()), (25, TermBudget));
}

#[test]
fn long_string_with_raised_length_budget() {
    let (len, borrowed, took) = small_stack(|| {
        let input = long_string();
        let start = Instant::now();
        let f = parse_filter(&input, &ParseOptions::default().with_max_len(4 * MB)).unwrap();
        let took = start.elapsed();
        match f {
            scimkit_filter::Filter::Compare {
                value: scimkit_filter::CompValue::String(s),
                ..
            } => (s.len(), matches!(s, std::borrow::Cow::Borrowed(_)), took),
            other => panic!("{other:?}"),
        }
    });
    assert_eq!(len, MB);
    assert!(borrowed, "a string without escapes borrows from the input");
    assert!(took < Duration::from_secs(2));
    // Unclosed: the error points at the opening quote.
    let unclosed = format!(r#"a eq "{}"#, "x".repeat(MB));
    expect_err(
        unclosed,
        ParseOptions::default().with_max_len(4 * MB),
        5,
        CloseQuote,
    );
}
