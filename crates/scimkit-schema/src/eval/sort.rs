//! Sorting resources by an attribute (RFC 7644 §3.4.2.3, `sortBy`).
//!
//! Values order by the attribute's type: strings by `caseExact`
//! (case-insensitively unless it is set), dateTimes as instants, integers and
//! decimals numerically, booleans `false` before `true`. A multi-valued
//! attribute sorts by its primary value, or else its first value. A resource
//! without a value sorts after every resource with one (ascending order; a
//! caller sorting descending reverses the whole order, which puts them first).

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use scimkit_filter::AttrPath;
use serde_json::{Map, Value};

use super::datetime::parse_instant;
use super::exec::{present, sub_of, top};
use super::node::AttrInfo;
use super::text::cmp_str;
use crate::get_ci;
use crate::{AttrType, Resource, ResourceSchema, ScimError, path_to_string};

/// A `sortBy` attribute resolved once, for sorting many resources.
///
/// ```
/// use scimkit_schema::{Registry, Resource, eval::SortKey};
/// use scimkit_filter::AttrPath;
/// let registry = Registry::core();
/// let users = registry.resource_type("User").unwrap();
/// let key = SortKey::new(&AttrPath::new("userName"), users)?;
/// let mut list = vec![
///     Resource::from_value(serde_json::json!({"userName": "bob"}))?,
///     Resource::from_value(serde_json::json!({"id": "no-name"}))?,
///     Resource::from_value(serde_json::json!({"userName": "Alice"}))?,
/// ];
/// list.sort_by(|a, b| key.compare(a, b));
/// assert_eq!(list[0].as_map()["userName"], "Alice");
/// assert_eq!(list[2].id(), Some("no-name"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    attr: AttrInfo,
}

/// A sort value, typed by the attribute.
enum Key<'v> {
    Str(&'v str),
    Int(i64),
    Float(f64),
    Bool(bool),
    Time(DateTime<Utc>),
}

impl SortKey {
    /// Resolves `sort_by` against `rs`. A complex attribute named without a
    /// sub-attribute sorts by its `value` sub-attribute (`emails` sorts by the
    /// primary e-mail address). Fails with `400 invalidValue` for an attribute
    /// the schema does not know, a complex attribute without `value`, or an
    /// attribute (or sub-attribute) that is `returned: never` (RFC 7643 §2.2):
    /// sorting by a secret would reveal its order, and so its value.
    pub fn new(sort_by: &AttrPath<'_>, rs: &ResourceSchema) -> Result<SortKey, ScimError> {
        let at = path_to_string(sort_by);
        let r = rs.resolve(sort_by).ok_or_else(|| {
            ScimError::invalid_value(format!(
                "sortBy attribute {at} is not defined for resource type {}",
                rs.name()
            ))
        })?;
        super::refuse_secret(&[r.attr], &at, ScimError::invalid_value, "sortBy")?;
        let (target, sub) = match r.sub {
            Some(s) => (s, Some(s.name.clone())),
            None if r.attr.is_complex() => {
                let v = r.attr.sub_attribute("value").ok_or_else(|| {
                    ScimError::invalid_value(format!(
                        "sortBy attribute {at} is complex; sort by one of its sub-attributes"
                    ))
                })?;
                (v, Some(v.name.clone()))
            }
            None => (r.attr, None),
        };
        super::refuse_secret(&[target], &at, ScimError::invalid_value, "sortBy")?;
        Ok(SortKey {
            attr: AttrInfo {
                extension: r.extension_uri().map(str::to_owned),
                name: r.attr.name.clone(),
                sub,
                attr_type: target.attr_type,
                case_exact: target.case_exact,
                multi_valued: r.attr.multi_valued,
                hints: Default::default(),
            },
        })
    }

    /// The resolved attribute (for stores that sort themselves).
    pub fn attr(&self) -> &AttrInfo {
        &self.attr
    }

    /// Orders `a` and `b` ascending by the key; resources without a value last.
    pub fn compare(&self, a: &Resource, b: &Resource) -> Ordering {
        match (self.key(a.as_map()), self.key(b.as_map())) {
            (Some(x), Some(y)) => self.cmp_keys(&x, &y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }

    fn cmp_keys(&self, x: &Key<'_>, y: &Key<'_>) -> Ordering {
        match (x, y) {
            (Key::Str(a), Key::Str(b)) => cmp_str(a, b, self.attr.case_exact),
            (Key::Int(a), Key::Int(b)) => a.cmp(b),
            (Key::Int(a), Key::Float(b)) => (*a as f64).total_cmp(b),
            (Key::Float(a), Key::Int(b)) => a.total_cmp(&(*b as f64)),
            (Key::Float(a), Key::Float(b)) => a.total_cmp(b),
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Time(a), Key::Time(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }

    /// The value a resource sorts by, when it has one of the right type.
    fn key<'v>(&self, root: &'v Map<String, Value>) -> Option<Key<'v>> {
        let v = top::<&Value>(root, &self.attr)?;
        let target = |e: &'v Value| -> Option<&'v Value> {
            match &self.attr.sub {
                Some(_) => sub_of(e, &self.attr),
                None => Some(e),
            }
            .filter(|v| present(*v))
        };
        let value = match v {
            Value::Array(a) => {
                let primary = a.iter().find(|e| is_primary(e)).and_then(target);
                primary.or_else(|| a.iter().find_map(target))?
            }
            v => target(v)?,
        };
        self.typed(value)
    }

    fn typed<'v>(&self, v: &'v Value) -> Option<Key<'v>> {
        match (self.attr.attr_type, v) {
            (AttrType::DateTime, Value::String(s)) => parse_instant(s).map(Key::Time),
            (AttrType::Integer | AttrType::Decimal, Value::Number(n)) => match n.as_i64() {
                Some(i) => Some(Key::Int(i)),
                None => n.as_f64().map(Key::Float),
            },
            (AttrType::Boolean, Value::Bool(b)) => Some(Key::Bool(*b)),
            (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(s)) => {
                Some(Key::Str(s))
            }
            _ => None,
        }
    }
}

/// Orders two resources by `sort_by` (RFC 7644 §3.4.2.3), ascending, resources
/// without a value last. An attribute the schema does not know orders every
/// pair as equal; use [`SortKey::new`] to report it as an error, and to resolve
/// the attribute once when sorting many resources.
pub fn compare_resources(
    a: &Resource,
    b: &Resource,
    sort_by: &AttrPath<'_>,
    rs: &ResourceSchema,
) -> Ordering {
    match SortKey::new(sort_by, rs) {
        Ok(k) => k.compare(a, b),
        Err(_) => Ordering::Equal,
    }
}

/// Whether a value of a multi-valued attribute is marked `"primary": true`.
fn is_primary(e: &Value) -> bool {
    matches!(e, Value::Object(m) if matches!(get_ci(m, "primary"), Some((_, Value::Bool(true)))))
}
