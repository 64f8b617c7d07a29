//! `POST /Bulk` (RFC 7644 §3.7): operations in one request, `bulkId`
//! references resolved, `failOnErrors`, `maxOperations`/`maxPayloadSize`.
//!
//! An operation that refers to another's `bulkId` (`"bulkId:qwerty"` as a
//! value in `data` or as a path segment) runs after it, whatever the order
//! in the request (§3.7.2); operations caught in a circular reference, or
//! referring to a `bulkId` no POST defines or whose POST failed, fail with
//! `409` (§3.7.1 allows giving up on circular references). Results are
//! reported in request order.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::{ETAG, HeaderValue, IF_MATCH, LOCATION};
use http::{HeaderMap, Response};
use scimkit_schema::ScimError;
use scimkit_schema::messages::{
    BulkMethod, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse,
};
use serde_json::Value;

use super::resource;
use crate::context::Cx;
use crate::request::Query;
use crate::response::{self, Outcome};
use crate::route::{self, Route};

const PREFIX: &str = "bulkId:";

/// `POST /Bulk`.
pub(crate) async fn bulk(cx: &Cx<'_>, body: &Bytes) -> Outcome {
    let cfg = &cx.svc.config;
    if !cfg.bulk_supported {
        return Err(ScimError::new(501, None, "Bulk is not supported by this service").into());
    }
    let req = BulkRequest::from_slice(body)?;
    req.check()?;
    let n = req.operations.len();
    if n as u64 > cfg.bulk_max_operations {
        return Err(ScimError::new(
            413,
            None,
            format!(
                "the bulk request has {n} operations; maxOperations is {}",
                cfg.bulk_max_operations
            ),
        )
        .into());
    }
    let defined = definitions(&req.operations);
    let deps: Vec<Vec<String>> = req.operations.iter().map(references).collect();
    let order = order(&deps, &defined);
    let mut created: BTreeMap<String, String> = BTreeMap::new();
    let mut results: Vec<Option<BulkOperationResponse>> = vec![None; n];
    let mut errors = 0u64;
    let fail_on = req.fail_on_errors.filter(|f| *f > 0);
    for step in order {
        if fail_on.is_some_and(|f| errors >= f) {
            break;
        }
        let (i, outcome) = match step {
            Step::Run(i) => (i, run(cx, &req.operations[i], &deps[i], &created).await),
            Step::Cycle(i) => (
                i,
                Err(ScimError::new(
                    409,
                    None,
                    "circular bulkId reference: this operation and the ones it refers to wait for each other",
                )),
            ),
        };
        let op = &req.operations[i];
        let r = match outcome {
            Ok((status, location, version, id)) => {
                if let (Some(b), Some(id)) = (&op.bulk_id, id)
                    && op.method == BulkMethod::Post
                {
                    created.insert(b.clone(), id);
                }
                let mut r = BulkOperationResponse::new(op.method.clone(), status)
                    .with_bulk_id(op.bulk_id.clone());
                if let Some(l) = location {
                    r = r.with_location(l);
                }
                if let Some(v) = version {
                    r = r.with_version(v);
                }
                r
            }
            Err(e) => {
                errors += 1;
                BulkOperationResponse::new(op.method.clone(), e.status)
                    .with_bulk_id(op.bulk_id.clone())
                    .with_response(serde_json::to_value(&e).unwrap_or(Value::Null))
            }
        };
        results[i] = Some(r);
    }
    let ops = results.into_iter().flatten().collect();
    Ok(response::json(200, &BulkResponse::new(ops)))
}

/// `bulkId` → index of the POST defining it (the first one).
fn definitions(ops: &[BulkOperation]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        if op.method == BulkMethod::Post
            && let Some(b) = &op.bulk_id
        {
            out.entry(b.clone()).or_insert(i);
        }
    }
    out
}

