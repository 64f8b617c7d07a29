//! `okta`: Okta's user and group flows (Okta Developer, "SCIM 2.0 Protocol
//! Reference"): lookups with `startIndex`/`count`, create with `password`
//! and `groups: []`, updates as GET then full PUT (read-only attributes
//! included), path-less PATCH, empty PATCH, group push and membership.

use serde_json::{Value, json};

use super::Suite;
use super::catalog::CheckInfo;
use super::cx::{Cx, Feature, GROUP, USER, enc, ensure, member_ids};
use super::report::Failure;

/// The body Okta POSTs.
fn user_body(cx: &Cx, what: &str) -> Value {
    let user_name = cx.user_name(what);
    json!({
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Check", "familyName": what},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": format!("Check {what}"),
        "locale": "en-US",
        "externalId": format!("00u{}", uuid::Uuid::new_v4().simple()),
        "groups": [],
        "password": "1mz050nq-Check",
        "active": true
    })
}

/// Creates a user as Okta does, without the password (hashing one is slow by
/// design; `okta.users.create` sends it).
async fn create_user(cx: &Cx, what: &str) -> Result<(String, Value), Failure> {
    let mut body = user_body(cx, what);
    if let Some(m) = body.as_object_mut() {
        m.remove("password");
    }
    let (_, id) = cx.create("Users", &body).await?;
    Ok((id, body))
}

/// "Determine if the User already exists": `userName eq` with
/// `startIndex=1&count=100`, percent-encoded; `200`, `totalResults: 0`.
pub(crate) async fn lookup(cx: &Cx) -> Result<(), Failure> {
    let filter = format!("userName eq \"{}\"", cx.user_name("okta-nobody"));
    let (ex, found) = cx
        .list(&format!(
            "/Users?filter={}&startIndex=1&count=100",
            enc(&filter)
        ))
        .await?;
    ensure(ex.json["totalResults"] == 0 && found.is_empty(), || {
        ex.fail("200 with \"totalResults\": 0")
    })
}

/// "Create the User": `password` and `groups: []` accepted; the password is
/// never returned (RFC 7643 §4.1.1, `returned: never`).
pub(crate) async fn user_create(cx: &Cx) -> Result<(), Failure> {
    let body = user_body(cx, "okta");
    let (ex, _) = cx.create("Users", &body).await?;
    ensure(
        ex.json.get("password").is_none() && ex.json["userName"] == body["userName"],
        || ex.fail("the user, without \"password\""),
    )
}

/// "Update a specific User (PUT)": GET, then PUT the whole resource back
/// (`id`, `meta`, `groups` included) with a change.
pub(crate) async fn user_put(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = create_user(cx, "put").await?;
    let path = format!("/Users/{id}");
    let mut got = cx.get_ok(path.clone()).await?.json;
    got["name"]["givenName"] = json!("Updated");
    got["groups"] = json!([]);
    let ex = cx.put(&path, &got).await?;
    ex.status_in(
        &[200],
        "RFC 7644 §3.5.1: read-only attributes in a PUT are ignored",
    )?;
    let after = cx.get_ok(path).await?;
    ensure(after.json["name"]["givenName"] == "Updated", || {
        after.fail("\"name.givenName\": \"Updated\" after the PUT")
    })
}

/// Deactivation by PUT with `"active": false`.
pub(crate) async fn user_deactivate(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = create_user(cx, "deact").await?;
    let path = format!("/Users/{id}");
    let mut got = cx.get_ok(path.clone()).await?.json;
    got["active"] = json!(false);
    let ex = cx.put(&path, &got).await?;
    ex.status_in(&[200], "RFC 7644 §3.5.1")?;
    let after = cx.get_ok(path).await?;
    ensure(after.json["active"] == Value::Bool(false), || {
        after.fail("\"active\": false (a boolean); Okta never deletes users")
    })
}

