//! The change feed on every backend: the records of each kind of write
//! (through the engine), no record for a failed write, cursors, retention,
//! consumers, wake-ups (also across two PostgreSQL stores), and the
//! PostgreSQL no-skip property under concurrent writers with random
//! commit delays.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use scimkit_schema::{Registry, Resource};
use scimkit_service::feed::follow_every;
use scimkit_service::{
    ChangeFeed, ChangeRecord, Consumer, Cursor, EventKind, FeedQuery, Member, MemoryStore,
    ResourceStore, Retention, ScimService, StaticTokens, StoreError, TenantId, VecSink,
};
use scimkit_sql::SqlStore;
use serde_json::{Value, json};
use sqlx::Connection as _;

use crate::backends;

/// A store as both traits, and what must outlive it.
struct Feedy {
    name: &'static str,
    store: Arc<dyn ResourceStore>,
    feed: Arc<dyn ChangeFeed>,
    _dir: Option<tempfile::TempDir>,
}

fn both<S: ResourceStore + ChangeFeed>(
    name: &'static str,
    s: S,
    dir: Option<tempfile::TempDir>,
) -> Feedy {
    let s = Arc::new(s);
    Feedy {
        name,
        store: s.clone(),
        feed: s,
        _dir: dir,
    }
}

async fn every_backend() -> Vec<Feedy> {
    let (sqlite, dir) = backends::sqlite_store().await;
    vec![
        both("memory", MemoryStore::new(), None),
        both("sqlite", sqlite, Some(dir)),
        both("postgres", backends::postgres_store().await, None),
    ]
}

fn service(b: &Feedy, tenant: &TenantId) -> (ScimService, Arc<VecSink>) {
    let sink = Arc::new(VecSink::new());
    let s = ScimService::builder()
        .shared_store(b.store.clone())
        .authenticator(StaticTokens::new().with_token(tenant.clone(), "t"))
        .events(sink.clone())
        .build()
        .unwrap();
    (s, sink)
}

async fn send(s: &ScimService, method: &str, uri: &str, body: Value) -> (u16, Value) {
    let req = http::Request::builder()
        .method(method)
        .uri(format!("/scim/v2{uri}"))
        .header("authorization", "Bearer t")
        .body(if body.is_null() {
            Bytes::new()
        } else {
            Bytes::from(body.to_string())
        })
        .unwrap();
    let resp = s.handle(req).await;
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(resp.body()).unwrap_or(Value::Null),
    )
}

