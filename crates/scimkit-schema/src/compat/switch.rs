//! Which switches fired: [`Switch`] names one leniency of [`crate::Compat`]
//! (the names of `docs/COMPATIBILITY.md`), [`Switches`] is a set of them in
//! one word, and [`Switches::capture`] collects the ones a piece of code
//! applied.
//!
//! Recording is a thread-local bit set: the schema functions are
//! synchronous, so the caller wraps a call in [`Switches::capture`] and gets
//! back what that call smoothed over. No allocation, no lock; outside a
//! capture a record costs one thread-local read and write and is discarded.

use std::cell::Cell;

/// One named leniency, as listed in `docs/COMPATIBILITY.md`.
///
/// [`Switch::name`] is the stable name (the first column of that table);
/// it is what logs, the tracing span and the request log carry.
///
/// ```
/// use scimkit_schema::Switch;
/// assert_eq!(Switch::BoolStrings.name(), "bool_strings");
/// assert_eq!(Switch::from_name("parse.extra_spaces"), Some(Switch::ExtraSpaces));
/// assert_eq!(Switch::ALL.len(), 13);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Switch {
    /// `parse.extra_spaces`: runs of spaces in filters and paths.
    ExtraSpaces,
    /// `parse.literal_case`: `True`, `FALSE`, `Null` in filters.
    LiteralCase,
    /// `parse.value_path_sub_attr`: `emails[type eq "work"].value eq "x"` in a filter.
    ValuePathSubAttr,
    /// `bool_strings`: `"True"` / `"False"` for boolean attributes.
    BoolStrings,
    /// `op_name_any_case`: PATCH `"Replace"`, `"Add"`.
    OpNameAnyCase,
    /// `value_keys_as_paths`: attribute paths as keys of a path-less PATCH value.
    ValueKeysAsPaths,
    /// `create_on_filter_miss`: `addresses[type eq "work"].country` creates the value.
    CreateOnFilterMiss,
    /// `remove_members_by_value`: `remove` on `members` with a value list.
    RemoveMembersByValue,
    /// `manager_as_string`: the enterprise `manager` as a bare id.
    ManagerAsString,
    /// `allow_empty_operations`: a PatchOp without operations.
    AllowEmptyOperations,
    /// `ignore_unknown_attributes`: unknown attributes, extensions and
    /// `schemas` URIs dropped from a written resource.
    IgnoreUnknownAttributes,
    /// `ignore_schemas_in_extension_value`: `schemas` inside a PATCH value of a whole extension.
    IgnoreSchemasInExtensionValue,
    /// `unknown_filter_attr_matches_nothing`: an unknown attribute in a filter matches nothing.
    UnknownFilterAttrMatchesNothing,
}

impl Switch {
    /// Every switch, in the order of their bits.
    pub const ALL: [Switch; 13] = [
        Switch::ExtraSpaces,
        Switch::LiteralCase,
        Switch::ValuePathSubAttr,
        Switch::BoolStrings,
        Switch::OpNameAnyCase,
        Switch::ValueKeysAsPaths,
        Switch::CreateOnFilterMiss,
        Switch::RemoveMembersByValue,
        Switch::ManagerAsString,
        Switch::AllowEmptyOperations,
        Switch::IgnoreUnknownAttributes,
        Switch::IgnoreSchemasInExtensionValue,
        Switch::UnknownFilterAttrMatchesNothing,
    ];

    /// The stable name, as in `docs/COMPATIBILITY.md` (`bool_strings`,
    /// `parse.extra_spaces`).
    pub const fn name(self) -> &'static str {
        match self {
            Switch::ExtraSpaces => "parse.extra_spaces",
            Switch::LiteralCase => "parse.literal_case",
            Switch::ValuePathSubAttr => "parse.value_path_sub_attr",
            Switch::BoolStrings => "bool_strings",
            Switch::OpNameAnyCase => "op_name_any_case",
            Switch::ValueKeysAsPaths => "value_keys_as_paths",
            Switch::CreateOnFilterMiss => "create_on_filter_miss",
            Switch::RemoveMembersByValue => "remove_members_by_value",
            Switch::ManagerAsString => "manager_as_string",
            Switch::AllowEmptyOperations => "allow_empty_operations",
            Switch::IgnoreUnknownAttributes => "ignore_unknown_attributes",
            Switch::IgnoreSchemasInExtensionValue => "ignore_schemas_in_extension_value",
            Switch::UnknownFilterAttrMatchesNothing => "unknown_filter_attr_matches_nothing",
        }
    }

    /// The switch of a [`Switch::name`] (exact, case-sensitive); the parse
    /// switches also without their `parse.` prefix.
    pub fn from_name(name: &str) -> Option<Switch> {
        let bare = |s: Switch| s.name().strip_prefix("parse.").unwrap_or(s.name());
        Switch::ALL
            .into_iter()
            .find(|s| s.name() == name || bare(*s) == name)
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// Notes that this leniency was applied, for the innermost
    /// [`Switches::capture`] running on this thread (nothing otherwise).
    pub fn record(self) {
        FIRED.with(|f| f.set(f.get() | self.bit()));
    }
}

