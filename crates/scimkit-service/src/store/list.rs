//! List queries (RFC 7644 §3.4.2): filter, sort and page, and the in-memory
//! fallback for what a store declines.

use scimkit_filter::{AttrPath, Filter};
use scimkit_schema::ResourceSchema;
use scimkit_schema::eval::{CompiledFilter, SortKey};

use super::{Fetch, StoreError, StoredResource};

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

/// The default of [`ListQuery::max_scan`] (and `Config::max_list_scan`):
/// the most resources one list request may examine in memory.
pub const DEFAULT_MAX_LIST_SCAN: u64 = 50_000;

/// What to list: one resource type of one tenant, with an optional filter,
/// sort and page (RFC 7644 §3.4.2.2–§3.4.2.4).
///
/// `start_index` is 1-based and at least 1; `count` is the page size after
/// clamping to `filter.maxResults` (`None`: no page size was asked for, all
/// results up to the limit).
///
/// # The store's contract
///
/// The memory a store holds for one list must be `O(start_index + count)`,
/// whatever the tenant's size:
///
/// - what the store filters, sorts or pages itself in its database costs no
///   memory;
/// - what it evaluates in memory (a filter it can only narrow to a superset,
///   a sort it cannot push down) it evaluates resource by resource and keeps
///   only the best `start_index - 1 + count` ([`PageCollector`] does this),
///   examining at most [`ListQuery::max_scan`] resources: beyond that it
///   fails with `400 tooMany` ([`StoreError::too_many_to_scan`]);
/// - it must not load what [`ListQuery::fetch`] skips into the resources it
///   returns (it may load it to evaluate the filter).
///
/// A store that returns an unprocessed [`ListResult`] leaves this to
/// [`finish_list`], which keeps the bound on the page but not on what the
/// store returned: fine for small custom stores, not for large tenants.
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
    /// What the returned resources need not hold (`excludedAttributes=members`).
    pub fetch: Fetch,
    /// The most resources the store may examine in memory (evaluate a
    /// filter on, or sort) for this list; `400 tooMany` beyond it. Defaults
    /// to [`DEFAULT_MAX_LIST_SCAN`]; the engine sets `Config::max_list_scan`.
    pub max_scan: u64,
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
            fetch: Fetch::all(),
            max_scan: DEFAULT_MAX_LIST_SCAN,
        }
    }

    /// How many resources a page needs kept while listing:
    /// `start_index - 1 + count`.
    pub fn keep(&self) -> u64 {
        self.start_index
            .saturating_sub(1)
            .saturating_add(self.count)
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

/// Collects the page of a list from resources offered one by one, keeping
/// only the best `start_index - 1 + count` of them (a bounded top-k), and
/// evaluating in memory what the store did not: the filter (unless
/// `filtered`) and the sort (unless `sorted`).
///
/// Every resource examined in memory counts against
/// [`ListQuery::max_scan`]; past it, [`PageCollector::offer`] fails with
/// `400 tooMany`.
#[derive(Debug)]
pub struct PageCollector<'q> {
    filter: Option<&'q CompiledFilter>,
    sort: Option<&'q SortSpec>,
    keep: usize,
    max_scan: u64,
    examined: u64,
    matched: u64,
    /// Kept resources with their arrival position (ties keep store order).
    kept: Vec<(u64, StoredResource)>,
    start_index: u64,
    count: u64,
    most_held: usize,
}

impl<'q> PageCollector<'q> {
    /// A collector for `query`; `filtered`/`sorted` tell what the store did.
    pub fn new(query: &ListQuery<'q>, filtered: bool, sorted: bool) -> Self {
        PageCollector {
            filter: if filtered { None } else { query.compiled },
            sort: if sorted { None } else { query.sort },
            keep: usize::try_from(query.keep()).unwrap_or(usize::MAX),
            max_scan: query.max_scan,
            examined: 0,
            matched: 0,
            kept: Vec::new(),
            start_index: query.start_index,
            count: query.count,
            most_held: 0,
        }
    }

