//! Validation and normalisation of resources written by clients
//! (RFC 7643 §2.1–§2.5 and §3.1; RFC 7644 §3.3, §3.5.1 and §3.5.2).
//!
//! [`validate`] checks a resource body against its [`ResourceSchema`] and
//! rewrites it into the form the service stores:
//!
//! - **Types** (RFC 7643 §2.3): string, boolean, integer (no fraction),
//!   decimal, dateTime (`xsd:dateTime`), binary (base64, RFC 4648 §4),
//!   reference, complex (an object), multi-valued (an array; a single value
//!   where an array is expected is `400 invalidValue`, never wrapped).
//! - **Canonical keys** (§2.1): `USERNAME` is written `userName`, extension
//!   keys and `schemas` URIs in their registered case.
//! - **Unassigned values** (§2.5): `null`, `[]` and `{}` are dropped, so is a
//!   `null` element of an array.
//! - **Unknown attributes**: dropped without error when
//!   [`Compat::ignore_unknown_attributes`] is on (the interoperable default),
//!   `400 invalidSyntax` naming the attribute when off. An extension object
//!   under a URN the resource type does not register is treated the same.
//! - **readOnly** (RFC 7644 §3.3, §3.5.1): client values are ignored: dropped
//!   on create; on replace the existing value is kept; on a PATCH result a
//!   changed top-level readOnly value is `400 mutability` (§3.5.2).
//! - **immutable** (RFC 7644 §3.5.1, §3.5.2): on replace and PATCH a value
//!   different from the stored one is `400 mutability`; setting an unassigned
//!   immutable attribute is allowed; on replace an omitted one keeps its value.
//! - **required** (§2.2): a missing required attribute, sub-attribute or
//!   extension is `400 invalidValue` naming it.
//! - **U+0000**: a string or reference value holding the NUL character is
//!   `400 invalidValue` naming the attribute, in every profile (PostgreSQL
//!   cannot store it in text, and no identity data needs it).
//! - **primary** (§2.4): at most one `primary: true` per multi-valued attribute.
//! - **schemas** (§3): must list the base schema and every extension present.
//! - **canonicalValues** are not enforced: RFC 7643 §7 calls them "suggested"
//!   values that "MAY be used", so `emails[].type: "school"` is accepted.
//! - Leniencies: [`Compat::bool_strings`] and [`Compat::manager_as_string`].
//!
//! Every error names the attribute path (`emails[1].primary`, `name.givenName`,
//! `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`).
//!
//! ```
//! use scimkit_schema::validate::{validate, RequestKind};
//! use scimkit_schema::{Compat, Registry, Resource};
//! let registry = Registry::core();
//! let users = registry.resource_type("User").unwrap();
//! let mut user = Resource::from_value(serde_json::json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "id": "client-chosen",
//!     "USERNAME": "bjensen",
//!     "active": "True",
//!     "nickName": null
//! }))?;
//! validate(&mut user, users, RequestKind::Create, &Compat::interoperable())?;
//! assert_eq!(user.into_value(), serde_json::json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "userName": "bjensen",
//!     "active": true
//! }));
//! # Ok::<(), scimkit_schema::ScimError>(())
//! ```

mod loc;
mod mutability;
mod object;
mod required;
mod schemas;
mod value;

use crate::{Compat, Resource, ResourceSchema, ScimError};

/// What kind of write a resource body comes from; it decides how readOnly,
/// immutable and required attributes are treated.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum RequestKind<'a> {
    /// `POST` to a resource endpoint (RFC 7644 §3.3): readOnly values are
    /// dropped, required attributes must be present.
    Create,
    /// `PUT` of an existing resource (RFC 7644 §3.5.1): readOnly values are
    /// ignored (the existing ones are kept), immutable values must match the
    /// existing ones, required attributes must be present.
    Replace {
        /// The resource as stored before the request.
        existing: &'a Resource,
    },
    /// The result of applying a `PATCH` (RFC 7644 §3.5.2) to `original`:
    /// readOnly and immutable values must not have changed (an unassigned
    /// immutable may be set), required attributes the original had must remain.
    /// Validate before the service refreshes `meta`.
    PatchResult {
        /// The resource as stored before the PATCH.
        original: &'a Resource,
    },
}

impl<'a> RequestKind<'a> {
    /// The stored resource the request changes, if any.
    fn before(self) -> Option<&'a Resource> {
        match self {
            RequestKind::Create => None,
            RequestKind::Replace { existing } => Some(existing),
            RequestKind::PatchResult { original } => Some(original),
        }
    }
}

/// Everything the validation passes need.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'a> {
    pub(crate) rs: &'a ResourceSchema,
    pub(crate) kind: RequestKind<'a>,
    pub(crate) compat: &'a Compat,
}

impl Cx<'_> {
    /// Whether client-sent readOnly values are dropped (create, replace) rather
    /// than kept for comparison with the stored resource (PATCH result).
    pub(crate) fn drops_read_only(&self) -> bool {
        !matches!(self.kind, RequestKind::PatchResult { .. })
    }
}

/// Validates `input` against `rs` for a request of `kind` and normalises it in
/// place (see the module documentation for every rule).
///
/// On error `input` may be partly normalised; discard it.
pub fn validate(
    input: &mut Resource,
    rs: &ResourceSchema,
    kind: RequestKind<'_>,
    compat: &Compat,
) -> Result<(), ScimError> {
    let cx = Cx { rs, kind, compat };
    let map = input.as_map_mut();
    object::top(map, &cx)?;
    schemas::check(map, &cx)?;
    mutability::check(map, &cx)?;
    required::check(map, &cx)
}
