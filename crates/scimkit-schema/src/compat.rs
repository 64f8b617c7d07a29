//! Named leniencies for real clients, and the profiles that bundle them.
//!
//! scimkit answers strictly per RFC 7643/7644 but accepts what real identity
//! providers send. Each deviation is a named switch here, with its source; the
//! switches are documented in `docs/COMPATIBILITY.md`.

use scimkit_filter::ParseOptions;

mod switch;

pub use switch::{Switch, Switches};

/// Every leniency switch of the schema layer, plus the parser's.
///
/// Build one from a [`Profile`], then adjust single switches:
///
/// ```
/// use scimkit_schema::{Compat, Profile};
/// let c = Profile::Entra.compat();
/// assert!(c.op_name_any_case);
/// let strict = Profile::Strict.compat();
/// assert!(!strict.bool_strings && !strict.parse.extra_spaces);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Compat {
    /// Filter and path parser leniencies and budgets.
    pub parse: ParseOptions,
    /// PATCH `op` names in any case (`"Replace"`, `"Add"`).
    ///
    /// RFC 7644 §3.5.2 defines `add`, `remove`, `replace`. Source: Microsoft
    /// Entra ID sends `"Replace"`/`"Add"` (learn.microsoft.com, "Known issues
    /// and resolutions with SCIM 2.0 protocol compliance").
    pub op_name_any_case: bool,
    /// Strings `"True"`/`"False"` (any case) accepted for attributes whose
    /// schema type is boolean, and only there.
    ///
    /// Source: Microsoft Entra ID sends `{"op":"Replace","path":"active","value":"False"}`
    /// outside the `aadOptscim062020` flag (same Microsoft page).
    pub bool_strings: bool,
    /// `add`/`replace` on `attr[filter].sub` that matches no value creates the
    /// value from the filter's `eq` terms and the sub-attribute (several
    /// operations with the same filter build one value).
    ///
    /// RFC 7644 §3.5.2.3 says such a `replace` is `noTarget`. Source: Entra ID
    /// sends `{"op":"add","path":"addresses[type eq \"work\"].country","value":"DE"}`
    /// for users that have no work address yet.
    pub create_on_filter_miss: bool,
    /// `remove` on `members` (no filter) with a `value` list of `{"value": id}`
    /// removes only the listed members.
    ///
    /// A literal reading of RFC 7644 §3.5.2.2 removes the whole attribute (and
    /// wipes the group). Source: Entra ID and Okta send member removals in this form.
    pub remove_members_by_value: bool,
    /// The enterprise `manager` given as a bare string id (`"manager": "26118915-6090"`),
    /// read as `{"value": "26118915-6090"}`.
    ///
    /// RFC 7643 §4.3 makes `manager` complex. Source: Entra ID's default mapping
    /// sends the manager's id as the PATCH value.
    pub manager_as_string: bool,
    /// A PatchOp with an empty `Operations` list is a no-op rather than `400 invalidValue`.
    ///
    /// Source: Okta sends empty PATCH bodies when no mapped attribute changed.
    pub allow_empty_operations: bool,
    /// In a path-less PATCH `add`/`replace`, a key that is an attribute path
    /// with a sub-attribute, a URN prefix or a value filter (`"name.givenName"`,
    /// `"urn:…:enterprise:2.0:User:department"`, `"emails[type eq \"work\"].value"`)
    /// is applied as that path.
    ///
    /// RFC 7644 §3.5.2 wants attribute names (and extension objects under their
    /// URI) as keys. Source: Microsoft Entra ID sends path keys in path-less
    /// `replace` operations (learn.microsoft.com, "Known issues and resolutions
    /// with SCIM 2.0 protocol compliance", PATCH examples).
    pub value_keys_as_paths: bool,
    /// A filter naming an attribute the schema does not know matches nothing
    /// (instead of `400 invalidFilter`).
    ///
    /// Source: Okta and Entra query with attributes of their own default
    /// mappings, which a custom schema may not define.
    pub unknown_filter_attr_matches_nothing: bool,
    /// Attributes, sub-attributes, extension objects and `schemas` URIs that
    /// the resource type does not define are dropped from a written resource
    /// without error (instead of `400 invalidSyntax` / `400 invalidValue`).
    ///
    /// RFC 7643/7644 define no error for them. Source: Entra ID and Okta send
    /// the attributes of their own default mappings (and Entra custom
    /// extension URNs) whether or not the service's schema has them.
    pub ignore_unknown_attributes: bool,
    /// A `schemas` member inside the value of a PATCH on a whole extension
    /// (`{"op":"add","path":"urn:…:enterprise:2.0:User","value":{"schemas":[…],
    /// "employeeNumber":"…"}}`, or the extension's object in a path-less
    /// value) is ignored instead of `400 invalidPath` ("schemas is not an
    /// attribute of …").
    ///
    /// RFC 7644 §3.5.2 makes the value an object of the extension's
    /// attributes, and `schemas` is not one. Source: scim2-tester (the SCIM 2
    /// conformance tester of the python-scim2 project) PATCHes the
    /// Enterprise User extension as a whole with its `schemas` inside.
    pub ignore_schemas_in_extension_value: bool,
}

