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
    scimkit_service::conformance::run(serve).await;
}
