//! Entra ID's user requests: create, matching, the PATCH dialects, soft delete.

use serde_json::{Value, json};

use super::create_user;
use crate::check::cx::{Cx, ENTERPRISE, ensure, form};
use crate::check::report::Failure;

/// POST with the default mappings (`meta`, `roles: []`, the enterprise
/// extension): `201` with the values kept.
pub(crate) async fn user_create(cx: &Cx) -> Result<(), Failure> {
    let body = super::user_body(cx, "entra");
    let (ex, _) = cx.create("Users", &body).await?;
    ensure(
        ex.json["userName"] == body["userName"]
            && ex.json["externalId"] == body["externalId"]
            && ex.json[ENTERPRISE]["department"] == "Retail",
        || ex.fail("the user with its userName, externalId and enterprise department"),
    )
}

/// Finds exactly `id` with a form-encoded `filter`.
async fn find_one(cx: &Cx, filter: &str, id: &str) -> Result<(), Failure> {
    let (ex, found) = cx.list(&format!("/Users?filter={}", form(filter))).await?;
    ensure(
        ex.json["totalResults"] == 1 && found.len() == 1 && found[0]["id"] == id,
        || {
            ex.fail(format!(
                "exactly the user {id}: Entra matches on the one result"
            ))
        },
    )
}

/// Matching by `userName` (the default matching attribute).
pub(crate) async fn match_user_name(cx: &Cx) -> Result<(), Failure> {
    let (id, body) = create_user(cx, "match-un").await?;
    let name = body["userName"].as_str().unwrap_or("");
    find_one(cx, &format!("userName eq \"{name}\""), &id).await
}

/// Matching by `externalId` (the second matching attribute; case-exact).
pub(crate) async fn match_external_id(cx: &Cx) -> Result<(), Failure> {
    let (id, body) = create_user(cx, "match-ext").await?;
    let ext = body["externalId"].as_str().unwrap_or("");
    find_one(cx, &format!("externalId eq \"{ext}\""), &id).await
}

/// Matching by `emails[type eq "work"].value` (a mapped attribute).
pub(crate) async fn match_email(cx: &Cx) -> Result<(), Failure> {
    let (id, body) = create_user(cx, "match-mail").await?;
    let mail = body["emails"][0]["value"].as_str().unwrap_or("");
    find_one(
        cx,
        &format!("emails[type eq \"work\"].value eq \"{mail}\""),
        &id,
    )
    .await
}

/// The default job's capitalised ops: `Replace`, `Add`.
pub(crate) async fn capitalised_ops(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = create_user(cx, "ops").await?;
    let path = format!("/Users/{id}");
    cx.patch(
        &path,
        json!([
            {"op": "Replace", "path": "displayName", "value": "Check Renamed"},
            {"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "Sales"},
            {"op": "Add", "path": "title", "value": "Store Manager"}
        ]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    ensure(
        got.json["displayName"] == "Check Renamed"
            && got.json["title"] == "Store Manager"
            && got.json[ENTERPRISE]["department"] == "Sales",
        || got.fail("displayName, title and department as the PATCH set them"),
    )
}

/// `"active": "False"` / `"True"` (strings, default job): stored and
/// returned as booleans.
pub(crate) async fn active_string(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = create_user(cx, "active").await?;
    let path = format!("/Users/{id}");
    for (sent, want) in [("False", false), ("True", true)] {
        cx.patch(
            &path,
            json!([{"op": "Replace", "path": "active", "value": sent}]),
        )
        .await?;
        let got = cx.get_ok(path.clone()).await?;
        ensure(got.json["active"] == Value::Bool(want), || {
            got.fail(format!("\"active\": {want} (a boolean) after \"{sent}\""))
        })?;
    }
    Ok(())
}

/// `aadOptscim062020`: a path-less `replace` whose keys are attribute paths.
pub(crate) async fn path_less_replace(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = create_user(cx, "pathless").await?;
    let path = format!("/Users/{id}");
    cx.patch(
        &path,
        json!([{"op": "replace", "value": {
            "displayName": "Check Pathless",
            "name.givenName": "Pathless",
            format!("{ENTERPRISE}:department"): "Finance",
            "active": false
        }}]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    ensure(
        got.json["displayName"] == "Check Pathless"
            && got.json["name"]["givenName"] == "Pathless"
            && got.json[ENTERPRISE]["department"] == "Finance",
        || got.fail("displayName, name.givenName and department as the path-less replace set them"),
    )
}

/// `Add` on `addresses[type eq "work"].country` for a user without
/// addresses creates the work address.
pub(crate) async fn address_filter(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = create_user(cx, "address").await?;
    let path = format!("/Users/{id}");
    cx.patch(
        &path,
        json!([{"op": "Add", "path": "addresses[type eq \"work\"].country", "value": "DE"}]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    let ok = got.json["addresses"].as_array().is_some_and(|a| {
        a.iter()
            .any(|x| x["type"] == "work" && x["country"] == "DE")
    });
    ensure(ok, || {
        got.fail("\"addresses\": [{\"type\": \"work\", \"country\": \"DE\"}]")
    })
}

/// The manager set by id as a bare string.
pub(crate) async fn manager_string(cx: &Cx) -> Result<(), Failure> {
    let (manager, _) = create_user(cx, "manager").await?;
    let (id, _) = create_user(cx, "report").await?;
    let path = format!("/Users/{id}");
    cx.patch(
        &path,
        json!([{"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": manager}]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    ensure(
        got.json[ENTERPRISE]["manager"]["value"] == manager.as_str(),
        || got.fail(format!("\"manager\": {{\"value\": \"{manager}\"}}")),
    )
}

/// Soft delete: a disabled user is still found by id and by `userName`.
pub(crate) async fn soft_delete(cx: &Cx) -> Result<(), Failure> {
    let (id, body) = create_user(cx, "soft").await?;
    let path = format!("/Users/{id}");
    cx.patch(
        &path,
        json!([{"op": "replace", "path": "active", "value": false}]),
    )
    .await?;
    cx.get_ok(path).await?;
    let name = body["userName"].as_str().unwrap_or("");
    find_one(cx, &format!("userName eq \"{name}\""), &id).await
}
