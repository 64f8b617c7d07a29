//! List queries (RFC 7644 §3.4.2): filter, sort and page, and the in-memory
//! fallback for what a store declines.

use scimkit_filter::{AttrPath, Filter};
use scimkit_schema::ResourceSchema;
use scimkit_schema::eval::{CompiledFilter, SortKey};

use super::StoredResource;

/// A `sortBy` / `sortOrder` pair (RFC 7644 §3.4.2.3), resolved.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SortSpec {
    /// The `sortBy` attribute as given.
    pub by: AttrPath<'static>,
    /// The attribute resolved against the schema (type, `caseExact`, where it lives).
    pub key: SortKey,
    /// `sortOrder=descending`.
    pub descending: bool,
}

impl SortSpec {
    /// A sort specification.
    pub fn new(by: AttrPath<'static>, key: SortKey, descending: bool) -> Self {
        SortSpec {
            by,
            key,
            descending,
        }
    }
}

/// What to list: one resource type of one tenant, with an optional filter,
/// sort and page (RFC 7644 §3.4.2.2–§3.4.2.4).
///
/// `start_index` is 1-based and at least 1; `count` is the page size after
/// clamping to `filter.maxResults` (`None`: no page size was asked for, all
/// results up to the limit).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListQuery<'a> {
    /// The resource type listed.
    pub rs: &'a ResourceSchema,
    /// The filter as parsed (for stores that translate the syntax).
    pub filter: Option<&'a Filter<'static>>,
    /// The same filter resolved and type-checked against `rs` (for stores
    /// that translate the schema-aware tree, and for in-memory evaluation).
    pub compiled: Option<&'a CompiledFilter>,
    /// The requested order.
    pub sort: Option<&'a SortSpec>,
    /// The 1-based index of the first result.
    pub start_index: u64,
    /// The maximum number of results.
    pub count: u64,
}

impl<'a> ListQuery<'a> {
    /// A query for every resource of `rs` (first page of `count`).
    pub fn all(rs: &'a ResourceSchema, count: u64) -> Self {
        ListQuery {
            rs,
            filter: None,
            compiled: None,
            sort: None,
            start_index: 1,
            count,
        }
    }
}

/// What a store returns for a [`ListQuery`], and what it did.
///
/// - `filtered`: `resources` hold only matches (else every resource of the type).
/// - `sorted`: `resources` are in the requested order.
/// - `paged`: `resources` are only the requested page, and `total` is the
///   number of matches; a store may only page when it also filtered and sorted.
///
/// When `paged` is false, `total` is ignored and computed from `resources`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListResult {
    /// The resources returned.
    pub resources: Vec<StoredResource>,
    /// The number of matches (before paging), when `paged`.
    pub total: u64,
    /// Whether the filter was applied.
    pub filtered: bool,
    /// Whether the sort was applied.
    pub sorted: bool,
    /// Whether the page was applied.
    pub paged: bool,
}

impl ListResult {
    /// A result the store did nothing to: every resource of the type.
    pub fn unprocessed(resources: Vec<StoredResource>) -> Self {
        ListResult {
            total: resources.len() as u64,
            resources,
            ..ListResult::default()
        }
    }

    /// A result with filter, sort and page applied by the store.
    pub fn complete(resources: Vec<StoredResource>, total: u64) -> Self {
        ListResult {
            resources,
            total,
            filtered: true,
            sorted: true,
            paged: true,
        }
    }
}

/// Applies in memory whatever the store declined, and returns the page and
/// the total number of matches (`totalResults`).
pub fn finish_list(query: &ListQuery<'_>, result: ListResult) -> (Vec<StoredResource>, u64) {
    let ListResult {
        mut resources,
        total,
        filtered,
        sorted,
        paged,
    } = result;
    if paged && filtered && sorted {
        return (resources, total);
    }
    if !filtered && let Some(f) = query.compiled {
        resources.retain(|r| f.matches(&r.resource));
    }
    if !sorted && let Some(s) = query.sort {
        resources.sort_by(|a, b| {
            let o = s.key.compare(&a.resource, &b.resource);
            if s.descending { o.reverse() } else { o }
        });
    }
    let total = resources.len() as u64;
    let skip = usize::try_from(query.start_index.saturating_sub(1)).unwrap_or(usize::MAX);
    let take = usize::try_from(query.count).unwrap_or(usize::MAX);
    let page = resources.into_iter().skip(skip).take(take).collect();
    (page, total)
}
