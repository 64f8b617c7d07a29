//! The nom grammar for SCIM filters (RFC 7644 §3.4.2.2), PATCH paths
//! (RFC 7644 §3.5.2) and attribute paths (RFC 7643 §2.1, RFC 7644 §3.10).
//!
//! One function per ABNF rule, named after it, the rule quoted in its doc
//! comment. The hot rules (`attrPath`, `compValue`, the `SP` between tokens)
//! scan bytes by hand inside nom-style functions so that a typical lookup
//! filter parses without allocating; nom supplies the result and error
//! plumbing (`IResult`, `Err::Error` to backtrack, `Err::Failure` once a
//! branch is committed, `cut`). nom's types never leave this module: the
//! public error is [`ParseError`] with a byte offset.
//!
//! Recursion (parentheses, `not`, value paths) carries an explicit depth that
//! is checked against [`ParseOptions::max_depth`] before descending, and every
//! attribute expression is charged against [`ParseOptions::max_terms`], so
//! hostile input fails early in bounded time and stack.
//!
//! The grammar, RFC 7644 Figure 1 (with Figure 7 for PATCH paths):
//!
//! ```text
//! FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//! valuePath = attrPath "[" valFilter "]"
//! valFilter = attrExp / logExp / *1"not" "(" valFilter ")"
//! attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//! logExp    = FILTER SP ("and" / "or") SP FILTER
//! compValue = false / null / true / number / string
//! compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "lt" / "ge" / "le"
//! attrPath  = [URI ":"] ATTRNAME *1subAttr
//! ATTRNAME  = ALPHA *(nameChar)
//! nameChar  = "-" / "_" / DIGIT / ALPHA
//! subAttr   = "." ATTRNAME
//! PATH      = attrPath / valuePath [subAttr]
//! ```
//!
//! Readings the ABNF leaves open, decided here:
//! - `not` may be followed by one space before `(` even in strict mode: the
//!   RFC's own example `not (emails co "example.com" …)` has it (erratum 7319).
//! - Operator and keyword names (`eq`, `pr`, `and`, `or`, `not`) match in any
//!   case (§3.4.2.2: "attribute operators … are case insensitive").
//! - A value path may not contain another value path: `valFilter` has no
//!   `valuePath` alternative, and complex attributes have no complex
//!   sub-attributes (RFC 7643 §2.3.8).
//! - `and` binds tighter than `or` (§3.4.2.2, order of operations).

use std::cell::Cell;

use crate::Leniencies;
use std::borrow::Cow;

use nom::Parser;
use nom::combinator::cut;
use nom::error::ErrorKind;

use crate::{
    AttrPath, CompValue, CompareOp, Expected, Filter, Number, ParseError, ParseOptions, PatchPath,
    Target,
};

/// The grammar's internal error: how much input was left where it failed,
/// and what was expected there. Turned into a [`ParseError`] at the entry
/// points, where the offset is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PErr {
    rest: usize,
    expected: Expected,
    /// The error lies inside the filter of a PATCH path's value path.
    in_filter: bool,
}

impl PErr {
    fn at(i: &str, expected: Expected) -> Self {
        PErr {
            rest: i.len(),
            expected,
            in_filter: false,
        }
    }
}

impl nom::error::ParseError<&str> for PErr {
    fn from_error_kind(input: &str, kind: ErrorKind) -> Self {
        let expected = match kind {
            ErrorKind::Char => Expected::CloseBracket,
            ErrorKind::Eof => Expected::End,
            _ => Expected::Filter,
        };
        PErr::at(input, expected)
    }

    fn append(_: &str, _: ErrorKind, other: Self) -> Self {
        other
    }
}

type PResult<'a, T> = nom::IResult<&'a str, T, PErr>;

/// A recoverable failure: the caller may try another alternative.
fn backtrack<T>(i: &str, expected: Expected) -> PResult<'_, T> {
    Err(nom::Err::Error(PErr::at(i, expected)))
}

/// A committed failure (nom's `Failure`, as produced by `cut`).
fn failure<T>(i: &str, expected: Expected) -> PResult<'_, T> {
    Err(nom::Err::Failure(PErr::at(i, expected)))
}

