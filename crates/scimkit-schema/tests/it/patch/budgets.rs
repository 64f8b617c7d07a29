//! PATCH budgets (operations per request, values per operation) at their
//! edges, and large PATCHes that only finish in linear time.

use serde_json::{Value, json};

use scimkit_schema::messages::PatchOp;
use scimkit_schema::patch::{
    self, DEFAULT_MAX_PATCH_OPERATIONS, DEFAULT_MAX_PATCH_VALUES_PER_OPERATION, PatchLimits,
};
use scimkit_schema::{Compat, Registry, Resource, ScimError};

fn body(ops: Value) -> PatchOp {
    PatchOp::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": ops
    }))
    .unwrap()
}

fn group(members: usize) -> Resource {
    let members: Vec<Value> = (0..members)
        .map(|i| json!({"value": format!("m{i}")}))
        .collect();
    let mut g = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                       "id": "g", "displayName": "Big"});
    if !members.is_empty() {
        g["members"] = Value::Array(members);
    }
    Resource::from_value(g).unwrap()
}

fn members(from: usize, to: usize) -> Value {
    Value::Array(
        (from..to)
            .map(|i| json!({"value": format!("m{i}")}))
            .collect(),
    )
}

fn run(resource: &Resource, ops: Value, limits: &PatchLimits) -> Result<Resource, ScimError> {
    let registry = Registry::core();
    let rs = registry.resource_type("Group").unwrap();
    patch::run(resource, &body(ops), rs, &Compat::default(), limits).map(|p| p.resource)
}