async fn ok(s: &ScimService, method: &str, uri: &str, body: Value) -> Value {
    let (status, v) = send(s, method, uri, body).await;
    assert!((200..300).contains(&status), "{method} {uri}: {status} {v}");
    v
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

fn user_body(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": true})
}

fn tenant() -> TenantId {
    TenantId::new(format!("t-{}", uuid::Uuid::new_v4().simple()))
}

async fn all_of(feed: &dyn ChangeFeed, t: &TenantId) -> Vec<ChangeRecord> {
    let mut out = Vec::new();
    let mut q = FeedQuery::tenant(t.clone()).limit(7);
    loop {
        let page = feed.read(&q).await.unwrap();
        if page.records.is_empty() {
            return out;
        }
        q = q.after(page.next.clone().unwrap());
        out.extend(page.records);
    }
}

/// The tenant's records once at least `n` are readable. On PostgreSQL a
/// committed record is readable once every older transaction of the
/// cluster has ended (other tests run transactions concurrently), so the
/// read is repeated until then; a minute without them fails the test.
async fn settled(feed: &dyn ChangeFeed, t: &TenantId, n: usize) -> Vec<ChangeRecord> {
    let mut commits = feed.commits();
    for _ in 0..600 {
        commits.mark_seen();
        let all = all_of(feed, t).await;
        if all.len() >= n {
            return all;
        }
        let _ = tokio::time::timeout(Duration::from_millis(100), commits.changed()).await;
    }
    all_of(feed, t).await
}

type Shape = (String, String, EventKind, bool);

fn shape(records: &[ChangeRecord]) -> Vec<Shape> {
    records
        .iter()
        .map(|r| {
            (
                r.resource_type.clone(),
                r.id.clone(),
                r.kind.clone(),
                r.version.is_some(),
            )
        })
        .collect()
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// Every write kind through the engine gives exactly the records of the
/// feed's table, in order, with one version per write; cursors strictly
/// increase; the sink gets the same records' events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_gives_its_records() {
    for b in every_backend().await {
        let t = tenant();
        let (s, sink) = service(&b, &t);
        let u = ok(&s, "POST", "/Users", user_body("a")).await;
        let uid = u["id"].as_str().unwrap().to_owned();
        let u2 = ok(&s, "POST", "/Users", user_body("b")).await;
        let uid2 = u2["id"].as_str().unwrap().to_owned();
        let path = format!("/Users/{uid}");
        let off = patch(json!([{"op": "replace", "path": "active", "value": false}]));
        ok(&s, "PATCH", &path, off).await;
        let on = patch(json!([
            {"op": "replace", "path": "active", "value": true},
            {"op": "replace", "path": "title", "value": "x"}
        ]));
        ok(&s, "PATCH", &path, on).await;
        let put = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "a", "active": true, "title": "y"});
        ok(&s, "PUT", &path, put).await;
        let g = ok(
            &s,
            "POST",
            "/Groups",
            json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G"}),
        )
        .await;
        let gid = g["id"].as_str().unwrap().to_owned();
        let gpath = format!("/Groups/{gid}");
        let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}]));
        ok(&s, "PATCH", &gpath, add).await;
        let mixed = patch(json!([
            {"op": "replace", "path": "displayName", "value": "G2"},
            {"op": "add", "path": "members", "value": [{"value": uid2}]},
            {"op": "remove", "path": format!("members[value eq \"{uid}\"]")}
        ]));
        ok(&s, "PATCH", &gpath, mixed).await;
        let gput = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "G2", "members": [{"value": uid}, {"value": uid2}]});
        ok(&s, "PUT", &gpath, gput).await;
        ok(&s, "DELETE", &path, Value::Null).await;

        let records = settled(&*b.feed, &t, 13).await;
        let (ut, gt) = ("User".to_owned(), "Group".to_owned());
        let row = |ty: &String, id: &String, k: EventKind, v: bool| (ty.clone(), id.clone(), k, v);
        let want = vec![
            row(&ut, &uid, EventKind::Created, true),
            row(&ut, &uid2, EventKind::Created, true),
            row(
                &ut,
                &uid,
                EventKind::Deactivated {
                    changed_attributes: strings(&["active"]),
                },
                true,
            ),
            row(
                &ut,
                &uid,
                EventKind::Reactivated {
                    changed_attributes: strings(&["active", "title"]),
                },
                true,
            ),
            row(
                &ut,
                &uid,
                EventKind::Updated {
                    changed_attributes: strings(&["title"]),
                },
                true,
            ),
            row(&gt, &gid, EventKind::Created, true),
            row(
                &gt,
                &gid,
                EventKind::MembersAdded {
                    members: vec![uid.clone()],
                },
                true,
            ),
            row(
                &gt,
                &gid,
                EventKind::Updated {
                    changed_attributes: strings(&["displayName"]),
                },
                true,
            ),
            row(
                &gt,
                &gid,
                EventKind::MembersAdded {
                    members: vec![uid2.clone()],
                },
                true,
            ),
            row(
                &gt,
                &gid,
                EventKind::MembersRemoved {
                    members: vec![uid.clone()],
                },
                true,
            ),
            row(
                &gt,
                &gid,
                EventKind::MembersAdded {
                    members: vec![uid.clone()],
                },
                true,
            ),
            row(&ut, &uid, EventKind::Deleted, false),
            row(
                &gt,
                &gid,
                EventKind::MembersRemoved {
                    members: vec![uid.clone()],
                },
                true,
            ),
        ];
        assert_eq!(shape(&records), want, "{}", b.name);
        assert!(
            records.windows(2).all(|w| w[0].cursor < w[1].cursor),
            "{}",
            b.name
        );
        assert_eq!(records[7].version, records[9].version, "{}", b.name);
        assert_ne!(records[6].version, records[7].version, "{}", b.name);
        assert!(records.iter().all(|r| r.tenant == t), "{}", b.name);
        assert!(records.iter().all(|r| r.resource.is_none()), "{}", b.name);
        let events = sink.take();
        let want_events: Vec<_> = records.iter().map(ChangeRecord::event).collect();
        assert_eq!(events, want_events, "{}", b.name);
        // one resource's history
        let history = b
            .feed
            .read(&FeedQuery::tenant(t.clone()).resource("Group", gid.clone()))
            .await
            .unwrap();
        assert_eq!(history.records.len(), 7, "{}", b.name);
        // a cursor of another shape is a 400, not a skip
        let bad = b
            .feed
            .read(&FeedQuery::all().after(Cursor::new("nope")))
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))), "{}", b.name);
    }
}

