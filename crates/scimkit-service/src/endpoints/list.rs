//! Queries (RFC 7644 §3.4.2): `GET /{endpoint}` with `filter`, `sortBy`,
//! `sortOrder`, `startIndex`, `count`, `attributes`, `excludedAttributes`;
//! `POST /{endpoint}/.search` and `POST /.search` across every resource
//! type (§3.4.3).
//!
//! Paging (§3.4.2.4): `startIndex` below 1 is 1, a negative `count` is 0,
//! `count` is capped by `filter.maxResults`, `totalResults` is the number
//! of all matches.

use bytes::Bytes;
use scimkit_filter::{Filter, parse_attr_path, parse_filter};
use scimkit_schema::eval::{CompiledFilter, SortKey};
use scimkit_schema::messages::{LIST_RESPONSE_SCHEMA, SearchRequest, SortOrder};
use scimkit_schema::project::Projection;
use scimkit_schema::{Compat, ResourceSchema, ScimError};

use super::render::{Rendered, projection, render};
use crate::context::Cx;
use crate::request::Query;
use crate::response::{self, Outcome};
use crate::{Fetch, ListQuery, SortSpec, StoredResource, finish_list};

/// The parameters of a query, however they came.
struct Params {
    filter: Option<String>,
    sort_by: Option<String>,
    descending: bool,
    start_index: u64,
    count: u64,
    projection: Projection,
}

fn int_param(query: &Query, name: &str) -> Result<Option<i64>, ScimError> {
    query
        .get(name)
        .map(|v| {
            v.trim().parse::<i64>().map_err(|_| {
                ScimError::invalid_value(format!("{name} must be an integer, not {v:?}"))
            })
        })
        .transpose()
}

impl Params {
    fn from_query(cx: &Cx<'_>, query: &Query) -> Result<Params, ScimError> {
        let start = int_param(query, "startIndex")?.unwrap_or(1);
        let count = int_param(query, "count")?;
        let descending = match query.get("sortOrder") {
            Some(s) => SortOrder::parse(s)? == SortOrder::Descending,
            None => false,
        };
        Ok(Params {
            filter: query.get("filter").map(str::to_owned),
            sort_by: query.get("sortBy").map(str::to_owned),
            descending,
            start_index: u64::try_from(start.max(1)).unwrap_or(1),
            count: clamp_count(cx, count.map(|c| u64::try_from(c.max(0)).unwrap_or(0))),
            projection: projection(cx, query)?,
        })
    }

    fn from_search(cx: &Cx<'_>, body: &Bytes) -> Result<Params, ScimError> {
        let req = SearchRequest::from_slice(body)?;
        req.check()?;
        Ok(Params {
            filter: req.filter,
            sort_by: req.sort_by,
            descending: req.sort_order == Some(SortOrder::Descending),
            start_index: req.start_index.unwrap_or(1).max(1),
            count: clamp_count(cx, req.count),
            projection: Projection::from_lists(
                &req.attributes,
                &req.excluded_attributes,
                &cx.compat().parse,
            )?,
        })
    }
}

fn clamp_count(cx: &Cx<'_>, count: Option<u64>) -> u64 {
    let max = cx.svc.config.max_results;
    count.map_or(max, |c| c.min(max))
}

fn sort_path(text: &str, compat: &Compat) -> Result<scimkit_filter::AttrPath<'static>, ScimError> {
    parse_attr_path(text, &compat.parse)
        .map(scimkit_filter::AttrPath::into_owned)
        .map_err(|e| {
            ScimError::invalid_value(format!("sortBy {text:?} is not an attribute path: {e}"))
        })
}

fn parse(text: Option<&str>, compat: &Compat) -> Result<Option<Filter<'static>>, ScimError> {
    text.map(|t| parse_filter(t, &compat.parse).map(Filter::into_owned))
        .transpose()
        .map_err(ScimError::from)
}

