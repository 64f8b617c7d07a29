//! Retention never drops silently what a reader has not read: a read whose
//! cursor is below a pruned record of its scope carries a gap, and
//! `follow` yields the gap's error once, then goes on. Each backend here is
//! a fresh database (age retention prunes every tenant).

use std::time::Duration;

use futures_util::StreamExt as _;
use scimkit_schema::{Registry, Resource, ResourceSchema};
use scimkit_service::feed::follow_every;
use scimkit_service::{FeedQuery, MemoryStore, Retention, StoreError, TenantId};

use crate::backends;
use crate::feed::{Feedy, all_of, both, next_record, settled, tenant, user_body};

async fn fresh_backends() -> Vec<Feedy> {
    let (sqlite, dir) = backends::sqlite_store().await;
    let schema = format!("scimkit_it_{}", uuid::Uuid::new_v4().simple());
    vec![
        both("memory", MemoryStore::new(), None),
        both("sqlite", sqlite, Some(dir)),
        both("postgres", backends::postgres_store_in(&schema).await, None),
    ]
}

fn users() -> std::sync::Arc<ResourceSchema> {
    Registry::core().resource_type("User").unwrap().clone()
}

async fn create(b: &Feedy, t: &TenantId, names: &[&str]) {
    for n in names {
        let r = Resource::from_value(user_body(n)).unwrap();
        b.store.create(t, &users(), r).await.unwrap();
    }
}

/// By count: a reader below the pruned records gets a gap naming its
/// cursor and the newest pruned one; a reader at or past it, another
/// tenant and a read from the start get none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_below_pruned_records_reports_a_gap() {
    for b in fresh_backends().await {
        let (t, other) = (tenant(), tenant());
        create(&b, &t, &["a", "b", "c", "d", "e"]).await;
        create(&b, &other, &["x"]).await;
        let all = settled(&*b.feed, &t, 5).await;
        let theirs = settled(&*b.feed, &other, 1).await;
        let n = b
            .feed
            .prune(&Retention::forever().with_max_records_per_tenant(Some(2)))
            .await
            .unwrap();
        assert_eq!(n, 3, "{}", b.name);
        let read = |after: usize| {
            let q = FeedQuery::tenant(t.clone()).after(all[after].cursor.clone());
            let feed = b.feed.clone();
            async move { feed.read(&q).await.unwrap() }
        };
        let page = read(1).await;
        assert_eq!(page.records, all[3..].to_vec(), "{}", b.name);
        let gap = page.gap.expect("records c was pruned before it was read");
        assert_eq!(gap.after, all[1].cursor, "{}", b.name);
        assert_eq!(gap.pruned_through, all[2].cursor, "{}", b.name);
        assert!(gap.error().to_string().contains("pruned"), "{}", b.name);
        // every record up to the reader's cursor was read: no gap
        assert_eq!(read(2).await.gap, None, "{}", b.name);
        assert_eq!(read(4).await.gap, None, "{}", b.name);
        let from_start = b.feed.read(&FeedQuery::tenant(t.clone())).await.unwrap();
        assert_eq!(from_start.gap, None, "{}", b.name);
        let q = FeedQuery::tenant(other.clone()).after(theirs[0].cursor.clone());
        assert_eq!(b.feed.read(&q).await.unwrap().gap, None, "{}", b.name);
        // every tenant: compared with the newest pruned record of any
        let q = FeedQuery::all().after(all[1].cursor.clone());
        assert!(b.feed.read(&q).await.unwrap().gap.is_some(), "{}", b.name);
    }
}

/// By age, everything: the whole feed of a tenant goes, and a reader that
/// had read only the first record learns it (an empty page with a gap).
/// `follow` yields the gap's error once, then the next commit's record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_reports_a_gap_once_then_goes_on() {
    for b in fresh_backends().await {
        let t = tenant();
        create(&b, &t, &["a", "b", "c"]).await;
        let all = settled(&*b.feed, &t, 3).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let everything = Retention::forever().with_max_age(Some(Duration::ZERO));
        assert_eq!(b.feed.prune(&everything).await.unwrap(), 3, "{}", b.name);
        assert!(all_of(&*b.feed, &t).await.is_empty(), "{}", b.name);
        let q = FeedQuery::tenant(t.clone()).after(all[0].cursor.clone());
        let page = b.feed.read(&q).await.unwrap();
        assert!(page.records.is_empty(), "{}", b.name);
        assert_eq!(
            page.gap.map(|g| g.pruned_through),
            Some(all[2].cursor.clone()),
            "{}",
            b.name
        );

        let mut s = Box::pin(follow_every(b.feed.clone(), q, Duration::from_secs(3600)));
        let first = tokio::time::timeout(Duration::from_secs(60), s.next())
            .await
            .unwrap()
            .unwrap();
        match first {
            Err(StoreError::Invalid(e)) => {
                let d = e.detail;
                assert!(d.contains(all[0].cursor.as_str()), "{d}");
                assert!(d.contains(all[2].cursor.as_str()), "{d}");
            }
            other => panic!("{}: expected the gap, got {other:?}", b.name),
        }
        // then no second report: the next item is the next commit's record
        let waiting = tokio::spawn(async move { next_record(&mut s).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        create(&b, &t, &["d"]).await;
        let d = waiting.await.unwrap();
        assert!(d.cursor > all[2].cursor, "{}", b.name);
    }
}
