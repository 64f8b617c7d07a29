//! Parser options: the leniencies real clients need, and the budgets that keep
//! hostile input cheap.

/// How strictly to parse, and how much input to accept.
///
/// [`ParseOptions::default`] is [`ParseOptions::lenient`]: every deviation that
/// a real identity provider is known to send is accepted. [`ParseOptions::strict`]
/// follows the ABNF of RFC 7644 §3.4.2.2 and §3.5.2 to the letter.
///
/// ```
/// use scimkit_filter::ParseOptions;
/// let opts = ParseOptions::strict().with_extra_spaces(true).with_max_depth(16);
/// assert!(opts.extra_spaces && !opts.literal_case);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Accept runs of spaces, leading and trailing spaces, spaces just inside
    /// parentheses and brackets, spaces before `[`, and more than one space
    /// between `not` and `(`.
    ///
    /// The ABNF requires exactly one `SP` between tokens (strict mode still
    /// takes `not (`, with one space, as the RFC's own example writes it). Source: Okta and
    /// hand-written clients send `userName eq  "x"` and `( a pr )`; Entra ID
    /// has been seen sending trailing spaces in list queries.
    pub extra_spaces: bool,
    /// Accept `true`, `false` and `null` in any case (`True`, `FALSE`).
    ///
    /// RFC 7644 §3.4.2.2 spells the literals in lower case and RFC 7159
    /// requires it. Source: clients written in .NET (Entra ID's provisioning
    /// service among them) print booleans as `True`/`False`.
    pub literal_case: bool,
    /// Accept `emails[type eq "work"].value eq "x"` inside a *filter*, read as
    /// `emails[type eq "work" and value eq "x"]` (one value must satisfy both).
    ///
    /// The ABNF allows a sub-attribute after a value path only in PATCH paths.
    /// Source: Microsoft Entra ID sends this form in its matching queries for
    /// mapped attributes such as `emails[type eq "work"].value`
    /// (learn.microsoft.com, "Tutorial: Develop and plan provisioning for a SCIM endpoint").
    pub value_path_sub_attr: bool,
    /// Maximum nesting depth of parentheses, `not`, and value paths.
    ///
    /// The parser recurses once per level, so this also bounds its stack use
    /// (about 1 KiB a level in optimised builds).
    pub max_depth: usize,
    /// Maximum number of attribute expressions (comparisons and `pr`) in one filter.
    pub max_terms: usize,
    /// Maximum input length in bytes.
    pub max_len: usize,
}

impl ParseOptions {
    /// Default nesting budget.
    pub const DEFAULT_MAX_DEPTH: usize = 64;
    /// Default budget of attribute expressions.
    pub const DEFAULT_MAX_TERMS: usize = 1_000;
    /// Default input length budget in bytes (64 KiB).
    pub const DEFAULT_MAX_LEN: usize = 64 * 1024;

    /// Every leniency on, default budgets.
    pub const fn lenient() -> Self {
        ParseOptions {
            extra_spaces: true,
            literal_case: true,
            value_path_sub_attr: true,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_terms: Self::DEFAULT_MAX_TERMS,
            max_len: Self::DEFAULT_MAX_LEN,
        }
    }

    /// Every leniency off (the RFC 7644 ABNF to the letter), default budgets.
    pub const fn strict() -> Self {
        ParseOptions {
            extra_spaces: false,
            literal_case: false,
            value_path_sub_attr: false,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_terms: Self::DEFAULT_MAX_TERMS,
            max_len: Self::DEFAULT_MAX_LEN,
        }
    }

    /// Sets [`ParseOptions::extra_spaces`].
    #[must_use]
    pub const fn with_extra_spaces(mut self, on: bool) -> Self {
        self.extra_spaces = on;
        self
    }

    /// Sets [`ParseOptions::literal_case`].
    #[must_use]
    pub const fn with_literal_case(mut self, on: bool) -> Self {
        self.literal_case = on;
        self
    }

    /// Sets [`ParseOptions::value_path_sub_attr`].
    #[must_use]
    pub const fn with_value_path_sub_attr(mut self, on: bool) -> Self {
        self.value_path_sub_attr = on;
        self
    }

    /// Sets [`ParseOptions::max_depth`].
    #[must_use]
    pub const fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Sets [`ParseOptions::max_terms`].
    #[must_use]
    pub const fn with_max_terms(mut self, terms: usize) -> Self {
        self.max_terms = terms;
        self
    }

    /// Sets [`ParseOptions::max_len`].
    #[must_use]
    pub const fn with_max_len(mut self, len: usize) -> Self {
        self.max_len = len;
        self
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::lenient()
    }
}
