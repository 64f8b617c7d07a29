//! Schema-aware filter evaluation (RFC 7644 §3.4.2.2) and `sortBy` ordering
//! (RFC 7644 §3.4.2.3).
//!
//! A [`CompiledFilter`] resolves every attribute path of a parsed
//! [`Filter`] against a [`ResourceSchema`] once, checks each operator and
//! value against the attribute's type, and then tests resources without
//! failing and without allocating (for ASCII data):
//!
//! ```
//! use scimkit_schema::{Compat, Registry, Resource, eval::CompiledFilter};
//! use scimkit_filter::parse_filter;
//!
//! let registry = Registry::core();
//! let users = registry.resource_type("User").unwrap();
//! let compat = Compat::default();
//! let filter = parse_filter(
//!     r#"emails[type eq "work" and value ew "@example.com"] and active eq true"#,
//!     &compat.parse,
//! )?;
//! let compiled = CompiledFilter::new(&filter, users, &compat)?;
//! let user = Resource::from_value(serde_json::json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "userName": "bjensen",
//!     "active": true,
//!     "emails": [{"type": "home", "value": "b@example.com"},
//!                {"type": "work", "value": "bjensen@EXAMPLE.com"}]
//! }))?;
//! assert!(compiled.matches(&user));
//!
//! // Type errors are 400 invalidFilter, naming the attribute.
//! let bad = parse_filter(r#"active eq "yes""#, &compat.parse)?;
//! let err = CompiledFilter::new(&bad, users, &compat).unwrap_err();
//! assert_eq!(err.status, 400);
//! assert!(err.detail.contains("active"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Many resources
//!
//! A store that holds resources in memory and scans them keeps a
//! [`FlatResource`] per resource (one contiguous block, rebuilt on every
//! write) and matches with [`CompiledFilter::select_flat`]: the same answers
//! as [`CompiledFilter::matches`], several times faster once the resources
//! outgrow the CPU caches (`docs/BENCHMARKS.md`, "Filter evaluation").
//!
//! ```
//! use scimkit_schema::{Compat, Registry, Resource, eval::{CompiledFilter, FlatResource}};
//! use scimkit_filter::parse_filter;
//!
//! let registry = Registry::core();
//! let users = registry.resource_type("User").unwrap();
//! let compat = Compat::default();
//! let flats: Vec<FlatResource> = (0..100)
//!     .map(|i| {
//!         Resource::from_value(serde_json::json!({
//!             "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!             "userName": format!("user{i}@contoso.com"),
//!         }))
//!         .map(|r| FlatResource::new(&r))
//!     })
//!     .collect::<Result<_, _>>()?;
//! let filter = parse_filter(r#"userName sw "USER4""#, &compat.parse)?;
//! let compiled = CompiledFilter::new(&filter, users, &compat)?;
//! assert_eq!(compiled.select_flat(&flats).count(), 11); // user4, user40 … user49
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Rules
//!
//! - Attribute names and schema URIs are case-insensitive (RFC 7643 §2.1);
//!   URN-qualified extension attributes (`urn:…:enterprise:2.0:User:manager.value`)
//!   and unqualified ones resolve through [`ResourceSchema::resolve`].
//! - Strings (string, reference, binary) compare by the attribute's `caseExact`,
//!   for `eq`, `ne`, `co`, `sw`, `ew` and the ordering operators alike
//!   (`id`, `externalId` and `schemas` are case-exact).
//! - dateTime values compare as instants (offsets and fractions count), with
//!   `eq` too; `co`, `sw` and `ew` on a dateTime compare its text. A dateTime
//!   without an offset is taken as UTC.
//! - Integers and decimals compare numerically (`1.0` equals `1`).
//! - Booleans take `eq` and `ne` only; `gt`, `ge`, `lt`, `le` on a boolean or
//!   binary attribute, `co`/`sw`/`ew` on a boolean or number, and a value of the
//!   wrong JSON type (`active eq "yes"`, `meta.created gt 5`) are `400 invalidFilter`
//!   with a detail naming the attribute.
//! - An attribute or sub-attribute that is `returned: never` (`password`) is
//!   `400 invalidFilter` wherever the filter names it (under `not`, in a value
//!   filter, as a sub-attribute, or as the implicit `value` of a complex
//!   attribute), in every profile, and [`SortKey::new`] refuses it with
//!   `400 invalidValue`: a yes/no answer about a secret, asked often enough,
//!   is the secret.
//! - An attribute the schema does not know is `400 invalidFilter`, or a term
//!   that matches nothing with [`Compat::unknown_filter_attr_matches_nothing`].
//! - A comparison on a multi-valued attribute matches when any value matches;
//!   a complex attribute named without a sub-attribute compares its `value`
//!   sub-attribute (`emails co "@example.com"`, `manager eq "26118915"`).
//! - `ne` matches when no value is equal, so `ne` on an unassigned attribute
//!   matches (`not (a eq v)` and `a ne v` agree).
//! - `attr[filter]`: one value of `attr` must satisfy the whole inner filter.
//! - `pr` is false for an absent attribute, `null`, `""`, `[]` and `{}` (an
//!   object none of whose members has a value), per RFC 7643 §2.5, which makes
//!   unassigned, null and empty the same state.
//! - `null` (RFC 7644's `compValue` allows it): `attr eq null` matches exactly
//!   when `attr pr` does not, `attr ne null` exactly when it does; any other
//!   operator with `null` is `400 invalidFilter`.
//!
//! [`Filter`]: scimkit_filter::Filter

