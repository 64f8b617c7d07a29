//! U+0000 is refused everywhere through `ScimService::handle` (MemoryStore),
//! in every profile: in resource bodies (POST, PUT, PATCH results, the
//! membership fast path included) as `400 invalidValue` naming the
//! attribute, and in filter comparison values as `400 invalidFilter`.

use scimkit_schema::Profile;
use scimkit_service::{Config, MemoryStore, ScimService, StaticTokens, TenantId};
use serde_json::{Value, json};

const U: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const G: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

async fn send(s: &ScimService, method: &str, uri: &str, body: Option<&Value>) -> (u16, Value) {
    crate::support::call(s, method, uri, body).await
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[tokio::test]
async fn nul_is_refused_everywhere() {
    for profile in [
        Profile::Strict,
        Profile::Interoperable,
        Profile::Entra,
        Profile::Okta,
    ] {
        let s = ScimService::builder()
            .store(MemoryStore::new())
            .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
            .config(Config::default().with_profile(profile))
            .build()
            .unwrap();
        let (_, user) = send(
            &s,
            "POST",
            "/scim/v2/Users",
            Some(&json!({"schemas": [U], "userName": "b"})),
        )
        .await;
        let uid = user["id"].as_str().unwrap().to_owned();
        let (_, group) = send(
            &s,
            "POST",
            "/scim/v2/Groups",
            Some(&json!({"schemas": [G], "displayName": "g"})),
        )
        .await;
        let gid = group["id"].as_str().unwrap().to_owned();
        let users = "/scim/v2/Users".to_owned();
        let user_uri = format!("/scim/v2/Users/{uid}");
        let group_uri = format!("/scim/v2/Groups/{gid}");
        let cases: Vec<(&str, &String, Value, &str)> = vec![
            (
                "POST",
                &users,
                json!({"schemas": [U], "userName": "x\u{0}"}),
                "userName",
            ),
            (
                "POST",
                &users,
                json!({"schemas": [U], "userName": "y", "emails": [{"value": "\u{0}@x"}]}),
                "emails[0].value",
            ),
            (
                "PUT",
                &user_uri,
                json!({"schemas": [U], "userName": "b", "title": "\u{0}"}),
                "title",
            ),
            (
                "PATCH",
                &user_uri,
                patch(json!([{"op": "replace", "path": "displayName", "value": "a\u{0}"}])),
                "displayName",
            ),
            (
                "PATCH",
                &user_uri,
                patch(json!([{"op": "replace", "value": {"nickName": "\u{0}"}}])),
                "nickName",
            ),
            (
                "PATCH",
                &group_uri,
                patch(json!([{"op": "add", "path": "members", "value": [{"value": "m\u{0}"}]}])),
                "members[0].value",
            ),
        ];
        for (method, uri, body, attr) in cases {
            let (status, got) = send(&s, method, uri, Some(&body)).await;
            let at = format!("{profile:?} {method} {uri} {body}");
            assert_eq!(status, 400, "{at}: {got}");
            assert_eq!(got["scimType"], "invalidValue", "{at}: {got}");
            let detail = got["detail"].as_str().unwrap_or("");
            assert!(
                detail.contains(attr) && detail.contains("U+0000"),
                "{at}: {got}"
            );
        }
        // Nothing was stored.
        let (_, list) = send(&s, "GET", "/scim/v2/Users", None).await;
        assert_eq!(list["totalResults"], 1, "{profile:?}: {list}");
        let (_, g) = send(&s, "GET", &group_uri, None).await;
        assert!(g.get("members").is_none(), "{profile:?}: {g}");
        // Filters.
        let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                            "filter": "userName eq \"b\\u0000\""});
        for (method, uri, body) in [
            (
                "GET",
                "/scim/v2/Users?filter=userName%20eq%20%22b%5Cu0000%22".to_owned(),
                None,
            ),
            ("POST", "/scim/v2/Users/.search".to_owned(), Some(&search)),
            ("POST", "/scim/v2/.search".to_owned(), Some(&search)),
        ] {
            let (status, got) = send(&s, method, &uri, body).await;
            assert_eq!(status, 400, "{profile:?} {uri}: {got}");
            assert_eq!(got["scimType"], "invalidFilter", "{profile:?} {uri}: {got}");
            assert!(
                got["detail"].as_str().unwrap_or("").contains("U+0000"),
                "{got}"
            );
        }
    }
}
