//! What a resource is stored as: the JSON document (without `id`, `meta`
//! and, for types whose members live in `group_members`, `members`), the
//! extracted lookup columns, the e-mail rows and the member rows.

use scimkit_schema::{ResourceSchema, Uniqueness, get_ci, remove_ci};
use serde_json::{Map, Value};

use crate::translate::{Scope, fold};

/// Which extracted columns and side tables a resource type uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) user_name: bool,
    pub(crate) display_name: bool,
    pub(crate) emails: bool,
    pub(crate) members: bool,
    /// Attributes with `uniqueness` server or global: (extension URI, name, caseExact).
    pub(crate) unique: Vec<(Option<String>, String, bool)>,
    /// Writes check, in their transaction, that the tenant is in the
    /// `tenants` table ([`crate::SqlStore::with_registered_tenants`]).
    pub(crate) registered_tenant: bool,
}

impl Layout {
    /// The layout of `rs`: columns for the base schema's `userName` and
    /// `displayName`, e-mail rows for `emails`, member rows for a
    /// multi-valued complex `members`, unique rows for every single-valued
    /// string attribute with `uniqueness` server or global (and for
    /// `displayName` when `unique_display_name`).
    pub(crate) fn of(rs: &ResourceSchema, unique_display_name: bool) -> Layout {
        let base = rs.base();
        let has = |n: &str| base.attribute(n).is_some();
        let mut unique = Vec::new();
        let schemas = std::iter::once((None, base))
            .chain(rs.extensions().map(|(s, _)| (Some(s.id.clone()), s)));
        for (ext, schema) in schemas {
            for a in &schema.attributes {
                let wanted = a.uniqueness != Uniqueness::None
                    || (ext.is_none() && unique_display_name && a.name == "displayName");
                if wanted && !a.multi_valued && a.attr_type.is_stringlike() && a.name != "id" {
                    unique.push((ext.clone(), a.name.clone(), a.case_exact));
                }
            }
        }
        Layout {
            user_name: has("userName"),
            display_name: has("displayName"),
            unique,
            emails: base
                .attribute("emails")
                .is_some_and(|a| a.multi_valued && a.is_complex()),
            members: base
                .attribute("members")
                .is_some_and(|a| a.multi_valued && a.is_complex()),
            registered_tenant: false,
        }
    }

    /// The translator's view.
    pub(crate) fn scope<'a>(&self, tenant: &'a str, resource_type: &'a str) -> Scope<'a> {
        Scope {
            tenant,
            resource_type,
            members_table: self.members,
            emails_table: self.emails,
            user_name_column: self.user_name,
            display_name_column: self.display_name,
        }
    }
}

/// One member row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemberRow {
    pub(crate) value: String,
    pub(crate) kind: Option<String>,
    pub(crate) display: Option<String>,
    pub(crate) reference: Option<String>,
}

impl MemberRow {
    /// Reads a `members` element; `None` without a string `value`.
    pub(crate) fn from_json(v: &Value) -> Option<MemberRow> {
        let m = v.as_object()?;
        let s = |k: &str| {
            get_ci(m, k)
                .and_then(|(_, v)| v.as_str())
                .map(str::to_owned)
        };
        Some(MemberRow {
            value: s("value")?,
            kind: s("type"),
            display: s("display"),
            reference: s("$ref"),
        })
    }

    /// The `members` element.
    pub(crate) fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("value".into(), Value::String(self.value.clone()));
        if let Some(r) = &self.reference {
            m.insert("$ref".into(), Value::String(r.clone()));
        }
        if let Some(d) = &self.display {
            m.insert("display".into(), Value::String(d.clone()));
        }
        if let Some(t) = &self.kind {
            m.insert("type".into(), Value::String(t.clone()));
        }
        Value::Object(m)
    }
}

/// A resource taken apart for storage.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) data: String,
    pub(crate) user_name_lower: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) display_name_lower: Option<String>,
    /// `(attribute key, value)` rows for `unique_values`.
    pub(crate) unique: Vec<(String, String)>,
    /// `(type_lower, value_lower)`.
    pub(crate) emails: Vec<(Option<String>, String)>,
    pub(crate) members: Vec<MemberRow>,
}

fn text(map: &Map<String, Value>, name: &str) -> Option<String> {
    get_ci(map, name)
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned)
}

impl Stored {
    /// Takes `doc` apart. `id` and `meta` are dropped (they are columns).
    pub(crate) fn new(
        mut doc: Map<String, Value>,
        layout: &Layout,
    ) -> Result<Stored, serde_json::Error> {
        remove_ci(&mut doc, "id");
        remove_ci(&mut doc, "meta");
        let mut members = Vec::new();
        if layout.members
            && let Some(Value::Array(a)) = remove_ci(&mut doc, "members")
        {
            members = a.iter().filter_map(MemberRow::from_json).collect();
            members.sort_by(|a, b| a.value.cmp(&b.value));
            members.dedup_by(|a, b| a.value == b.value);
        }
        let mut emails = Vec::new();
        if layout.emails
            && let Some((_, Value::Array(a))) = get_ci(&doc, "emails")
        {
            for m in a.iter().filter_map(Value::as_object) {
                if let Some(v) = text(m, "value") {
                    emails.push((text(m, "type").map(|t| fold(&t)), fold(&v)));
                }
            }
        }
        let user_name_lower = if layout.user_name {
            text(&doc, "userName").map(|s| fold(&s))
        } else {
            None
        };
        let display_name_lower = if layout.display_name {
            text(&doc, "displayName").map(|s| fold(&s))
        } else {
            None
        };
        Ok(Stored {
            user_name_lower,
            external_id: text(&doc, "externalId"),
            unique: layout
                .unique
                .iter()
                .filter_map(|(ext, name, exact)| {
                    let container = match ext {
                        None => &doc,
                        Some(uri) => match get_ci(&doc, uri) {
                            Some((_, Value::Object(m))) => m,
                            _ => return None,
                        },
                    };
                    let v = text(container, name).filter(|v| !v.is_empty())?;
                    let key = match ext {
                        None => name.clone(),
                        Some(uri) => format!("{uri}:{name}"),
                    };
                    Some((key, if *exact { v } else { fold(&v) }))
                })
                .collect(),
            display_name_lower,
            emails,
            members,
            data: serde_json::to_string(&doc)?,
        })
    }
}
