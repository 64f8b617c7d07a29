//! PATCH budgets through `ScimService::handle`: operations per request
//! (`413`, as Bulk's `maxOperations`) and values per operation
//! (`400 tooMany`), checked before the resource is even read; large PATCHes
//! run off the async worker and finish.

use std::sync::Arc;

use scimkit_schema::Resource;
use scimkit_service::{
    Config, DEFAULT_PATCH_OFFLOAD_VALUES, MemoryStore, ResourceStore, ScimService, StaticTokens,
    TenantId,
};
use serde_json::{Value, json};

/// How many users every test service holds (members must exist).
const USERS: usize = 20_010;

/// A service whose store holds [`USERS`] users, and their ids in order.
async fn service(config: Config) -> (ScimService, Vec<String>) {
    let store = Arc::new(MemoryStore::new());
    let s = ScimService::builder()
        .shared_store(store.clone())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
        .config(config)
        .build()
        .unwrap();
    let users = s.registry().resource_type("User").unwrap().clone();
    let mut ids = Vec::with_capacity(USERS);
    for i in 0..USERS {
        let r = Resource::from_value(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("u{i}"),
        }))
        .unwrap();
        ids.push(
            store
                .create(&TenantId::default(), &users, r)
                .await
                .unwrap()
                .id,
        );
    }
    (s, ids)
}

async fn send(s: &ScimService, method: &str, uri: &str, body: &Value) -> (u16, Value) {
    crate::support::call(s, method, uri, Some(body)).await
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

fn members(ids: &[String], from: usize, to: usize) -> Value {
    Value::Array(
        ids[from..to]
            .iter()
            .map(|id| json!({"value": id}))
            .collect(),
    )
}

async fn new_group(s: &ScimService) -> String {
    let g = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G"});
    let (status, body) = send(s, "POST", "/scim/v2/Groups", &g).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

#[test]
fn defaults() {
    let c = Config::default();
    assert_eq!(c.patch_max_operations, 10_000);
    assert_eq!(c.patch_max_values_per_operation, 10_000);
    assert_eq!(c.patch_offload_values, DEFAULT_PATCH_OFFLOAD_VALUES);
    assert_eq!(DEFAULT_PATCH_OFFLOAD_VALUES, 1_000);
}

/// Each case: the path (an existing group, or one that does not exist, to
/// show that the budgets come before any store read), operations, and the
/// expected status, `scimType` and words of the detail.
#[tokio::test]
async fn budgets_at_the_edge() {
    let (s, ids) = service(
        Config::default()
            .with_patch_max_operations(2)
            .with_patch_max_values_per_operation(3),
    )
    .await;
    let id = new_group(&s).await;
    let add = |from, to| json!({"op": "add", "path": "members", "value": members(&ids, from, to)});
    let rename = json!({"op": "replace", "path": "displayName", "value": "H"});
    let cases: Vec<(String, Value, u16, &str, &[&str])> = vec![
        (id.clone(), json!([add(0, 3), rename.clone()]), 200, "", &[]),
        (
            id.clone(),
            json!([add(0, 1), add(1, 2), rename.clone()]),
            413,
            "",
            &["3 operations", "at most 2"],
        ),
        (
            "missing".into(),
            json!([rename.clone(), rename.clone(), rename.clone()]),
            413,
            "",
            &["3 operations"],
        ),
        // Member-only PATCHes take the store's membership fast path: budgets first.
        (
            id.clone(),
            json!([add(0, 4)]),
            400,
            "tooMany",
            &["Operations[0]", "members", "4 values", "at most 3"],
        ),
        (
            "missing".into(),
            json!([rename.clone(), add(0, 4)]),
            400,
            "tooMany",
            &["Operations[1]"],
        ),
        ("missing".into(), json!([add(0, 3)]), 404, "", &[]),
    ];
    for (id, ops, status, scim_type, words) in cases {
        let (got, body) = send(&s, "PATCH", &format!("/scim/v2/Groups/{id}"), &patch(ops)).await;
        assert_eq!(got, status, "{id}: {body}");
        if status >= 400 {
            assert_eq!(body["status"], status.to_string(), "{body}");
            assert_eq!(
                body["schemas"][0],
                "urn:ietf:params:scim:api:messages:2.0:Error"
            );
            assert_eq!(body["scimType"].as_str().unwrap_or(""), scim_type, "{body}");
            let detail = body["detail"].as_str().unwrap_or("");
            for w in words {
                assert!(detail.contains(w), "{detail:?} lacks {w:?}");
            }
        }
    }
}

/// Above the offload threshold the PATCH runs on the blocking pool (inside
/// a runtime with one worker) and gives the same answers: a change, and
/// a validation error.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn large_patches_are_offloaded_and_answer_alike() {
    for offload in [0, usize::MAX] {
        let (s, ids) = service(
            Config::default()
                .with_patch_offload_values(offload)
                .with_patch_max_values_per_operation(20_000),
        )
        .await;
        let id = new_group(&s).await;
        let ops = json!([{"op": "add", "path": "members", "value": members(&ids, 0, 20_000)},
                         {"op": "replace", "path": "displayName", "value": "Big"}]);
        let (status, body) = send(&s, "PATCH", &format!("/scim/v2/Groups/{id}"), &patch(ops)).await;
        assert_eq!(status, 200, "offload {offload}");
        assert_eq!(body["members"].as_array().map(Vec::len), Some(20_000));
        let ops = json!([{"op": "add", "path": "members", "value": members(&ids, 20_000, 20_010)},
                         {"op": "remove", "path": "displayName"}]);
        let (status, body) = send(&s, "PATCH", &format!("/scim/v2/Groups/{id}"), &patch(ops)).await;
        assert_eq!(status, 400, "offload {offload}: {body}");
        assert_eq!(body["scimType"], "invalidValue", "{body}");
    }
}

/// The membership fast path (`ResourceStore::add_members` /
/// `remove_members`, default implementations) is linear too: 10,000
/// members added to a group of 10,000 (in 10,000 operations), then 10,000
/// removed by value list.
#[tokio::test]
async fn membership_fast_path_at_the_budget() {
    let (s, ids) = service(Config::default()).await;
    let id = new_group(&s).await;
    let uri = format!("/scim/v2/Groups/{id}");
    let (status, _) = send(
        &s,
        "PATCH",
        &uri,
        &patch(json!([{"op": "add", "path": "members", "value": members(&ids, 0, 10_000)}])),
    )
    .await;
    assert_eq!(status, 200);
    let ops: Vec<Value> = (10_000..20_000)
        .map(|i| json!({"op": "add", "path": "members", "value": [{"value": ids[i]}]}))
        .collect();
    let (status, body) = send(&s, "PATCH", &uri, &patch(Value::Array(ops))).await;
    assert_eq!(status, 200);
    assert_eq!(body["members"].as_array().map(Vec::len), Some(20_000));
    let ops = json!([{"op": "remove", "path": "members", "value": members(&ids, 5_000, 15_000)}]);
    let (status, body) = send(&s, "PATCH", &uri, &patch(ops)).await;
    assert_eq!(status, 200);
    assert_eq!(body["members"].as_array().map(Vec::len), Some(10_000));
}
