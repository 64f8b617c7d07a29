//! The memory store's change feed, written through the engine: the records
//! of each kind of write (the table of `scimkit_service::feed`), the
//! `EventSink` fed from the same records, and `follow` waking on commit.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt as _;
use scimkit_service::{
    ChangeFeed, ChangeRecord, Consumer, Cursor, EventKind, FeedQuery, MemoryStore, ResourceStore,
    Retention, ScimService, StaticTokens, TenantId, VecSink, follow,
};
use serde_json::{Value, json};

struct Setup {
    service: ScimService,
    store: Arc<MemoryStore>,
    sink: Arc<VecSink>,
}

fn setup() -> Setup {
    let store = Arc::new(MemoryStore::new());
    let sink = Arc::new(VecSink::new());
    let service = ScimService::builder()
        .shared_store(store.clone())
        .feed(store.clone())
        .authenticator(StaticTokens::new().with_token(TenantId::new("acme"), "t"))
        .events(sink.clone())
        .build()
        .unwrap();
    Setup {
        service,
        store,
        sink,
    }
}

async fn send(s: &ScimService, method: &str, uri: &str, body: Value) -> Value {
    let req = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer t")
        .body(if body.is_null() {
            Bytes::new()
        } else {
            Bytes::from(body.to_string())
        })
        .unwrap();
    let resp = s.handle(req).await;
    assert!(
        resp.status().is_success(),
        "{method} {uri}: {:?}",
        resp.body()
    );
    serde_json::from_slice(resp.body()).unwrap_or(Value::Null)
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

fn user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": true})
}

async fn all(feed: &dyn ChangeFeed) -> Vec<ChangeRecord> {
    feed.read(&FeedQuery::all()).await.unwrap().records
}

