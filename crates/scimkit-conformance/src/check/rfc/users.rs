//! Users: create, read, replace, patch, delete, conflicts and projection.

use serde_json::{Value, json};

use super::check_error;
use crate::check::cx::{Cx, USER, ensure, has_schema};
use crate::check::report::Failure;

/// POST `/Users`: `201`, the resource as stored, with `id` and `meta`.
pub(crate) async fn user_create(cx: &Cx) -> Result<(), Failure> {
    let body = cx.user_body("create");
    let (ex, _) = cx.create("Users", &body).await?;
    ensure(ex.json["userName"] == body["userName"], || {
        ex.fail(format!("\"userName\": {}", body["userName"]))
    })?;
    ensure(has_schema(&ex.json, USER), || {
        ex.fail(format!("\"schemas\" naming \"{USER}\""))
    })?;
    ensure(ex.json["meta"]["resourceType"] == "User", || {
        ex.fail("\"meta\": {\"resourceType\": \"User\", …} (RFC 7643 §3.1)")
    })?;
    ensure(ex.json["meta"]["created"].is_string(), || {
        ex.fail("\"meta.created\" (RFC 7643 §3.1)")
    })?;
    Ok(())
}

/// The `Location` header of a `201` names the new resource, as `meta.location`.
pub(crate) async fn location(cx: &Cx) -> Result<(), Failure> {
    let (ex, id) = cx.create("Users", &cx.user_body("location")).await?;
    let loc = ex.header("location").unwrap_or("");
    ensure(loc.ends_with(&format!("/Users/{id}")), || {
        ex.fail(format!(
            "a Location header ending in /Users/{id} (RFC 7644 §3.3: \"SHALL\")"
        ))
    })?;
    ensure(ex.json["meta"]["location"] == loc, || {
        ex.fail("\"meta.location\" equal to the Location header (RFC 7644 §3.1)")
    })?;
    Ok(())
}

/// GET `/Users/{id}` returns what was created.
pub(crate) async fn get(cx: &Cx) -> Result<(), Failure> {
    let (id, body) = cx.create_user("get").await?;
    let ex = cx.get_ok(format!("/Users/{id}")).await?;
    ensure(
        ex.json["id"] == id.as_str()
            && ex.json["userName"] == body["userName"]
            && ex.json["name"]["familyName"] == body["name"]["familyName"],
        || ex.fail(format!("the user {id} as created: {body}")),
    )
}

/// An unknown id is `404` with a SCIM error (RFC 7644 §3.12).
pub(crate) async fn get_missing(cx: &Cx) -> Result<(), Failure> {
    let ex = cx
        .get(format!("/Users/{}", uuid::Uuid::new_v4().simple()))
        .await?;
    ex.status_in(&[404], "an id that names nothing")?;
    check_error(&ex)
}

/// A second user with the same `userName` (other case) is `409 uniqueness`
/// (RFC 7644 §3.3, RFC 7643 §4.1.1: `userName` is case-insensitive).
pub(crate) async fn conflict(cx: &Cx) -> Result<(), Failure> {
    let (_, body) = cx.create_user("conflict").await?;
    let mut dup = body.clone();
    let upper = body["userName"].as_str().unwrap_or("").to_uppercase();
    dup["userName"] = json!(upper);
    dup["externalId"] = json!(format!("{}-dup", body["externalId"].as_str().unwrap_or("")));
    let ex = cx.post("/Users", &dup).await?;
    if let (201, Some(id)) = (ex.status, ex.str_at("/id")) {
        cx.record("Users", id);
    }
    ex.status_in(&[409], "a userName already taken, in another case")?;
    check_error(&ex)?;
    ensure(ex.json["scimType"] == "uniqueness", || {
        ex.fail("\"scimType\": \"uniqueness\"")
    })
}

/// PUT replaces the resource (RFC 7644 §3.5.1).
pub(crate) async fn replace(cx: &Cx) -> Result<(), Failure> {
    let (id, mut body) = cx.create_user("replace").await?;
    body["title"] = json!("Replaced");
    body["name"]["givenName"] = json!("Replaced");
    let ex = cx.put(&format!("/Users/{id}"), &body).await?;
    ex.status_in(&[200], "RFC 7644 §3.5.1: the replaced resource")?;
    let got = cx.get_ok(format!("/Users/{id}")).await?;
    ensure(
        got.json["title"] == "Replaced" && got.json["name"]["givenName"] == "Replaced",
        || got.fail("\"title\": \"Replaced\" and \"name.givenName\": \"Replaced\" after the PUT"),
    )
}

/// PATCH `add`, `replace` and `remove` with paths (RFC 7644 §3.5.2.1-3).
pub(crate) async fn patch(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = cx.create_user("patch").await?;
    cx.patch(
        &format!("/Users/{id}"),
        json!([
            {"op": "add", "path": "title", "value": "Patched"},
            {"op": "replace", "path": "name.givenName", "value": "Patched"},
            {"op": "remove", "path": "displayName"}
        ]),
    )
    .await?;
    let got = cx.get_ok(format!("/Users/{id}")).await?;
    ensure(
        got.json["title"] == "Patched"
            && got.json["name"]["givenName"] == "Patched"
            && matches!(got.json.get("displayName"), None | Some(Value::Null)),
        || {
            got.fail("\"title\": \"Patched\", \"name.givenName\": \"Patched\" and no \"displayName\" after the PATCH")
        },
    )
}

/// DELETE is `204`; the user is gone (`404`) afterwards (RFC 7644 §3.6).
pub(crate) async fn delete(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = cx.create_user("delete").await?;
    let ex = cx.delete(&format!("/Users/{id}")).await?;
    ex.status_in(&[204], "RFC 7644 §3.6: \"204 (No Content)\"")?;
    let ex = cx.get(format!("/Users/{id}")).await?;
    ex.status_in(&[404], "a deleted user is gone")?;
    check_error(&ex)
}

/// `attributes=userName` returns `userName` and `id`, not `name`
/// (RFC 7644 §3.4.2.5; `id` is `returned: always`).
pub(crate) async fn projection_attributes(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = cx.create_user("attributes").await?;
    let ex = cx
        .get_ok(format!("/Users/{id}?attributes=userName"))
        .await?;
    ensure(
        ex.json["id"] == id.as_str()
            && ex.json["userName"].is_string()
            && ex.json.get("name").is_none()
            && ex.json.get("emails").is_none(),
        || ex.fail("\"id\" and \"userName\", and neither \"name\" nor \"emails\""),
    )
}

/// `excludedAttributes=emails` leaves `emails` out (RFC 7644 §3.4.2.5).
pub(crate) async fn projection_excluded(cx: &Cx) -> Result<(), Failure> {
    let (id, _) = cx.create_user("excluded").await?;
    let ex = cx
        .get_ok(format!("/Users/{id}?excludedAttributes=emails"))
        .await?;
    ensure(
        ex.json.get("emails").is_none() && ex.json["userName"].is_string(),
        || ex.fail("the user without \"emails\""),
    )
}