/// The `bulkId`s an operation refers to.
fn references(op: &BulkOperation) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                if let Some(id) = s.strip_prefix(PREFIX) {
                    out.push(id.to_owned());
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            Value::Object(o) => o.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(p) = &op.path {
        for seg in p.split('/') {
            if let Some(id) = seg.strip_prefix(PREFIX) {
                out.push(id.to_owned());
            }
        }
    }
    if let Some(d) = &op.data {
        walk(d, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

enum Step {
    Run(usize),
    Cycle(usize),
}

/// Request order, except that an operation waits for the POSTs whose
/// `bulkId` it refers to; what can never run (a cycle) comes last as `Cycle`.
fn order(deps: &[Vec<String>], defined: &BTreeMap<String, usize>) -> Vec<Step> {
    let n = deps.len();
    let waits: Vec<Vec<usize>> = deps
        .iter()
        .enumerate()
        .map(|(i, d)| {
            d.iter()
                .filter_map(|b| defined.get(b).copied())
                .filter(|&j| j != i)
                .collect()
        })
        .collect();
    let self_ref: Vec<bool> = deps
        .iter()
        .enumerate()
        .map(|(i, d)| d.iter().any(|b| defined.get(b) == Some(&i)))
        .collect();
    let mut done = vec![false; n];
    let mut out = Vec::with_capacity(n);
    loop {
        let next = (0..n).find(|&i| !done[i] && !self_ref[i] && waits[i].iter().all(|&j| done[j]));
        match next {
            Some(i) => {
                done[i] = true;
                out.push(Step::Run(i));
            }
            None => break,
        }
    }
    out.extend((0..n).filter(|&i| !done[i]).map(Step::Cycle));
    out
}

fn substitute(v: &mut Value, created: &BTreeMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix(PREFIX).and_then(|b| created.get(b)) {
                *s = id.clone();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| substitute(v, created)),
        Value::Object(o) => o.values_mut().for_each(|v| substitute(v, created)),
        _ => {}
    }
}

type Done = (u16, Option<String>, Option<String>, Option<String>);

/// Runs one operation: status, location, version and (for POST) the new id.
async fn run(
    cx: &Cx<'_>,
    op: &BulkOperation,
    deps: &[String],
    created: &BTreeMap<String, String>,
) -> Result<Done, ScimError> {
    if let Some(missing) = deps.iter().find(|b| !created.contains_key(*b)) {
        return Err(ScimError::new(
            409,
            None,
            format!("bulkId:{missing} does not refer to a resource created by this request"),
        ));
    }
    let raw_path = op
        .path
        .as_deref()
        .ok_or_else(|| ScimError::invalid_value("a bulk operation needs a path"))?;
    let path: String = raw_path
        .split('/')
        .map(
            |seg| match seg.strip_prefix(PREFIX).and_then(|b| created.get(b)) {
                Some(id) => id.as_str(),
                None => seg,
            },
        )
        .collect::<Vec<_>>()
        .join("/");
    let body = match &op.data {
        Some(d) => {
            let mut d = d.clone();
            substitute(&mut d, created);
            Bytes::from(
                serde_json::to_vec(&d).map_err(|e| ScimError::invalid_syntax(e.to_string()))?,
            )
        }
        None => Bytes::new(),
    };
    let mut headers = HeaderMap::new();
    if let Some(v) = &op.version {
        // `version` is the operation's `If-Match` (RFC 7644 §3.7); one that
        // cannot be a header is refused, never dropped.
        let h = HeaderValue::from_str(v).map_err(|_| {
            ScimError::new(
                400,
                None,
                "malformed bulk operation version: it holds a control character; \
                 expected an entity tag such as W/\"3\" (RFC 7232 §2.3)",
            )
        })?;
        headers.insert(IF_MATCH, h);
    }
    let query = Query::default();
    let bad_path = || {
        ScimError::invalid_value(format!(
            "bulk operation path {raw_path:?} names no resource endpoint"
        ))
    };
    let located = route::locate(&path, "", false).ok_or_else(bad_path)?;
    let resp = match (&op.method, located.route) {
        (BulkMethod::Post, Route::Collection(ep)) => {
            let rs = endpoint(cx, ep)?;
            resource::create(cx, rs, &query, &body).await
        }
        (BulkMethod::Put, Route::Item(ep, id)) => {
            let rs = endpoint(cx, ep)?;
            resource::replace(cx, rs, id, &headers, &query, &body).await
        }
        (BulkMethod::Patch, Route::Item(ep, id)) => {
            let rs = endpoint(cx, ep)?;
            resource::patch(cx, rs, id, &headers, &query, &body).await
        }
        (BulkMethod::Delete, Route::Item(ep, id)) => {
            let rs = endpoint(cx, ep)?;
            resource::delete(cx, rs, id, &headers).await
        }
        (BulkMethod::Other(m), _) => {
            return Err(ScimError::invalid_value(format!(
                "unsupported bulk method {m:?}"
            )));
        }
        _ => return Err(bad_path()),
    };
    let resp = resp.map_err(|f| f.error)?;
    Ok(summary(cx, resp, &path))
}

fn endpoint<'s>(cx: &'s Cx<'_>, ep: &str) -> Result<&'s scimkit_schema::ResourceSchema, ScimError> {
    cx.svc
        .resource_type(ep)
        .map(|r| &**r)
        .ok_or_else(|| ScimError::not_found(format!("no resource type is served at /{ep}")))
}

fn summary(cx: &Cx<'_>, resp: Response<Bytes>, path: &str) -> Done {
    let h = resp.headers();
    let text = |name| {
        h.get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = text(LOCATION);
    let id = location
        .as_deref()
        .and_then(|l| l.rsplit('/').next())
        .map(str::to_owned);
    let location = location.or_else(|| {
        (resp.status().as_u16() != 204 || path.matches('/').count() == 2)
            .then(|| cx.url(path.trim_start_matches('/')))
    });
    (resp.status().as_u16(), location, text(ETAG), id)
}
