//! One resource: create (RFC 7644 §3.3), read (§3.4.1), replace (§3.5.1),
//! modify (§3.5.2) and delete (§3.6), with versions (§3.14).

use std::sync::Arc;

use bytes::Bytes;
use http::HeaderMap;
use scimkit_schema::messages::PatchOp;
use scimkit_schema::patch::{self as scim_patch, Patched};
use scimkit_schema::validate::{RequestKind, validate};
use scimkit_schema::{Resource, ResourceSchema, ScimError, Switches, remove_ci};

use super::membership;
use super::notify::{self, change_events, replace_events};
use super::render::{projection, render};
use crate::blocking::offload;
use crate::context::Cx;
use crate::etag::{self, Conditions};
use crate::password::{self, Write};
use crate::request::{self, Query};
use crate::response::{self, Failure, Outcome};
use crate::{EventKind, Fetch, StoreError, StoredResource};

/// Runs one compare-and-swap write `attempt` (read, check the conditional
/// headers, write at the version read) until it does not lose a race:
/// `Ok(None)` is a lost race, tried again, `retries` attempts in all
/// ([`crate::Config::write_retries`]), then `409`. The conditional headers
/// are evaluated again against each version read, so a write without them
/// (or with `If-Match: *`) retries, and one whose `If-Match` named the
/// version that lost gets `412`. `replace`, `patch` and `delete` share it.
async fn until_won<T, F, Fut>(id: &str, retries: usize, mut attempt: F) -> Result<T, Failure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, Failure>>,
{
    for _ in 0..retries.max(1) {
        if let Some(done) = attempt().await? {
            return Ok(done);
        }
    }
    Err(ScimError::new(
        409,
        None,
        format!("resource {id} is changing too fast; retry"),
    )
    .into())
}