impl Compat {
    /// Every leniency off: RFC 7643/7644 to the letter.
    pub const fn strict() -> Self {
        Compat {
            parse: ParseOptions::strict(),
            op_name_any_case: false,
            bool_strings: false,
            create_on_filter_miss: false,
            remove_members_by_value: false,
            manager_as_string: false,
            allow_empty_operations: false,
            value_keys_as_paths: false,
            unknown_filter_attr_matches_nothing: false,
            ignore_unknown_attributes: false,
            ignore_schemas_in_extension_value: false,
        }
    }

    /// Every leniency on (except `unknown_filter_attr_matches_nothing`, which
    /// would hide mistakes and stays an explicit choice).
    pub const fn interoperable() -> Self {
        Compat {
            parse: ParseOptions::lenient(),
            op_name_any_case: true,
            bool_strings: true,
            create_on_filter_miss: true,
            remove_members_by_value: true,
            manager_as_string: true,
            allow_empty_operations: true,
            value_keys_as_paths: true,
            unknown_filter_attr_matches_nothing: false,
            ignore_unknown_attributes: true,
            ignore_schemas_in_extension_value: true,
        }
    }
}

impl Default for Compat {
    fn default() -> Self {
        Compat::interoperable()
    }
}

/// A named bundle of leniencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Profile {
    /// RFC 7643/7644 to the letter.
    Strict,
    /// Everything real clients are known to send (the default).
    #[default]
    Interoperable,
    /// What Microsoft Entra ID needs.
    Entra,
    /// What Okta needs.
    Okta,
}

impl Profile {
    /// The profile's switches.
    pub const fn compat(self) -> Compat {
        match self {
            Profile::Strict => Compat::strict(),
            Profile::Interoperable => Compat::interoperable(),
            Profile::Entra => Compat {
                parse: ParseOptions::lenient(),
                op_name_any_case: true,
                bool_strings: true,
                create_on_filter_miss: true,
                remove_members_by_value: true,
                manager_as_string: true,
                allow_empty_operations: false,
                value_keys_as_paths: true,
                unknown_filter_attr_matches_nothing: false,
                ignore_unknown_attributes: true,
                ignore_schemas_in_extension_value: true,
            },
            Profile::Okta => Compat {
                parse: ParseOptions::lenient(),
                op_name_any_case: true,
                bool_strings: false,
                create_on_filter_miss: false,
                remove_members_by_value: true,
                manager_as_string: false,
                allow_empty_operations: true,
                value_keys_as_paths: false,
                unknown_filter_attr_matches_nothing: false,
                ignore_unknown_attributes: true,
                ignore_schemas_in_extension_value: true,
            },
        }
    }

    /// The profile's name (`strict`, `interoperable`, `entra`, `okta`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Profile::Strict => "strict",
            Profile::Interoperable => "interoperable",
            Profile::Entra => "entra",
            Profile::Okta => "okta",
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "strict" => Ok(Profile::Strict),
            "interoperable" => Ok(Profile::Interoperable),
            "entra" => Ok(Profile::Entra),
            "okta" => Ok(Profile::Okta),
            other => Err(format!(
                "unknown profile {other:?}; expected strict, interoperable, entra or okta"
            )),
        }
    }
}