/// (resourceType, id, kind, version is some) of each record.
fn shape(records: &[ChangeRecord]) -> Vec<(String, String, EventKind, bool)> {
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

#[tokio::test]
async fn every_write_gives_its_records_and_the_sink_gets_the_same() {
    let Setup {
        service: s,
        store: _,
        sink,
    } = setup();
    let u = send(&s, "POST", "/scim/v2/Users", user("a")).await;
    let uid = u["id"].as_str().unwrap().to_owned();
    let u2 = send(&s, "POST", "/scim/v2/Users", user("b")).await;
    let uid2 = u2["id"].as_str().unwrap().to_owned();
    let path = format!("/scim/v2/Users/{uid}");
    send(
        &s,
        "PATCH",
        &path,
        patch(json!([{"op": "replace", "path": "active", "value": false}])),
    )
    .await;
    send(&s, "PATCH", &path, patch(json!([{"op": "replace", "path": "active", "value": true}, {"op": "replace", "path": "title", "value": "x"}]))).await;
    send(&s, "PUT", &path, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "active": true, "title": "y"})).await;
    let g = send(
        &s,
        "POST",
        "/scim/v2/Groups",
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G"}),
    )
    .await;
    let gid = g["id"].as_str().unwrap().to_owned();
    let gpath = format!("/scim/v2/Groups/{gid}");
    // membership-only PATCH (the store's hook)
    send(
        &s,
        "PATCH",
        &gpath,
        patch(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}])),
    )
    .await;
    // other attributes and members in one write
    send(
        &s,
        "PATCH",
        &gpath,
        patch(json!([
            {"op": "replace", "path": "displayName", "value": "G2"},
            {"op": "add", "path": "members", "value": [{"value": uid2}]},
            {"op": "remove", "path": format!("members[value eq \"{uid}\"]")}
        ])),
    )
    .await;
    // a PUT that changes members
    send(&s, "PUT", &gpath, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G2", "members": [{"value": uid}, {"value": uid2}]})).await;
    // a delete of a member: Deleted, then the group's MembersRemoved
    send(&s, "DELETE", &path, Value::Null).await;

    assert!(s.feed().is_some());
    let records = all(&**s.feed().unwrap()).await;
    let attrs = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let ids = |a: &[&String]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (user_t, group_t) = ("User".to_owned(), "Group".to_owned());
    let want = vec![
        (user_t.clone(), uid.clone(), EventKind::Created, true),
        (user_t.clone(), uid2.clone(), EventKind::Created, true),
        (
            user_t.clone(),
            uid.clone(),
            EventKind::Deactivated {
                changed_attributes: attrs(&["active"]),
            },
            true,
        ),
        (
            user_t.clone(),
            uid.clone(),
            EventKind::Reactivated {
                changed_attributes: attrs(&["active", "title"]),
            },
            true,
        ),
        (
            user_t.clone(),
            uid.clone(),
            EventKind::Updated {
                changed_attributes: attrs(&["title"]),
            },
            true,
        ),
        (group_t.clone(), gid.clone(), EventKind::Created, true),
        (
            group_t.clone(),
            gid.clone(),
            EventKind::MembersAdded {
                members: ids(&[&uid]),
            },
            true,
        ),
        (
            group_t.clone(),
            gid.clone(),
            EventKind::Updated {
                changed_attributes: attrs(&["displayName"]),
            },
            true,
        ),
        (
            group_t.clone(),
            gid.clone(),
            EventKind::MembersAdded {
                members: ids(&[&uid2]),
            },
            true,
        ),
        (
            group_t.clone(),
            gid.clone(),
            EventKind::MembersRemoved {
                members: ids(&[&uid]),
            },
            true,
        ),
        (
            group_t.clone(),
            gid.clone(),
            EventKind::MembersAdded {
                members: ids(&[&uid]),
            },
            true,
        ),
        (user_t.clone(), uid.clone(), EventKind::Deleted, false),
        (
            group_t.clone(),
            gid.clone(),
            EventKind::MembersRemoved {
                members: ids(&[&uid]),
            },
            true,
        ),
    ];
    assert_eq!(shape(&records), want);
    // cursors strictly increase; one write's records share its version
    assert!(records.windows(2).all(|w| w[0].cursor < w[1].cursor));
    assert_eq!(records[7].version, records[8].version);
    assert_eq!(records[8].version, records[9].version);
    assert!(records.iter().all(|r| r.tenant == TenantId::new("acme")));
    // the sink got exactly the records' events
    let events = sink.take();
    assert_eq!(
        events,
        records.iter().map(ChangeRecord::event).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn reads_page_by_cursor_tenant_and_resource() {
    let Setup {
        service: s, store, ..
    } = setup();
    for n in 0..5 {
        send(&s, "POST", "/scim/v2/Users", user(&format!("u{n}"))).await;
    }
    let first = store.read(&FeedQuery::all().limit(2)).await.unwrap();
    assert_eq!(first.records.len(), 2);
    let next = first.next.clone().unwrap();
    let rest = store
        .read(&FeedQuery::all().after(next.clone()))
        .await
        .unwrap();
    assert_eq!(rest.records.len(), 3);
    assert!(rest.records[0].cursor > next);
    let empty = store
        .read(&FeedQuery::all().after(rest.next.clone().unwrap()))
        .await
        .unwrap();
    assert!(empty.records.is_empty());
    assert_eq!(empty.next, rest.next);
    let other = store
        .read(&FeedQuery::tenant(TenantId::new("other")))
        .await
        .unwrap();
    assert!(other.records.is_empty());
    let one = &first.records[1];
    let history = store
        .read(&FeedQuery::all().resource("User", one.id.clone()))
        .await
        .unwrap();
    assert_eq!(history.records, vec![one.clone()]);
    // a cursor that is not this feed's is a 400, not a skip
    let bad = store.read(&FeedQuery::all().after(Cursor::new("zz"))).await;
    assert!(matches!(bad, Err(scimkit_service::StoreError::Invalid(_))));
}

#[tokio::test]
async fn retention_prunes_by_count_per_tenant_and_by_age() {
    let store = MemoryStore::new();
    let registry = scimkit_schema::Registry::core();
    let users = registry.resource_type("User").unwrap();
    let mk = |n: &str| scimkit_schema::Resource::from_value(user(n)).unwrap();
    for (t, n) in [("a", 3), ("b", 2)] {
        for i in 0..n {
            store
                .create(&TenantId::new(t), users, mk(&format!("{t}{i}")))
                .await
                .unwrap();
        }
    }
    let keep2 = Retention::forever().with_max_records_per_tenant(Some(2));
    assert_eq!(store.prune(&keep2).await.unwrap(), 1);
    let left = all(&store).await;
    assert_eq!(left.len(), 4);
    assert_eq!(left.iter().filter(|r| r.tenant.as_str() == "a").count(), 2);
    // the oldest of tenant a went
    assert!(left.iter().all(|r| r.cursor.as_str() != "0000000000000001"));
    let young = Retention::forever().with_max_age(Some(std::time::Duration::from_secs(3600)));
    assert_eq!(store.prune(&young).await.unwrap(), 0);
    let none = Retention::forever().with_max_age(Some(std::time::Duration::ZERO));
    assert_eq!(store.prune(&none).await.unwrap(), 4);
}

#[tokio::test]
async fn consumers_are_kept() {
    let store = MemoryStore::new();
    assert!(store.consumer("w").await.unwrap().is_none());
    let c = Consumer::new("w")
        .with_cursor(Some(Cursor::new("0000000000000003")))
        .with_data(json!({"url": "x"}));
    store.save_consumer(&c).await.unwrap();
    let got = store.consumer("w").await.unwrap().unwrap();
    assert_eq!((got.cursor, got.data), (c.cursor.clone(), c.data.clone()));
    assert_eq!(store.consumers().await.unwrap().len(), 1);
    assert!(store.save_consumer(&Consumer::new("")).await.is_err());
    assert!(store.remove_consumer("w").await.unwrap());
    assert!(!store.remove_consumer("w").await.unwrap());
}

/// `follow` wakes on the commit signal: a record written after the
/// follower went idle arrives without waiting for the poll interval (an
/// hour here, so only the signal can wake it).
#[tokio::test]
async fn follow_wakes_on_commit() {
    let Setup {
        service: s, store, ..
    } = setup();
    send(&s, "POST", "/scim/v2/Users", user("first")).await;
    let feed: Arc<dyn ChangeFeed> = store.clone();
    let mut stream = Box::pin(scimkit_service::feed::follow_every(
        feed,
        FeedQuery::all(),
        std::time::Duration::from_secs(3600),
    ));
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.kind, EventKind::Created);
    let waiting = tokio::spawn(async move { stream.next().await.map(|r| r.unwrap()) });
    tokio::task::yield_now().await;
    send(&s, "POST", "/scim/v2/Users", user("second")).await;
    let second = waiting.await.unwrap().unwrap();
    assert!(second.cursor > first.cursor);
    let _ = follow; // the default-interval entry point is the same stream
}

#[test]
fn wire_shape_round_trips() {
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-06T10:00:00.123Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let r = ChangeRecord::new(
        Cursor::new("0000000000000008"),
        TenantId::new("t1"),
        "Group",
        "g1",
        Some("8".into()),
        EventKind::MembersAdded {
            members: vec!["u1".into(), "u2".into()],
        },
        at,
    );
    let v = r.to_json();
    assert_eq!(
        v.to_string(),
        r#"{"cursor":"0000000000000008","tenant":"t1","resourceType":"Group","id":"g1","version":"8","kind":"membersAdded","members":["u1","u2"],"occurredAt":"2026-12-06T10:00:00.123Z"}"#
    );
    assert_eq!(ChangeRecord::from_json(&v).unwrap(), r);
    let deleted = ChangeRecord::new(
        Cursor::new("9"),
        TenantId::new("t1"),
        "User",
        "u1",
        None,
        EventKind::Deleted,
        at,
    );
    assert_eq!(deleted.to_json()["version"], Value::Null);
    assert_eq!(
        ChangeRecord::from_json(&deleted.to_json()).unwrap(),
        deleted
    );
}

#[test]
fn cursors_from_outside_are_checked_at_the_edge() {
    let max = "a".repeat(scimkit_service::feed::MAX_CURSOR_LEN);
    assert!(max.parse::<Cursor>().is_ok());
    assert!(format!("{max}a").parse::<Cursor>().is_err());
    assert!("".parse::<Cursor>().is_err());
    assert!("a\u{7f}".parse::<Cursor>().is_err());
    let parsed: Result<Cursor, _> = serde_json::from_value(json!("ok"));
    assert!(parsed.is_ok());
    let bad: Result<Cursor, _> = serde_json::from_value(json!(""));
    assert!(bad.is_err());
}