/// nom's `cut` applied to a result: once a branch is committed, a
/// recoverable error becomes a failure. (A plain function rather than the
/// combinator in the recursive rules keeps their stack frames small.)
fn commit<T>(r: PResult<'_, T>) -> PResult<'_, T> {
    r.map_err(|e| match e {
        nom::Err::Error(e) => nom::Err::Failure(e),
        e => e,
    })
}

/// The state threaded through one parse: options and the term budget used so far.
struct Ctx<'o> {
    o: &'o ParseOptions,
    terms: usize,
    /// The leniencies this parse used (noted for `take_leniencies` at the end).
    used: Cell<Leniencies>,
}

impl Ctx<'_> {
    fn used(&self, l: Leniencies) {
        self.used.set(self.used.get().union(l));
    }
}

/// Where a filter sits: at the top, or inside the brackets of a value path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Top,
    ValuePath,
}

/// `and` / `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogOp {
    And,
    Or,
}

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

/// Parses a whole filter.
pub(crate) fn filter<'a>(input: &'a str, o: &ParseOptions) -> Result<Filter<'a>, ParseError> {
    run(input, o, Target::Filter, |i, cx| {
        let i = opt_spaces(i, cx);
        let (i, f) = log_exp(i, cx, 0, Scope::Top)?;
        let (i, ()) = end(i, cx, Expected::LogicalOperator)?;
        Ok((i, f))
    })
}

/// Parses a whole PATCH path.
pub(crate) fn patch_path<'a>(
    input: &'a str,
    o: &ParseOptions,
) -> Result<PatchPath<'a>, ParseError> {
    run(input, o, Target::PatchPath, |i, cx| {
        let i = opt_spaces(i, cx);
        let (i, p) = path(i, cx)?;
        let (i, ()) = end(i, cx, Expected::End)?;
        Ok((i, p))
    })
}

/// Parses a whole attribute path.
pub(crate) fn attr_path_only<'a>(
    input: &'a str,
    o: &ParseOptions,
) -> Result<AttrPath<'a>, ParseError> {
    run(input, o, Target::AttrPath, |i, cx| {
        let i = opt_spaces(i, cx);
        let (i, p) = cut(attr_path).parse(i)?;
        let (i, ()) = end(i, cx, Expected::End)?;
        Ok((i, p))
    })
}

/// Checks the length budget, runs `parser`, and maps its error to ours.
fn run<'a, T>(
    input: &'a str,
    o: &ParseOptions,
    target: Target,
    parser: impl FnOnce(&'a str, &mut Ctx<'_>) -> PResult<'a, T>,
) -> Result<T, ParseError> {
    if input.len() > o.max_len {
        return Err(ParseError::new(target, o.max_len, Expected::LengthBudget));
    }
    let mut cx = Ctx {
        o,
        terms: 0,
        used: Cell::new(Leniencies::NONE),
    };
    let parsed = parser(input, &mut cx);
    crate::leniency::note(cx.used.get());
    match parsed {
        Ok((_, value)) => Ok(value),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            let target = if e.in_filter { Target::Filter } else { target };
            Err(ParseError::new(
                target,
                input.len().saturating_sub(e.rest),
                e.expected,
            ))
        }
        Err(nom::Err::Incomplete(_)) => Err(ParseError::new(target, input.len(), Expected::End)),
    }
}

/// The end of the input, after optional trailing spaces (`extra_spaces`).
///
/// `expected` is what could have continued the input instead.
fn end<'a>(i: &'a str, cx: &Ctx<'_>, expected: Expected) -> PResult<'a, ()> {
    let rest = opt_spaces(i, cx);
    if rest.is_empty() {
        return Ok((rest, ()));
    }
    if rest.as_bytes()[0] == b' ' && expected != Expected::End {
        // Strict: one space is the most there can be; what follows it is wrong.
        let after = &rest[1..];
        if after.bytes().all(|b| b == b' ') {
            return failure(rest, Expected::End);
        }
        return failure(after, expected);
    }
    failure(rest, expected)
}

// ---------------------------------------------------------------------------
// Spaces
// ---------------------------------------------------------------------------

