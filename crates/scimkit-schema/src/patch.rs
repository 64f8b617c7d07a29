//! PATCH application (RFC 7644 §3.5.2): `add`, `remove` and `replace`, with
//! and without `path`, value filters, URN-qualified extension attributes, and
//! the mutability rules of RFC 7643 §2.2.
//!
//! [`run`] is the whole pipeline a server runs (budgets, [`apply`], then
//! validation of the result); [`apply`] is the application step alone.
//!
//! A request applies all its operations or none: [`apply`] records changes
//! in an undo log and rolls them back when an operation fails, so it never
//! copies the resource it patches in place; [`run`] patches one copy of the
//! original (which validation compares the result with). The
//! [`PatchOutcome`] says what changed, so a store can skip the write and
//! `meta.version` moves only on a real change.
//!
//! The leniencies of [`Compat`] that concern PATCH (operation names in any
//! case, `"True"`/`"False"` booleans, creating a value on a filter miss,
//! member removal by value list, a bare-string `manager`, empty `Operations`,
//! attribute paths as keys of a path-less value) are described in
//! `docs/COMPATIBILITY.md`.
//!
//! ```
//! use scimkit_schema::{patch, messages::PatchOp, Compat, Registry, Resource};
//! let registry = Registry::core();
//! let users = registry.resource_type("User").unwrap();
//! let mut user = Resource::from_value(serde_json::json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "id": "2819c223", "userName": "bjensen", "active": true
//! }))?;
//! let body = PatchOp::from_slice(br#"{
//!     "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
//!     "Operations": [{"op": "Replace", "path": "active", "value": "False"}]
//! }"#)?;
//! let outcome = patch::apply(&mut user, &body, users, &Compat::interoperable())?;
//! assert!(outcome.changed);
//! assert_eq!(outcome.changed_attributes, ["active"]);
//! assert_eq!(user.as_map()["active"], false);
//! # Ok::<(), scimkit_schema::ScimError>(())
//! ```

mod batch;
mod journal;
mod no_path;
mod ops;
mod pipeline;
mod seen;
mod select;
mod value;

pub use pipeline::{
    DEFAULT_MAX_PATCH_OPERATIONS, DEFAULT_MAX_PATCH_VALUES_PER_OPERATION, PatchLimits, Patched, run,
};

use scimkit_filter::{PatchPath, parse_patch_path};
use serde_json::Value;

use crate::messages::{PatchOp, PatchOpKind, PatchOperation};
use crate::{Compat, Resource, ResourceSchema, ScimError};

use journal::Journal;
use ops::{Cx, Target};

/// What a PATCH request changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PatchOutcome {
    /// Whether the resource differs from before the request.
    pub changed: bool,
    /// The top-level attributes whose value changed, in order of first
    /// change (extension attributes as `urn:…:User:department`, a whole
    /// extension object as its URI).
    pub changed_attributes: Vec<String>,
    /// The `value`s of `members` added.
    pub members_added: Vec<String>,
    /// The `value`s of `members` removed.
    pub members_removed: Vec<String>,
}

