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
    scimkit_conformance::http::run(serve).await;
}

/// Nested at the base path, the engine still sees the full path.
#[tokio::test]
async fn nested_router_sees_the_full_path() {
    let service =
        scimkit_conformance::http::service(scimkit_conformance::http::main_config()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().nest("/scim/v2", scimkit_axum::router(service));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/scim/v2/ResourceTypes/User"))
        .bearer_auth(scimkit_conformance::http::TOKEN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// A body that fails while being read (a client that went away) is `400`,
/// not `413`: only a body over the limit is "too large".
#[tokio::test]
async fn a_failing_body_is_400_and_an_oversized_one_413() {
    use tower::ServiceExt;

    let service =
        scimkit_conformance::http::service(scimkit_conformance::http::main_config()).await;
    let limit = service.config().max_body_size;
    let app = scimkit_axum::router(service);
    let failing = futures_util::stream::iter(vec![
        Ok(bytes::Bytes::from_static(b"{\"schemas\":")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "gone",
        )),
    ]);
    let oversized = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; limit])),
        Ok(bytes::Bytes::from_static(b" ")),
    ]);
    let cases = [
        (axum::body::Body::from_stream(failing), 400),
        (axum::body::Body::from_stream(oversized), 413),
    ];
    for (body, want) in cases {
        let req = http::Request::post("/scim/v2/Users")
            .header("authorization", "Bearer conformance-token-a")
            .header("content-type", "application/scim+json")
            .body(body)
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), want);
        assert_eq!(resp.headers()["content-type"], "application/scim+json");
    }
}