/// A refused or failed write (uniqueness, a lost compare-and-swap, a
/// missing resource, concurrent creates of one userName in one group
/// commit) leaves no record: the record commits with the change or not at
/// all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_leaves_no_record() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap().clone();
    for b in every_backend().await {
        let t = tenant();
        let s = &b.store;
        let mk = |n: &str| Resource::from_value(user_body(n)).unwrap();
        let a = s.create(&t, &users, mk("a")).await.unwrap();
        let before = settled(&*b.feed, &t, 1).await.len();
        assert_eq!(before, 1, "{}", b.name);
        assert!(matches!(
            s.create(&t, &users, mk("A")).await,
            Err(StoreError::Conflict { .. })
        ));
        let stale = s
            .replace(&t, &users, &a.id, mk("a2"), Some("999"), &[])
            .await;
        assert!(
            matches!(stale, Err(StoreError::VersionMismatch { .. })),
            "{}",
            b.name
        );
        let b2 = s.create(&t, &users, mk("b")).await.unwrap();
        let clash = s.replace(&t, &users, &a.id, mk("b"), None, &[]).await;
        assert!(
            matches!(clash, Err(StoreError::Conflict { .. })),
            "{}",
            b.name
        );
        assert!(s.delete(&t, &users, "missing", None).await.is_err());
        assert!(s.delete(&t, &users, &b2.id, Some("999")).await.is_err());
        // many creates at once, half of them duplicates (SQLite: one group commit)
        let mut tasks = Vec::new();
        for i in 0..16 {
            let (s, t, users) = (s.clone(), t.clone(), users.clone());
            tasks.push(tokio::spawn(async move {
                let name = format!("c{}", i / 2);
                s.create(&t, &users, Resource::from_value(user_body(&name)).unwrap())
                    .await
            }));
        }
        let mut made = Vec::new();
        for task in tasks {
            if let Ok(r) = task.await.unwrap() {
                assert_eq!(r.changes.len(), 1, "{}", b.name);
                made.push(r.id);
            }
        }
        assert_eq!(made.len(), 8, "{}", b.name);
        let records = settled(&*b.feed, &t, 10).await;
        let created: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(records.len(), 2 + 8, "{}: {created:?}", b.name);
        for id in &made {
            assert!(created.contains(&id.as_str()), "{}", b.name);
        }
        assert!(
            records.iter().all(|r| r.kind == EventKind::Created),
            "{}",
            b.name
        );
    }
}