/// Applies a PATCH request to `resource`, all operations or none
/// (RFC 7644 §3.5.2).
///
/// Errors: `invalidSyntax` (no PatchOp schema URI, unknown op), `invalidPath`
/// (unparseable path, unknown attribute), `noTarget` (a filter that matches
/// nothing, `remove` without path), `invalidValue` (missing value, wrong
/// type, no `Operations`), `mutability` (readOnly, or immutable and set;
/// a path into a readOnly attribute, or a `remove` from an immutable one, is
/// `mutability` before any target is looked for, never `noTarget`).
/// On error the resource is left exactly as it was.
pub fn apply(
    resource: &mut Resource,
    patch: &PatchOp,
    rs: &ResourceSchema,
    compat: &Compat,
) -> Result<PatchOutcome, ScimError> {
    patch.check(compat)?;
    let mut j = Journal::default();
    let root = resource.as_map_mut();
    let ops = &patch.operations;
    let mut i = 0;
    while i < ops.len() {
        let mut cx = Cx {
            root: &mut *root,
            j: &mut j,
            compat,
        };
        // A run of removals by value goes in one pass (see `batch`).
        let (result, n) = match batch::run(&ops[i..], i, rs, compat) {
            Some(run) => {
                let n = run.removals.len();
                (ops::remove_run(&mut cx, &run), n)
            }
            None => (apply_operation(&mut cx, &ops[i], rs).map_err(|e| (i, e)), 1),
        };
        if let Err((at, mut e)) = result {
            j.rollback(root);
            if ops.len() > 1 {
                e.detail = format!("Operations[{at}]: {}", e.detail);
            }
            return Err(e);
        }
        i += n;
    }
    j.settle(root);
    Ok(PatchOutcome {
        changed: !j.changed.is_empty(),
        changed_attributes: j
            .changed
            .iter()
            .map(|(ext, name)| ops::name_of(*ext, name))
            .collect(),
        members_added: std::mem::take(&mut j.members_added),
        members_removed: std::mem::take(&mut j.members_removed),
    })
}

fn apply_operation<'s>(
    cx: &mut Cx<'_, 's>,
    op: &PatchOperation,
    rs: &'s ResourceSchema,
) -> Result<(), ScimError> {
    let kind = op.kind(cx.compat)?;
    match op.path.as_deref() {
        Some(path) => apply_path(cx, kind, path, op.value.as_ref(), rs),
        None => match kind {
            PatchOpKind::Remove => Err(ScimError::no_target(
                "remove requires a path (RFC 7644 §3.5.2.2)",
            )),
            _ => match &op.value {
                Some(v) => no_path::apply(cx, kind, v, rs),
                None => Err(ScimError::invalid_value(format!(
                    "{} without path requires a value",
                    kind.as_str()
                ))),
            },
        },
    }
}

/// Applies an operation at `path` (an operation's `path`, or a key of a
/// path-less value read as a path).
pub(crate) fn apply_path<'s>(
    cx: &mut Cx<'_, 's>,
    kind: PatchOpKind,
    path: &str,
    v: Option<&Value>,
    rs: &'s ResourceSchema,
) -> Result<(), ScimError> {
    // Every error in a PATCH path, its value filter included, is `invalidPath`
    // (RFC 7644 §3.5.2, Table 9).
    let parsed = parse_patch_path(path, &cx.compat.parse)
        .map_err(|e| ScimError::invalid_path(e.to_string()))?;
    let (attr_path, filter, sub_attr) = match &parsed {
        PatchPath::Attr(p) => {
            if let Some(ext) = rs.extension_named_by(p) {
                return no_path::apply_extension(cx, kind, &ext.id, v, rs, path);
            }
            (p, None, None)
        }
        PatchPath::ValuePath {
            path: p,
            filter,
            sub_attr,
        } => {
            if p.sub.is_some() {
                return Err(ScimError::invalid_path(format!(
                    "{path}: a value filter applies to a multi-valued attribute, not to a sub-attribute"
                )));
            }
            (p, Some(filter), sub_attr.as_deref())
        }
    };
    let r = rs.resolve_or(attr_path, ScimError::invalid_path)?;
    let sub = match (r.sub, sub_attr) {
        (Some(s), _) => Some(s),
        (None, Some(name)) => Some(r.attr.sub_attribute(name).ok_or_else(|| {
            ScimError::invalid_path(format!(
                "{path}: {name} is not a sub-attribute of {}",
                r.attr.name
            ))
        })?),
        (None, None) => None,
    };
    let t = Target {
        ext: r.extension_uri(),
        attr: r.attr,
        sub,
        filter,
        at: path,
    };
    ops::apply_target(cx, kind, &t, v)
}