/// `SP`: exactly one space; with `extra_spaces`, a run of spaces.
fn sp<'a>(i: &'a str, cx: &Ctx<'_>) -> PResult<'a, ()> {
    let b = i.as_bytes();
    if b.first() != Some(&b' ') {
        return backtrack(i, Expected::Space);
    }
    if cx.o.extra_spaces {
        let rest = skip_spaces(i);
        if i.len() - rest.len() > 1 {
            cx.used(Leniencies::EXTRA_SPACES);
        }
        Ok((rest, ()))
    } else {
        Ok((&i[1..], ()))
    }
}

/// Spaces the ABNF does not allow at all, accepted with `extra_spaces`
/// (leading, trailing, inside parentheses and brackets, before `[`).
fn opt_spaces<'a>(i: &'a str, cx: &Ctx<'_>) -> &'a str {
    if cx.o.extra_spaces {
        let rest = skip_spaces(i);
        if rest.len() != i.len() {
            cx.used(Leniencies::EXTRA_SPACES);
        }
        rest
    } else {
        i
    }
}

/// Spaces before a `[` (`extra_spaces`): a look-ahead, so the leniency
/// counts as used only when a `[` follows.
fn opt_spaces_before_bracket<'a>(i: &'a str, cx: &Ctx<'_>) -> &'a str {
    if !cx.o.extra_spaces {
        return i;
    }
    let rest = skip_spaces(i);
    if rest.len() != i.len() && rest.as_bytes().first() == Some(&b'[') {
        cx.used(Leniencies::EXTRA_SPACES);
    }
    rest
}

fn skip_spaces(i: &str) -> &str {
    let n = i.bytes().take_while(|&b| b == b' ').count();
    &i[n..]
}

// ---------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------

/// `logExp = FILTER SP ("and" / "or") SP FILTER`
///
/// Operands ([`filter_term`]) joined by `and` and `or`, `and` binding
/// tighter: `a or b and c` is `Or[a, And[b, c]]`. Directly nested nodes of
/// the same operator (from parentheses) are flattened. Both levels are
/// handled in this one function so that each nesting level costs only two
/// stack frames. A lone operand is returned as it is, without a `Vec`.
fn log_exp<'a>(
    i: &'a str,
    cx: &mut Ctx<'_>,
    depth: usize,
    scope: Scope,
) -> PResult<'a, Filter<'a>> {
    let (mut i, mut last) = filter_term(i, cx, depth, scope)?;
    // Neither allocates until an operand is pushed.
    let mut ors: Vec<Filter<'a>> = Vec::new();
    let mut ands: Vec<Filter<'a>> = Vec::new();
    loop {
        let (rest, op) = log_op(i, cx)?;
        let Some(op) = op else { break };
        let (rest, next) = commit(filter_term(rest, cx, depth, scope))?;
        let done = std::mem::replace(&mut last, next);
        match op {
            LogOp::And => push_flat(&mut ands, done, LogOp::And),
            LogOp::Or => {
                let group = finish_and(&mut ands, done);
                push_flat(&mut ors, group, LogOp::Or);
            }
        }
        i = rest;
    }
    let group = finish_and(&mut ands, last);
    if ors.is_empty() {
        return Ok((i, group));
    }
    push_flat(&mut ors, group, LogOp::Or);
    Ok((i, Filter::Or(ors)))
}

/// Closes a run of `and` operands ending in `last`.
fn finish_and<'a>(ands: &mut Vec<Filter<'a>>, last: Filter<'a>) -> Filter<'a> {
    if ands.is_empty() {
        return last;
    }
    push_flat(ands, last, LogOp::And);
    Filter::And(std::mem::take(ands))
}

/// Appends `f` to the operands of an `op` node, splicing in its operands when
/// it is itself an `op` node (`a and (b and c)` is `And[a, b, c]`).
fn push_flat<'a>(v: &mut Vec<Filter<'a>>, f: Filter<'a>, op: LogOp) {
    match (f, op) {
        (Filter::And(inner), LogOp::And) | (Filter::Or(inner), LogOp::Or) => v.extend(inner),
        (f, _) => v.push(f),
    }
}

