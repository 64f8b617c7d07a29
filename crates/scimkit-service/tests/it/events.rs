//! Provisioning events after each committed change.

use std::sync::Arc;

use bytes::Bytes;
use scimkit_service::{EventKind, MemoryStore, ScimService, StaticTokens, TenantId, VecSink};
use serde_json::{Value, json};

async fn send(s: &ScimService, method: &str, uri: &str, body: Value) -> Value {
    let req = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer t")
        .body(if body.is_null() {
            Bytes::new()
        } else {
            Bytes::from(body.to_string())
        })
        .unwrap();
    let resp = s.handle(req).await;
    assert!(
        resp.status().is_success(),
        "{method} {uri}: {:?}",
        resp.body()
    );
    serde_json::from_slice(resp.body()).unwrap_or(Value::Null)
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[tokio::test]
async fn events_follow_changes() {
    let sink = Arc::new(VecSink::new());
    let s = ScimService::builder()
        .store(MemoryStore::new())
        .authenticator(StaticTokens::new().with_token(TenantId::new("acme"), "t"))
        .events(sink.clone())
        .build()
        .unwrap();
    let u = send(&s, "POST", "/scim/v2/Users", json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ev", "active": true
    }))
    .await;
    let id = u["id"].as_str().unwrap().to_owned();
    let user = format!("/scim/v2/Users/{id}");
    let off = patch(json!([{"op": "replace", "path": "active", "value": false}]));
    send(&s, "PATCH", &user, off.clone()).await;
    send(&s, "PATCH", &user, off).await; // no change: no event
    send(
        &s,
        "PATCH",
        &user,
        patch(json!([{"op": "replace", "path": "active", "value": true}])),
    )
    .await;
    let g = send(
        &s,
        "POST",
        "/scim/v2/Groups",
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G"
        }),
    )
    .await;
    let group = format!("/scim/v2/Groups/{}", g["id"].as_str().unwrap());
    send(
        &s,
        "PATCH",
        &group,
        patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}])),
    )
    .await;
    send(
        &s,
        "PATCH",
        &group,
        patch(json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}])),
    )
    .await;
    send(&s, "DELETE", &user, Value::Null).await;

    let events = sink.take();
    let kinds: Vec<(String, EventKind)> = events
        .iter()
        .map(|e| (e.resource_type.clone(), e.kind.clone()))
        .collect();
    let want = vec![
        ("User".to_owned(), EventKind::Created),
        (
            "User".to_owned(),
            EventKind::Deactivated {
                changed_attributes: vec!["active".into()],
            },
        ),
        (
            "User".to_owned(),
            EventKind::Reactivated {
                changed_attributes: vec!["active".into()],
            },
        ),
        ("Group".to_owned(), EventKind::Created),
        (
            "Group".to_owned(),
            EventKind::MembersAdded {
                members: vec![id.clone()],
            },
        ),
        (
            "Group".to_owned(),
            EventKind::MembersRemoved {
                members: vec![id.clone()],
            },
        ),
        ("User".to_owned(), EventKind::Deleted),
    ];
    assert_eq!(kinds, want);
    assert!(events.iter().all(|e| e.tenant == TenantId::new("acme")));
    assert_eq!(events.last().unwrap().version, None);
}