/// Deactivation and reactivation as a path-less PATCH `replace`.
pub(crate) async fn patch_active(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = create_user(cx, "pdeact").await?;
    let path = format!("/Users/{id}");
    for want in [false, true] {
        cx.patch(&path, json!([{"op": "replace", "value": {"active": want}}]))
            .await?;
        let after = cx.get_ok(path.clone()).await?;
        ensure(after.json["active"] == Value::Bool(want), || {
            after.fail(format!("\"active\": {want} (a boolean)"))
        })?;
    }
    Ok(())
}

/// An empty `Operations` list (Okta sends it when no mapped attribute
/// changed) succeeds and changes nothing.
pub(crate) async fn patch_empty(cx: &Cx) -> Result<(), Failure> {
    let (id, body) = create_user(cx, "empty").await?;
    let path = format!("/Users/{id}");
    cx.patch(&path, json!([])).await?;
    let after = cx.get_ok(path).await?;
    ensure(after.json["userName"] == body["userName"], || {
        after.fail("the user unchanged")
    })
}

/// "Retrieve Users": pages of `count` from `startIndex`, integers, the same
/// order on every page.
pub(crate) async fn paging(cx: &Cx) -> Result<(), Failure> {
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(create_user(cx, &format!("opage{i}")).await?.0);
    }
    let filter = format!("userName sw \"{}-opage\"", cx.prefix);
    let mut seen = Vec::new();
    for start in [1, 3] {
        let (ex, page) = cx
            .list(&format!(
                "/Users?startIndex={start}&count=2&filter={}",
                enc(&filter)
            ))
            .await?;
        let want = if start == 1 { 2 } else { 1 };
        ensure(
            ex.json["totalResults"] == 3
                && ex.json["startIndex"] == start
                && ex.json["itemsPerPage"] == want
                && page.len() == want,
            || {
                ex.fail(format!(
                    "\"totalResults\": 3, \"startIndex\": {start}, \"itemsPerPage\": {want} (integers)"
                ))
            },
        )?;
        seen.extend(
            page.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned)),
        );
    }
    seen.sort();
    ids.sort();
    ensure(seen == ids, || {
        Failure::new(format!(
            "every user once across the pages: {ids:?}; got {seen:?}"
        ))
    })
}

