//! A JSON-backed SCIM resource with schema-aware access by attribute path
//! (RFC 7643 §3, §3.3 for extension attributes under their schema URI).
//!
//! The JSON object is kept as received, in insertion order: unknown
//! attributes and unknown extension objects are preserved, never dropped.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use scimkit_filter::AttrPath;

use crate::{ResourceSchema, ScimError};

/// Looks up `name` in a JSON object: the exact key first, then case-insensitively
/// (attribute names are case-insensitive, RFC 7643 §2.1).
pub fn get_ci<'m>(map: &'m Map<String, Value>, name: &str) -> Option<(&'m String, &'m Value)> {
    if let Some(kv) = map.get_key_value(name) {
        return Some(kv);
    }
    map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
}

/// Like [`get_ci`], mutable.
pub fn get_ci_mut<'m>(map: &'m mut Map<String, Value>, name: &str) -> Option<&'m mut Value> {
    let key = if map.contains_key(name) {
        name.to_owned()
    } else {
        map.keys().find(|k| k.eq_ignore_ascii_case(name))?.clone()
    };
    map.get_mut(&key)
}

/// Removes `name` from a JSON object, case-insensitively, keeping the order of the rest.
pub fn remove_ci(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let key = if map.contains_key(name) {
        name.to_owned()
    } else {
        map.keys().find(|k| k.eq_ignore_ascii_case(name))?.clone()
    };
    map.shift_remove(&key)
}

/// A SCIM resource: a JSON object with `schemas`, `id`, `meta` and attributes.
///
/// ```
/// use scimkit_schema::{Registry, Resource};
/// use scimkit_filter::{parse_attr_path, ParseOptions};
/// let registry = Registry::core();
/// let users = registry.resource_type("User").unwrap();
/// let user = Resource::from_value(serde_json::json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
///     "userName": "bjensen",
///     "name": {"givenName": "Barbara"}
/// }))?;
/// let path = parse_attr_path("NAME.givenname", &ParseOptions::default())?;
/// assert_eq!(user.get(users, &path), Some(&serde_json::json!("Barbara")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Resource {
    map: Map<String, Value>,
}

impl Resource {
    /// An empty resource.
    pub fn new() -> Self {
        Resource::default()
    }

    /// Wraps a JSON object.
    pub fn from_map(map: Map<String, Value>) -> Self {
        Resource { map }
    }

    /// Wraps a JSON value, which must be an object (`400 invalidSyntax` otherwise).
    pub fn from_value(value: Value) -> Result<Self, ScimError> {
        match value {
            Value::Object(map) => Ok(Resource { map }),
            other => Err(ScimError::invalid_syntax(format!(
                "a resource must be a JSON object, not {}",
                json_kind(&other)
            ))),
        }
    }