/// A store write at an expected version: `None` when another writer got
/// there first ([`StoreError::VersionMismatch`]).
fn won<T>(r: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::VersionMismatch { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn not_found(rs: &ResourceSchema, id: &str) -> ScimError {
    ScimError::not_found(format!("{} {id} not found", rs.name()))
}

/// Drops `id` and `meta`: the store owns them.
fn strip_bookkeeping(r: &mut Resource) {
    let m = r.as_map_mut();
    remove_ci(m, "id");
    remove_ci(m, "meta");
}

fn same_content(stored: &Resource, new: &Resource) -> bool {
    let mut a = stored.as_map().clone();
    remove_ci(&mut a, "id");
    remove_ci(&mut a, "meta");
    &a == new.as_map()
}

/// `200`/`201` with the projected resource, `ETag`, and `Location` on creation.
fn respond(
    cx: &Cx<'_>,
    code: u16,
    stored: &StoredResource,
    rs: &ResourceSchema,
    query: &Query,
) -> Outcome {
    let p = projection(cx, query)?;
    let body = render(cx, stored, rs, &p);
    let tag = etag::weak(&stored.version);
    let loc = (code == 201).then(|| cx.location(rs, &stored.id));
    Ok(response::resource(
        code,
        |b| body.write_to(b),
        Some(&tag),
        loc.as_deref(),
    ))
}

/// Checks the members `new` has and `old` had not (those are known to
/// exist, or left since, which deletion handles).
async fn check_new_members(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    old: &Resource,
    new: &Resource,
) -> Result<(), ScimError> {
    let mut added = membership::member_values(new);
    if added.is_empty() {
        return Ok(());
    }
    for v in membership::member_values(old) {
        added.remove(&v);
    }
    membership::check_exist(cx, rs, added).await
}

async fn load(cx: &Cx<'_>, rs: &ResourceSchema, id: &str) -> Result<StoredResource, ScimError> {
    cx.svc
        .store
        .get(cx.tenant(), rs, id)
        .await?
        .ok_or_else(|| not_found(rs, id))
}

/// `POST /{endpoint}`.
pub(crate) async fn create(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    query: &Query,
    body: &Bytes,
) -> Outcome {
    projection(cx, query)?;
    let mut input = request::resource_body(body)?;
    cx.report
        .capture(|| validate(&mut input, rs, RequestKind::Create, cx.compat()))?;
    strip_bookkeeping(&mut input);
    membership::check_exist(cx, rs, membership::member_values(&input)).await?;
    password::prepare(cx, rs, &mut input, None, Write::Create).await?;
    let stored = cx.svc.store.create(cx.tenant(), rs, input).await?;
    cx.report.resource(rs.name(), Some(&stored.id));
    notify::publish(cx, &stored, vec![EventKind::Created]).await;
    respond(cx, 201, &stored, rs, query)
}

/// `GET /{endpoint}/{id}`, with `If-None-Match` (`304`) and `If-Match` (`412`).
pub(crate) async fn get(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    id: &str,
    headers: &HeaderMap,
    query: &Query,
) -> Outcome {
    let p = projection(cx, query)?;
    let conds = Conditions::from_headers(headers)?;
    // `excludedAttributes=members` (Entra, on every group lookup): the
    // store need not read the member rows.
    let stored = cx
        .svc
        .store
        .get_with(cx.tenant(), rs, id, Fetch::for_projection(&p, rs))
        .await?
        .ok_or_else(|| not_found(rs, id))?;
    let tag = etag::weak(&stored.version);
    if conds.check_read(id, &stored.version)? {
        return Ok(response::empty(304, Some(&tag)));
    }
    let body = render(cx, &stored, rs, &p);
    Ok(response::resource(
        200,
        |b| body.write_to(b),
        Some(&tag),
        None,
    ))
}

/// `PUT /{endpoint}/{id}`: readOnly values ignored, immutable ones
/// enforced, attributes left out cleared. A replace that changes nothing
/// keeps the version.
pub(crate) async fn replace(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    id: &str,
    headers: &HeaderMap,
    query: &Query,
    body: &Bytes,
) -> Outcome {
    projection(cx, query)?;
    let conds = Conditions::from_headers(headers)?;
    let given = &request::resource_body(body)?;
    let conds = &conds;
    until_won(id, cx.svc.config.write_retries, || async move {
        let existing = load(cx, rs, id).await?;
        conds.check_write(id, &existing.version)?;
        let mut input = given.clone();
        cx.report.capture(|| {
            validate(
                &mut input,
                rs,
                RequestKind::Replace {
                    existing: &existing.resource,
                },
                cx.compat(),
            )
        })?;
        strip_bookkeeping(&mut input);
        password::prepare(cx, rs, &mut input, Some(&existing.resource), Write::Replace).await?;
        if same_content(&existing.resource, &input) {
            return respond(cx, 200, &existing, rs, query).map(Some);
        }
        check_new_members(cx, rs, &existing.resource, &input).await?;
        let store = &cx.svc.store;
        let events = replace_events(&existing.resource, &input);
        let Some(stored) = won(store
            .replace(cx.tenant(), rs, id, input, Some(&existing.version), &events)
            .await)?
        else {
            return Ok(None);
        };
        notify::publish(cx, &stored, events).await;
        respond(cx, 200, &stored, rs, query).map(Some)
    })
    .await
}

/// `PATCH /{endpoint}/{id}`: all operations or none; `200` with the
/// resource, or `204` when configured. A PATCH that changes nothing keeps
/// version and `lastModified`.
pub(crate) async fn patch(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    id: &str,
    headers: &HeaderMap,
    query: &Query,
    body: &Bytes,
) -> Outcome {
    projection(cx, query)?;
    let op = PatchOp::from_slice(body)?;
    cx.report.capture(|| op.check(cx.compat()))?;
    // The budgets, before any work: no store read, no operation applied.
    let limits = cx.svc.config.patch_limits();
    let values = limits.check(&op)?;
    let op = Arc::new(op);
    let conds = Conditions::from_headers(headers)?;
    if !conds.names_versions()
        && let Some(m) = cx.report.capture(|| membership::plan(&op, rs, cx.compat()))
    {
        let stored = membership::apply(cx, rs, id, m).await?;
        if cx.svc.config.patch_no_content(rs.name()) {
            return patched(cx, &stored, rs, query);
        }
        // The store may have answered without `members`; answer with the whole group.
        let full = load(cx, rs, id).await?;
        return patched(cx, &full, rs, query);
    }
    let (conds, op) = (&conds, &op);
    until_won(id, cx.svc.config.write_retries, || async move {
        let existing = load(cx, rs, id).await?;
        conds.check_write(id, &existing.version)?;
        let Patched {
            resource: mut next,
            outcome,
            ..
        } = run_patch(cx, rs, &existing, op, values).await?;
        if !outcome.changed {
            return patched(cx, &existing, rs, query).map(Some);
        }
        strip_bookkeeping(&mut next);
        check_new_members(cx, rs, &existing.resource, &next).await?;
        password::prepare(cx, rs, &mut next, Some(&existing.resource), Write::Patch).await?;
        if same_content(&existing.resource, &next) {
            // e.g. the current password sent again: its stored hash is kept.
            return patched(cx, &existing, rs, query).map(Some);
        }
        let store = &cx.svc.store;
        let events = change_events(
            &existing.resource,
            &next,
            outcome.changed_attributes,
            outcome.members_added,
            outcome.members_removed,
        );
        let Some(stored) = won(store
            .replace(cx.tenant(), rs, id, next, Some(&existing.version), &events)
            .await)?
        else {
            return Ok(None);
        };
        notify::publish(cx, &stored, events).await;
        patched(cx, &stored, rs, query).map(Some)
    })
    .await
}

/// The PATCH pipeline (`scimkit_schema::patch::run`: budgets, operations,
/// validation of the result): inline when the request carries at most
/// [`crate::Config::patch_offload_values`] values, on tokio's blocking pool
/// above, so a large PATCH does not stall the async worker.
async fn run_patch(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    existing: &StoredResource,
    op: &Arc<PatchOp>,
    values: usize,
) -> Result<Patched, ScimError> {
    let compat = *cx.compat();
    let limits = cx.svc.config.patch_limits();
    let shared = cx.svc.registry.resource_type(rs.name());
    match shared {
        Some(shared) if values > cx.svc.config.patch_offload_values => {
            let (shared, op, original) = (shared.clone(), op.clone(), existing.resource.clone());
            let (patched, fired) = offload(move || {
                Switches::capture(|| scim_patch::run(&original, &op, &shared, &compat, &limits))
            })
            .await?;
            cx.report.switches(fired);
            patched
        }
        _ => cx
            .report
            .capture(|| scim_patch::run(&existing.resource, op, rs, &compat, &limits)),
    }
}

fn patched(cx: &Cx<'_>, stored: &StoredResource, rs: &ResourceSchema, query: &Query) -> Outcome {
    if cx.svc.config.patch_no_content(rs.name()) {
        Ok(response::empty(204, Some(&etag::weak(&stored.version))))
    } else {
        respond(cx, 200, stored, rs, query)
    }
}

/// `DELETE /{endpoint}/{id}`: `204`; with `If-Match`, only at that version.
pub(crate) async fn delete(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    id: &str,
    headers: &HeaderMap,
) -> Outcome {
    let store = &cx.svc.store;
    let conds = Conditions::from_headers(headers)?;
    let conds = &conds;
    let records = until_won(id, cx.svc.config.write_retries, || async move {
        let expected = if conds.names_versions() {
            let existing = load(cx, rs, id).await?;
            conds.check_write(id, &existing.version)?;
            Some(existing.version)
        } else {
            None
        };
        match store.delete(cx.tenant(), rs, id, expected.as_deref()).await {
            Err(StoreError::NotFound { .. }) => Err(not_found(rs, id).into()),
            r => Ok(won(r)?),
        }
    })
    .await?;
    notify::publish_delete(cx, rs.name(), id, &records).await;
    Ok(response::empty(204, None))
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt as _;

    use super::*;

    const RETRIES: usize = crate::DEFAULT_WRITE_RETRIES;

    /// `until_won` over attempts that lose `losses` races, then end with `last`;
    /// returns its answer (status) and how many attempts ran.
    fn check(retries: usize, losses: usize, last: Result<u8, u16>) -> (Result<u8, u16>, usize) {
        let mut calls = 0;
        let r = until_won("x", retries, || {
            calls += 1;
            let out = if calls <= losses {
                Ok(None)
            } else {
                last.map(Some)
                    .map_err(|s| Failure::from(ScimError::new(s, None, "e")))
            };
            async move { out }
        })
        .now_or_never()
        .expect("ready");
        (r.map_err(|f| f.error.status), calls)
    }

    #[test]
    fn retries_lost_races_then_gives_up_with_409() {
        for (retries, losses, last, want, calls) in [
            (RETRIES, 0, Ok(7), Ok(7), 1),
            (RETRIES, 3, Ok(7), Ok(7), 4),
            (RETRIES, RETRIES - 1, Ok(7), Ok(7), RETRIES),
            (RETRIES, RETRIES, Ok(7), Err(409), RETRIES),
            (RETRIES, 2, Err(412), Err(412), 3),
            // Config::with_write_retries: the edge moves with the setting.
            (3, 2, Ok(7), Ok(7), 3),
            (3, 3, Ok(7), Err(409), 3),
            (0, 1, Ok(7), Err(409), 1),
        ] {
            assert_eq!(
                check(retries, losses, last),
                (want, calls),
                "{retries} retries, {losses} losses"
            );
        }
    }
}
