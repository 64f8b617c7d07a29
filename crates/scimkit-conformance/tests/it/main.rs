//! scimkit-conformance's own tests: the store suite on the memory store, the
//! checker against the real engine (clean, and with one planted fault at a
//! time).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod checker;
mod faults;
mod server;

/// The memory store passes the store suite, run as a store author runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_suite_on_the_memory_store() {
    scimkit_conformance::store::run(|| async { scimkit_service::MemoryStore::new() }).await;
}

/// A store that fails a check makes `run` panic naming the check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_is_named_by_check() {
    use futures_util::FutureExt;
    let outcome = std::panic::AssertUnwindSafe(scimkit_conformance::store::run(|| async {
        server::ForgetfulStore::default()
    }))
    .catch_unwind()
    .await;
    let payload = outcome.expect_err("a store that loses writes fails the suite");
    let text = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(text.contains("store suite:"), "{text}");
    assert!(text.contains("create_get_replace_delete:"), "{text}");
}
