//! Parse errors: where, what was expected, and which SCIM `scimType` they are.

use std::fmt;

/// What was being parsed; decides the SCIM `scimType` of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A filter (`filter` query parameter, value-path filters): `invalidFilter`.
    Filter,
    /// A PATCH path: `invalidPath`.
    PatchPath,
    /// An attribute path (`attributes`, `sortBy`): `invalidPath`.
    AttrPath,
}

/// What the parser expected at the error's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// An attribute name (`ALPHA *(nameChar)`).
    AttrName,
    /// A comparison operator or `pr`.
    Operator,
    /// A comparison value: `true`, `false`, `null`, a number or a string.
    Value,
    /// `and`, `or`, or the end of the filter.
    LogicalOperator,
    /// A closing parenthesis.
    CloseParen,
    /// A closing bracket.
    CloseBracket,
    /// An opening parenthesis (after `not`).
    OpenParen,
    /// A single space.
    Space,
    /// The end of the input.
    End,
    /// A valid JSON string escape.
    Escape,
    /// A closing double quote.
    CloseQuote,
    /// A valid JSON number.
    Number,
    /// A filter expression.
    Filter,
    /// A sub-attribute name after `.`.
    SubAttr,
    /// Nesting deeper than [`crate::ParseOptions::max_depth`].
    DepthBudget,
    /// More attribute expressions than [`crate::ParseOptions::max_terms`].
    TermBudget,
    /// Input longer than [`crate::ParseOptions::max_len`].
    LengthBudget,
}

impl Expected {
    fn describe(self) -> &'static str {
        match self {
            Expected::AttrName => "an attribute name",
            Expected::Operator => {
                "a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or pr"
            }
            Expected::Value => "a value (true, false, null, a number or a quoted string)",
            Expected::LogicalOperator => "\"and\", \"or\" or the end of the expression",
            Expected::CloseParen => "\")\"",
            Expected::CloseBracket => "\"]\"",
            Expected::OpenParen => "\"(\"",
            Expected::Space => "a single space",
            Expected::End => "the end of the input",
            Expected::Escape => "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
            Expected::CloseQuote => "a closing double quote",
            Expected::Number => "a valid JSON number",
            Expected::Filter => "a filter expression",
            Expected::SubAttr => "a sub-attribute name",
            Expected::DepthBudget => "less nesting (the depth budget is exhausted)",
            Expected::TermBudget => "fewer expressions (the term budget is exhausted)",
            Expected::LengthBudget => "a shorter input (the length budget is exhausted)",
        }
    }
}

/// A parse failure: the byte offset where it happened and what was expected there.
///
/// ```
/// use scimkit_filter::{parse_filter, ParseOptions};
/// let input = r#"userName eq"#;
/// let err = parse_filter(input, &ParseOptions::strict()).unwrap_err();
/// assert_eq!(err.scim_type(), "invalidFilter");
/// assert_eq!(err.offset(), 11);
/// println!("{}", err.render(input));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    offset: usize,
    expected: Expected,
    target: Target,
}

impl ParseError {
    /// Creates an error at `offset` (bytes from the start of the input).
    pub fn new(target: Target, offset: usize, expected: Expected) -> Self {
        ParseError {
            offset,
            expected,
            target,
        }
    }

    /// The byte offset in the input where parsing failed.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What the parser expected at [`ParseError::offset`].
    pub fn expected(&self) -> Expected {
        self.expected
    }

    /// What was being parsed.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The SCIM `scimType` for this error (RFC 7644 §3.12, Table 9):
    /// `invalidFilter` for filters, `invalidPath` for paths.
    pub fn scim_type(&self) -> &'static str {
        match self.target {
            Target::Filter => "invalidFilter",
            Target::PatchPath | Target::AttrPath => "invalidPath",
        }
    }

    /// Renders the error over the input it came from, with a caret under the spot:
    ///
    /// ```text
    /// invalid filter at byte 11: expected a value (true, false, null, a number or a quoted string)
    ///   userName eq
    ///              ^
    /// ```
    ///
    /// Long inputs are cut to a window around the offset; control characters
    /// are shown as spaces so the caret stays aligned.
    pub fn render(&self, input: &str) -> String {
        const WINDOW: usize = 60;
        let offset = self.offset.min(input.len());
        let mut start = offset.saturating_sub(WINDOW);
        while !input.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (offset + WINDOW).min(input.len());
        while !input.is_char_boundary(end) {
            end += 1;
        }
        let prefix = if start > 0 { "…" } else { "" };
        let suffix = if end < input.len() { "…" } else { "" };
        let shown: String = input[start..end]
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let caret_col = prefix.chars().count() + input[start..offset].chars().count();
        format!("{self}\n  {prefix}{shown}{suffix}\n  {:caret_col$}^", "")
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.target {
            Target::Filter => "filter",
            Target::PatchPath => "PATCH path",
            Target::AttrPath => "attribute path",
        };
        write!(
            f,
            "invalid {what} at byte {}: expected {}",
            self.offset,
            self.expected.describe()
        )
    }
}