mod batch;
mod compile;
mod datetime;
mod exec;
mod flat;
mod hint;
mod node;
mod sort;
mod text;
mod tree;

use scimkit_filter::Filter;

pub use flat::FlatResource;
pub use node::{AttrInfo, Comparison, Node, Operand, StrOperand};
pub use sort::{SortKey, compare_resources};

use crate::{AttributeDef, Compat, Resource, ResourceSchema, Returned, ScimError};

/// A filter compiled for one resource type: validated once, then matched
/// against any number of resources without errors.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledFilter {
    root: Node,
}

impl CompiledFilter {
    /// Resolves and type-checks `filter` against `rs`.
    ///
    /// Fails with `400 invalidFilter` (the detail names the attribute) for an
    /// unknown attribute (unless [`Compat::unknown_filter_attr_matches_nothing`]),
    /// an operator the attribute's type does not support, a value of the
    /// wrong type, or an attribute that is `returned: never` (in any profile).
    pub fn new(
        filter: &Filter<'_>,
        rs: &ResourceSchema,
        compat: &Compat,
    ) -> Result<CompiledFilter, ScimError> {
        Ok(CompiledFilter {
            root: compile::compile(filter, rs, compat)?,
        })
    }

    /// Whether `resource` matches.
    pub fn matches(&self, resource: &Resource) -> bool {
        exec::eval::<&serde_json::Value>(&self.root, resource.as_map())
    }

    /// Whether the resource `flat` was made from matches: the same answer as
    /// [`CompiledFilter::matches`], read from the contiguous copy (several
    /// times faster when the resources do not fit in the CPU caches; see
    /// [`FlatResource`]).
    pub fn matches_flat(&self, flat: &FlatResource) -> bool {
        flat::eval(&self.root, flat)
    }

    /// The items of `items` whose [`FlatResource`] matches, in order.
    ///
    /// Equivalent to `items.filter(|t| self.matches_flat(t.as_ref()))`, and
    /// faster on large collections that do not fit in the CPU caches: items
    /// are taken in small batches and the lines the filter reads first are
    /// fetched for the whole batch before any of it is evaluated (see
    /// `docs/BENCHMARKS.md`, "Filter evaluation"). `T` is the store's own
    /// record (anything that is [`AsRef<FlatResource>`], `FlatResource`
    /// itself included), so a store gets its records back.
    pub fn select_flat<'f, 'r, T, I>(&'f self, items: I) -> impl Iterator<Item = &'r T> + 'f
    where
        T: AsRef<FlatResource> + 'r,
        I: IntoIterator<Item = &'r T>,
        I::IntoIter: 'f,
        'r: 'f,
    {
        batch::SelectFlat::new(&self.root, items.into_iter())
    }

    /// The compiled tree, for stores that translate filters (e.g. to SQL).
    pub fn root(&self) -> &Node {
        &self.root
    }
}

/// Whether `resource` matches `filter`: compiles the filter and tests one
/// resource. To test many resources, compile once with [`CompiledFilter::new`].
pub fn matches(
    filter: &Filter<'_>,
    resource: &Resource,
    rs: &ResourceSchema,
    compat: &Compat,
) -> Result<bool, ScimError> {
    Ok(CompiledFilter::new(filter, rs, compat)?.matches(resource))
}

/// Refuses a filter term on an attribute that is never returned (`password`,
/// or any `returned: never` attribute or sub-attribute of a custom schema):
/// its value must not be recoverable by asking yes/no questions about it
/// (`password sw "a"`, `"ab"`, …), in any profile. `name` is the attribute as
/// the client wrote it.
pub(crate) fn refuse_secret(
    defs: &[&AttributeDef],
    name: &str,
    err: fn(String) -> ScimError,
    what: &str,
) -> Result<(), ScimError> {
    match defs.iter().find(|d| d.returned == Returned::Never) {
        Some(d) => Err(err(format!(
            "attribute {name} cannot be used in {what}: {} is never returned \
             (returned: never, RFC 7643 §2.2)",
            d.name
        ))),
        None => Ok(()),
    }
}
