//! One resource: create (RFC 7644 §3.3), read (§3.4.1), replace (§3.5.1),
//! modify (§3.5.2) and delete (§3.6), with versions (§3.14).

use bytes::Bytes;
use http::HeaderMap;
use http::header::{IF_MATCH, IF_NONE_MATCH};
use scimkit_schema::messages::PatchOp;
use scimkit_schema::validate::{RequestKind, validate};
use scimkit_schema::{Resource, ResourceSchema, ScimError, patch as scim_patch, remove_ci};

use super::membership;
use super::notify::{self, change_events, diff_attributes};
use super::render::{projection, render};
use crate::etag::{self, Precondition};
use crate::request::{self, Query};
use crate::response::{self, Outcome};
use crate::service::Cx;
use crate::{EventKind, Fetch, StoreError, StoredResource};

/// How often a write retries after losing a race it did not ask to detect
/// (no `If-Match`).
const RETRIES: usize = 64;

fn not_found(rs: &ResourceSchema, id: &str) -> ScimError {
    ScimError::not_found(format!("{} {id} not found", rs.name()))
}

fn mismatch(id: &str) -> ScimError {
    ScimError::precondition_failed(format!(
        "resource {id} has changed: the If-Match version is not the current one"
    ))
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
    validate(&mut input, rs, RequestKind::Create, cx.compat())?;
    strip_bookkeeping(&mut input);
    let stored = cx.svc.store.create(cx.tenant(), rs, input).await?;
    notify::publish(cx, &stored, vec![EventKind::Created]).await;
    respond(cx, 201, &stored, rs, query)
}

/// `GET /{endpoint}/{id}`, with `If-None-Match` (`304`).
pub(crate) async fn get(
    cx: &Cx<'_>,
    rs: &ResourceSchema,
    id: &str,
    headers: &HeaderMap,
    query: &Query,
) -> Outcome {
    let p = projection(cx, query)?;
    // `excludedAttributes=members` (Entra, on every group lookup): the
    // store need not read the member rows.
    let stored = cx
        .svc
        .store
        .get_with(cx.tenant(), rs, id, Fetch::for_projection(&p, rs))
        .await?
        .ok_or_else(|| not_found(rs, id))?;
    let tag = etag::weak(&stored.version);
    if let Some(cond) = Precondition::from_headers(headers, IF_NONE_MATCH)
        && cond.matches(&stored.version)
    {
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
    let given = request::resource_body(body)?;
    let cond = Precondition::from_headers(headers, IF_MATCH);
    for _ in 0..RETRIES {
        let existing = load(cx, rs, id).await?;
        if let Some(c) = &cond
            && !c.matches(&existing.version)
        {
            return Err(mismatch(id).into());
        }
        let mut input = given.clone();
        validate(
            &mut input,
            rs,
            RequestKind::Replace {
                existing: &existing.resource,
            },
            cx.compat(),
        )?;
        strip_bookkeeping(&mut input);
        if same_content(&existing.resource, &input) {
            return respond(cx, 200, &existing, rs, query);
        }
        let store = &cx.svc.store;
        match store
            .replace(cx.tenant(), rs, id, input, Some(&existing.version))
            .await
        {
            Ok(stored) => {
                let changed = diff_attributes(&existing.resource, &stored.resource);
                let events = change_events(
                    &existing.resource,
                    &stored.resource,
                    changed,
                    vec![],
                    vec![],
                );
                notify::publish(cx, &stored, events).await;
                return respond(cx, 200, &stored, rs, query);
            }
            Err(StoreError::VersionMismatch { .. }) if cond.is_none() => continue,
            Err(StoreError::VersionMismatch { .. }) => return Err(mismatch(id).into()),
            Err(e) => return Err(e.into()),
        }
    }
    Err(ScimError::new(
        409,
        None,
        format!("resource {id} is changing too fast; retry"),
    )
    .into())
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
    op.check(cx.compat())?;
    let cond = Precondition::from_headers(headers, IF_MATCH);
    if cond.is_none()
        && let Some(m) = membership::plan(&op, rs, cx.compat())
    {
        let stored = membership::apply(cx, rs, id, m).await?;
        if cx.svc.config.patch_no_content(rs.name()) {
            return patched(cx, &stored, rs, query);
        }
        // The store may have answered without `members`; answer with the whole group.
        let full = load(cx, rs, id).await?;
        return patched(cx, &full, rs, query);
    }
    for _ in 0..RETRIES {
        let existing = load(cx, rs, id).await?;
        if let Some(c) = &cond
            && !c.matches(&existing.version)
        {
            return Err(mismatch(id).into());
        }
        let mut next = Resource::clone(&existing.resource);
        let outcome = scim_patch::apply(&mut next, &op, rs, cx.compat())?;
        if !outcome.changed {
            return patched(cx, &existing, rs, query);
        }
        validate(
            &mut next,
            rs,
            RequestKind::PatchResult {
                original: &existing.resource,
            },
            cx.compat(),
        )?;
        strip_bookkeeping(&mut next);
        match cx
            .svc
            .store
            .replace(cx.tenant(), rs, id, next, Some(&existing.version))
            .await
        {
            Ok(stored) => {
                let events = change_events(
                    &existing.resource,
                    &stored.resource,
                    outcome.changed_attributes,
                    outcome.members_added,
                    outcome.members_removed,
                );
                notify::publish(cx, &stored, events).await;
                return patched(cx, &stored, rs, query);
            }
            Err(StoreError::VersionMismatch { .. }) if cond.is_none() => continue,
            Err(StoreError::VersionMismatch { .. }) => return Err(mismatch(id).into()),
            Err(e) => return Err(e.into()),
        }
    }
    Err(ScimError::new(
        409,
        None,
        format!("resource {id} is changing too fast; retry"),
    )
    .into())
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
    let expected = match Precondition::from_headers(headers, IF_MATCH) {
        None => None,
        Some(c) => {
            let existing = load(cx, rs, id).await?;
            if !c.matches(&existing.version) {
                return Err(mismatch(id).into());
            }
            Some(existing.version)
        }
    };
    match store.delete(cx.tenant(), rs, id, expected.as_deref()).await {
        Ok(()) => {}
        Err(StoreError::NotFound { .. }) => return Err(not_found(rs, id).into()),
        Err(StoreError::VersionMismatch { .. }) => return Err(mismatch(id).into()),
        Err(e) => return Err(e.into()),
    }
    let event =
        crate::ProvisioningEvent::new(cx.tenant().clone(), rs.name(), id, None, EventKind::Deleted);
    cx.svc.events.publish(event).await;
    Ok(response::empty(204, None))
}
