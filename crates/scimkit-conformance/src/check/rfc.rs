//! `rfc`: RFC 7644 behaviour any client relies on: media type and
//! authentication (§3.1, §2), CRUD (§3.3-§3.6), lists (§3.4.2), projection
//! (§3.4.2.5), ETags (§3.14), Bulk (§3.7) when advertised, errors (§3.12).

mod groups;
mod lists;
mod users;

pub(crate) use groups::{bulk, etag, group_create, group_members};
pub(crate) use lists::{
    empty_list, filter_eq, filter_invalid, filter_operators, filter_unknown_attribute, paging,
    sorting,
};
pub(crate) use users::{
    conflict, delete, get, get_missing, location, patch, projection_attributes,
    projection_excluded, replace, user_create,
};

use super::Suite;
use super::catalog::CheckInfo;
use super::cx::{Cx, Feature, ensure};
use super::report::Failure;

/// Responses with a body are `application/scim+json` (RFC 7644 §3.1, §8.1).
pub(crate) async fn media_type(cx: &Cx) -> Result<(), Failure> {
    for path in ["/ServiceProviderConfig", "/ResourceTypes"] {
        let ex = cx.get(path).await?;
        ex.status_in(&[200], "a readable resource")?;
        let ct = ex.header("content-type").unwrap_or("");
        ensure(
            ct.to_ascii_lowercase().starts_with("application/scim+json"),
            || ex.fail("Content-Type: application/scim+json"),
        )?;
    }
    Ok(())
}

/// A request without credentials is `401` (RFC 7644 §2: "the service
/// provider SHALL return 401").
pub(crate) async fn auth_required(cx: &Cx) -> Result<(), Failure> {
    let ex = cx
        .send(super::client::Req::new(reqwest::Method::GET, "/Users?count=1").anonymous())
        .await?;
    ex.status_in(&[401], "no Authorization header")?;
    Ok(())
}

/// An error body: the Error schema and `status` as a string (RFC 7644 §3.12).
pub(crate) fn check_error(ex: &super::client::Exchange) -> Result<(), Failure> {
    ensure(super::cx::has_schema(&ex.json, super::cx::ERROR), || {
        ex.fail(format!(
            "a SCIM error body with \"schemas\": [\"{}\"]",
            super::cx::ERROR
        ))
    })?;
    ensure(
        ex.json["status"].as_str() == Some(ex.status.to_string().as_str()),
        || ex.fail(format!("\"status\": \"{}\" (a string)", ex.status)),
    )
}

