//! `scimkit patch apply`: each case is a resource, a PATCH body, flags, the
//! expected standard output (a JSON value) and exit code, behind one `check()`.

use std::process::Command;

use serde_json::{Value, json};

fn check(name: &str, resource: &Value, body: &Value, flags: &[&str], want: &Value, code: i32) {
    let dir = std::env::temp_dir().join(format!("scimkit-cli-patch-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (r, p) = (dir.join("resource.json"), dir.join("patch.json"));
    std::fs::write(&r, resource.to_string()).unwrap();
    std::fs::write(&p, body.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scimkit"))
        .args(["patch", "apply", "--resource"])
        .arg(&r)
        .arg("--patch")
        .arg(&p)
        .args(flags)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let got: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{name}: stdout is not JSON ({e}): {stdout}"));
    assert_eq!(&got, want, "{name}");
    assert_eq!(out.status.code(), Some(code), "{name}");
    if code == 0 {
        assert!(
            stdout.contains("\n  \""),
            "{name}: not pretty-printed: {stdout}"
        );
    }
}

fn body(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[test]
fn patch_apply() {
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                      "id": "1", "userName": "bjensen", "active": true});
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                       "id": "g", "displayName": "Tour Guides", "members": [{"value": "1"}, {"value": "2"}]});
    let entra_disable = body(json!([{"op": "Replace", "path": "active", "value": "False"}]));
    let mut disabled = user.clone();
    disabled["active"] = json!(false);
    let err = |scim_type: &str, detail: &str| {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400",
               "scimType": scim_type, "detail": detail})
    };
    check("entra_default", &user, &entra_disable, &[], &disabled, 0);
    check(
        "entra_profile",
        &user,
        &entra_disable,
        &["--profile", "entra"],
        &disabled,
        0,
    );
    check(
        "strict_rejects_Replace",
        &user,
        &entra_disable,
        &["--profile", "strict"],
        &err(
            "invalidSyntax",
            "unknown PATCH op \"Replace\"; expected add, remove or replace (operation names are lower case)",
        ),
        1,
    );
    check(
        "okta_rejects_False",
        &user,
        &entra_disable,
        &["--profile", "okta"],
        &err(
            "invalidValue",
            "active must be of type boolean, not a string",
        ),
        1,
    );
    check(
        "group_member_remove",
        &group,
        &body(json!([{"op": "remove", "path": "members[value eq \"1\"]"}])),
        &[],
        &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "id": "g", "displayName": "Tour Guides", "members": [{"value": "2"}]}),
        0,
    );
    check(
        "no_target",
        &group,
        &body(json!([{"op": "remove", "path": "members[value eq \"9\"]"}])),
        &[],
        &err(
            "noTarget",
            "members[value eq \"9\"]: no value of members matches the filter",
        ),
        1,
    );
    check(
        "missing_schema_uri",
        &user,
        &json!({"Operations": [{"op": "add", "path": "nickName", "value": "B"}]}),
        &[],
        &err(
            "invalidSyntax",
            "a PATCH request must list urn:ietf:params:scim:api:messages:2.0:PatchOp in schemas",
        ),
        1,
    );
    check(
        "unknown_resource_type",
        &json!({"schemas": ["urn:example:Thing"], "id": "1"}),
        &entra_disable,
        &[],
        &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400",
                "scimType": "invalidSyntax", "detail": "the resource's schemas name no known resource type (User, Group)"}),
        1,
    );
}

#[test]
fn patch_apply_help_explains_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_scimkit"))
        .args(["patch", "apply", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--resource <FILE>",
        "--patch <FILE>",
        "--profile <PROFILE>",
        "--profile strict",
        "Examples:",
    ] {
        assert!(help.contains(needle), "help lacks {needle}:\n{help}");
    }
    assert_eq!(out.status.code(), Some(0));
}
