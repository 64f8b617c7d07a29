//! The PATCH request message (RFC 7644 §3.5.2):
//! `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [...]}`.
//!
//! The message is kept close to the wire: the `op` name is kept as sent
//! (`"Replace"` from Entra ID) and interpreted by [`PatchOperation::kind`]
//! under the caller's [`Compat`], so a strict server can name the bad
//! operation in its error. Applying a message is [`crate::patch::apply`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Compat, ScimError};

/// The URI of the PATCH request message (RFC 7644 §3.5.2).
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A PATCH request body (RFC 7644 §3.5.2).
///
/// ```
/// use scimkit_schema::messages::{PatchOp, PatchOpKind};
/// use scimkit_schema::Compat;
/// let patch = PatchOp::from_slice(br#"{
///     "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
///     "Operations": [{"op": "Replace", "path": "active", "value": false}]
/// }"#)?;
/// assert_eq!(patch.operations[0].kind(&Compat::interoperable())?, PatchOpKind::Replace);
/// assert!(patch.operations[0].kind(&Compat::strict()).is_err());
/// # Ok::<(), scimkit_schema::ScimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PatchOp {
    /// The message's schema URIs; must contain [`PATCH_OP_SCHEMA`].
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The operations, applied in order (`Operations`; `operations` is accepted too).
    #[serde(rename = "Operations", alias = "operations")]
    pub operations: Vec<PatchOperation>,
}

impl PatchOp {
    /// A PatchOp with the PATCH schema URI and the given operations.
    pub fn new(operations: Vec<PatchOperation>) -> Self {
        PatchOp {
            schemas: vec![PATCH_OP_SCHEMA.to_owned()],
            operations,
        }
    }

    /// Parses a request body; a malformed body is `400 invalidSyntax`.
    pub fn from_slice(body: &[u8]) -> Result<Self, ScimError> {
        serde_json::from_slice(body).map_err(syntax_error)
    }

    /// Reads a JSON value; a malformed body is `400 invalidSyntax`.
    pub fn from_value(value: Value) -> Result<Self, ScimError> {
        serde_json::from_value(value).map_err(syntax_error)
    }

    /// Checks the envelope: `schemas` holds [`PATCH_OP_SCHEMA`] (`400 invalidSyntax`
    /// otherwise) and `Operations` is not empty (`400 invalidValue`, unless
    /// [`Compat::allow_empty_operations`]).
    pub fn check(&self, compat: &Compat) -> Result<(), ScimError> {
        if !self
            .schemas
            .iter()
            .any(|s| s.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
        {
            return Err(ScimError::invalid_syntax(format!(
                "a PATCH request must list {PATCH_OP_SCHEMA} in schemas"
            )));
        }
        if self.operations.is_empty() {
            if !compat.allow_empty_operations {
                return Err(ScimError::invalid_value(
                    "the PATCH request has no Operations",
                ));
            }
            crate::Switch::AllowEmptyOperations.record();
        }
        Ok(())
    }
}

fn syntax_error(e: serde_json::Error) -> ScimError {
    ScimError::invalid_syntax(format!("malformed PatchOp request: {e}"))
}

/// One PATCH operation: `{"op": ..., "path": ..., "value": ...}` (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PatchOperation {
    /// The operation name as sent (`add`, `remove`, `replace`; Entra ID sends `Replace`).
    pub op: String,
    /// The target path, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value, when given (`null` reads as absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl PatchOperation {
    /// An operation of the given kind.
    pub fn new(kind: PatchOpKind, path: Option<String>, value: Option<Value>) -> Self {
        PatchOperation {
            op: kind.as_str().to_owned(),
            path,
            value,
        }
    }

    /// `add` at `path` (or without path when `None`).
    pub fn add(path: Option<&str>, value: Value) -> Self {
        Self::new(PatchOpKind::Add, path.map(str::to_owned), Some(value))
    }

    /// `replace` at `path` (or without path when `None`).
    pub fn replace(path: Option<&str>, value: Value) -> Self {
        Self::new(PatchOpKind::Replace, path.map(str::to_owned), Some(value))
    }

    /// `remove` at `path`.
    pub fn remove(path: &str) -> Self {
        Self::new(PatchOpKind::Remove, Some(path.to_owned()), None)
    }

    /// The operation's kind. Names are exact lower case unless
    /// [`Compat::op_name_any_case`]; anything else is `400 invalidSyntax`
    /// naming the operation.
    pub fn kind(&self, compat: &Compat) -> Result<PatchOpKind, ScimError> {
        if let Some(k) = PatchOpKind::parse(&self.op, false) {
            return Ok(k);
        }
        let lenient = PatchOpKind::parse(&self.op, compat.op_name_any_case);
        if lenient.is_some() {
            crate::Switch::OpNameAnyCase.record();
        }
        lenient.ok_or_else(|| {
            let hint = if !compat.op_name_any_case && PatchOpKind::parse(&self.op, true).is_some() {
                " (operation names are lower case)"
            } else {
                ""
            };
            ScimError::invalid_syntax(format!(
                "unknown PATCH op {:?}; expected add, remove or replace{hint}",
                self.op
            ))
        })
    }
}

/// The kind of a PATCH operation (RFC 7644 §3.5.2.1 to §3.5.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatchOpKind {
    /// `add` (§3.5.2.1).
    Add,
    /// `remove` (§3.5.2.2).
    Remove,
    /// `replace` (§3.5.2.3).
    Replace,
}

impl PatchOpKind {
    /// The name as the RFC spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Remove => "remove",
            PatchOpKind::Replace => "replace",
        }
    }

    /// Parses a name: exact lower case, or any case when `any_case`.
    pub fn parse(name: &str, any_case: bool) -> Option<Self> {
        [PatchOpKind::Add, PatchOpKind::Remove, PatchOpKind::Replace]
            .into_iter()
            .find(|k| {
                if any_case {
                    k.as_str().eq_ignore_ascii_case(name)
                } else {
                    k.as_str() == name
                }
            })
    }
}