/// `SP ("and" / "or") SP` between two operands of `logExp`.
///
/// Returns `None`, consuming nothing, when the input does not continue with a
/// logical operator; fails once `and`/`or` was seen but not the space after it.
fn log_op<'a>(i: &'a str, cx: &Ctx<'_>) -> PResult<'a, Option<LogOp>> {
    let b = i.as_bytes();
    if b.first() != Some(&b' ') {
        return Ok((i, None));
    }
    let j = if cx.o.extra_spaces {
        b.len() - skip_spaces(i).len()
    } else {
        1
    };
    if j > 1 {
        cx.used(Leniencies::EXTRA_SPACES);
    }
    let w = &b[j..];
    let (op, len) = if w.len() >= 3 && w[..3].eq_ignore_ascii_case(b"and") {
        (LogOp::And, 3)
    } else if w.len() >= 2 && w[..2].eq_ignore_ascii_case(b"or") {
        (LogOp::Or, 2)
    } else {
        return Ok((i, None));
    };
    match w.get(len) {
        Some(b' ') => {
            let (rest, ()) = sp(&i[j + len..], cx)?;
            Ok((rest, Some(op)))
        }
        None => failure(&i[j + len..], Expected::Filter),
        Some(&c) if is_name_char(c) => Ok((i, None)),
        Some(_) => failure(&i[j + len..], Expected::Space),
    }
}

/// One operand of `logExp`: the alternatives of `FILTER` (and `valFilter`)
/// other than `logExp` itself:
///
/// ```text
/// attrExp / valuePath / *1"not" "(" FILTER ")"
/// ```
fn filter_term<'a>(
    i: &'a str,
    cx: &mut Ctx<'_>,
    depth: usize,
    scope: Scope,
) -> PResult<'a, Filter<'a>> {
    let b = i.as_bytes();
    let (paren, negate) = match b.first() {
        Some(b'(') => (i, false),
        Some(b'n' | b'N') => match not_keyword(i, cx) {
            Some(paren) => (paren, true),
            None => return attr_exp_or_value_path(i, cx, depth, scope),
        },
        Some(&c) if c.is_ascii_alphabetic() || c == b'$' => {
            return attr_exp_or_value_path(i, cx, depth, scope);
        }
        _ => return backtrack(i, Expected::Filter),
    };
    // `"(" FILTER ")"` (or `valFilter`), possibly after `not`; inlined here
    // rather than a function of its own to keep recursion cheap on the stack.
    if depth >= cx.o.max_depth {
        return failure(i, Expected::DepthBudget);
    }
    let inner_start = opt_spaces(&paren[1..], cx);
    let (rest, inner) = commit(log_exp(inner_start, cx, depth + 1, scope))?;
    let (rest, ()) = close(rest, cx, b')', Expected::CloseParen)?;
    if negate {
        Ok((rest, Filter::Not(Box::new(inner))))
    } else {
        Ok((rest, inner))
    }
}

/// `"not" [SP] "("`: returns the input at the `(` when `i` starts a negation.
///
/// Anything else starting with `not` is an attribute named `not`
/// (`not eq true`, `not pr`).
fn not_keyword<'a>(i: &'a str, cx: &Ctx<'_>) -> Option<&'a str> {
    let b = i.as_bytes();
    if b.len() < 4 || !b[..3].eq_ignore_ascii_case(b"not") {
        return None;
    }
    let j = match b[3] {
        b'(' => 3,
        b' ' if cx.o.extra_spaces => {
            let j = b.len() - skip_spaces(&i[3..]).len();
            if j > 4 && b.get(j) == Some(&b'(') {
                cx.used(Leniencies::EXTRA_SPACES);
            }
            j
        }
        b' ' => 4,
        _ => return None,
    };
    (b.get(j) == Some(&b'(')).then(|| &i[j..])
}

/// The closing `)` or `]` of a group or value path, after optional spaces.
fn close<'a>(i: &'a str, cx: &Ctx<'_>, delim: u8, expected: Expected) -> PResult<'a, ()> {
    let rest = opt_spaces(i, cx);
    match rest.as_bytes().first() {
        Some(&c) if c == delim => Ok((&rest[1..], ())),
        Some(b' ') => {
            let after = skip_spaces(rest);
            if after.as_bytes().first() == Some(&delim) {
                // Strict: no space before the closing delimiter.
                failure(rest, expected)
            } else {
                failure(&rest[1..], Expected::LogicalOperator)
            }
        }
        _ => failure(rest, expected),
    }
}