/// Retention by count keeps the newest per tenant; by age drops what is
/// older; consumers persist (SQLite: across a reopen of the file).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_and_consumers() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap().clone();
    for b in every_backend().await {
        let (t1, t2) = (tenant(), tenant());
        for (t, n) in [(&t1, 5), (&t2, 2)] {
            for i in 0..n {
                let r = Resource::from_value(user_body(&format!("u{i}"))).unwrap();
                b.store.create(t, &users, r).await.unwrap();
            }
        }
        let newest = settled(&*b.feed, &t1, 5).await;
        settled(&*b.feed, &t2, 2).await;
        let n = b
            .feed
            .prune(&Retention::forever().with_max_records_per_tenant(Some(3)))
            .await
            .unwrap();
        // other tests' tenants may share the database: at least ours went
        assert!(n >= 2, "{}", b.name);
        let left = all_of(&*b.feed, &t1).await;
        assert_eq!(left, newest[2..].to_vec(), "{}", b.name);
        assert_eq!(all_of(&*b.feed, &t2).await.len(), 2, "{}", b.name);
        let hour = Retention::forever().with_max_age(Some(Duration::from_secs(3600)));
        b.feed.prune(&hour).await.unwrap();
        assert_eq!(all_of(&*b.feed, &t1).await.len(), 3, "{}", b.name);
        // a cursor pruned away still resumes after it
        let after_pruned = b
            .feed
            .read(&FeedQuery::tenant(t1.clone()).after(newest[0].cursor.clone()))
            .await
            .unwrap();
        assert_eq!(after_pruned.records, newest[2..].to_vec(), "{}", b.name);

        let name = format!("hook-{}", uuid::Uuid::new_v4().simple());
        assert!(b.feed.consumer(&name).await.unwrap().is_none());
        let c = Consumer::new(name.clone())
            .with_cursor(Some(left[0].cursor.clone()))
            .with_data(json!({"url": "https://example.com/hook", "failures": 2}));
        b.feed.save_consumer(&c).await.unwrap();
        let got = b.feed.consumer(&name).await.unwrap().unwrap();
        assert_eq!((&got.cursor, &got.data), (&c.cursor, &c.data), "{}", b.name);
        let moved = got.clone().with_cursor(Some(left[2].cursor.clone()));
        b.feed.save_consumer(&moved).await.unwrap();
        let got = b.feed.consumer(&name).await.unwrap().unwrap();
        assert_eq!(got.cursor, moved.cursor, "{}", b.name);
        assert!(
            b.feed
                .consumers()
                .await
                .unwrap()
                .iter()
                .any(|c| c.name == name)
        );
        let long = "x".repeat(scimkit_service::feed::MAX_CONSUMER_NAME_LEN + 1);
        assert!(matches!(
            b.feed.save_consumer(&Consumer::new(long)).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(b.feed.remove_consumer(&name).await.unwrap());
        assert!(!b.feed.remove_consumer(&name).await.unwrap());
    }
}

/// Consumers and records are durable: a SQLite file reopened keeps both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_feed_survives_a_reopen() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scim.db");
    let t = tenant();
    {
        let s = SqlStore::sqlite(scimkit_sql::SqliteOptions::file(&path))
            .await
            .unwrap();
        let r = Resource::from_value(user_body("a")).unwrap();
        s.create(&t, &users, r).await.unwrap();
        s.save_consumer(&Consumer::new("w").with_data(json!(1)))
            .await
            .unwrap();
        s.close().await;
    }
    let s = SqlStore::sqlite(scimkit_sql::SqliteOptions::file(&path))
        .await
        .unwrap();
    assert_eq!(all_of(&s, &t).await.len(), 1);
    assert_eq!(s.consumer("w").await.unwrap().unwrap().data, json!(1));
}

/// Waits for the next record of a stream, failing (not hanging) after a
/// minute: the follower's poll interval is an hour, so only a commit
/// signal can deliver it sooner.
async fn next_record(
    s: &mut (impl futures_util::Stream<Item = Result<ChangeRecord, StoreError>> + Unpin),
) -> ChangeRecord {
    tokio::time::timeout(Duration::from_secs(60), s.next())
        .await
        .expect("no commit signal woke the follower")
        .unwrap()
        .unwrap()
}

