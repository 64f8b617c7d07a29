//! The conformance suite over real sockets, through the actix-web adapter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use actix_web::{App, HttpServer};
use scimkit_service::ScimService;

/// Serves `service` on its own actix system thread; returns the origin.
async fn serve(service: ScimService) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let cfg = service.config();
            let path = if cfg.tenant_urls {
                format!("/tenants/{{tenant}}{}", cfg.base_path)
            } else {
                cfg.base_path.clone()
            };
            let server = HttpServer::new(move || {
                App::new().service(scimkit_actix::scope(&path, service.clone()))
            })
            .workers(2)
            .bind(("127.0.0.1", 0))
            .unwrap();
            tx.send(server.addrs()[0]).unwrap();
            server.run().await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    scimkit_conformance::http::run(serve).await;
}

/// Issue 11: an unauthenticated client that sends the head of a
/// 1,000,000-byte POST and no body gets `401` at once; the body is never read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unauthenticated_head_gets_401_without_the_body() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let config = scimkit_conformance::http::main_config().with_max_body_size(2_000_000);
    let origin = serve(scimkit_conformance::http::service(config).await).await;
    let addr = origin.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Type: application/scim+json\r\n\
          Content-Length: 1000000\r\n\r\n",
    )
    .await
    .unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(2), s.read(&mut buf))
        .await
        .expect("no response to a bodiless head")
        .unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
}