/// `attrExp` or `valuePath`, which both start with `attrPath`.
fn attr_exp_or_value_path<'a>(
    i: &'a str,
    cx: &mut Ctx<'_>,
    depth: usize,
    scope: Scope,
) -> PResult<'a, Filter<'a>> {
    let start = i;
    let (i, path) = attr_path(i)?;
    if scope == Scope::Top {
        let bracket = opt_spaces_before_bracket(i, cx);
        if bracket.as_bytes().first() == Some(&b'[') {
            return value_path_filter(bracket, path, cx, depth);
        }
    }
    attr_exp(start, i, path, cx)
}

/// `attrExp = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)`
///
/// Called with the attribute path already parsed (`start` is where it began,
/// `i` just after it).
fn attr_exp<'a>(
    start: &'a str,
    i: &'a str,
    path: AttrPath<'a>,
    cx: &mut Ctx<'_>,
) -> PResult<'a, Filter<'a>> {
    cx.terms += 1;
    if cx.terms > cx.o.max_terms {
        return failure(start, Expected::TermBudget);
    }
    let (i, ()) = match sp(i, cx) {
        Ok(ok) => ok,
        Err(_) if i.is_empty() => return failure(i, Expected::Operator),
        Err(_) => return failure(i, Expected::Space),
    };
    let (i, op) = compare_op(i)?;
    let Some(op) = op else {
        return Ok((i, Filter::Present(path)));
    };
    let (i, ()) = match sp(i, cx) {
        Ok(ok) => ok,
        Err(_) if i.is_empty() => return failure(i, Expected::Value),
        Err(_) => return failure(i, Expected::Space),
    };
    let (i, value) = comp_value(i, cx)?;
    Ok((i, Filter::Compare { path, op, value }))
}

/// `compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "lt" / "ge" / "le"`,
/// or `"pr"` (returned as `None`). Any case.
fn compare_op(i: &str) -> PResult<'_, Option<CompareOp>> {
    let b = i.as_bytes();
    let n = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if n == 2 {
        if b[..2].eq_ignore_ascii_case(b"pr") {
            return Ok((&i[2..], None));
        }
        if let Some(op) = CompareOp::from_name(&i[..2]) {
            return Ok((&i[2..], Some(op)));
        }
    }
    failure(i, Expected::Operator)
}

/// `valuePath = attrPath "[" valFilter "]"` inside a filter, and with
/// [`ParseOptions::value_path_sub_attr`] Entra ID's
/// `valuePath subAttr SP ("pr" / compareOp SP compValue)`, read as the sub-attribute
/// expression joined to the value filter with `and`.
fn value_path_filter<'a>(
    bracket: &'a str,
    path: AttrPath<'a>,
    cx: &mut Ctx<'_>,
    depth: usize,
) -> PResult<'a, Filter<'a>> {
    let (i, inner) = value_path(bracket, cx, depth)?;
    if cx.o.value_path_sub_attr && i.as_bytes().first() == Some(&b'.') {
        cx.used(Leniencies::VALUE_PATH_SUB_ATTR);
        let sub_start = &i[1..];
        let (i, sub) = sub_attr(i)?;
        let (i, expr) = attr_exp(sub_start, i, AttrPath::new(sub), cx)?;
        let filter = match inner {
            Filter::And(mut v) => {
                v.push(expr);
                Filter::And(v)
            }
            f => Filter::And(vec![f, expr]),
        };
        return Ok((
            i,
            Filter::ValuePath {
                path,
                filter: Box::new(filter),
            },
        ));
    }
    Ok((
        i,
        Filter::ValuePath {
            path,
            filter: Box::new(inner),
        },
    ))
}

/// `"[" valFilter "]"` of `valuePath = attrPath "[" valFilter "]"`.
///
/// `bracket` is the input at `[`.
fn value_path<'a>(bracket: &'a str, cx: &mut Ctx<'_>, depth: usize) -> PResult<'a, Filter<'a>> {
    if depth >= cx.o.max_depth {
        return failure(bracket, Expected::DepthBudget);
    }
    let i = opt_spaces(&bracket[1..], cx);
    let (i, inner) = commit(val_filter(i, cx, depth + 1))?;
    let (i, ()) = close(i, cx, b']', Expected::CloseBracket)?;
    Ok((i, inner))
}

