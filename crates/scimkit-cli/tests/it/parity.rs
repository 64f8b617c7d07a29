//! `scimkit patch apply` answers what the server answers: one table of
//! PATCH requests, each run through the CLI and through
//! `ScimService::handle` (on a `MemoryStore`, under the same profile), whose
//! outcomes must be identical: the same SCIM error (status, `scimType`,
//! detail), or the same resource (`meta` aside, which the server refreshes).

use std::process::Command;

use bytes::Bytes;
use scimkit_schema::Profile;
use scimkit_service::{Config, MemoryStore, ScimService, StaticTokens, TenantId};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

struct Case {
    name: &'static str,
    profile: &'static str,
    resource: Value,
    operations: Value,
    /// The expected outcome: a status (`200` or an error's).
    status: u16,
}

async fn send(s: &ScimService, method: &str, uri: &str, body: &Value) -> (u16, Value) {
    let req = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer t")
        .header("content-type", "application/scim+json")
        .body(Bytes::from(body.to_string()))
        .unwrap();
    let resp = s.handle(req).await;
    let json = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
    (resp.status().as_u16(), json)
}

fn cli(name: &str, resource: &Value, body: &Value, profile: &str) -> (i32, Value) {
    let dir =
        std::env::temp_dir().join(format!("scimkit-cli-parity-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (r, p) = (dir.join("resource.json"), dir.join("patch.json"));
    std::fs::write(&r, resource.to_string()).unwrap();
    std::fs::write(&p, body.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scimkit"))
        .args(["patch", "apply", "--profile", profile, "--resource"])
        .arg(&r)
        .arg("--patch")
        .arg(&p)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let got = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{name}: stdout is not JSON ({e}): {stdout}"));
    (out.status.code().unwrap_or(-1), got)
}

fn without_meta(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("meta");
    }
    v
}

async fn check(case: &Case) {
    let profile: Profile = case.profile.parse().unwrap();
    let s = ScimService::builder()
        .store(MemoryStore::new())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
        .config(Config::default().with_profile(profile))
        .build()
        .unwrap();
    let endpoint = if case.resource["schemas"][0] == GROUP {
        "Groups"
    } else {
        "Users"
    };
    let (status, stored) = send(&s, "POST", &format!("/scim/v2/{endpoint}"), &case.resource).await;
    assert_eq!(status, 201, "{}: {stored}", case.name);
    let id = stored["id"].as_str().unwrap();
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": case.operations,
    });
    let (status, server) = send(&s, "PATCH", &format!("/scim/v2/{endpoint}/{id}"), &body).await;
    let (code, local) = cli(case.name, &stored, &body, case.profile);
    assert_eq!(status, case.status, "{}: server said {server}", case.name);
    if status == 200 {
        assert_eq!(code, 0, "{}: the CLI said {local}", case.name);
        assert_eq!(
            without_meta(local),
            without_meta(server),
            "{}: different resources",
            case.name
        );
    } else {
        assert_eq!(code, 1, "{}: the CLI said {local}", case.name);
        assert_eq!(local, server, "{}: different errors", case.name);
    }
}

#[tokio::test]
async fn cli_and_server_answer_alike() {
    let user = json!({"schemas": [USER], "userName": "bjensen", "active": true,
                      "emails": [{"value": "b@example.com", "type": "work", "primary": true}]});
    let ent_user = json!({"schemas": [USER, ENT], "userName": "bjensen",
                          ENT: {"employeeNumber": "1"}});
    let group = json!({"schemas": [GROUP], "displayName": "Tour Guides"});
    let many_ops: Vec<Value> = (0..10_001)
        .map(|i| json!({"op": "add", "path": "nickName", "value": format!("n{i}")}))
        .collect();
    let many_values: Vec<Value> = (0..10_001)
        .map(|i| json!({"value": format!("u{i}@example.com")}))
        .collect();
    let cases = [
        Case {
            name: "remove_required_userName",
            profile: "interoperable",
            resource: user.clone(),
            operations: json!([{"op": "remove", "path": "userName"}]),
            status: 400,
        },
        Case {
            name: "remove_required_userName_strict",
            profile: "strict",
            resource: user.clone(),
            operations: json!([{"op": "remove", "path": "userName"}]),
            status: 400,
        },
        Case {
            name: "entra_disable",
            profile: "entra",
            resource: user.clone(),
            operations: json!([{"op": "Replace", "path": "active", "value": "False"}]),
            status: 200,
        },
        Case {
            name: "strict_rejects_Replace",
            profile: "strict",
            resource: user.clone(),
            operations: json!([{"op": "Replace", "path": "active", "value": false}]),
            status: 400,
        },
        Case {
            name: "readOnly_groups_without_groups",
            profile: "interoperable",
            resource: user.clone(),
            operations: json!([{"op": "replace", "path": "groups.value", "value": "x"}]),
            status: 400,
        },
        Case {
            name: "two_primaries",
            profile: "interoperable",
            resource: user.clone(),
            operations: json!([{"op": "add", "path": "emails",
                                "value": [{"value": "c@example.com", "primary": true}]},
                               {"op": "replace", "path": "emails[value eq \"b@example.com\"].primary",
                                "value": true}]),
            status: 200,
        },
        Case {
            name: "extension_with_schemas_interoperable",
            profile: "interoperable",
            resource: ent_user.clone(),
            operations: json!([{"op": "add", "path": ENT,
                                "value": {"schemas": [ENT], "employeeNumber": "42"}}]),
            status: 200,
        },
        Case {
            name: "extension_with_schemas_strict",
            profile: "strict",
            resource: ent_user.clone(),
            operations: json!([{"op": "replace", "path": ENT,
                                "value": {"schemas": [ENT], "employeeNumber": "42"}}]),
            status: 400,
        },
        Case {
            name: "group_rename",
            profile: "okta",
            resource: group.clone(),
            operations: json!([{"op": "replace", "value": {"displayName": "Guides"}}]),
            status: 200,
        },
        Case {
            name: "group_remove_displayName",
            profile: "okta",
            resource: group.clone(),
            operations: json!([{"op": "remove", "path": "displayName"}]),
            status: 400,
        },
        Case {
            name: "no_change",
            profile: "interoperable",
            resource: user.clone(),
            operations: json!([{"op": "replace", "path": "active", "value": true}]),
            status: 200,
        },
        Case {
            name: "too_many_operations",
            profile: "interoperable",
            resource: user.clone(),
            operations: Value::Array(many_ops),
            status: 413,
        },
        Case {
            name: "too_many_values",
            profile: "interoperable",
            resource: user.clone(),
            operations: json!([{"op": "add", "path": "emails", "value": many_values}]),
            status: 400,
        },
    ];
    for case in &cases {
        check(case).await;
    }
}