    /// Whether resources offered are examined in memory (filtered or sorted),
    /// and so count against the budget.
    pub fn evaluates(&self) -> bool {
        self.filter.is_some() || self.sort.is_some()
    }

    /// Offers the next resource, in the store's order.
    pub fn offer(&mut self, r: StoredResource) -> Result<(), StoreError> {
        self.offer_at(self.matched, r)
    }

    /// Offers a resource with the position that orders it among resources
    /// the sort ranks equal (a store's insertion order), for stores that
    /// offer resources out of that order.
    pub fn offer_at(&mut self, position: u64, r: StoredResource) -> Result<(), StoreError> {
        if self.evaluates() {
            self.examined += 1;
            if self.examined > self.max_scan {
                return Err(StoreError::too_many_to_scan(self.max_scan));
            }
        }
        if let Some(f) = self.filter
            && !f.matches(&r.resource)
        {
            return Ok(());
        }
        let pos = position;
        self.matched += 1;
        if self.keep == 0 {
            return Ok(());
        }
        match self.sort {
            None => {
                if self.kept.len() < self.keep {
                    self.kept.push((pos, r));
                }
            }
            Some(s) => {
                self.kept.push((pos, r));
                // Trim to `keep` once twice as many are held: O(n) overall.
                if self.kept.len() >= self.keep.saturating_mul(2).max(64) {
                    self.trim(s);
                }
            }
        }
        self.most_held = self.most_held.max(self.kept.len());
        Ok(())
    }

    fn trim(&mut self, s: &SortSpec) {
        let cmp = order(s);
        if self.kept.len() > self.keep {
            self.kept.select_nth_unstable_by(self.keep - 1, &cmp);
            self.kept.truncate(self.keep);
        }
    }

    /// The number of resources examined in memory so far.
    pub fn examined(&self) -> u64 {
        self.examined
    }

    /// The most resources held at once so far (at most about twice
    /// `start_index - 1 + count`).
    pub fn most_held(&self) -> usize {
        self.most_held
    }

    /// The page and the number of matches (`totalResults`).
    pub fn finish(mut self) -> (Vec<StoredResource>, u64) {
        if let Some(s) = self.sort {
            self.trim(s);
            self.kept.sort_by(order(s));
        }
        let skip = usize::try_from(self.start_index.saturating_sub(1)).unwrap_or(usize::MAX);
        let take = usize::try_from(self.count).unwrap_or(usize::MAX);
        let page = self
            .kept
            .into_iter()
            .skip(skip)
            .take(take)
            .map(|(_, r)| r)
            .collect();
        (page, self.matched)
    }
}

/// The order of `s` on resources with their arrival position: ties (and
/// resources without a value) keep their arrival order, also descending.
fn order(
    s: &SortSpec,
) -> impl Fn(&(u64, StoredResource), &(u64, StoredResource)) -> std::cmp::Ordering + '_ {
    move |(pa, a), (pb, b)| {
        let o = s.key.compare(&a.resource, &b.resource);
        let o = if s.descending { o.reverse() } else { o };
        o.then(pa.cmp(pb))
    }
}

/// Applies in memory whatever the store declined, and returns the page and
/// the total number of matches (`totalResults`). Keeps only the best
/// `start_index - 1 + count` resources while it works; fails with
/// `400 tooMany` when it would examine more than [`ListQuery::max_scan`]
/// resources (see [`PageCollector`]).
pub fn finish_list(
    query: &ListQuery<'_>,
    result: ListResult,
) -> Result<(Vec<StoredResource>, u64), StoreError> {
    let ListResult {
        resources,
        total,
        filtered,
        sorted,
        paged,
    } = result;
    if paged && filtered && sorted {
        return Ok((resources, total));
    }
    let mut c = PageCollector::new(query, filtered, sorted);
    for r in resources {
        c.offer(r)?;
    }
    Ok(c.finish())
}
