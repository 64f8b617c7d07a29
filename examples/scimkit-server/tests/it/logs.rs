//! The server's log never holds a credential: with `--log-bodies`, planted
//! passwords (in bodies, PATCH operations, Bulk data), credential headers and
//! `access_token`-like query parameters are redacted, while the rest of the
//! request is logged; audit lines summarise member lists.

use serde_json::{Value, json};

use crate::harness::{Db, Server, add_tenant};

const MEMBERS: usize = 12;

struct Raw {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Raw {
    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let json = resp.json().await.unwrap_or(Value::Null);
        (status, json)
    }
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_log() {
    let db = Db::sqlite();
    let (tenant, token) = add_tenant(&db, "Contoso");
    let server = Server::start_logging(&db, &["--log-bodies"], "info");
    let c = Raw {
        http: reqwest::Client::new(),
        base: server.tenant_url(&tenant),
        token: token.clone(),
    };
    let credential_headers = [
        ("x-api-key", "PLANTED-APIKEY"),
        ("proxy-authorization", "Basic PLANTED-PROXY"),
        ("cookie", "sid=PLANTED-COOKIE"),
        ("x-custom-token", "PLANTED-HEADER"),
        ("x-visible", "visible-header"),
    ];
    let (st, created) = c
        .send(
            "POST",
            "/Users?access_token=PLANTED-QUERY&visible=visible-param",
            &credential_headers,
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "visible-user",
                "password": "PLANTED-PW-POST",
            })),
        )
        .await;
    assert_eq!(st, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let ops = json!([
        {"op": "replace", "path": "password", "value": "PLANTED-PW-PATCH-PATH"},
        {"op": "Replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:password",
         "value": "PLANTED-PW-PATCH-URN"},
        {"op": "replace", "value": {"PassWord": "PLANTED-PW-PATCH-VALUE", "nickName": "visible-nick"}},
    ]);
    let (st, body) = c
        .send("PATCH", &format!("/Users/{id}"), &[], Some(patch(ops)))
        .await;
    assert_eq!(st, 200, "{body}");
    let bulk = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "b1", "data": {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "visible-bulk-user", "password": "PLANTED-PW-BULK-POST"}},
            {"method": "PATCH", "path": format!("/Users/{id}"), "data": patch(json!([
                {"op": "replace", "path": "password", "value": "PLANTED-PW-BULK-PATCH"}]))},
        ]
    });
    let (st, body) = c.send("POST", "/Bulk", &[], Some(bulk)).await;
    assert_eq!(st, 200, "{body}");
    // A failing request whose error detail echoes the query parameter.
    let (st, body) = c
        .send("GET", "/Users?access_token=PLANTED-ECHO%ZZ", &[], None)
        .await;
    assert_eq!(st, 400, "{body}");

    // A group change of many members: the audit line is a count and a few ids.
    let mut ids = Vec::new();
    for i in 0..MEMBERS {
        let (st, u) = c
            .send(
                "POST",
                "/Users",
                &[],
                Some(
                    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                             "userName": format!("member{i}")}),
                ),
            )
            .await;
        assert_eq!(st, 201);
        ids.push(u["id"].as_str().unwrap().to_owned());
    }
    let (st, g) = c
        .send(
            "POST",
            "/Groups",
            &[],
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                         "displayName": "big"}),
            ),
        )
        .await;
    assert_eq!(st, 201);
    let members: Vec<Value> = ids.iter().map(|m| json!({"value": m})).collect();
    let (st, _) = c
        .send(
            "PATCH",
            &format!("/Groups/{}", g["id"].as_str().unwrap()),
            &[],
            Some(patch(
                json!([{"op": "add", "path": "members", "value": members}]),
            )),
        )
        .await;
    assert_eq!(st, 204);

    let log = server.log();
    for leak in ["PLANTED", &token] {
        let line = log.lines().find(|l| l.contains(leak));
        assert!(
            line.is_none(),
            "{leak} logged: {}",
            line.unwrap_or_default()
        );
    }
    for shown in [
        "visible-user",
        "visible-nick",
        "visible-bulk-user",
        "visible-header",
        "visible=visible-param",
        "access_token=<redacted>",
        "x-api-key: <redacted>",
        "proxy-authorization: <redacted>",
        "\\\"password\\\":\\\"<redacted>\\\"",
    ] {
        assert!(log.contains(shown), "{shown} not in the log:\n{log}");
    }
    let audit = log
        .lines()
        .find(|l| l.contains("provisioning event") && l.contains("members_added"))
        .unwrap_or_else(|| panic!("no membership audit line:\n{log}"));
    assert!(
        audit.contains(&format!("members_added {MEMBERS} [")),
        "{audit}"
    );
    assert!(audit.contains(&ids[0]), "{audit}");
    for hidden in &ids[scimkit_service::DEFAULT_LOGGED_MEMBER_IDS..] {
        assert!(!audit.contains(hidden.as_str()), "{audit}");
    }
}