/// Group push: POST with members (`value`, `display`), then a rename as a
/// path-less `replace` carrying the group's own `id`.
pub(crate) async fn group_push(cx: &Cx) -> Result<(), Failure> {
    let (u, body) = create_user(cx, "push-member").await?;
    let name = cx.unique("okta-group");
    let group = json!({
        "schemas": [GROUP], "displayName": name,
        "members": [{"value": u, "display": body["userName"]}]
    });
    let (_, g) = cx.create("Groups", &group).await?;
    let renamed = format!("{name}-renamed");
    let path = format!("/Groups/{g}");
    cx.patch(
        &path,
        json!([{"op": "replace", "value": {"id": g, "displayName": renamed}}]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    ensure(
        got.json["displayName"] == renamed.as_str() && member_ids(&got.json) == vec![u.clone()],
        || got.fail(format!("\"displayName\": \"{renamed}\" and the member {u}")),
    )
}

/// "Update specific Group membership": remove by value filter plus add in one
/// request, then the full list with `replace`.
pub(crate) async fn group_members(cx: &Cx) -> Result<(), Failure> {
    let (a, _) = create_user(cx, "gm-a").await?;
    let (b, _) = create_user(cx, "gm-b").await?;
    let (c, body_c) = create_user(cx, "gm-c").await?;
    let (g, _) = cx.create_group("okta-gm", &[&a, &b]).await?;
    let path = format!("/Groups/{g}");
    cx.patch(
        &path,
        json!([
            {"op": "remove", "path": format!("members[value eq \"{a}\"]")},
            {"op": "add", "path": "members", "value": [{"value": c, "display": body_c["userName"]}]}
        ]),
    )
    .await?;
    let got = cx.get_ok(path.clone()).await?;
    let mut want = vec![b.clone(), c.clone()];
    want.sort();
    ensure(member_ids(&got.json) == want, || {
        got.fail(format!("exactly the members {want:?}"))
    })?;
    cx.patch(
        &path,
        json!([{"op": "replace", "path": "members", "value": [{"value": a}]}]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    ensure(member_ids(&got.json) == vec![a.clone()], || {
        got.fail(format!("exactly the member {a} after the full replace"))
    })
}

/// The suite's checks, in order.
pub(crate) const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "okta.lookup",
        suite: Suite::Okta,
        title: "userName eq lookup with startIndex=1&count=100 is 200 with totalResults 0",
        depends_on: &[],
        cites: "Okta Developer, \"SCIM 2.0 Protocol Reference\", \"Determine if the User already exists\"",
        creates: false,
        needs: &[],
        run: |cx| Box::pin(lookup(cx)),
    },
    CheckInfo {
        id: "okta.users.create",
        suite: Suite::Okta,
        title: "create with password and groups: []; the password is never returned",
        depends_on: &["rfc.users.create"],
        cites: "Okta Developer, \"SCIM 2.0 Protocol Reference\", \"Create the User\"; RFC 7643 §4.1.1",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(user_create(cx)),
    },
    CheckInfo {
        id: "okta.users.put",
        suite: Suite::Okta,
        title: "GET then PUT the whole user back, read-only attributes included",
        depends_on: &["okta.users.create"],
        cites: "Okta Developer, \"SCIM 2.0 Protocol Reference\", \"Update a specific User (PUT)\"",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(user_put(cx)),
    },
    CheckInfo {
        id: "okta.users.deactivate",
        suite: Suite::Okta,
        title: "deactivate by PUT with active false",
        depends_on: &["okta.users.create"],
        cites: "Okta Developer, \"SCIM 2.0 Protocol Reference\", \"Update a specific User (PUT)\", \"Delete Users\"",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(user_deactivate(cx)),
    },
    CheckInfo {
        id: "okta.patch.active",
        suite: Suite::Okta,
        title: "deactivate and reactivate with a path-less PATCH replace",
        depends_on: &["okta.users.create"],
        cites: "Okta Developer, \"SCIM 2.0 Protocol Reference\", \"Update a specific User (PATCH)\"",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(patch_active(cx)),
    },
    CheckInfo {
        id: "okta.patch.empty",
        suite: Suite::Okta,
        title: "a PATCH with no operations succeeds and changes nothing",
        depends_on: &["okta.users.create"],
        cites: "docs/COMPATIBILITY.md, allow_empty_operations",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(patch_empty(cx)),
    },
    CheckInfo {
        id: "okta.paging",
        suite: Suite::Okta,
        title: "startIndex and count pages with integer totalResults and itemsPerPage",
        depends_on: &["okta.users.create"],
        cites: "Okta Developer, \"SCIM 2.0 Protocol Reference\", \"Retrieve Users\"",
        creates: true,
        needs: &[Feature::Filter],
        run: |cx| Box::pin(paging(cx)),
    },
    CheckInfo {
        id: "okta.groups.push",
        suite: Suite::Okta,
        title: "group push: create with members, rename by path-less replace with id",
        depends_on: &["okta.users.create"],
        cites: "Okta Developer, \"SCIM 2.0 Protocol Reference\", \"Create Groups\", \"Update a specific Group name\"",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(group_push(cx)),
    },
    CheckInfo {
        id: "okta.groups.members",
        suite: Suite::Okta,
        title: "remove by value filter plus add in one PATCH; replace the whole list",
        depends_on: &["okta.groups.push"],
        cites: "Okta Developer, \"SCIM 2.0 Protocol Reference\", \"Update specific Group membership\"",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(group_members(cx)),
    },
];
