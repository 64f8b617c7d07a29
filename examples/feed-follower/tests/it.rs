//! The follower against a real SQLite database written through the SCIM
//! engine: a deactivated user's sessions are gone; after a restart the
//! follower resumes from its saved cursor, re-revokes nothing and misses
//! nothing that happened while it was down.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use bytes::Bytes;
use feed_follower::{Follower, Sessions};
use scimkit_service::{ChangeFeed, ScimService, StaticTokens, TenantId};
use scimkit_sql::{SqlStore, SqliteOptions};
use serde_json::{Value, json};

const TOKEN: &str = "token";

async fn call(s: &ScimService, method: &str, uri: &str, body: Option<Value>) -> (u16, Value) {
    let mut b = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {TOKEN}"));
    if body.is_some() {
        b = b.header("content-type", "application/scim+json");
    }
    let body = body.map(|v| Bytes::from(v.to_string())).unwrap_or_default();
    let resp = s.handle(b.body(body).unwrap()).await;
    let json = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
    (resp.status().as_u16(), json)
}

async fn create(s: &ScimService, name: &str) -> String {
    let (status, body) = call(
        s,
        "POST",
        "/scim/v2/Users",
        Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn deactivate(s: &ScimService, id: &str) {
    let (status, body) = call(
        s,
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        Some(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": false}],
        })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn open(path: &std::path::Path) -> (SqlStore, ScimService) {
    let store = SqlStore::sqlite(SqliteOptions::file(path)).await.unwrap();
    let service = ScimService::builder()
        .store(store.clone())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), TOKEN))
        .build()
        .unwrap();
    (store, service)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivated_and_deleted_users_lose_their_sessions_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let sessions = Arc::new(Sessions::new());

    let (store, scim) = open(&path).await;
    let alice = create(&scim, "alice").await;
    let bob = create(&scim, "bob").await;
    let carol = create(&scim, "carol").await;
    for (u, s) in [(&alice, "a1"), (&alice, "a2"), (&bob, "b1"), (&carol, "c1")] {
        sessions.open(u, s);
    }

    // Running: alice is deactivated, her sessions go.
    let feed: Arc<dyn ChangeFeed> = Arc::new(store.clone());
    let follower = Follower::new(feed.clone(), "sessions", sessions.clone());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = {
        let follower = Follower::new(feed.clone(), "sessions", sessions.clone());
        tokio::spawn(async move {
            follower
                .run(async {
                    let _ = stop_rx.await;
                })
                .await
        })
    };
    deactivate(&scim, &alice).await;
    for _ in 0..600 {
        if sessions.of(&alice).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(sessions.of(&alice).is_empty(), "alice still signed in");
    assert_eq!(sessions.of(&bob), ["b1"]);
    stop_tx.send(()).unwrap();
    running.await.unwrap().unwrap();
    drop(follower);

    // Down: bob is deactivated and carol deleted, and the database closes
    // (the app restarts).
    deactivate(&scim, &bob).await;
    let (status, _) = call(&scim, "DELETE", &format!("/scim/v2/Users/{carol}"), None).await;
    assert_eq!(status, 204);
    drop(scim);
    store.close().await;

    // Restart: it resumes after alice's records (no second revocation of
    // her, even though she signs in again), and catches bob and carol.
    sessions.open(&alice, "a3");
    let (store, _scim) = open(&path).await;
    let follower = Follower::new(Arc::new(store.clone()), "sessions", sessions.clone());
    let handled = follower.catch_up().await.unwrap();
    assert_eq!(handled, 2, "only what happened while it was down");
    assert!(sessions.of(&bob).is_empty(), "bob still signed in");
    assert!(sessions.of(&carol).is_empty(), "carol still signed in");
    assert_eq!(sessions.of(&alice), ["a3"], "alice revoked again");
    assert_eq!(sessions.revocations(), [alice, bob, carol]);
    assert_eq!(follower.catch_up().await.unwrap(), 0);
    store.close().await;
}