/// `valFilter = attrExp / logExp / *1"not" "(" valFilter ")"`
#[inline(always)]
fn val_filter<'a>(i: &'a str, cx: &mut Ctx<'_>, depth: usize) -> PResult<'a, Filter<'a>> {
    log_exp(i, cx, depth, Scope::ValuePath)
}

// ---------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------

/// `PATH = attrPath / valuePath [subAttr]` (RFC 7644 §3.5.2, Figure 7).
///
/// Errors inside the brackets are filter errors (`invalidFilter`, RFC 7644
/// §3.12 Table 9: "PATCH (Path Filter)").
fn path<'a>(i: &'a str, cx: &mut Ctx<'_>) -> PResult<'a, PatchPath<'a>> {
    let (i, attr) = cut(attr_path).parse(i)?;
    let bracket = opt_spaces_before_bracket(i, cx);
    if bracket.as_bytes().first() != Some(&b'[') {
        return Ok((i, PatchPath::Attr(attr)));
    }
    if cx.o.max_depth == 0 {
        return failure(bracket, Expected::DepthBudget);
    }
    let inner_start = opt_spaces(&bracket[1..], cx);
    let (i, filter) = match val_filter(inner_start, cx, 1) {
        Ok(ok) => ok,
        Err(nom::Err::Error(mut e) | nom::Err::Failure(mut e)) => {
            e.in_filter = !matches!(
                e.expected,
                Expected::DepthBudget | Expected::TermBudget | Expected::LengthBudget
            );
            return Err(nom::Err::Failure(e));
        }
        Err(e) => return Err(e),
    };
    let (i, ()) = close(i, cx, b']', Expected::CloseBracket)?;
    let (i, sub_attr) = if i.as_bytes().first() == Some(&b'.') {
        let (i, sub) = sub_attr(i)?;
        (i, Some(Cow::Borrowed(sub)))
    } else {
        (i, None)
    };
    Ok((
        i,
        PatchPath::ValuePath {
            path: attr,
            filter,
            sub_attr,
        },
    ))
}

/// `attrPath = [URI ":"] ATTRNAME *1subAttr`
///
/// The URI ends at the *last* colon (RFC 7644 §3.10), so the dots of
/// `urn:…:enterprise:2.0:User:manager.value` up to `User` belong to the URI.
/// A URI is recognised when the path token (the run of URI characters) holds
/// a colon; it must then look like `scheme ":" …`.
fn attr_path(i: &str) -> PResult<'_, AttrPath<'_>> {
    let b = i.as_bytes();
    // Fast path: `ATTRNAME ["." ATTRNAME]` followed by a byte that cannot
    // continue a URI (a space, a bracket, the end): no schema prefix.
    if b.first().is_some_and(u8::is_ascii_alphabetic) {
        let n = name_end(b, 1);
        let (end, sub) =
            if b.get(n) == Some(&b'.') && b.get(n + 1).is_some_and(u8::is_ascii_alphabetic) {
                let m = name_end(b, n + 2);
                (m, Some(Cow::Borrowed(&i[n + 1..m])))
            } else {
                (n, None)
            };
        if b.get(end).is_none_or(|&c| !URI_CHAR[usize::from(c)]) {
            return Ok((
                &i[end..],
                AttrPath {
                    schema: None,
                    attr: Cow::Borrowed(&i[..n]),
                    sub,
                },
            ));
        }
    }
    let mut n = 0;
    let mut last_colon = None;
    while n < b.len() && URI_CHAR[b[n] as usize] {
        if b[n] == b':' {
            last_colon = Some(n);
        }
        n += 1;
    }
    let (name_start, schema) = match last_colon {
        None => (i, None),
        Some(c) => {
            if !is_uri(&b[..c]) {
                return backtrack(i, Expected::AttrName);
            }
            (&i[c + 1..], Some(Cow::Borrowed(&i[..c])))
        }
    };
    let (rest, attr) = attr_name(name_start)?;
    let (rest, sub) = if rest.as_bytes().first() == Some(&b'.') {
        let (rest, sub) = sub_attr(rest)?;
        (rest, Some(Cow::Borrowed(sub)))
    } else {
        (rest, None)
    };
    Ok((
        rest,
        AttrPath {
            schema,
            attr: Cow::Borrowed(attr),
            sub,
        },
    ))
}

