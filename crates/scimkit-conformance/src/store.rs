//! The `ResourceStore` suite: what every store must do (RFC 7643 §3.1 ids and
//! `meta`, RFC 7644 §3.4.2 filters, sorting and paging, §3.14 versions, the
//! uniqueness and membership contract of `scimkit_service::ResourceStore`),
//! written against `&dyn ResourceStore` and run unchanged against the memory
//! store, SQLite, PostgreSQL and yours.
//!
//! Each check works in tenants of its own (random ids), so a store that keeps
//! data between runs (a shared database) is fine. A check fails by panicking
//! (it is a test); [`run`] runs every check, collects the failures and then
//! panics once with the name of each failed check and what it saw.
//!
//! ```no_run
//! # async fn t() {
//! use scimkit_service::MemoryStore;
//!
//! // In your store's tests: a fresh (or reused) store per check.
//! scimkit_conformance::store::run(|| async { MemoryStore::new() }).await;
//! # }
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod concurrency;
mod crud;
mod lists;
mod members;
mod support;

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

use futures_util::FutureExt;
use scimkit_service::ResourceStore;

/// The future of one check on one store.
type CheckFuture<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// One check of the store suite: a name and the function that runs it.
#[derive(Clone, Copy)]
pub struct StoreCheck {
    name: &'static str,
    title: &'static str,
    run: for<'a> fn(&'a dyn ResourceStore) -> CheckFuture<'a>,
}

impl StoreCheck {
    /// The check's name (`uniqueness`, `paging`, …), stable across releases.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What the check holds the store to, in one line.
    pub fn title(&self) -> &'static str {
        self.title
    }

    /// Runs the check on `store`; panics (with what it saw) when the store
    /// fails it.
    pub async fn run(&self, store: &dyn ResourceStore) {
        (self.run)(store).await
    }
}

impl fmt::Debug for StoreCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreCheck")
            .field("name", &self.name)
            .field("title", &self.title)
            .finish()
    }
}

const CHECKS: &[StoreCheck] = &[
    StoreCheck {
        name: "create_get_replace_delete",
        title: "create, get, compare-and-swap replace and delete keep ids, versions and meta",
        run: |s| Box::pin(crud::create_get_replace_delete(s)),
    },
    StoreCheck {
        name: "uniqueness",
        title: "userName is unique per tenant, case-insensitively, also on replace",
        run: |s| Box::pin(crud::uniqueness(s)),
    },
    StoreCheck {
        name: "unique_display_name",
        title: "a Group displayName marked uniqueness: server is unique per tenant",
        run: |s| Box::pin(crud::unique_display_name(s)),
    },
    StoreCheck {
        name: "tenant_isolation",
        title: "no read, write or list crosses tenants",
        run: |s| Box::pin(crud::tenant_isolation(s)),
    },
    StoreCheck {
        name: "filters",
        title: "filters select what the schema-aware evaluator selects",
        run: |s| Box::pin(lists::filters(s)),
    },
    StoreCheck {
        name: "sorting",
        title: "sortBy / sortOrder order as RFC 7644 §3.4.2.3 says, missing values last",
        run: |s| Box::pin(lists::sorting(s)),
    },
    StoreCheck {
        name: "paging",
        title: "startIndex / count pages and totalResults agree (RFC 7644 §3.4.2.4)",
        run: |s| Box::pin(lists::paging(s)),
    },
    StoreCheck {
        name: "membership",
        title: "add_members / remove_members change exactly the listed members",
        run: |s| Box::pin(members::membership(s)),
    },
    StoreCheck {
        name: "concurrent_writers",
        title: "under contention exactly one compare-and-swap wins, every member add lands",
        run: |s| Box::pin(concurrency::concurrent_writers(s)),
    },
    StoreCheck {
        name: "concurrent_creates",
        title: "concurrent creates: duplicates fail alone and leave nothing behind",
        run: |s| Box::pin(concurrency::concurrent_creates(s)),
    },
    StoreCheck {
        name: "missing_ids",
        title: "missing_ids names the ids that are no User or Group of the tenant",
        run: |s| Box::pin(members::missing_ids(s)),
    },
    StoreCheck {
        name: "delete_leaves_groups",
        title: "a deleted user leaves every group it was a member of",
        run: |s| Box::pin(members::delete_leaves_groups(s)),
    },
    StoreCheck {
        name: "many_binds",
        title: "writes with more side rows than one SQL statement binds succeed",
        run: |s| Box::pin(members::many_binds(s)),
    },
];

/// Every check of the suite, in the order [`run`] runs them.
pub fn checks() -> &'static [StoreCheck] {
    CHECKS
}

/// Runs every check, each on a store from `open` (called once per check, so
/// it may open a fresh store or hand out the same one), and panics at the
/// end if any failed, naming each failed check and what it saw.
pub async fn run<F, Fut, S>(mut open: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = S>,
    S: ResourceStore,
{
    let mut failed = Vec::new();
    for check in CHECKS {
        let store = open().await;
        let outcome = AssertUnwindSafe(check.run(&store)).catch_unwind().await;
        if let Err(payload) = outcome {
            failed.push(format!("{}: {}", check.name, panic_message(&*payload)));
        }
    }
    if !failed.is_empty() {
        panic!(
            "store suite: {} of {} checks failed:\n  {}",
            failed.len(),
            CHECKS.len(),
            failed.join("\n  ")
        );
    }
}

/// The text of a panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panicked".to_owned()
    }
}
