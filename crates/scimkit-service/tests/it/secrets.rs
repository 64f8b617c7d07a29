//! Secrets (`returned: never`, e.g. `password`) are never filterable or
//! sortable, in any profile and through every way a list is asked for:
//! `GET /{type}`, `POST /{type}/.search` and `POST /.search`.

use scimkit_schema::Profile;
use scimkit_service::{Config, MemoryStore, ScimService};
use serde_json::{Value, json};

const PROFILES: [Profile; 4] = [
    Profile::Strict,
    Profile::Interoperable,
    Profile::Entra,
    Profile::Okta,
];

fn service(profile: Profile) -> ScimService {
    crate::support::service(MemoryStore::new(), Config::default().with_profile(profile))
}

async fn send(s: &ScimService, method: &str, uri: &str, body: Option<Value>) -> (u16, Value) {
    crate::support::call(s, method, uri, body.as_ref()).await
}

fn enc(s: &str) -> String {
    s.replace('%', "%25")
        .replace(' ', "%20")
        .replace('"', "%22")
        .replace('[', "%5B")
        .replace(']', "%5D")
        .replace('(', "%28")
        .replace(')', "%29")
}

/// Each filter and each `sortBy` naming the password, through each list
/// entry point, in each profile: `400` with the right `scimType`, and a
/// detail naming the attribute.
#[tokio::test]
async fn password_is_not_filterable_or_sortable() {
    let filters = [
        r#"password sw "h""#,
        r#"password eq "hunter2""#,
        "password pr",
        r#"not (password sw "h")"#,
        r#"userName eq "bjensen" and password co "u""#,
        r#"password[value eq "hunter2"]"#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:password gt "a""#,
    ];
    for profile in PROFILES {
        let s = service(profile);
        let user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "bjensen", "password": "hunter2"
        });
        let (status, body) = send(&s, "POST", "/scim/v2/Users", Some(user)).await;
        assert_eq!(status, 201, "{profile:?}: {body}");
        let mut requests: Vec<(String, String, Option<Value>, &str)> = Vec::new();
        for f in filters {
            requests.push((
                "GET".into(),
                format!("/scim/v2/Users?filter={}", enc(f)),
                None,
                "invalidFilter",
            ));
            for at in ["/scim/v2/Users/.search", "/scim/v2/.search"] {
                let search = json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                    "filter": f
                });
                requests.push(("POST".into(), at.into(), Some(search), "invalidFilter"));
            }
        }
        for sort_by in ["password", "PASSWORD"] {
            requests.push((
                "GET".into(),
                format!("/scim/v2/Users?sortBy={sort_by}"),
                None,
                "invalidValue",
            ));
            for at in ["/scim/v2/Users/.search", "/scim/v2/.search"] {
                let search = json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                    "sortBy": sort_by
                });
                requests.push(("POST".into(), at.into(), Some(search), "invalidValue"));
            }
        }
        for (method, uri, body, scim_type) in requests {
            let (status, got) = send(&s, &method, &uri, body.clone()).await;
            let at = format!("{profile:?} {method} {uri} {body:?}");
            assert_eq!(status, 400, "{at}: {got}");
            assert_eq!(got["scimType"], scim_type, "{at}: {got}");
            let detail = got["detail"].as_str().unwrap_or_default().to_lowercase();
            assert!(detail.contains("password"), "{at}: {got}");
            assert!(detail.contains("never returned"), "{at}: {got}");
        }
        // Other attributes still filter and sort.
        let (status, got) = send(
            &s,
            "GET",
            &format!(
                "/scim/v2/Users?filter={}&sortBy=userName",
                enc(r#"userName sw "b""#)
            ),
            None,
        )
        .await;
        assert_eq!((status, &got["totalResults"]), (200, &json!(1)), "{got}");
    }
}