/// `subAttr = "." ATTRNAME` (called at the `.`).
fn sub_attr(i: &str) -> PResult<'_, &str> {
    let after = &i[1..];
    match attr_name(after) {
        Ok(ok) => Ok(ok),
        Err(_) => failure(after, Expected::SubAttr),
    }
}

/// `ATTRNAME = ALPHA *(nameChar)`, and `$ref` (RFC 7643 §2.3.7, §8.7.1).
fn attr_name(i: &str) -> PResult<'_, &str> {
    let b = i.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() => {
            let n = 1 + b[1..].iter().take_while(|&&c| is_name_char(c)).count();
            Ok((&i[n..], &i[..n]))
        }
        Some(b'$')
            if b.len() >= 4
                && b[1..4].eq_ignore_ascii_case(b"ref")
                && !b.get(4).is_some_and(|&c| is_name_char(c)) =>
        {
            Ok((&i[4..], &i[..4]))
        }
        _ => backtrack(i, Expected::AttrName),
    }
}

/// `nameChar = "-" / "_" / DIGIT / ALPHA`
fn is_name_char(c: u8) -> bool {
    NAME_CHAR[usize::from(c)]
}

/// The end of the run of `nameChar`s in `b` from `from`.
fn name_end(b: &[u8], from: usize) -> usize {
    let mut n = from;
    while n < b.len() && NAME_CHAR[usize::from(b[n])] {
        n += 1;
    }
    n
}

/// `nameChar` as a table.
static NAME_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        c += 1;
    }
    t
};

/// Bytes that end the plain run of a JSON string: `"`, `\` and control characters.
static STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = c < 0x20 || c == b'"' as usize || c == b'\\' as usize;
        c += 1;
    }
    t
};

/// Whether `b` is a URI as far as a schema prefix needs: `scheme ":" …`
/// with `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1).
fn is_uri(b: &[u8]) -> bool {
    let Some(colon) = b.iter().position(|&c| c == b':') else {
        return false;
    };
    let scheme = &b[..colon];
    match scheme.split_first() {
        Some((first, rest)) => {
            first.is_ascii_alphabetic()
                && rest
                    .iter()
                    .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        }
        None => false,
    }
}

/// Bytes that may appear in a path token: RFC 3986 unreserved, `:`, and the
/// delimiters other than brackets and parentheses (which the filter grammar uses).
static URI_CHAR: [bool; 256] = uri_char_table();

const fn uri_char_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b':'
                    | b'/'
                    | b'?'
                    | b'#'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
            );
        c += 1;
    }
    t
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// `compValue = false / null / true / number / string` (rules from RFC 7159).
fn comp_value<'a>(i: &'a str, cx: &Ctx<'_>) -> PResult<'a, CompValue<'a>> {
    match i.as_bytes().first() {
        Some(b'"') => {
            let (i, s) = string(i)?;
            Ok((i, CompValue::String(s)))
        }
        Some(b'-' | b'0'..=b'9') => number(i),
        Some(c) if c.is_ascii_alphabetic() => literal(i, cx),
        _ => failure(i, Expected::Value),
    }
}

/// `false / null / true`; with [`ParseOptions::literal_case`] in any case.
fn literal<'a>(i: &'a str, cx: &Ctx<'_>) -> PResult<'a, CompValue<'a>> {
    let b = i.as_bytes();
    let n = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let word = &b[..n];
    let value = match word {
        b"true" => CompValue::Bool(true),
        b"false" => CompValue::Bool(false),
        b"null" => CompValue::Null,
        _ if cx.o.literal_case && word.eq_ignore_ascii_case(b"true") => {
            cx.used(Leniencies::LITERAL_CASE);
            CompValue::Bool(true)
        }
        _ if cx.o.literal_case && word.eq_ignore_ascii_case(b"false") => {
            cx.used(Leniencies::LITERAL_CASE);
            CompValue::Bool(false)
        }
        _ if cx.o.literal_case && word.eq_ignore_ascii_case(b"null") => {
            cx.used(Leniencies::LITERAL_CASE);
            CompValue::Null
        }
        _ => return failure(i, Expected::Value),
    };
    Ok((&i[n..], value))
}

