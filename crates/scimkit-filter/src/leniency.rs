//! Which leniencies of [`crate::ParseOptions`] a parse used.
//!
//! A parse that accepted something only a leniency allows (a run of spaces,
//! `True`, Entra's `emails[type eq "work"].value eq "x"`) notes it in a
//! thread-local set; [`take_leniencies`] reads and clears it. The schema
//! layer collects these into its named compatibility switches
//! (`scimkit_schema::Switches::capture`). Noting costs one thread-local
//! write per parse that used a leniency, nothing otherwise.

use std::cell::Cell;

/// A set of parser leniencies.
///
/// ```
/// use scimkit_filter::{Leniencies, ParseOptions, parse_filter, take_leniencies};
/// take_leniencies();
/// parse_filter("active eq True", &ParseOptions::lenient()).unwrap();
/// assert_eq!(take_leniencies(), Leniencies::LITERAL_CASE);
/// parse_filter("active eq true", &ParseOptions::lenient()).unwrap();
/// assert!(take_leniencies().is_empty());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Leniencies(u8);

impl Leniencies {
    /// None.
    pub const NONE: Leniencies = Leniencies(0);
    /// [`crate::ParseOptions::extra_spaces`].
    pub const EXTRA_SPACES: Leniencies = Leniencies(1);
    /// [`crate::ParseOptions::literal_case`].
    pub const LITERAL_CASE: Leniencies = Leniencies(2);
    /// [`crate::ParseOptions::value_path_sub_attr`].
    pub const VALUE_PATH_SUB_ATTR: Leniencies = Leniencies(4);

    /// Whether every leniency of `other` is in the set.
    pub const fn contains(self, other: Leniencies) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Both sets together.
    #[must_use]
    pub const fn union(self, other: Leniencies) -> Leniencies {
        Leniencies(self.0 | other.0)
    }
}

thread_local! {
    static NOTED: Cell<u8> = const { Cell::new(0) };
}

/// Adds `l` to this thread's noted set.
pub(crate) fn note(l: Leniencies) {
    if !l.is_empty() {
        NOTED.with(|n| n.set(n.get() | l.0));
    }
}

/// The leniencies parses on this thread used since the last call, clearing them.
pub fn take_leniencies() -> Leniencies {
    Leniencies(NOTED.with(|n| n.replace(0)))
}
