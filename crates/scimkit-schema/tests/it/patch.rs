//! PATCH application (RFC 7644 §3.5.2), as data: each file under
//! `tests/data/patch/` is a list of cases run by [`check`].
//!
//! A case names a resource type, a fixture resource (from `fixtures.json`) or
//! an inline one, a profile (`strict`, `interoperable` (default), `entra`,
//! `okta`) and either one request or `steps`, a sequence of requests against
//! the same resource. A request is `operations` (wrapped in a PatchOp) or a
//! whole `body`; it expects either `error` (a `scimType`; the resource must then
//! be unchanged, byte for byte) or `expect` (JSON pointers to values, `null`
//! meaning absent) and optionally `changed`, `members_added`, `members_removed`.

use serde_json::{Map, Value, json};

use scimkit_schema::messages::PatchOp;
use scimkit_schema::{Profile, Registry, Resource, patch};

mod budgets;
mod cases;

fn fixtures() -> Map<String, Value> {
    let text = std::fs::read_to_string(data("fixtures.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn data(name: &str) -> String {
    format!("{}/tests/data/patch/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs every case of `tests/data/patch/<file>`; fails listing each case that failed.
pub(crate) fn check(file: &str) {
    let text = std::fs::read_to_string(data(file)).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let fixtures = fixtures();
    let registry = Registry::core();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        if let Err(e) = run_case(case, &fixtures, &registry) {
            failures.push(format!("{file}: {name}: {e}"));
        }
    }
    assert!(cases.len() > 1, "{file} has no cases");
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

fn run_case(
    case: &Value,
    fixtures: &Map<String, Value>,
    registry: &Registry,
) -> Result<(), String> {
    let rs = registry
        .resource_type(case["type"].as_str().unwrap_or("User"))
        .ok_or("unknown type")?;
    let profile: Profile = case["profile"]
        .as_str()
        .unwrap_or("interoperable")
        .parse()
        .map_err(|e: String| e)?;
    let compat = profile.compat();
    let resource = match &case["resource"] {
        Value::String(name) => fixtures.get(name).ok_or("unknown fixture")?.clone(),
        Value::Null => fixtures["user"].clone(),
        other => other.clone(),
    };
    let mut resource = Resource::from_value(resource).map_err(|e| e.to_string())?;
    let steps: Vec<&Value> = match case.get("steps") {
        Some(Value::Array(s)) => s.iter().collect(),
        _ => vec![case],
    };
    for (i, step) in steps.iter().enumerate() {
        let body = match step.get("body") {
            Some(b) => b.clone(),
            None => json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": step["operations"],
            }),
        };
        let before = serde_json::to_string(&resource).unwrap();
        let result =
            PatchOp::from_value(body).and_then(|p| patch::apply(&mut resource, &p, rs, &compat));
        let at = format!("step {i}");
        match (result, step.get("error").and_then(Value::as_str)) {
            (Ok(_), Some(want)) => {
                return Err(format!(
                    "{at}: expected {want}, got success: {}",
                    serde_json::to_string(&resource).unwrap()
                ));
            }
            (Err(e), None) => return Err(format!("{at}: unexpected error {e}")),
            (Err(e), Some(want)) => {
                let got = e.scim_type.as_ref().map_or("", |t| t.as_str());
                if got != want {
                    return Err(format!("{at}: expected {want}, got {e}"));
                }
                if e.status != 400 {
                    return Err(format!("{at}: status {} for {e}", e.status));
                }
                let after = serde_json::to_string(&resource).unwrap();
                if after != before {
                    return Err(format!(
                        "{at}: failed request changed the resource:\n{before}\n{after}"
                    ));
                }
                if let Some(detail) = step.get("detail_contains").and_then(Value::as_str)
                    && !e.detail.contains(detail)
                {
                    return Err(format!("{at}: detail {:?} lacks {detail:?}", e.detail));
                }
            }
            (Ok(outcome), None) => {
                let value = serde_json::to_value(&resource).unwrap();
                if let Some(Value::Object(expect)) = step.get("expect") {
                    for (pointer, want) in expect {
                        let got = value.pointer(pointer).unwrap_or(&Value::Null);
                        if got != want {
                            return Err(format!(
                                "{at}: {pointer} is {got}, expected {want}; resource {value}"
                            ));
                        }
                    }
                }
                if let Some(want) = step.get("changed") {
                    let want: Vec<String> = serde_json::from_value(want.clone()).unwrap();
                    if outcome.changed_attributes != want || outcome.changed == want.is_empty() {
                        return Err(format!(
                            "{at}: changed {:?} ({}), expected {want:?}",
                            outcome.changed_attributes, outcome.changed
                        ));
                    }
                }
                for (key, got) in [
                    ("members_added", &outcome.members_added),
                    ("members_removed", &outcome.members_removed),
                ] {
                    if let Some(want) = step.get(key) {
                        let want: Vec<String> = serde_json::from_value(want.clone()).unwrap();
                        if got != &want {
                            return Err(format!("{at}: {key} {got:?}, expected {want:?}"));
                        }
                    }
                }
                if let Some(Value::String(want)) = step.get("equals") {
                    let want = fixtures.get(want).ok_or("unknown fixture")?;
                    if &value != want {
                        return Err(format!("{at}: resource {value}\nexpected {want}"));
                    }
                }
            }
        }
    }
    Ok(())
}

/// A PATCH value filter naming a `returned: never` attribute or
/// sub-attribute is `400 invalidPath` (every error in a PATCH path is,
/// RFC 7644 §3.5.2 Table 9), before any value is looked at: whether a
/// filter finds a target must not reveal a secret. The corner extension of
/// the filter tests has `keys` (`kid`, secret `secret`).
#[test]
fn value_filters_refuse_secrets() {
    let mut registry = Registry::core();
    let schema: Value =
        serde_json::from_str(include_str!("../data/eval/corner_schema.json")).unwrap();
    registry.add_schema_json(&schema).unwrap();
    let corner = "urn:example:params:scim:schemas:extension:corner:2.0:User";
    registry.add_extension("User", corner, false).unwrap();
    let rs = registry.resource_type("User").unwrap();
    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", corner],
        "id": "1", "userName": "u",
        corner: {"keys": [{"kid": "k1", "secret": "s3cret"}]}
    });
    for profile in [
        Profile::Strict,
        Profile::Interoperable,
        Profile::Entra,
        Profile::Okta,
    ] {
        let compat = profile.compat();
        for (op, path, value) in [
            ("remove", r#"keys[secret sw "s"]"#, None),
            (
                "remove",
                r#"keys[kid eq "k1" and not (secret sw "x")]"#,
                None,
            ),
            (
                "replace",
                r#"keys[secret eq "s3cret"].kid"#,
                Some(json!("k2")),
            ),
            ("add", r#"keys[secret pr].kid"#, Some(json!("k2"))),
        ] {
            let mut resource = Resource::from_value(user.clone()).unwrap();
            let mut o = json!({"op": op, "path": path});
            if let Some(v) = value {
                o["value"] = v;
            }
            let body = json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [o]
            });
            let err = PatchOp::from_value(body)
                .and_then(|p| patch::apply(&mut resource, &p, rs, &compat))
                .unwrap_err();
            assert_eq!(err.status, 400, "{profile:?} {path}");
            assert_eq!(
                err.scim_type.as_ref().map(|t| t.as_str()),
                Some("invalidPath"),
                "{profile:?} {path}: {err}"
            );
            assert!(err.detail.contains("never returned"), "{path}: {err}");
            assert!(err.detail.contains("keys"), "{path}: {err}");
        }
        // The non-secret sibling still selects.
        let mut resource = Resource::from_value(user.clone()).unwrap();
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "remove", "path": "keys[kid eq \"k1\"]"}]
        });
        let p = PatchOp::from_value(body).unwrap();
        assert!(
            patch::apply(&mut resource, &p, rs, &compat)
                .unwrap()
                .changed
        );
    }
}
