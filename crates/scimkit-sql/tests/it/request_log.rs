//! `SqlStore::request_log`: append, list (filters, newest first, paging),
//! prune per tenant, the bounded writer, and survival across a reopen; on
//! SQLite and PostgreSQL.

use scimkit_service::{Switch, Switches};
use scimkit_sql::{RequestLogEntry, RequestLogOptions, RequestLogQuery, SqlStore, SqliteOptions};

use crate::backends;

fn entry(tenant: &str, status: u16, rt: Option<(&str, &str)>, sw: Switches) -> RequestLogEntry {
    let mut e = RequestLogEntry::new(
        tenant,
        "PATCH",
        format!("/tenants/{tenant}/scim/v2/Users"),
        status,
    );
    e.switches = sw;
    e.duration_us = 1234;
    if let Some((t, id)) = rt {
        e.resource_type = Some(t.to_owned());
        e.resource_id = Some(id.to_owned());
    }
    if status >= 400 {
        e.scim_type = Some("invalidValue".into());
        e.detail = Some("active must be a boolean".into());
    }
    e
}

async fn check(store: &SqlStore) {
    let log = store.request_log();
    let t = format!("t{}", uuid::Uuid::new_v4().simple());
    let other = format!("o{}", uuid::Uuid::new_v4().simple());
    let bools = Switches::new()
        .with(Switch::BoolStrings)
        .with(Switch::OpNameAnyCase);
    let mut first = entry(&t, 200, Some(("User", "u1")), bools);
    first.filter = Some("userName eq \"bjensen\"".into());
    first.request_body = Some("{\"password\":\"<redacted>\"}".into());
    log.append(&[
        first,
        entry(&t, 400, Some(("User", "u2")), Switches::EMPTY),
        entry(&t, 201, Some(("Group", "g1")), Switches::EMPTY),
        entry(&other, 500, None, Switches::EMPTY),
    ])
    .await
    .unwrap();

    let page = log.list(&RequestLogQuery::tenant(&t)).await.unwrap();
    assert_eq!(page.entries.len(), 3);
    assert_eq!(page.next, None);
    // Newest first.
    assert_eq!(page.entries[0].resource_id.as_deref(), Some("g1"));
    let oldest = &page.entries[2];
    assert_eq!(oldest.switches, bools);
    assert_eq!(oldest.filter.as_deref(), Some("userName eq \"bjensen\""));
    assert_eq!(oldest.status, 200);
    assert_eq!(oldest.duration_us, 1234);
    assert_eq!(oldest.method, "PATCH");
    assert!(
        oldest
            .request_body
            .as_deref()
            .unwrap()
            .contains("<redacted>")
    );

    let errors = log
        .list(&RequestLogQuery::tenant(&t).status_class(4))
        .await
        .unwrap();
    assert_eq!(errors.entries.len(), 1);
    assert_eq!(errors.entries[0].scim_type.as_deref(), Some("invalidValue"));
    let by_switch = log
        .list(&RequestLogQuery::tenant(&t).switch(Switch::BoolStrings))
        .await
        .unwrap();
    assert_eq!(by_switch.entries.len(), 1);
    let none = log
        .list(&RequestLogQuery::tenant(&t).switch(Switch::CreateOnFilterMiss))
        .await
        .unwrap();
    assert!(none.entries.is_empty());
    let groups = log
        .list(&RequestLogQuery::tenant(&t).resource("Group", None))
        .await
        .unwrap();
    assert_eq!(groups.entries.len(), 1);
    let u2 = log
        .list(&RequestLogQuery::tenant(&t).resource("User", Some("u2".into())))
        .await
        .unwrap();
    assert_eq!(u2.entries[0].status, 400);

    // Paging: two, then the rest from `next`.
    let p1 = log
        .list(&RequestLogQuery::tenant(&t).limit(2))
        .await
        .unwrap();
    assert_eq!(p1.entries.len(), 2);
    let next = p1.next.expect("a next page");
    let p2 = log
        .list(&RequestLogQuery::tenant(&t).limit(2).before(next))
        .await
        .unwrap();
    assert_eq!(p2.entries.len(), 1);
    assert_eq!(p2.next, None);
    assert_eq!(p2.entries[0].resource_id.as_deref(), Some("u1"));

    // Prune keeps the newest per tenant; the other tenant is untouched.
    assert_eq!(log.prune(1).await.unwrap(), 2);
    let kept = log.list(&RequestLogQuery::tenant(&t)).await.unwrap();
    assert_eq!(kept.entries.len(), 1);
    assert_eq!(kept.entries[0].resource_id.as_deref(), Some("g1"));
    assert_eq!(
        log.list(&RequestLogQuery::tenant(&other))
            .await
            .unwrap()
            .entries
            .len(),
        1
    );

    // The writer: bounded per tenant as it writes (the edge: exactly max kept).
    let w = log.writer(
        RequestLogOptions::default()
            .max_entries_per_tenant(5)
            .max_body_bytes(8),
    );
    for i in 0..12u16 {
        let mut e = entry(&t, 200 + i, None, Switches::EMPTY);
        e.response_body = Some("0123456789abcdef".into());
        assert!(w.log(e));
    }
    w.flush().await;
    let page = log.list(&RequestLogQuery::tenant(&t)).await.unwrap();
    assert_eq!(page.entries.len(), 5);
    assert_eq!(page.entries[0].status, 211);
    assert_eq!(
        page.entries[0].response_body.as_deref(),
        Some("01234567…(truncated)")
    );
    assert_eq!(w.dropped(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_log_on_sqlite() {
    let (store, _dir) = backends::sqlite_store().await;
    check(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_log_on_postgres() {
    check(&backends::postgres_store().await).await;
}

/// A full queue drops (and counts) instead of waiting.
#[tokio::test(flavor = "current_thread")]
async fn a_full_queue_drops_and_counts() {
    let store = SqlStore::sqlite(SqliteOptions::in_memory()).await.unwrap();
    let w = store
        .request_log()
        .writer(RequestLogOptions::default().queue(2));
    // On a current-thread runtime the writer task cannot run between these
    // calls: the queue holds two, the third is dropped.
    assert!(w.log(entry("t", 200, None, Switches::EMPTY)));
    assert!(w.log(entry("t", 200, None, Switches::EMPTY)));
    assert!(!w.log(entry("t", 200, None, Switches::EMPTY)));
    assert_eq!(w.dropped(), 1);
    w.flush().await;
    let page = store
        .request_log()
        .list(&RequestLogQuery::tenant("t"))
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 2);
}

/// The log is in the database file: it survives closing and reopening.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scim.db");
    let store = SqlStore::sqlite(SqliteOptions::file(&path)).await.unwrap();
    store
        .request_log()
        .append(&[entry("t", 204, Some(("User", "u")), Switches::EMPTY)])
        .await
        .unwrap();
    store.close().await;
    let store = SqlStore::sqlite(SqliteOptions::file(&path)).await.unwrap();
    let page = store
        .request_log()
        .list(&RequestLogQuery::all())
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].status, 204);
}