/// `GET /{endpoint}`.
pub(crate) async fn list(cx: &Cx<'_>, rs: &ResourceSchema, query: &Query) -> Outcome {
    let p = Params::from_query(cx, query)?;
    run(cx, rs, &p).await
}

/// `POST /{endpoint}/.search`.
pub(crate) async fn search(cx: &Cx<'_>, rs: &ResourceSchema, body: &Bytes) -> Outcome {
    let p = Params::from_search(cx, body)?;
    run(cx, rs, &p).await
}

async fn run(cx: &Cx<'_>, rs: &ResourceSchema, p: &Params) -> Outcome {
    let compat = cx.compat();
    if let Some(f) = &p.filter {
        cx.report.filter(f);
    }
    let filter = cx.report.capture(|| parse(p.filter.as_deref(), compat))?;
    let compiled = cx.report.capture(|| {
        filter
            .as_ref()
            .map(|f| CompiledFilter::new(f, rs, compat))
            .transpose()
    })?;
    let sort = match &p.sort_by {
        Some(s) => {
            let path = cx.report.capture(|| sort_path(s, compat))?;
            let key = SortKey::new(&path, rs)?;
            Some(SortSpec::new(path, key, p.descending))
        }
        None => None,
    };
    let q = ListQuery {
        rs,
        filter: filter.as_ref(),
        compiled: compiled.as_ref(),
        sort: sort.as_ref(),
        start_index: p.start_index,
        count: p.count,
        fetch: fetch(p, rs, sort.as_ref()),
        max_scan: cx.svc.config.max_list_scan,
    };
    let result = cx.svc.store.list(cx.tenant(), &q).await?;
    let (page, total) = finish_list(&q, result)?;
    let items: Vec<Rendered<'_>> = page
        .iter()
        .map(|r| render(cx, r, rs, &p.projection))
        .collect();
    Ok(list_response(&items, total, p.start_index))
}

