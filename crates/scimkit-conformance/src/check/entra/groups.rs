//! Entra ID's group requests: create, one PATCH per member, removal by value
//! (default job) and by value filter (`aadOptscim062020`),
//! `excludedAttributes=members`.

use serde_json::json;

use super::create_user;
use crate::check::cx::{Cx, GROUP, ensure, form, member_ids};
use crate::check::report::Failure;

/// Creates a group the way Entra does (its own schema URI, `meta`); returns
/// its id and displayName.
async fn create_group(cx: &Cx, what: &str) -> Result<(String, String), Failure> {
    let name = cx.unique(what);
    let body = json!({
        "schemas": [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "externalId": uuid::Uuid::new_v4().hyphenated().to_string(),
        "displayName": name,
        "meta": {"resourceType": "Group"}
    });
    let (_, id) = cx.create("Groups", &body).await?;
    Ok((id, name))
}

/// POST a group with Entra's schema URIs: `201`.
pub(crate) async fn group_create(cx: &Cx) -> Result<(), Failure> {
    create_group(cx, "entra-group").await.map(drop)
}

/// A group with members `a`, `b`, `c` added one PATCH each, with `op`
/// (`Add` as the default job sends it; `add` where another check sets up).
async fn group_of_three(cx: &Cx, what: &str, op: &str) -> Result<(String, [String; 3]), Failure> {
    let (g, _) = create_group(cx, what).await?;
    let mut ids = Vec::new();
    for m in ["a", "b", "c"] {
        let (id, _) = create_user(cx, &format!("{what}-{m}")).await?;
        cx.patch(
            &format!("/Groups/{g}"),
            json!([{"op": op, "path": "members", "value": [{"$ref": null, "value": id}]}]),
        )
        .await?;
        ids.push(id);
    }
    let [a, b, c] = <[String; 3]>::try_from(ids).map_err(|_| Failure::new("three members"))?;
    Ok((g, [a, b, c]))
}

/// One `Add` PATCH per member, and again for one already there: exactly the
/// three members.
pub(crate) async fn add_member(cx: &Cx) -> Result<(), Failure> {
    let (g, [a, b, c]) = group_of_three(cx, "add", "Add").await?;
    let path = format!("/Groups/{g}");
    cx.patch(
        &path,
        json!([{"op": "Add", "path": "members", "value": [{"value": c}]}]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    let mut want = vec![a, b, c];
    want.sort();
    ensure(member_ids(&got.json) == want, || {
        got.fail(format!(
            "exactly the members {want:?}, the re-added one once"
        ))
    })
}

/// Default job: `Remove` on `members` with a `value` list removes only the
/// listed member.
pub(crate) async fn remove_member(cx: &Cx) -> Result<(), Failure> {
    let (g, [a, b, c]) = group_of_three(cx, "rm", "add").await?;
    let path = format!("/Groups/{g}");
    cx.patch(
        &path,
        json!([{"op": "Remove", "path": "members", "value": [{"value": b}]}]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    let mut want = vec![a, c];
    want.sort();
    ensure(member_ids(&got.json) == want, || {
        got.fail(format!("exactly the members {want:?}: only {b} removed"))
    })
}

/// `aadOptscim062020`: `remove` with `members[value eq "…"]`.
pub(crate) async fn remove_member_filter(cx: &Cx) -> Result<(), Failure> {
    let (g, [a, b, c]) = group_of_three(cx, "rmf", "add").await?;
    let path = format!("/Groups/{g}");
    cx.patch(
        &path,
        json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    let mut want = vec![b, c];
    want.sort();
    ensure(member_ids(&got.json) == want, || {
        got.fail(format!("exactly the members {want:?}: only {a} removed"))
    })
}

/// `excludedAttributes=members` on a lookup by `displayName` and by id
/// returns no `members` (Entra fails with MultipleEntriesInResponse).
pub(crate) async fn exclude_members(cx: &Cx) -> Result<(), Failure> {
    let (g, name) = create_group(cx, "excl").await?;
    let (u, _) = create_user(cx, "excl-member").await?;
    cx.patch(
        &format!("/Groups/{g}"),
        json!([{"op": "add", "path": "members", "value": [{"value": u}]}]),
    )
    .await?;
    let (ex, found) = cx
        .list(&format!(
            "/Groups?excludedAttributes=members&filter={}",
            form(&format!("displayName eq \"{name}\""))
        ))
        .await?;
    ensure(
        found.len() == 1 && found[0]["id"] == g.as_str() && found[0].get("members").is_none(),
        || ex.fail(format!("exactly the group {g}, without \"members\"")),
    )?;
    let ex = cx
        .get_ok(format!("/Groups/{g}?excludedAttributes=members"))
        .await?;
    ensure(ex.json.get("members").is_none(), || {
        ex.fail("the group without \"members\"")
    })
}