/// `number = [ minus ] int [ frac ] [ exp ]` (RFC 8259 §6).
///
/// The whole run of number-like bytes is checked, so `01` or `1.` fail at the
/// offending byte instead of leaving a stray digit behind.
fn number(i: &str) -> PResult<'_, CompValue<'_>> {
    let b = i.as_bytes();
    let n = b
        .iter()
        .take_while(|&&c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        .count();
    match json_number_prefix(&b[..n]) {
        Ok(len) if len == n => match Number::new(&i[..n]) {
            Some(num) => Ok((&i[n..], CompValue::Number(num))),
            None => failure(i, Expected::Number),
        },
        Ok(len) | Err(len) => failure(&i[len..], Expected::Number),
    }
}

/// The length of the JSON number at the start of `b` (`Ok`), or the index of
/// the byte where the number grammar failed (`Err`).
fn json_number_prefix(b: &[u8]) -> Result<usize, usize> {
    let digits = |mut i: usize| {
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        i
    };
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i = 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i + 1),
        _ => return Err(i),
    }
    if b.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return Err(end);
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let end = digits(j);
        if end == j {
            return Err(end);
        }
        i = end;
    }
    Ok(i)
}

/// `string = quotation-mark *char quotation-mark` (RFC 8259 §7), unescaped.
///
/// Borrows from the input unless the string has escapes. An unclosed string
/// fails at its opening quote; a bad escape (or a lone surrogate) at its
/// backslash; a raw control character where it is.
fn string(i: &str) -> PResult<'_, Cow<'_, str>> {
    let b = i.as_bytes();
    let mut n = 1;
    while n < b.len() && !STRING_STOP[usize::from(b[n])] {
        n += 1;
    }
    match b.get(n) {
        Some(b'"') => Ok((&i[n + 1..], Cow::Borrowed(&i[1..n]))),
        Some(b'\\') => escaped_string(i, n),
        Some(_) => failure(&i[n..], Expected::Escape),
        None => failure(i, Expected::CloseQuote),
    }
}

/// The slow path of [`string`]: `i` starts at the opening quote, `at` is the
/// index of the first backslash.
fn escaped_string(i: &str, mut at: usize) -> PResult<'_, Cow<'_, str>> {
    let b = i.as_bytes();
    let mut out = String::with_capacity(b.len().min(64));
    out.push_str(&i[1..at]);
    loop {
        // b[at] is a backslash; one at the very end leaves the string open.
        if at + 1 >= b.len() {
            return failure(i, Expected::CloseQuote);
        }
        let (ch, len) =
            escape(b, at).map_err(|e| nom::Err::Failure(PErr::at(&i[e..], Expected::Escape)))?;
        out.push(ch);
        at += len;
        let Some(n) = memchr::memchr2(b'"', b'\\', &b[at..]) else {
            return failure(i, Expected::CloseQuote);
        };
        if let Some(p) = b[at..at + n].iter().position(|&c| c < 0x20) {
            return failure(&i[at + p..], Expected::Escape);
        }
        out.push_str(&i[at..at + n]);
        at += n;
        if b[at] == b'"' {
            return Ok((&i[at + 1..], Cow::Owned(out)));
        }
    }
}

/// One escape sequence at `b[at]` (a backslash): the character and the
/// number of bytes used, or the index to report.
fn escape(b: &[u8], at: usize) -> Result<(char, usize), usize> {
    let c = match b.get(at + 1) {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => {
            let hi = hex4(b, at + 2).ok_or(at)?;
            if (0xD800..0xDC00).contains(&hi) {
                // A high surrogate must be followed by `\u` and a low one.
                if b.get(at + 6) != Some(&b'\\') || b.get(at + 7) != Some(&b'u') {
                    return Err(at);
                }
                let lo = hex4(b, at + 8).ok_or(at)?;
                if !(0xDC00..0xE000).contains(&lo) {
                    return Err(at);
                }
                let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return char::from_u32(code).map(|c| (c, 12)).ok_or(at);
            }
            return char::from_u32(hi).map(|c| (c, 6)).ok_or(at);
        }
        _ => return Err(at),
    };
    Ok((c, 2))
}

/// Four hex digits at `b[at..]`.
fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let digits = b.get(at..at + 4)?;
    let mut v = 0u32;
    for &d in digits {
        v = v * 16 + char::from(d).to_digit(16)?;
    }
    Some(v)
}
