//! RFC 7644 §3.3 create, §3.4.1 read, §3.5.1 replace, §3.5.2 modify, §3.6
//! delete, §3.11 `/Me`, §3.14 versions; RFC 7643 §3.1 `meta`.

use serde_json::json;

use super::client::Suite;
use super::fixture::{TOKEN_B, TOKEN_ME, group, patch, user};

pub(super) async fn run(s: &Suite) {
    // Create: 201, Location, ETag, meta.
    let mut body = user("bjensen");
    body["id"] = json!("client-chosen");
    body["name"] = json!({"givenName": "Barbara", "familyName": "Jensen"});
    body["externalId"] = json!("ext-bjensen");
    let created = s.req("POST", "/Users").json(body).check(201).await;
    let id = created.id();
    assert_ne!(id, "client-chosen", "id is assigned by the server");
    let loc = s.url(&format!("/Users/{id}"));
    assert_eq!(created.header("location"), Some(loc.as_str()));
    let meta = &created.json["meta"];
    assert_eq!(meta["resourceType"], "User");
    assert_eq!(meta["location"], loc);
    assert_eq!(meta["created"], meta["lastModified"]);
    let etag = created.etag();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(meta["version"], etag);

    // Uniqueness: userName case-insensitively.
    let r = s
        .req("POST", "/Users")
        .json(user("BJENSEN"))
        .check(409)
        .await;
    assert_eq!(r.scim_type(), Some("uniqueness"));

    // Read, If-None-Match.
    let got = s.req("GET", &format!("/Users/{id}")).check(200).await;
    assert_eq!(got.etag(), etag);
    assert_eq!(got.json["userName"], "bjensen");
    let r = s
        .req("GET", &format!("/Users/{id}"))
        .header("If-None-Match", &etag)
        .check(304)
        .await;
    assert_eq!(r.etag(), etag);
    s.req("GET", &format!("/Users/{id}"))
        .header("If-None-Match", "W/\"other\"")
        .check(200)
        .await;
    let r = s
        .req("GET", &format!("/Users/{id}?attributes=userName"))
        .check(200)
        .await;
    assert!(r.json.get("name").is_none() && r.json["userName"] == "bjensen");

    // PUT: readOnly ignored, missing attributes cleared, version moves.
    let mut put = user("bjensen");
    put["id"] = json!("ignored");
    put["meta"] = json!({"created": "2000-01-01T00:00:00Z"});
    put["displayName"] = json!("Babs");
    let replaced = s
        .req("PUT", &format!("/Users/{id}"))
        .header("If-Match", &etag)
        .json(put.clone())
        .check(200)
        .await;
    assert_eq!(replaced.id(), id);
    assert!(
        replaced.json.get("name").is_none(),
        "name cleared: {}",
        replaced.json
    );
    assert!(replaced.json.get("externalId").is_none());
    assert_eq!(replaced.json["displayName"], "Babs");
    assert_eq!(replaced.json["meta"]["created"], meta["created"]);
    let etag2 = replaced.etag();
    assert_ne!(etag2, etag);
    // The same PUT again changes nothing: version kept.
    let same = s
        .req("PUT", &format!("/Users/{id}"))
        .json(put)
        .check(200)
        .await;
    assert_eq!(same.etag(), etag2);
    // A stale If-Match: 412 on PUT, PATCH and DELETE.
    s.req("PUT", &format!("/Users/{id}"))
        .header("If-Match", &etag)
        .json(user("bjensen"))
        .check(412)
        .await;
    let deactivate = patch(json!([{"op": "replace", "path": "active", "value": false}]));
    s.req("PATCH", &format!("/Users/{id}"))
        .header("If-Match", &etag)
        .json(deactivate.clone())
        .check(412)
        .await;
    s.req("DELETE", &format!("/Users/{id}"))
        .header("If-Match", &etag)
        .check(412)
        .await;

    // PATCH: 200 with the resource; lastModified and version move.
    let patched = s
        .req("PATCH", &format!("/Users/{id}"))
        .header("If-Match", &etag2)
        .json(deactivate.clone())
        .check(200)
        .await;
    assert_eq!(patched.json["active"], false);
    let etag3 = patched.etag();
    assert_ne!(etag3, etag2);
    assert_eq!(patched.json["meta"]["version"], etag3);
    // A PATCH that changes nothing keeps version and lastModified.
    let again = s
        .req("PATCH", &format!("/Users/{id}"))
        .json(deactivate)
        .check(200)
        .await;
    assert_eq!(again.etag(), etag3);
    assert_eq!(
        again.json["meta"]["lastModified"],
        patched.json["meta"]["lastModified"]
    );
    // Atomic: a failing operation leaves the resource as it was.
    let bad = patch(json!([
        {"op": "replace", "path": "displayName", "value": "Changed"},
        {"op": "replace", "path": "emails[type eq \"nope\"].value", "value": 5}
    ]));
    s.req("PATCH", &format!("/Users/{id}"))
        .json(bad)
        .check(400)
        .await;
    let now = s.req("GET", &format!("/Users/{id}")).check(200).await;
    assert_eq!(now.json["displayName"], "Babs");
    assert_eq!(now.etag(), etag3);

    // Location from trusted X-Forwarded-* headers.
    let fwd = s
        .req("POST", "/Users")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "scim.example.com")
        .json(user("forwarded"))
        .check(201)
        .await;
    let l = fwd.header("location").unwrap();
    assert!(
        l.starts_with("https://scim.example.com/scim/v2/Users/"),
        "{l}"
    );

    // Groups: any resource type, uniqueness of displayName when configured.
    let g = s
        .req("POST", "/Groups")
        .json(group("Tour Guides"))
        .check(201)
        .await;
    assert_eq!(g.json["meta"]["resourceType"], "Group");
    let r = s
        .req("POST", "/Groups")
        .json(group("tour guides"))
        .check(409)
        .await;
    assert_eq!(r.scim_type(), Some("uniqueness"));
    let gid = g.id();
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));
    let r = s
        .req("PATCH", &format!("/Groups/{gid}"))
        .json(add.clone())
        .check(200)
        .await;
    assert_eq!(r.json["members"][0]["value"], id);
    let v = r.etag();
    // Adding the same member again changes nothing.
    let r = s
        .req("PATCH", &format!("/Groups/{gid}"))
        .json(add)
        .check(200)
        .await;
    assert_eq!(r.etag(), v);
    let remove = patch(json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]));
    let r = s
        .req("PATCH", &format!("/Groups/{gid}"))
        .json(remove)
        .check(200)
        .await;
    assert!(
        r.json.get("members").is_none() || r.json["members"] == json!([]),
        "{}",
        r.json
    );

    members_exist(s, &gid).await;

    // /Me for a caller mapped to a resource.
    let me = s.req("GET", "/Me").token(Some(TOKEN_ME)).check(200).await;
    assert_eq!(me.json["userName"], "me");
    let me2 = s
        .req("PATCH", "/Me")
        .token(Some(TOKEN_ME))
        .json(patch(
            json!([{"op": "replace", "path": "displayName", "value": "Myself"}]),
        ))
        .check(200)
        .await;
    assert_eq!(me2.json["displayName"], "Myself");
    let r = s
        .req("POST", "/Me")
        .token(Some(TOKEN_ME))
        .json(user("x"))
        .check(405)
        .await;
    assert!(r.header("allow").is_some());

    // Delete: 204, then 404.
    let r = s
        .req("DELETE", &format!("/Users/{id}"))
        .header("If-Match", &etag3)
        .check(204)
        .await;
    assert_eq!(r.json, serde_json::Value::Null);
    s.req("GET", &format!("/Users/{id}")).check(404).await;
    s.req("DELETE", &format!("/Users/{id}")).check(404).await;
}

