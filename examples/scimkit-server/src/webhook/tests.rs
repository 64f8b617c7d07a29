//! Delivery against the in-memory feed and a receiver on 127.0.0.1: the
//! retry loop, `failing` and recovery, order, signatures and the saved
//! cursor, without a database. (The binary's end-to-end tests do the same
//! on SQLite with restarts.)

#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use clap::Parser as _;
use scimkit_server::standard_webhooks::{DEFAULT_TOLERANCE, Signed, WebhookSecret};
use scimkit_service::{ChangeFeed, MemoryStore, ScimService, StaticTokens, TenantId};
use serde_json::{Value, json};

use super::endpoint::{Endpoint, Status, consumer_name};

#[derive(Default)]
struct Got {
    up: bool,
    bodies: Vec<(String, Value, bool)>,
    secret: Option<WebhookSecret>,
}

async fn receive(
    State(got): State<Arc<Mutex<Got>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut g = got.lock().unwrap();
    let ok = match (&g.secret, Signed::from_headers(&headers)) {
        (Some(s), Ok(signed)) => s
            .verify(
                &signed,
                &body,
                chrono::Utc::now().timestamp(),
                DEFAULT_TOLERANCE,
            )
            .is_ok(),
        _ => false,
    };
    let id = headers["webhook-id"].to_str().unwrap().to_owned();
    if !g.up {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    g.bodies
        .push((id, serde_json::from_slice(&body).unwrap(), ok));
    StatusCode::NO_CONTENT
}

async fn call(s: &ScimService, method: &str, uri: &str, body: Value) -> Value {
    let req = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer t")
        .header("content-type", "application/scim+json")
        .body(Bytes::from(body.to_string()))
        .unwrap();
    let resp = s.handle(req).await;
    serde_json::from_slice(resp.body()).unwrap_or(Value::Null)
}

async fn wait(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..1200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("gave up waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_retried_in_order_until_accepted() {
    let store = Arc::new(MemoryStore::new());
    let feed: Arc<dyn ChangeFeed> = store.clone();
    let scim = ScimService::builder()
        .shared_store(store.clone())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
        .build()
        .unwrap();

    let got = Arc::new(Mutex::new(Got::default()));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let cli = crate::cli::Cli::try_parse_from([
        "scimkit-server",
        "--webhook-backoff-base",
        "20ms",
        "--webhook-backoff-cap",
        "50ms",
        "--webhook-failing-after",
        "2",
        "--webhook-rescan",
        "50ms",
    ])
    .unwrap();
    let args = &cli.global.webhooks;
    let tenant = TenantId::default().to_string();
    let (id, secret) = super::add(feed.as_ref(), args, &tenant, &url)
        .await
        .unwrap();
    got.lock().unwrap().secret = Some(WebhookSecret::parse(&secret).unwrap());
    // An application's own consumer, which has read nothing.
    feed.save_consumer(&scimkit_service::Consumer::new("app-worker"))
        .await
        .unwrap();
    let metrics = crate::metrics::Metrics::new();
    let deliveries = super::start(feed.clone(), args, Some(metrics.clone()))
        .unwrap()
        .unwrap();
    let backlog = |n: usize| {
        let text = metrics.render();
        text.contains(&format!(
            "scim_webhook_backlog{{name=\"{}\"}} {n}\n",
            consumer_name(&id)
        ))
    };

    let mut users = Vec::new();
    for n in 0..3 {
        let u = call(
            &scim,
            "POST",
            "/scim/v2/Users",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("u{n}")}),
        )
        .await;
        users.push(u["id"].as_str().unwrap_or_else(|| panic!("{u}")).to_owned());
    }
    let state = || {
        let c = futures_util::FutureExt::now_or_never(feed.consumer(&consumer_name(&id)))
            .unwrap()
            .unwrap()
            .unwrap();
        (
            c.cursor.clone(),
            Endpoint::from_data(&c.data).unwrap().state,
        )
    };
    wait("failing", || state().1.status == Status::Failing).await;
    // The receiver is down: /metrics shows the three undelivered records.
    wait("backlog 3", || backlog(3)).await;
    assert!(
        metrics
            .render()
            .contains("scim_feed_backlog{name=\"app-worker\"} 3\n"),
        "{}",
        metrics.render()
    );
    assert!(state().1.last_error.unwrap().contains("503"));
    assert_eq!(
        state().0,
        None,
        "the cursor moved past an undelivered record"
    );

    got.lock().unwrap().up = true;
    wait("three deliveries", || got.lock().unwrap().bodies.len() >= 3).await;
    wait("recovered", || state().1.status == Status::Ok).await;
    let bodies = got.lock().unwrap().bodies.clone();
    let ids: Vec<&str> = bodies.iter().map(|b| b.1["id"].as_str().unwrap()).collect();
    assert_eq!(ids, users.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(bodies.iter().all(|b| b.2), "a signature did not verify");
    assert!(
        bodies
            .iter()
            .all(|b| b.0 == format!("msg_{}", b.1["cursor"].as_str().unwrap()))
    );
    let last = bodies.last().unwrap().1["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    wait("the cursor saved", || {
        state().0.map(|c| c.as_str().to_owned()) == Some(last.clone())
    })
    .await;
    assert_eq!(state().1.failures, 0);
    wait("backlog 0", || backlog(0)).await;

    // Removed: the task stops, nothing more is sent.
    assert!(super::remove(feed.as_ref(), &id).await.unwrap());
    tokio::time::sleep(Duration::from_millis(200)).await;
    call(
        &scim,
        "POST",
        "/scim/v2/Users",
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "late"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(got.lock().unwrap().bodies.len(), 3);
    assert!(feed.consumer(&consumer_name(&id)).await.unwrap().is_none());
    deliveries.shutdown().await;
}