/// `follow` wakes on a commit of the same store (every backend) and, on
/// PostgreSQL, on a commit of another store (another pool, as another
/// process would be) through LISTEN/NOTIFY.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_wakes_on_commit_here_and_across_stores() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap().clone();
    let schema = format!("scimkit_it_{}", uuid::Uuid::new_v4().simple());
    let other = backends::postgres_store_in(&schema).await;
    let mut stores = every_backend().await;
    stores.push(both(
        "postgres (one store)",
        backends::postgres_store_in(&schema).await,
        None,
    ));
    let writers: Vec<Arc<dyn ResourceStore>> = vec![
        stores[0].store.clone(),
        stores[1].store.clone(),
        stores[2].store.clone(),
        Arc::new(other),
    ];
    for (b, writer) in stores.iter().zip(writers) {
        let t = tenant();
        let mut s = Box::pin(follow_every(
            b.feed.clone(),
            FeedQuery::tenant(t.clone()),
            Duration::from_secs(3600),
        ));
        let first = Resource::from_value(user_body("first")).unwrap();
        writer.create(&t, &users, first).await.unwrap();
        let r1 = next_record(&mut s).await;
        // now idle: the follower waits for a signal
        let waiting = tokio::spawn(async move { next_record(&mut s).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let second = Resource::from_value(user_body("second")).unwrap();
        writer.create(&t, &users, second).await.unwrap();
        let r2 = waiting.await.unwrap();
        assert!(r2.cursor > r1.cursor, "{}", b.name);
    }
}

/// A tiny deterministic generator (xorshift) for the writers' choices.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// PostgreSQL: several stores (pools, as several processes) write
/// concurrently, each write's transaction sleeping a random while after
/// its feed insert (a trigger), while a reader follows and keeps every
/// cursor it sees. The reader's sequence is the table's final order (no
/// gap, nothing invented), and within each resource versions only grow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_readers_never_skip_under_concurrent_writers() {
    let reg = Registry::core();
    let (users, groups) = (
        reg.resource_type("User").unwrap().clone(),
        reg.resource_type("Group").unwrap().clone(),
    );
    let schema = format!("scimkit_it_{}", uuid::Uuid::new_v4().simple());
    let reader: Arc<SqlStore> = Arc::new(backends::postgres_store_in(&schema).await);
    // Random commit delays: every feed insert sleeps 0-30 ms in its transaction.
    let mut c = sqlx::PgConnection::connect(&backends::postgres_url())
        .await
        .unwrap();
    for stmt in [
        format!(
            "CREATE FUNCTION \"{schema}\".feed_delay() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(random() * 0.03); RETURN NULL; END $$"
        ),
        format!(
            "CREATE TRIGGER feed_delay AFTER INSERT ON \"{schema}\".feed FOR EACH STATEMENT EXECUTE FUNCTION \"{schema}\".feed_delay()"
        ),
    ] {
        sqlx::query(&stmt).execute(&mut c).await.unwrap();
    }
    let t = tenant();
    // Shared resources every writer changes.
    let mut group_ids = Vec::new();
    for i in 0..3 {
        let g = Resource::from_value(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("g{i}")})).unwrap();
        group_ids.push(reader.create(&t, &groups, g).await.unwrap().id);
    }
    let mut tasks = Vec::new();
    const WRITERS: u64 = 3;
    const OPS: u64 = 15;
    for w in 0..WRITERS {
        let store = backends::postgres_store_in(&schema).await;
        let (t, users, groups, group_ids) =
            (t.clone(), users.clone(), groups.clone(), group_ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (w + 1));
            let mut mine = Vec::new();
            for op in 0..OPS {
                let g = &group_ids[rng.below(3) as usize];
                match rng.below(4) {
                    0 | 1 => {
                        let r = Resource::from_value(user_body(&format!("w{w}-{op}"))).unwrap();
                        let u = store.create(&t, &users, r).await.unwrap();
                        store
                            .add_members(&t, &groups, g, &[Member::new(u.id.clone())])
                            .await
                            .unwrap();
                        mine.push(u.id);
                    }
                    2 if !mine.is_empty() => {
                        let id = mine.remove(rng.below(mine.len() as u64) as usize);
                        // leaves every group: records for the groups too
                        store.delete(&t, &users, &id, None).await.unwrap();
                    }
                    _ => {
                        if let Some(id) = mine.first() {
                            store
                                .remove_members(&t, &groups, g, std::slice::from_ref(id))
                                .await
                                .unwrap();
                        }
                    }
                }
            }
        }));
    }
    // The follower reads every tenant of this schema (only this test's)
    // and stops at the record of the tenant "stop", written last.
    let follower = {
        let feed: Arc<dyn ChangeFeed> = reader.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut s = Box::pin(follow_every(
                feed,
                FeedQuery::all(),
                Duration::from_millis(200),
            ));
            while let Some(r) = s.next().await {
                let r = r.unwrap();
                if r.tenant.as_str() == "stop" {
                    return seen;
                }
                seen.push(r);
            }
            seen
        })
    };
    for task in tasks {
        task.await.unwrap();
    }
    let stop = Resource::from_value(user_body("stop")).unwrap();
    reader
        .create(&TenantId::new("stop"), &users, stop)
        .await
        .unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(120), follower)
        .await
        .expect("the follower never reached the last record")
        .unwrap();
    let table = settled(&*reader, &t, seen.len()).await;
    assert!(table.len() > (WRITERS * OPS) as usize, "{}", table.len());
    let cursors = |r: &[ChangeRecord]| r.iter().map(|r| r.cursor.clone()).collect::<Vec<_>>();
    assert_eq!(
        cursors(&seen),
        cursors(&table),
        "the follower's sequence is the table's"
    );
    assert_eq!(seen, table);
    // Per resource: versions grow; equal only for the contiguous records
    // of one write; nothing after a delete.
    let mut last: BTreeMap<(String, String), (usize, Option<i64>)> = BTreeMap::new();
    for (i, r) in seen.iter().enumerate() {
        let key = (r.resource_type.clone(), r.id.clone());
        let v = r.version.as_deref().map(|v| v.parse::<i64>().unwrap());
        if let Some((at, prev)) = last.get(&key) {
            let prev = prev.unwrap_or_else(|| panic!("a record after the delete of {key:?}"));
            if let Some(v) = v {
                assert!(
                    v > prev || (v == prev && *at + 1 == i),
                    "{key:?}: version {v} after {prev}"
                );
            }
        }
        last.insert(key, (i, v));
    }
}