/// `POST /.search`: every resource type, an attribute unknown to a type
/// matching nothing of it; results in registry order (or by `sortBy`).
pub(crate) async fn search_all(cx: &Cx<'_>, body: &Bytes) -> Outcome {
    let p = Params::from_search(cx, body)?;
    let mut compat = *cx.compat();
    compat.unknown_filter_attr_matches_nothing = true;
    if let Some(f) = &p.filter {
        cx.report.filter(f);
    }
    let filter = cx.report.capture(|| parse(p.filter.as_deref(), &compat))?;
    let sort_path = p
        .sort_by
        .as_deref()
        .map(|s| sort_path(s, &compat))
        .transpose()?;
    let types: Vec<&ResourceSchema> = cx.svc.registry.resource_types().map(|r| &**r).collect();
    // One sort key for the merged list: the first type that knows the
    // attribute. A type that knows it but refuses it (a `returned: never`
    // secret, a complex attribute without `value`) fails the request, or a
    // later type's key would sort the first type's secrets.
    let sort = match &sort_path {
        Some(path) => {
            let mut first_err = None;
            let mut key = None;
            for rs in &types {
                match SortKey::new(path, rs) {
                    Ok(k) => {
                        key.get_or_insert(k);
                    }
                    Err(e) if rs.resolve(path).is_some() => return Err(e.into()),
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
            match (key, first_err) {
                (Some(k), _) => Some(SortSpec::new(path.clone(), k, p.descending)),
                (None, Some(e)) => return Err(e.into()),
                (None, None) => None,
            }
        }
        None => None,
    };
    let want = p.start_index.saturating_sub(1).saturating_add(p.count);
    let max_scan = cx.svc.config.max_list_scan;
    if sort.is_some() && want > max_scan {
        // A sorted page across types is a merge of each type's best `want`.
        return Err(ScimError::too_many(format!(
            "a sorted POST /.search keeps startIndex - 1 + count = {want} resources of each \
             resource type in memory, more than the server's max_list_scan ({max_scan}); \
             ask for a lower startIndex, leave out sortBy, or search one resource type \
             (POST /Users/.search)"
        ))
        .into());
    }
    let keep = usize::try_from(want).unwrap_or(usize::MAX);
    // Sorted: the best `want` so far, merged type by type (never more than
    // `want` plus one type's page held). Unsorted: types in registry order,
    // each asked only for its part of the page (`skip` counts the matches
    // of earlier types still before the page).
    let mut all: Vec<(&ResourceSchema, StoredResource)> = Vec::new();
    let mut total = 0u64;
    let mut skip = p.start_index - 1;
    let mut need = p.count;
    for rs in types {
        let compiled = filter
            .as_ref()
            .map(|f| CompiledFilter::new(f, rs, &compat))
            .transpose()?;
        let (start_index, count) = match sort {
            Some(_) => (1, want),
            None => (skip.saturating_add(1), need),
        };
        let q = ListQuery {
            rs,
            filter: filter.as_ref(),
            compiled: compiled.as_ref(),
            sort: sort.as_ref(),
            start_index,
            count,
            fetch: fetch(&p, rs, sort.as_ref()),
            max_scan,
        };
        let result = cx.svc.store.list(cx.tenant(), &q).await?;
        let (page, n) = finish_list(&q, result)?;
        total += n;
        skip = skip.saturating_sub(n);
        need = need.saturating_sub(page.len() as u64);
        all.extend(page.into_iter().map(|r| (rs, r)));
        if let Some(s) = &sort {
            // Stable: ties keep registry order, then each store's order.
            all.sort_by(|(_, a), (_, b)| {
                let o = s.key.compare(&a.resource, &b.resource);
                if s.descending { o.reverse() } else { o }
            });
            all.truncate(keep);
        }
    }
    let skip = match sort {
        Some(_) => usize::try_from(p.start_index - 1).unwrap_or(usize::MAX),
        None => 0,
    };
    let take = usize::try_from(p.count).unwrap_or(usize::MAX);
    let items = all
        .iter()
        .skip(skip)
        .take(take)
        .map(|(rs, r)| render(cx, r, rs, &p.projection))
        .collect::<Vec<Rendered<'_>>>();
    Ok(list_response(&items, total, p.start_index))
}

/// What the store must load for the response: `members` is skipped when
/// the projection leaves it out, unless the filter or the sort may need it
/// (a store may leave either to [`finish_list`]).
fn fetch(p: &Params, rs: &ResourceSchema, sort: Option<&SortSpec>) -> Fetch {
    let names_members = |t: &str| t.to_ascii_lowercase().contains("members");
    if p.filter.as_deref().is_some_and(names_members)
        || sort.is_some_and(|s| s.key.attr().name().eq_ignore_ascii_case("members"))
    {
        return Fetch::all();
    }
    Fetch::for_projection(&p.projection, rs)
}

/// The ListResponse (RFC 7644 §3.4.2), written field by field in the order
/// of [`scimkit_schema::messages::ListResponse`], each resource from its
/// cached text when it has one.
fn list_response(items: &[Rendered<'_>], total: u64, start_index: u64) -> http::Response<Bytes> {
    response::json_with(200, |out| {
        out.extend_from_slice(b"{\"schemas\":[");
        serde_json::to_writer(&mut *out, LIST_RESPONSE_SCHEMA)?;
        out.extend_from_slice(b"],\"totalResults\":");
        serde_json::to_writer(&mut *out, &total)?;
        out.extend_from_slice(b",\"itemsPerPage\":");
        serde_json::to_writer(&mut *out, &(items.len() as u64))?;
        out.extend_from_slice(b",\"startIndex\":");
        serde_json::to_writer(&mut *out, &start_index)?;
        out.extend_from_slice(b",\"Resources\":[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.write_to(out)?;
        }
        out.extend_from_slice(b"]}");
        Ok(())
    })
}
