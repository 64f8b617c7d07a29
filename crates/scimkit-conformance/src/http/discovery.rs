//! RFC 7644 §4 and RFC 7643 §5–§7: the discovery endpoints.

use super::client::Suite;

pub(super) async fn run(s: &Suite) {
    let spc = s.req("GET", "/ServiceProviderConfig").check(200).await;
    let j = &spc.json;
    assert_eq!(
        j["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    );
    assert_eq!(j["patch"]["supported"], true);
    assert_eq!(j["bulk"]["supported"], true);
    assert_eq!(j["bulk"]["maxOperations"], 5);
    assert_eq!(j["bulk"]["maxPayloadSize"], 32 * 1024);
    assert_eq!(j["filter"]["maxResults"], 10);
    assert_eq!(j["etag"]["supported"], true);
    assert_eq!(j["sort"]["supported"], true);
    assert_eq!(j["authenticationSchemes"][0]["type"], "oauthbearertoken");
    assert_eq!(j["meta"]["resourceType"], "ServiceProviderConfig");
    assert_eq!(j["meta"]["location"], s.url("/ServiceProviderConfig"));

    let schemas = s.req("GET", "/Schemas").check(200).await;
    assert_eq!(
        schemas.json["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    let n = schemas.resources().len();
    assert!(n >= 3, "User, Group, EnterpriseUser");
    assert_eq!(schemas.json["totalResults"], n);
    let user_schema = schemas
        .resources()
        .iter()
        .find(|r| r["id"] == "urn:ietf:params:scim:schemas:core:2.0:User")
        .expect("User schema listed");
    assert_eq!(user_schema["meta"]["resourceType"], "Schema");
    assert_eq!(
        user_schema["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:Schema"
    );

    let user = s
        .req("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .check(200)
        .await;
    let user_name = user.json["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .expect("userName");
    assert_eq!(user_name["uniqueness"], "server");
    assert_eq!(
        user.json["meta"]["location"],
        s.url("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
    );
    // configured: group displayName unique
    let group = s
        .req(
            "GET",
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
        )
        .check(200)
        .await;
    let dn = group.json["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "displayName")
        .expect("displayName");
    assert_eq!(dn["uniqueness"], "server");
    s.req("GET", "/Schemas/urn:example:nope").check(404).await;

    let rts = s.req("GET", "/ResourceTypes").check(200).await;
    assert_eq!(rts.json["totalResults"], 2);
    let names = rts.listed("name");
    assert_eq!(names, ["User", "Group"]);
    let rt = s.req("GET", "/ResourceTypes/User").check(200).await;
    assert_eq!(rt.json["endpoint"], "/Users");
    assert_eq!(
        rt.json["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
    );
    assert_eq!(rt.json["meta"]["resourceType"], "ResourceType");
    assert_eq!(rt.json["meta"]["location"], s.url("/ResourceTypes/User"));
    assert_eq!(
        rt.json["schemaExtensions"][0]["schema"],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    );
    s.req("GET", "/ResourceTypes/Widget").check(404).await;

    // Writes to discovery endpoints: 405 with Allow.
    for (m, p) in [
        ("POST", "/ServiceProviderConfig"),
        ("PUT", "/Schemas"),
        ("DELETE", "/ResourceTypes/User"),
        (
            "PATCH",
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        ),
    ] {
        let r = s.req(m, p).json(serde_json::json!({})).check(405).await;
        assert_eq!(r.header("allow"), Some("GET"), "{m} {p}");
    }
    // A filter on discovery is 403 (RFC 7644 §4).
    s.req("GET", "/ResourceTypes?filter=name%20eq%20%22User%22")
        .check(403)
        .await;
}