    /// The JSON object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// The JSON object, mutable.
    pub fn as_map_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.map
    }

    /// Unwraps the JSON object.
    pub fn into_map(self) -> Map<String, Value> {
        self.map
    }

    /// Unwraps into a JSON value.
    pub fn into_value(self) -> Value {
        Value::Object(self.map)
    }

    /// The `id`, when present and a string.
    pub fn id(&self) -> Option<&str> {
        get_ci(&self.map, "id").and_then(|(_, v)| v.as_str())
    }

    /// The `externalId`, when present and a string.
    pub fn external_id(&self) -> Option<&str> {
        get_ci(&self.map, "externalId").and_then(|(_, v)| v.as_str())
    }

    /// The `schemas` URIs (strings only).
    pub fn schemas(&self) -> Vec<&str> {
        match get_ci(&self.map, "schemas") {
            Some((_, Value::Array(a))) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The `meta.version`, when present.
    pub fn version(&self) -> Option<&str> {
        self.meta_field("version")
    }

    /// A string field of `meta`.
    pub fn meta_field(&self, name: &str) -> Option<&str> {
        match get_ci(&self.map, "meta") {
            Some((_, Value::Object(m))) => get_ci(m, name).and_then(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// The JSON object that holds the attributes of `path`'s schema: the
    /// resource itself, or the extension object keyed by the extension's URI.
    fn container(&self, rs: &ResourceSchema, path: &AttrPath<'_>) -> Option<&Map<String, Value>> {
        let r = rs.resolve(path)?;
        match r.extension_uri() {
            None => Some(&self.map),
            Some(uri) => match get_ci(&self.map, uri) {
                Some((_, Value::Object(m))) => Some(m),
                _ => None,
            },
        }
    }

    /// The value at `path` (schema-aware, case-insensitive; URN-qualified
    /// extension attributes included). For a sub-attribute of a multi-valued
    /// complex attribute, use [`Resource::values`].
    pub fn get(&self, rs: &ResourceSchema, path: &AttrPath<'_>) -> Option<&Value> {
        let r = rs.resolve(path)?;
        let container = self.container(rs, path)?;
        let (_, v) = get_ci(container, &r.attr.name)?;
        match r.sub {
            None => Some(v),
            Some(sub) => match v {
                Value::Object(m) => get_ci(m, &sub.name).map(|(_, v)| v),
                _ => None,
            },
        }
    }

    /// Every value at `path`: for a multi-valued attribute each element, for a
    /// sub-attribute of a multi-valued complex attribute that sub-attribute of
    /// each element, for a single value that value. Nulls are left out.
    pub fn values(&self, rs: &ResourceSchema, path: &AttrPath<'_>) -> Vec<&Value> {
        let Some(r) = rs.resolve(path) else {
            return Vec::new();
        };
        let Some(container) = self.container(rs, path) else {
            return Vec::new();
        };
        let Some((_, v)) = get_ci(container, &r.attr.name) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let elems: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        for e in elems {
            match r.sub {
                None => {
                    if !e.is_null() {
                        out.push(e);
                    }
                }
                Some(sub) => {
                    if let Value::Object(m) = e
                        && let Some((_, sv)) = get_ci(m, &sub.name)
                        && !sv.is_null()
                    {
                        out.push(sv);
                    }
                }
            }
        }
        out
    }

    /// Sets the value at `path`, creating the parent complex value or extension
    /// object when missing. Keys are written in the schema's canonical case
    /// (an existing key in another case is replaced).
    ///
    /// Fails with `400 invalidPath` for an unknown attribute and `400 noTarget`
    /// when a sub-attribute is set below a multi-valued attribute (use PATCH
    /// value paths for that).
    pub fn set(
        &mut self,
        rs: &ResourceSchema,
        path: &AttrPath<'_>,
        value: Value,
    ) -> Result<(), ScimError> {
        let r = rs.resolve_or(path, ScimError::invalid_path)?;
        let container: &mut Map<String, Value> = match r.extension_uri() {
            None => &mut self.map,
            Some(uri) => {
                let uri = uri.to_owned();
                ensure_object(&mut self.map, &uri)?
            }
        };
        match r.sub {
            None => put_canonical(container, &r.attr.name, value),
            Some(sub) => {
                if r.attr.multi_valued {
                    return Err(ScimError::no_target(format!(
                        "{} is multi-valued; select a value with a filter to set {}",
                        r.attr.name, sub.name
                    )));
                }
                let parent = ensure_object(container, &r.attr.name)?;
                put_canonical(parent, &sub.name, value);
            }
        }
        Ok(())
    }

    /// Removes the value at `path` and returns it; an emptied extension object is removed too.
    pub fn remove(&mut self, rs: &ResourceSchema, path: &AttrPath<'_>) -> Option<Value> {
        let r = rs.resolve(path)?;
        let ext = r.extension_uri().map(str::to_owned);
        let container: &mut Map<String, Value> = match &ext {
            None => &mut self.map,
            Some(uri) => match get_ci_mut(&mut self.map, uri) {
                Some(Value::Object(m)) => m,
                _ => return None,
            },
        };
        let removed = match r.sub {
            None => remove_ci(container, &r.attr.name),
            Some(sub) => match get_ci_mut(container, &r.attr.name) {
                Some(Value::Object(m)) => remove_ci(m, &sub.name),
                _ => None,
            },
        };
        if let Some(uri) = ext
            && matches!(get_ci(&self.map, &uri), Some((_, Value::Object(m))) if m.is_empty())
        {
            remove_ci(&mut self.map, &uri);
        }
        removed
    }
}

fn ensure_object<'m>(
    map: &'m mut Map<String, Value>,
    key: &str,
) -> Result<&'m mut Map<String, Value>, ScimError> {
    canonicalize_key(map, key);
    let slot = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(m) => Ok(m),
        _ => Err(ScimError::invalid_value(format!(
            "{key} must be a JSON object"
        ))),
    }
}

/// Renames a key that matches `canonical` case-insensitively to `canonical`,
/// keeping its position in the object. Does nothing when the key is absent or
/// already canonical.
pub(crate) fn canonicalize_key(map: &mut Map<String, Value>, canonical: &str) {
    if map.contains_key(canonical) {
        return;
    }
    if !map.keys().any(|k| k.eq_ignore_ascii_case(canonical)) {
        return;
    }
    let old = std::mem::take(map);
    for (k, v) in old {
        if k.eq_ignore_ascii_case(canonical) {
            map.insert(canonical.to_owned(), v);
        } else {
            map.insert(k, v);
        }
    }
}

/// Writes `value` under `canonical`, replacing a key in another case in place.
fn put_canonical(map: &mut Map<String, Value>, canonical: &str, value: Value) {
    canonicalize_key(map, canonical);
    map.insert(canonical.to_owned(), value);
}

/// A short name of a JSON value's kind, for error details.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
