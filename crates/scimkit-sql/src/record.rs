//! What the SQL layer reads and writes, before it is shaped into the
//! service's types.

use chrono::{DateTime, Utc};
use scimkit_schema::eval::{CompiledFilter, SortKey};
use serde_json::{Map, Value};

/// A stored resource as read back.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) version: i64,
    pub(crate) created: DateTime<Utc>,
    pub(crate) last_modified: DateTime<Utc>,
    /// The document without `id` and `meta` (with `members` when loaded).
    pub(crate) data: Map<String, Value>,
}

#[cfg(test)]
impl Record {
    /// The resource with `id` and `meta` (`resourceType`, `created`,
    /// `lastModified`), as filters and sorting see it.
    pub(crate) fn to_resource(&self, resource_type: &str) -> scimkit_schema::Resource {
        let mut m = Map::with_capacity(self.data.len() + 2);
        m.insert("id".into(), Value::String(self.id.clone()));
        for (k, v) in &self.data {
            m.insert(k.clone(), v.clone());
        }
        let mut meta = Map::new();
        meta.insert(
            "resourceType".into(),
            Value::String(resource_type.to_owned()),
        );
        meta.insert(
            "created".into(),
            Value::String(crate::sql::time_text(&self.created)),
        );
        meta.insert(
            "lastModified".into(),
            Value::String(crate::sql::time_text(&self.last_modified)),
        );
        m.insert("meta".into(), Value::Object(meta));
        scimkit_schema::Resource::from_map(m)
    }
}

/// A list request as the SQL layer sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListQuery<'a> {
    pub(crate) filter: Option<&'a CompiledFilter>,
    pub(crate) sort: Option<(&'a SortKey, bool)>,
    /// 1-based.
    pub(crate) start_index: usize,
    pub(crate) count: Option<usize>,
    /// Whether `members` must be assembled (false for `excludedAttributes=members`).
    pub(crate) load_members: bool,
}

/// Whether a page the database returned tells the list's total by itself:
/// it is shorter than asked for, and not an empty page past the end (which
/// says nothing about how many come before it). Otherwise the matches are
/// counted (an index-only count, no documents read).
pub(crate) fn page_tells_total(len: usize, count: Option<usize>, offset: usize) -> bool {
    count.is_none_or(|c| len < c) && (offset == 0 || len > 0)
}

/// One page of results.
#[derive(Debug, Clone)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Page {
    pub(crate) records: Vec<Record>,
    pub(crate) total: usize,
    /// Whether the filter went to SQL exactly (else `records` is a superset).
    pub(crate) filter_pushed_down: bool,
    /// Whether the sort went to SQL.
    pub(crate) sort_pushed_down: bool,
    /// Whether `records` is only the page asked for (filter and sort exact).
    pub(crate) paged: bool,
}