impl std::fmt::Display for Switch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

thread_local! {
    static FIRED: Cell<u32> = const { Cell::new(0) };
}

/// A set of [`Switch`]es in one word: `Copy`, no allocation.
///
/// `Display` is the names in bit order joined by `,` (empty for none).
///
/// ```
/// use scimkit_schema::{Switch, Switches};
/// let (n, fired) = Switches::capture(|| {
///     Switch::OpNameAnyCase.record();
///     Switch::BoolStrings.record();
///     42
/// });
/// assert_eq!(n, 42);
/// assert!(fired.contains(Switch::BoolStrings));
/// assert_eq!(fired.to_string(), "bool_strings,op_name_any_case");
/// assert!(Switches::capture(|| ()).1.is_empty());
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Switches(u32);

impl Switches {
    /// The empty set.
    pub const EMPTY: Switches = Switches(0);

    /// The empty set.
    pub const fn new() -> Self {
        Switches(0)
    }

    /// Adds `s`.
    pub fn insert(&mut self, s: Switch) {
        self.0 |= s.bit();
    }

    /// With `s` added.
    #[must_use]
    pub const fn with(self, s: Switch) -> Self {
        Switches(self.0 | s.bit())
    }

    /// Whether `s` is in the set.
    pub const fn contains(self, s: Switch) -> bool {
        self.0 & s.bit() != 0
    }

    /// Both sets together.
    #[must_use]
    pub const fn union(self, other: Switches) -> Self {
        Switches(self.0 | other.0)
    }

    /// Whether no switch is in the set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many switches are in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The switches, in bit order.
    pub fn iter(self) -> impl Iterator<Item = Switch> {
        Switch::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The names of the switches, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        self.iter().map(Switch::name)
    }

    /// Records every switch of the set (see [`Switch::record`]): how a
    /// capture made on another thread (tokio's blocking pool) is handed on.
    pub fn record(self) {
        if self.0 != 0 {
            FIRED.with(|f| f.set(f.get() | self.0));
        }
    }

    /// Runs `f` and returns what it returned with the switches it recorded
    /// (on this thread). Captures nest: the inner one's switches are also
    /// the outer one's.
    pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Switches) {
        // The parser notes its leniencies in its own thread-local (the
        // filter crate knows no schema): what it noted before this capture
        // belongs to the outer one, what it notes during `f` to this one.
        // The parse switches are the low bits of both sets.
        let outer = FIRED.with(|c| c.replace(0)) | parser_noted();
        let r = f();
        let fired = Switches(FIRED.with(|c| c.replace(outer)) | parser_noted());
        fired.record();
        (r, fired)
    }
}

/// What the filter parser noted since it was last asked, as switch bits.
fn parser_noted() -> u32 {
    let l = scimkit_filter::take_leniencies();
    let mut bits = 0;
    for (flag, s) in [
        (
            scimkit_filter::Leniencies::EXTRA_SPACES,
            Switch::ExtraSpaces,
        ),
        (
            scimkit_filter::Leniencies::LITERAL_CASE,
            Switch::LiteralCase,
        ),
        (
            scimkit_filter::Leniencies::VALUE_PATH_SUB_ATTR,
            Switch::ValuePathSubAttr,
        ),
    ] {
        if l.contains(flag) {
            bits |= s.bit();
        }
    }
    bits
}

impl FromIterator<Switch> for Switches {
    fn from_iter<I: IntoIterator<Item = Switch>>(iter: I) -> Self {
        let mut s = Switches::new();
        for x in iter {
            s.insert(x);
        }
        s
    }
}

impl std::fmt::Display for Switches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, name) in self.names().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Switches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}