/// With `patch_returns_no_content`: PATCH answers 204 with an ETag.
pub(super) async fn run_no_content(s: &Suite) {
    let created = s
        .req("POST", "/Users")
        .json(user("nocontent"))
        .check(201)
        .await;
    let id = created.id();
    let r = s
        .req("PATCH", &format!("/Users/{id}"))
        .json(patch(
            json!([{"op": "replace", "path": "active", "value": false}]),
        ))
        .check(204)
        .await;
    assert_eq!(r.json, serde_json::Value::Null);
    assert_ne!(r.etag(), created.etag());
    let got = s.req("GET", &format!("/Users/{id}")).check(200).await;
    assert_eq!(got.json["active"], false);
    assert_eq!(got.etag(), r.etag());
}

/// With `patch_no_content_for(["Group"])`: group PATCHes (the member fast
/// path and a general one) answer 204 with the new ETag; user PATCHes still
/// answer 200 with the user.
pub(super) async fn run_no_content_groups(s: &Suite) {
    let u = s
        .req("POST", "/Users")
        .json(user("nc-member"))
        .check(201)
        .await;
    let uid = u.id();
    let g = s
        .req("POST", "/Groups")
        .json(group("NC Group"))
        .check(201)
        .await;
    let gid = g.id();
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}]));
    let r = s
        .req("PATCH", &format!("/Groups/{gid}"))
        .json(add)
        .check(204)
        .await;
    assert_eq!(r.json, serde_json::Value::Null);
    assert_ne!(r.etag(), g.etag());
    let got = s.req("GET", &format!("/Groups/{gid}")).check(200).await;
    assert_eq!(got.json["members"][0]["value"], uid);
    assert_eq!(got.etag(), r.etag());
    let rename = patch(json!([{"op": "replace", "path": "displayName", "value": "NC Renamed"}]));
    let r2 = s
        .req("PATCH", &format!("/Groups/{gid}"))
        .json(rename)
        .check(204)
        .await;
    assert_ne!(r2.etag(), r.etag());
    let got = s.req("GET", &format!("/Groups/{gid}")).check(200).await;
    assert_eq!(got.json["displayName"], "NC Renamed");
    let r = s
        .req("PATCH", &format!("/Users/{uid}"))
        .json(patch(
            json!([{"op": "replace", "path": "active", "value": false}]),
        ))
        .check(200)
        .await;
    assert_eq!(r.json["active"], false);
}