/// The suite's checks, in order.
pub(crate) const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "rfc.media_type",
        suite: Suite::Rfc,
        title: "responses are application/scim+json",
        depends_on: &[],
        cites: "RFC 7644 §3.1, §8.1",
        creates: false,
        needs: &[],
        run: |cx| Box::pin(media_type(cx)),
    },
    CheckInfo {
        id: "rfc.auth.required",
        suite: Suite::Rfc,
        title: "a request without a token is 401",
        depends_on: &[],
        cites: "RFC 7644 §2",
        creates: false,
        needs: &[],
        run: |cx| Box::pin(auth_required(cx)),
    },
    CheckInfo {
        id: "rfc.list.empty",
        suite: Suite::Rfc,
        title: "a filter that matches nothing is 200 with totalResults 0",
        depends_on: &[],
        cites: "RFC 7644 §3.4.2",
        creates: false,
        needs: &[Feature::Filter],
        run: |cx| Box::pin(empty_list(cx)),
    },
    CheckInfo {
        id: "rfc.filter.invalid",
        suite: Suite::Rfc,
        title: "a malformed filter is 400 invalidFilter",
        depends_on: &[],
        cites: "RFC 7644 §3.4.2.2, §3.12",
        creates: false,
        needs: &[Feature::Filter],
        run: |cx| Box::pin(filter_invalid(cx)),
    },
    CheckInfo {
        id: "rfc.filter.unknown_attribute",
        suite: Suite::Rfc,
        title: "a filter on an undefined attribute is 400 invalidFilter or an empty list, not a 5xx",
        depends_on: &[],
        cites: "RFC 7644 §3.4.2.2, §3.12",
        creates: false,
        needs: &[Feature::Filter],
        run: |cx| Box::pin(filter_unknown_attribute(cx)),
    },
    CheckInfo {
        id: "rfc.users.get_missing",
        suite: Suite::Rfc,
        title: "an unknown id is 404 with a SCIM error",
        depends_on: &[],
        cites: "RFC 7644 §3.4.1, §3.12",
        creates: false,
        needs: &[],
        run: |cx| Box::pin(get_missing(cx)),
    },
    CheckInfo {
        id: "rfc.users.create",
        suite: Suite::Rfc,
        title: "POST /Users is 201 with id, schemas and meta",
        depends_on: &[],
        cites: "RFC 7644 §3.3, RFC 7643 §3.1",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(user_create(cx)),
    },
    CheckInfo {
        id: "rfc.users.location",
        suite: Suite::Rfc,
        title: "a 201 carries Location, equal to meta.location",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.3, §3.1",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(location(cx)),
    },
    CheckInfo {
        id: "rfc.users.get",
        suite: Suite::Rfc,
        title: "GET /Users/{id} returns the user as created",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.4.1",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(get(cx)),
    },
    CheckInfo {
        id: "rfc.users.conflict",
        suite: Suite::Rfc,
        title: "a taken userName (any case) is 409 uniqueness",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.3, §3.12; RFC 7643 §4.1.1",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(conflict(cx)),
    },
    CheckInfo {
        id: "rfc.users.replace",
        suite: Suite::Rfc,
        title: "PUT replaces the user",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.5.1",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(replace(cx)),
    },
    CheckInfo {
        id: "rfc.users.patch",
        suite: Suite::Rfc,
        title: "PATCH add, replace and remove with paths",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.5.2",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(patch(cx)),
    },
    CheckInfo {
        id: "rfc.users.delete",
        suite: Suite::Rfc,
        title: "DELETE is 204 and the user is gone",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.6",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(delete(cx)),
    },
    CheckInfo {
        id: "rfc.filter.eq",
        suite: Suite::Rfc,
        title: "userName eq matches case-insensitively",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.4.2.2, RFC 7643 §4.1.1",
        creates: true,
        needs: &[Feature::Filter],
        run: |cx| Box::pin(filter_eq(cx)),
    },
    CheckInfo {
        id: "rfc.filter.operators",
        suite: Suite::Rfc,
        title: "sw, co, pr, and, or, not and value filters select the right users",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.4.2.2",
        creates: true,
        needs: &[Feature::Filter],
        run: |cx| Box::pin(filter_operators(cx)),
    },
    CheckInfo {
        id: "rfc.list.paging",
        suite: Suite::Rfc,
        title: "startIndex and count page; totalResults counts every match",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.4.2.4",
        creates: true,
        needs: &[Feature::Filter],
        run: |cx| Box::pin(paging(cx)),
    },
    CheckInfo {
        id: "rfc.list.sort",
        suite: Suite::Rfc,
        title: "sortBy and sortOrder order the list",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.4.2.3",
        creates: true,
        needs: &[Feature::Filter, Feature::Sort],
        run: |cx| Box::pin(sorting(cx)),
    },
    CheckInfo {
        id: "rfc.projection.attributes",
        suite: Suite::Rfc,
        title: "attributes= returns the named attributes and id only",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.4.2.5, RFC 7643 §7 (returned)",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(projection_attributes(cx)),
    },
    CheckInfo {
        id: "rfc.projection.excluded",
        suite: Suite::Rfc,
        title: "excludedAttributes= leaves the named attributes out",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.4.2.5",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(projection_excluded(cx)),
    },
    CheckInfo {
        id: "rfc.etag",
        suite: Suite::Rfc,
        title: "ETag equals meta.version; If-None-Match is 304; a stale If-Match is 412",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.14",
        creates: true,
        needs: &[Feature::Etag],
        run: |cx| Box::pin(etag(cx)),
    },
    CheckInfo {
        id: "rfc.groups.create",
        suite: Suite::Rfc,
        title: "POST /Groups with a member is 201 and lists the member",
        depends_on: &["rfc.users.create"],
        cites: "RFC 7644 §3.3, RFC 7643 §4.2",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(group_create(cx)),
    },
    CheckInfo {
        id: "rfc.groups.members",
        suite: Suite::Rfc,
        title: "PATCH add and remove by value filter change exactly the named members",
        depends_on: &["rfc.groups.create"],
        cites: "RFC 7644 §3.5.2.1, §3.5.2.2",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(group_members(cx)),
    },
    CheckInfo {
        id: "rfc.bulk",
        suite: Suite::Rfc,
        title: "Bulk creates a user and a group that names it by bulkId",
        depends_on: &["rfc.groups.create"],
        cites: "RFC 7644 §3.7",
        creates: true,
        needs: &[Feature::Bulk],
        run: |cx| Box::pin(bulk(cx)),
    },
];