fn member_count(r: &Resource) -> usize {
    r.as_map()
        .get("members")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

#[test]
fn defaults() {
    let limits = PatchLimits::default();
    assert_eq!(limits.max_operations, DEFAULT_MAX_PATCH_OPERATIONS);
    assert_eq!(DEFAULT_MAX_PATCH_OPERATIONS, 10_000);
    assert_eq!(
        limits.max_values_per_operation,
        DEFAULT_MAX_PATCH_VALUES_PER_OPERATION
    );
    assert_eq!(DEFAULT_MAX_PATCH_VALUES_PER_OPERATION, 10_000);
}

/// Each case: operations, then `Ok(members after)` or `Err((status,
/// scimType, words in the detail))`, under 3 operations and 4 values per
/// operation.
#[test]
fn budgets_at_the_edge() {
    let limits = PatchLimits::default()
        .with_max_operations(3)
        .with_max_values_per_operation(4);
    let add = |from, to| json!({"op": "add", "path": "members", "value": members(from, to)});
    type Want = Result<usize, (u16, &'static str, &'static [&'static str])>;
    let cases: Vec<(&str, Value, Want)> = vec![
        (
            "3 operations",
            json!([add(0, 1), add(1, 2), add(2, 3)]),
            Ok(3),
        ),
        (
            "4 operations",
            json!([add(0, 1), add(1, 2), add(2, 3), add(3, 4)]),
            Err((413, "", &["4 operations", "at most 3"])),
        ),
        ("4 values", json!([add(0, 4)]), Ok(4)),
        (
            "5 values in the second operation",
            json!([add(0, 1), add(1, 6)]),
            Err((
                400,
                "tooMany",
                &["Operations[1]", "members", "5 values", "at most 4"],
            )),
        ),
        (
            "5 values in a path-less value",
            json!([{"op": "add", "value": {"members": members(0, 5)}}]),
            Err((400, "tooMany", &["Operations[0]", "(no path)", "5 values"])),
        ),
        (
            "5 values in a remove by value list",
            json!([{"op": "remove", "path": "members", "value": members(0, 5)}]),
            Err((400, "tooMany", &["Operations[0]", "5 values"])),
        ),
        (
            "a remove without value is one value",
            json!([{"op": "remove", "path": "members[value eq \"x\"]"}]),
            Err((400, "noTarget", &["no value"])),
        ),
    ];
    for (name, ops, want) in cases {
        let got = run(&group(0), ops, &limits);
        match (got, want) {
            (Ok(r), Ok(n)) => assert_eq!(member_count(&r), n, "{name}"),
            (Err(e), Err((status, scim_type, words))) => {
                assert_eq!(e.status, status, "{name}: {e}");
                assert_eq!(
                    e.scim_type.as_ref().map_or("", |t| t.as_str()),
                    scim_type,
                    "{name}: {e}"
                );
                for w in words {
                    assert!(e.detail.contains(w), "{name}: {:?} lacks {w:?}", e.detail);
                }
            }
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }
}

/// One operation adding 40,000 members (the budget raised): with the
/// quadratic duplicate check this took seconds in release builds and
/// minutes in debug; linear, it is a blink.
#[test]
fn forty_thousand_members_in_one_add() {
    let limits = PatchLimits::default().with_max_values_per_operation(40_000);
    let g = run(
        &group(0),
        json!([{"op": "add", "path": "members", "value": members(0, 40_000)}]),
        &limits,
    )
    .unwrap();
    assert_eq!(member_count(&g), 40_000);
    // Half of them again, plus 20,000 new: duplicates are not added.
    let g = run(
        &g,
        json!([{"op": "add", "path": "members", "value": members(20_000, 60_000)}]),
        &limits,
    )
    .unwrap();
    assert_eq!(member_count(&g), 60_000);
    // Remove 30,000 by value list (Entra ID's form), every other one.
    let every_other: Vec<Value> = (0..60_000)
        .step_by(2)
        .map(|i| json!({"value": format!("M{i}")}))
        .collect();
    let limits = limits.with_max_values_per_operation(60_000);
    let g2 = run(
        &g,
        json!([{"op": "remove", "path": "members", "value": every_other}]),
        &limits,
    )
    .unwrap();
    assert_eq!(member_count(&g2), 30_000);
    assert_eq!(g2.as_map()["members"][0]["value"], "m1");
}

/// 10,000 operations each adding one member: the value set is kept from
/// one operation to the next.
#[test]
fn ten_thousand_single_member_adds() {
    let ops: Vec<Value> = (0..DEFAULT_MAX_PATCH_OPERATIONS)
        .map(|i| json!({"op": "add", "path": "members", "value": [{"value": format!("m{}", i % 9_000)}]}))
        .collect();
    let g = run(&group(0), Value::Array(ops), &PatchLimits::default()).unwrap();
    assert_eq!(member_count(&g), 9_000);
}

/// A large change followed by a failing operation leaves the group exactly
/// as it was (the undo log puts 20,000 removed members back in one pass).
#[test]
fn large_changes_roll_back() {
    let before = group(40_000);
    let odd: Vec<Value> = (0..40_000)
        .filter(|i| i % 2 == 1)
        .map(|i| json!({"value": format!("m{i}")}))
        .collect();
    for ops in [
        json!([{"op": "remove", "path": "members", "value": odd},
               {"op": "replace", "path": "id", "value": "other"}]),
        json!([{"op": "add", "path": "members", "value": members(40_000, 80_000)},
               {"op": "remove", "path": "members[value eq \"m7\"]"},
               {"op": "replace", "path": "id", "value": "other"}]),
    ] {
        let registry = Registry::core();
        let rs = registry.resource_type("Group").unwrap();
        let mut r = before.clone();
        let err = patch::apply(&mut r, &body(ops), rs, &Compat::default()).unwrap_err();
        assert_eq!(err.status, 400);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            serde_json::to_string(&before).unwrap()
        );
    }
}

/// 10,000 operations each removing one member by filter (Okta's form)
/// from a group of 10,001: one index of the members, not 10,000 scans.
#[test]
fn ten_thousand_single_member_removes() {
    let ops: Vec<Value> = (0..DEFAULT_MAX_PATCH_OPERATIONS)
        .map(|i| json!({"op": "remove", "path": format!("members[value eq \"m{i}\"]")}))
        .collect();
    let g = run(&group(10_001), Value::Array(ops), &PatchLimits::default()).unwrap();
    assert_eq!(member_count(&g), 1);
    assert_eq!(g.as_map()["members"][0]["value"], "m10000");
}

/// 10,000 operations each changing one member's `display` by filter: the
/// index of the members by `value` is built once.
#[test]
fn ten_thousand_filtered_replaces() {
    let ops: Vec<Value> = (0..DEFAULT_MAX_PATCH_OPERATIONS)
        .map(|i| {
            json!({"op": "replace", "path": format!("members[value eq \"m{i}\"].display"),
                   "value": format!("M{i}")})
        })
        .collect();
    let g = run(&group(10_000), Value::Array(ops), &PatchLimits::default()).unwrap();
    assert_eq!(g.as_map()["members"][9_999]["display"], "M9999");
}