/// Members must be Users or Groups of the caller's tenant (RFC 7643 §4.2),
/// on POST, PUT, and both PATCH paths; deleting a member takes it out of
/// its groups, with a new group version.
async fn members_exist(s: &Suite, gid: &str) {
    let other = s
        .req("POST", "/Users")
        .token(Some(TOKEN_B))
        .json(user("other-tenant-member"))
        .check(201)
        .await
        .id();
    let item = format!("/Groups/{gid}");
    for bad in ["no-such-user", other.as_str()] {
        let member = json!([{"value": bad}]);
        let mut body = group("Bad Members");
        body["members"] = member.clone();
        let fast = patch(json!([{"op": "add", "path": "members", "value": member}]));
        let general = patch(json!([
            {"op": "add", "path": "members", "value": member},
            {"op": "replace", "path": "externalId", "value": "x"}
        ]));
        let mut put = group("Tour Guides");
        put["members"] = member.clone();
        for (method, path, body) in [
            ("POST", "/Groups", body),
            ("PATCH", item.as_str(), fast),
            ("PATCH", item.as_str(), general),
            ("PUT", item.as_str(), put),
        ] {
            let r = s.req(method, path).json(body).check(400).await;
            assert_eq!(r.scim_type(), Some("invalidValue"), "{method} {bad}");
            let detail = r.json["detail"].as_str().unwrap_or_default();
            assert!(detail.contains(bad), "{method}: {detail}");
        }
    }
    // A real member; then deleting it empties the group and bumps its version.
    let u = s
        .req("POST", "/Users")
        .json(user("short-lived-member"))
        .check(201)
        .await
        .id();
    let g = s
        .req("PATCH", &item)
        .json(patch(
            json!([{"op": "add", "path": "members", "value": [{"value": u}]}]),
        ))
        .check(200)
        .await;
    assert_eq!(g.json["members"][0]["value"], u);
    s.req("DELETE", &format!("/Users/{u}")).check(204).await;
    let after = s.req("GET", &item).check(200).await;
    let listed = after.json["members"]
        .as_array()
        .is_some_and(|m| m.iter().any(|m| m["value"] == u));
    assert!(!listed, "{}", after.json);
    assert_ne!(after.etag(), g.etag(), "the group's version changed");
}
