//! `add` and `replace` without `path` (RFC 7644 §3.5.2.1, §3.5.2.3): the
//! value is an object of attributes, extension attributes nested under their
//! schema URI; and operations whose path names a whole extension.
//!
//! With [`Compat::value_keys_as_paths`], a key that is an attribute path
//! with a sub-attribute, a URN prefix or a value filter
//! (`"name.givenName"`, `"urn:…:enterprise:2.0:User:department"`,
//! `"emails[type eq \"work\"].value"`) is applied as that path. Source:
//! Microsoft Entra ID sends such keys in path-less `replace` operations.
//!
//! With [`Compat::ignore_schemas_in_extension_value`], a `schemas` member
//! inside an extension's value is skipped (source: scim2-tester).

use serde_json::Value;

use scimkit_filter::AttrPath;

use super::ops::{self, Cx, Target};
use crate::messages::PatchOpKind;
use crate::{ResourceSchema, ScimError, json_kind};

/// Applies a path-less `add`/`replace` whose value is `v`.
pub(crate) fn apply<'s>(
    cx: &mut Cx<'_, 's>,
    kind: PatchOpKind,
    v: &Value,
    rs: &'s ResourceSchema,
) -> Result<(), ScimError> {
    let Value::Object(m) = v else {
        return Err(ScimError::invalid_value(format!(
            "{} without path takes an object of attributes, not {}",
            kind.as_str(),
            json_kind(v)
        )));
    };
    for (key, value) in m {
        if let Some(ext) = rs.extension(key) {
            apply_extension(cx, kind, &ext.id, Some(value), rs, key)?;
        } else if cx.compat.value_keys_as_paths && key.contains(['.', ':', '[']) {
            crate::Switch::ValueKeysAsPaths.record();
            super::apply_path(cx, kind, key, Some(value), rs)?;
        } else {
            let path = AttrPath::new(key.as_str());
            let r = rs.resolve_or(&path, ScimError::invalid_path)?;
            let t = Target {
                ext: r.extension_uri(),
                attr: r.attr,
                sub: None,
                filter: None,
                at: key,
            };
            ops::apply_target(cx, kind, &t, Some(value))?;
        }
    }
    Ok(())
}

/// An operation on a whole extension (`path` is its URI, or a path-less
/// value has the URI as key): the value is an object of its attributes.
pub(crate) fn apply_extension<'s>(
    cx: &mut Cx<'_, 's>,
    kind: PatchOpKind,
    uri: &'s str,
    v: Option<&Value>,
    rs: &'s ResourceSchema,
    at: &str,
) -> Result<(), ScimError> {
    let Some(schema) = rs.extension(uri) else {
        return Err(ScimError::invalid_path(format!("{at}: unknown extension")));
    };
    if kind == PatchOpKind::Remove {
        cx.remove_ext(&schema.id);
        return Ok(());
    }
    let Some(v) = v else {
        return Err(ScimError::invalid_value(format!(
            "{at}: {} requires a value",
            kind.as_str()
        )));
    };
    let Value::Object(m) = v else {
        return Err(ScimError::invalid_value(format!(
            "{at}: the value of an extension is an object of its attributes, not {}",
            json_kind(v)
        )));
    };
    for (key, value) in m {
        if cx.compat.ignore_schemas_in_extension_value && key.eq_ignore_ascii_case("schemas") {
            crate::Switch::IgnoreSchemasInExtensionValue.record();
            continue;
        }
        let Some(attr) = schema.attribute(key) else {
            return Err(ScimError::invalid_path(format!(
                "{at}: {key} is not an attribute of {}",
                schema.id
            )));
        };
        let t = Target {
            ext: Some(&schema.id),
            attr,
            sub: None,
            filter: None,
            at: key,
        };
        ops::apply_target(cx, kind, &t, Some(value))?;
    }
    Ok(())
}
