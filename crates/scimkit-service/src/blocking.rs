//! CPU-heavy steps (large PATCHes, password hashing, large bodies) off the
//! async workers.
//!
//! An async worker that computes for tens of milliseconds stalls every other
//! request scheduled on it. [`offload`] runs such a step on tokio's blocking
//! pool when the engine runs inside a tokio runtime (every shipped adapter
//! does), and inline otherwise, so the engine stays usable from any executor.

use scimkit_schema::ScimError;

/// Runs `f` on tokio's blocking pool when called inside a tokio runtime,
/// inline otherwise. A panic in `f` is logged and becomes a `500` SCIM error;
/// it never unwinds into the caller.
pub(crate) async fn offload<T, F>(f: F) -> Result<T, ScimError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle.spawn_blocking(f).await.map_err(|e| {
            tracing::error!(error = %e, "a blocking step failed");
            ScimError::internal("internal server error")
        }),
        Err(_) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| {
            tracing::error!("a blocking step panicked");
            ScimError::internal("internal server error")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::offload;

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn runs_on_the_blocking_pool_inside_tokio() {
        let worker = std::thread::current().id();
        let ran_on = offload(|| std::thread::current().id()).await;
        assert!(matches!(ran_on, Ok(id) if id != worker));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_panic_is_a_500() {
        #[allow(clippy::panic)]
        let r: Result<(), _> = offload(|| panic!("boom")).await;
        assert!(matches!(r, Err(e) if e.status == 500));
    }

    #[test]
    fn runs_inline_outside_a_runtime() {
        let here = std::thread::current().id();
        let r = futures_lite_block_on(offload(move || std::thread::current().id() == here));
        assert!(matches!(r, Ok(true)));
    }

    /// A minimal executor for one future that never waits (offload outside a
    /// runtime completes on its first poll).
    fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }
}
