//! The conformance suite over real sockets, through the axum adapter and
//! `scimkit_axum::serve`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use scimkit_service::ScimService;

mod raw;
mod serve;

async fn serve(service: ScimService) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().merge(scimkit_axum::router(service));
    tokio::spawn(async move { scimkit_axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    scimkit_service::conformance::run(serve).await;
}

/// Nested at the base path, the engine still sees the full path.
#[tokio::test]
async fn nested_router_sees_the_full_path() {
    let service =
        scimkit_service::conformance::service(scimkit_service::conformance::main_config()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().nest("/scim/v2", scimkit_axum::router(service));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/scim/v2/ResourceTypes/User"))
        .bearer_auth(scimkit_service::conformance::TOKEN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