/// The page cap: a read asks for more than the store's cap and gets the
/// cap; at the cap exactly, all of it; 0 counts as 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_are_capped_by_the_page_setting() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap().clone();
    let (s, _dir) = backends::sqlite_store().await;
    let s = s.with_feed_page(3);
    let t = tenant();
    for i in 0..4 {
        let r = Resource::from_value(user_body(&format!("u{i}"))).unwrap();
        s.create(&t, &users, r).await.unwrap();
    }
    let q = FeedQuery::tenant(t.clone());
    assert_eq!(
        s.read(&q.clone().limit(100)).await.unwrap().records.len(),
        3
    );
    assert_eq!(s.read(&q.clone().limit(3)).await.unwrap().records.len(), 3);
    assert_eq!(s.read(&q.clone().limit(2)).await.unwrap().records.len(), 2);
    assert_eq!(s.read(&q.limit(0)).await.unwrap().records.len(), 1);
}

/// Resource bodies in records: off by default (see
/// `every_write_gives_its_records`), on with the setting for creates and
/// replaces.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_keep_resources_when_set() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap().clone();
    let (sqlite, _dir) = backends::sqlite_store().await;
    let stores = [
        sqlite.with_resources_in_feed(true),
        backends::postgres_store()
            .await
            .with_resources_in_feed(true),
    ];
    for s in stores {
        let t = tenant();
        let r = Resource::from_value(user_body("kept")).unwrap();
        let made = s.create(&t, &users, r).await.unwrap();
        let again = Resource::from_value(user_body("kept2")).unwrap();
        let changed = [EventKind::Updated {
            changed_attributes: strings(&["userName"]),
        }];
        s.replace(&t, &users, &made.id, again, None, &changed)
            .await
            .unwrap();
        let records = settled(&s, &t, 2).await;
        assert_eq!(records[0].resource.as_ref().unwrap()["userName"], "kept");
        assert_eq!(records[1].resource.as_ref().unwrap()["userName"], "kept2");
        assert_eq!(made.changes[0].resource, records[0].resource);
    }
}
