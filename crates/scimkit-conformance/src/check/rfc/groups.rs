//! Groups and membership, ETags (RFC 7644 §3.14) and Bulk (§3.7).

use serde_json::json;

use crate::check::cx::{Cx, GROUP, USER, ensure, member_ids};
use crate::check::report::Failure;

/// POST `/Groups` with a member: `201`, and the member is listed.
pub(crate) async fn group_create(cx: &Cx) -> Result<(), Failure> {
    let (user, _) = cx.create_user("member").await?;
    let name = cx.unique("group");
    let body = json!({"schemas": [GROUP], "displayName": name, "members": [{"value": user}]});
    let (_, id) = cx.create("Groups", &body).await?;
    let got = cx.get_ok(format!("/Groups/{id}")).await?;
    ensure(
        got.json["displayName"] == name.as_str() && member_ids(&got.json) == vec![user.clone()],
        || {
            got.fail(format!(
                "\"displayName\": \"{name}\" and exactly the member {user}"
            ))
        },
    )
}

/// PATCH `add` on `members`, and `remove` with `members[value eq "…"]`,
/// change exactly the named members (RFC 7644 §3.5.2.1, §3.5.2.2).
pub(crate) async fn group_members(cx: &Cx) -> Result<(), Failure> {
    let (a, _) = cx.create_user("gm-a").await?;
    let (b, _) = cx.create_user("gm-b").await?;
    let (g, _) = cx.create_group("gm", &[&a]).await?;
    let path = format!("/Groups/{g}");
    cx.patch(
        &path,
        json!([{"op": "add", "path": "members", "value": [{"value": b}]}]),
    )
    .await?;
    let got = cx.get_ok(path.clone()).await?;
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    ensure(member_ids(&got.json) == both, || {
        got.fail(format!("exactly the members {both:?} after adding {b}"))
    })?;
    cx.patch(
        &path,
        json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}]),
    )
    .await?;
    let got = cx.get_ok(path).await?;
    ensure(member_ids(&got.json) == vec![b.clone()], || {
        got.fail(format!("exactly the member {b} after removing {a}"))
    })
}

/// ETags: `ETag` equals `meta.version`; `If-None-Match` with it is `304`; a
/// PUT with a stale `If-Match` is `412` (RFC 7644 §3.14).
pub(crate) async fn etag(cx: &Cx) -> Result<(), Failure> {
    let (id, mut body) = cx.create_user("etag").await?;
    let path = format!("/Users/{id}");
    let ex = cx.get_ok(path.clone()).await?;
    let tag = ex.header("etag").unwrap_or("").to_owned();
    ensure(
        !tag.is_empty() && ex.json["meta"]["version"] == tag.as_str(),
        || ex.fail("an ETag header equal to \"meta.version\""),
    )?;
    let ex = cx
        .send(
            crate::check::client::Req::new(reqwest::Method::GET, path.clone())
                .header("if-none-match", tag.clone()),
        )
        .await?;
    ex.status_in(&[304], "If-None-Match with the current version")?;
    body["title"] = json!("v2");
    let ex = cx.put(&path, &body).await?;
    ex.status_in(&[200], "a PUT without If-Match")?;
    let ex = cx
        .send(
            crate::check::client::Req::new(reqwest::Method::PUT, path)
                .json(&body)
                .header("if-match", tag),
        )
        .await?;
    ex.status_in(&[412], "If-Match with a version that is no longer current")?;
    super::check_error(&ex)
}

/// Bulk: two creates, the second a group naming the first by `bulkId`
/// (RFC 7644 §3.7).
pub(crate) async fn bulk(cx: &Cx) -> Result<(), Failure> {
    let max = cx
        .spc_value("/bulk/maxOperations")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    if max < 2 {
        return Err(Failure::new(format!(
            "\"bulk.maxOperations\" of at least 2 when Bulk is supported (it is {max})"
        )));
    }
    let user = cx.user_name("bulk");
    let group = cx.unique("bulk-group");
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "u1",
             "data": {"schemas": [USER], "userName": user}},
            {"method": "POST", "path": "/Groups", "bulkId": "g1",
             "data": {"schemas": [GROUP], "displayName": group, "members": [{"value": "bulkId:u1"}]}}
        ]
    });
    let ex = cx.post("/Bulk", &body).await?;
    // Record what was created before judging, so cleanup finds it.
    let ops = ex.json["Operations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for op in &ops {
        let loc = op["location"].as_str().unwrap_or("");
        for endpoint in ["Users", "Groups"] {
            if let Some((_, id)) = loc.rsplit_once(&format!("/{endpoint}/")) {
                cx.record(endpoint, id);
            }
        }
    }
    ex.status_in(&[200], "RFC 7644 §3.7.3: a BulkResponse")?;
    let statuses: Vec<String> = ops
        .iter()
        .map(|o| match &o["status"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    ensure(
        statuses == ["201", "201"] && ops.iter().all(|o| o["location"].is_string()),
        || ex.fail("two operations with \"status\": \"201\" and a \"location\" each"),
    )?;
    let group_id = ops[1]["location"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or("");
    let user_id = ops[0]["location"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or("")
        .to_owned();
    let got = cx.get_ok(format!("/Groups/{group_id}")).await?;
    ensure(member_ids(&got.json) == vec![user_id.clone()], || {
        got.fail(format!(
            "the group's member to be the new user {user_id} (bulkId:u1 resolved)"
        ))
    })
}
