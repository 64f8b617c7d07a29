//! The server's whole PATCH pipeline on one resource (RFC 7644 §3.5.2):
//! budgets first, then every operation (all or none), then validation of the
//! result under the same profile (RFC 7643 §2.2). The engine and
//! `scimkit patch apply` both call [`run`], so they give the same answers.
//!
//! # Budgets
//!
//! A PATCH is bounded before any of it is applied: at most
//! [`PatchLimits::max_operations`] operations (beyond, `413` with a SCIM
//! error body, as RFC 7644 §3.7.4 answers a Bulk request over
//! `maxOperations`), and at most [`PatchLimits::max_values_per_operation`]
//! values in one operation (beyond, `400 tooMany` naming the operation and
//! its path). The values of an operation are the elements of every array in
//! its `value` (a `members` list of 40,000 ids is 40,000 values), and at
//! least one.

use serde_json::Value;

use super::{PatchOutcome, apply};
use crate::messages::PatchOp;
use crate::validate::{RequestKind, validate};
use crate::{Compat, Resource, ResourceSchema, ScimError};

/// The default of [`PatchLimits::max_operations`].
pub const DEFAULT_MAX_PATCH_OPERATIONS: usize = 10_000;

/// The default of [`PatchLimits::max_values_per_operation`].
pub const DEFAULT_MAX_PATCH_VALUES_PER_OPERATION: usize = 10_000;

/// The budgets of one PATCH request.
///
/// ```
/// use scimkit_schema::patch::{PatchLimits, DEFAULT_MAX_PATCH_OPERATIONS};
/// let limits = PatchLimits::default().with_max_values_per_operation(50_000);
/// assert_eq!(limits.max_operations, DEFAULT_MAX_PATCH_OPERATIONS);
/// assert_eq!(limits.max_values_per_operation, 50_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PatchLimits {
    /// The most operations one request may hold (`413` beyond).
    pub max_operations: usize,
    /// The most values one operation may carry (`400 tooMany` beyond).
    pub max_values_per_operation: usize,
}

impl Default for PatchLimits {
    fn default() -> Self {
        PatchLimits {
            max_operations: DEFAULT_MAX_PATCH_OPERATIONS,
            max_values_per_operation: DEFAULT_MAX_PATCH_VALUES_PER_OPERATION,
        }
    }
}

impl PatchLimits {
    /// Sets [`PatchLimits::max_operations`].
    pub fn with_max_operations(mut self, n: usize) -> Self {
        self.max_operations = n;
        self
    }

    /// Sets [`PatchLimits::max_values_per_operation`].
    pub fn with_max_values_per_operation(mut self, n: usize) -> Self {
        self.max_values_per_operation = n;
        self
    }

    /// Checks `patch` against the budgets and returns the number of values
    /// it carries in all (for deciding where to run it). Costs one walk over
    /// the request, nothing more.
    pub fn check(&self, patch: &PatchOp) -> Result<usize, ScimError> {
        let n = patch.operations.len();
        if n > self.max_operations {
            return Err(ScimError::new(
                413,
                None,
                format!(
                    "the PATCH request has {n} operations; at most {} are accepted",
                    self.max_operations
                ),
            ));
        }
        let mut total = 0usize;
        for (i, op) in patch.operations.iter().enumerate() {
            let values = op.value.as_ref().map_or(1, |v| values_in(v).max(1));
            if values > self.max_values_per_operation {
                let path = op.path.as_deref().unwrap_or("(no path)");
                return Err(ScimError::too_many(format!(
                    "Operations[{i}] (path {path}) carries {values} values; \
                     at most {} are accepted per operation",
                    self.max_values_per_operation
                )));
            }
            total = total.saturating_add(values);
        }
        Ok(total)
    }
}

/// The elements of every array in `v`, at any depth.
fn values_in(v: &Value) -> usize {
    match v {
        Value::Array(a) => a
            .iter()
            .map(|e| values_in(e).max(1))
            .fold(0, usize::saturating_add),
        Value::Object(m) => m.values().map(values_in).fold(0, usize::saturating_add),
        _ => 0,
    }
}

/// A PATCH applied and its result validated: what [`run`] returns.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Patched {
    /// The resource after the request (validated when it changed).
    pub resource: Resource,
    /// What changed.
    pub outcome: PatchOutcome,
}

/// The whole PATCH pipeline on a copy of `original` (the one clone of a
/// PATCH: `original` stays for the checks of [`RequestKind::PatchResult`],
/// and a server's stored copy is shared): the budgets of
/// `limits`, then [`apply`] (all operations or none), then, when anything
/// changed, [`validate`] with [`RequestKind::PatchResult`] under `compat`
/// (a PATCH that removes `userName` is `400 invalidValue`, "required
/// attribute userName is missing").
///
/// ```
/// use scimkit_schema::{patch, messages::PatchOp, Compat, Registry, Resource};
/// let registry = Registry::core();
/// let users = registry.resource_type("User").unwrap();
/// let user = Resource::from_value(serde_json::json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
///     "id": "2819c223", "userName": "bjensen"
/// }))?;
/// let body = PatchOp::from_slice(br#"{
///     "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
///     "Operations": [{"op": "remove", "path": "userName"}]
/// }"#)?;
/// let err = patch::run(&user, &body, users, &Compat::default(), &Default::default())
///     .unwrap_err();
/// assert_eq!(err.scim_type.unwrap().as_str(), "invalidValue");
/// # Ok::<(), scimkit_schema::ScimError>(())
/// ```
pub fn run(
    original: &Resource,
    patch: &PatchOp,
    rs: &ResourceSchema,
    compat: &Compat,
    limits: &PatchLimits,
) -> Result<Patched, ScimError> {
    limits.check(patch)?;
    let mut resource = original.clone();
    let outcome = apply(&mut resource, patch, rs, compat)?;
    if outcome.changed {
        validate(
            &mut resource,
            rs,
            RequestKind::PatchResult { original },
            compat,
        )?;
    }
    Ok(Patched { resource, outcome })
}
