//! Lists (RFC 7644 §3.4.2): the bounded top-k of `finish_list` and of the
//! memory store, the in-memory scan budget (`400 tooMany`, §3.12), and what
//! the store is told not to load (`excludedAttributes=members`).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use scimkit_filter::AttrPath;
use scimkit_schema::eval::SortKey;
use scimkit_schema::{Registry, Resource, ResourceSchema};
use scimkit_service::{
    ChangeRecord, Config, EventKind, Fetch, ListQuery, ListResult, MemoryStore, PageCollector,
    ResourceStore, ScimService, SortSpec, StoreError, StoredResource, TenantId, finish_list,
};
use serde_json::{Value, json};

fn user(i: usize) -> Resource {
    // Given names with ties, mixed case, and some users without one.
    let mut v = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("u{i}"),
        "title": format!("t{}", i % 7),
    });
    if !i.is_multiple_of(5) {
        let g = ["bob", "Alice", "carol", "ALICE", "Émile", "dave"][i % 6];
        v["name"] = json!({"givenName": format!("{g}{}", i % 4)});
    }
    Resource::from_value(v).unwrap()
}

/// Pages of the bounded top-k equal pages of a full sort, and the collector
/// never holds more than about twice `startIndex - 1 + count` resources.
#[tokio::test]
async fn top_k_pages_equal_a_full_sort() {
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap();
    let s = MemoryStore::new();
    let t = TenantId::default();
    let mut all = Vec::new();
    for i in 0..500 {
        all.push(s.create(&t, users, user(i)).await.unwrap());
    }
    let path = AttrPath::new("name").with_sub("givenName");
    let key = SortKey::new(&path, users).unwrap();
    let check = |start: u64, count: u64, desc: bool| {
        let spec = SortSpec::new(path.clone().into_owned(), key.clone(), desc);
        let mut q = ListQuery::all(users, count);
        q.start_index = start;
        q.sort = Some(&spec);
        let mut c = PageCollector::new(&q, true, false);
        for r in &all {
            c.offer(r.clone()).unwrap();
        }
        let held = c.most_held();
        let (page, total) = c.finish();
        let mut want = all.clone();
        want.sort_by(|a, b| {
            let o = key.compare(&a.resource, &b.resource);
            if desc { o.reverse() } else { o }
        });
        let want: Vec<String> = want
            .iter()
            .skip(start as usize - 1)
            .take(count as usize)
            .map(|r| r.id.clone())
            .collect();
        let got: Vec<String> = page.iter().map(|r| r.id.clone()).collect();
        assert_eq!(
            (got, total),
            (want, 500),
            "start {start} count {count} desc {desc}"
        );
        let keep = (start - 1 + count) as usize;
        assert!(held <= (2 * keep).max(64), "held {held} for keep {keep}");
    };
    for (start, count, desc) in [
        (1, 1, false),
        (1, 1, true),
        (1, 10, false),
        (37, 5, true),
        (95, 10, false),
        (398, 10, false),
        (398, 10, true),
        (490, 50, false),
        (600, 10, false),
        (1, 0, false),
    ] {
        check(start, count, desc);
    }
}

fn service(store: impl ResourceStore, config: Config) -> ScimService {
    crate::support::service(store, config)
}

async fn call(s: &ScimService, method: &str, uri: &str, body: Option<Value>) -> (u16, Value) {
    crate::support::call(s, method, uri, body.as_ref()).await
}

/// A list that would examine more resources in memory than
/// `max_list_scan` answers `400 tooMany`, in the memory store and in
/// `finish_list` alike; lists the store answers by index, or pages without
/// evaluating, are not limited.
#[tokio::test]
async fn lists_past_the_scan_budget_are_too_many() {
    let s = service(
        MemoryStore::new(),
        Config::default().with_base_path("").with_max_list_scan(10),
    );
    for i in 0..20 {
        let body = serde_json::to_value(user(i).as_map()).unwrap();
        assert_eq!(call(&s, "POST", "/Users", Some(body)).await.0, 201);
    }
    let search = |sort: Option<&str>| {
        let mut b =
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": 1});
        if let Some(s) = sort {
            b["sortBy"] = json!(s);
        }
        b
    };
    let cases: Vec<(&str, &str, Option<Value>, u16)> = vec![
        ("GET", "/Users?filter=title%20eq%20%22t1%22", None, 400),
        ("GET", "/Users?sortBy=name.givenName&count=1", None, 400),
        ("GET", "/Users?filter=userName%20eq%20%22u3%22", None, 200),
        ("GET", "/Users?startIndex=15&count=2", None, 200),
        ("GET", "/Users", None, 200),
        ("POST", "/.search", Some(search(Some("userName"))), 400),
        ("POST", "/.search", Some(search(None)), 200),
    ];
    for (m, uri, body, want) in cases {
        let (status, json) = call(&s, m, uri, body).await;
        assert_eq!(status, want, "{m} {uri}: {json}");
        if want == 400 {
            assert_eq!(json["scimType"], "tooMany", "{uri}: {json}");
            let detail = json["detail"].as_str().unwrap();
            assert!(detail.contains("narrow the filter"), "{detail}");
        }
    }

    // finish_list keeps the budget for stores that leave the work to it.
    let reg = Registry::core();
    let users = reg.resource_type("User").unwrap();
    let all: Vec<StoredResource> = (0..20)
        .map(|i| {
            StoredResource::new(
                format!("{i}"),
                "User",
                "1",
                chrono::Utc::now(),
                chrono::Utc::now(),
                user(i),
            )
        })
        .collect();
    let path = AttrPath::new("userName");
    let spec = SortSpec::new(path.clone(), SortKey::new(&path, users).unwrap(), false);
    let mut q = ListQuery::all(users, 5);
    q.sort = Some(&spec);
    q.max_scan = 19;
    let err = finish_list(&q, ListResult::unprocessed(all.clone())).unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref e) if e.to_string().contains("tooMany") || format!("{e:?}").contains("TooMany")),
        "{err:?}"
    );
    q.max_scan = 20;
    let (page, total) = finish_list(&q, ListResult::unprocessed(all)).unwrap();
    assert_eq!((page.len(), total), (5, 20));
}

/// A store that records what the engine asked it to load.
struct Recording {
    inner: MemoryStore,
    fetches: Arc<Mutex<Vec<Fetch>>>,
}

#[async_trait]
impl ResourceStore for Recording {
    async fn create(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        resource: Resource,
    ) -> Result<StoredResource, StoreError> {
        self.inner.create(tenant, rs, resource).await
    }
    async fn get(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
    ) -> Result<Option<StoredResource>, StoreError> {
        self.fetches.lock().unwrap().push(Fetch::all());
        self.inner.get(tenant, rs, id).await
    }
    async fn get_with(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        fetch: Fetch,
    ) -> Result<Option<StoredResource>, StoreError> {
        self.fetches.lock().unwrap().push(fetch);
        self.inner.get(tenant, rs, id).await
    }
    async fn replace(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
        change: &[EventKind],
    ) -> Result<StoredResource, StoreError> {
        self.inner
            .replace(tenant, rs, id, resource, expected_version, change)
            .await
    }
    async fn delete(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        self.inner.delete(tenant, rs, id, expected_version).await
    }
    async fn list(
        &self,
        tenant: &TenantId,
        query: &ListQuery<'_>,
    ) -> Result<ListResult, StoreError> {
        self.fetches.lock().unwrap().push(query.fetch);
        self.inner.list(tenant, query).await
    }
}

/// `excludedAttributes=members` (Entra ID's group lookups), or an
/// `attributes` list without it, tells the store not to load `members`.
#[tokio::test]
async fn excluded_members_are_not_loaded() {
    let fetches = Arc::new(Mutex::new(Vec::new()));
    let s = service(
        Recording {
            inner: MemoryStore::new(),
            fetches: fetches.clone(),
        },
        Config::default().with_base_path(""),
    );
    let g = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "x"});
    let (_, g) = call(&s, "POST", "/Groups", Some(g)).await;
    let id = g["id"].as_str().unwrap();
    let skip = Fetch::without_members();
    let all = Fetch::all();
    let cases = [
        (format!("/Groups/{id}?excludedAttributes=members"), skip),
        (
            format!("/Groups/{id}?excludedAttributes=MEMBERS,externalId"),
            skip,
        ),
        (format!("/Groups/{id}?attributes=displayName"), skip),
        (format!("/Groups/{id}?attributes=members.value"), all),
        (format!("/Groups/{id}"), all),
        (
            "/Groups?filter=displayName%20eq%20%22x%22&excludedAttributes=members".to_owned(),
            skip,
        ),
        (
            // The filter needs members: loaded for it.
            "/Groups?filter=members%20pr&excludedAttributes=members".to_owned(),
            all,
        ),
        ("/Groups".to_owned(), all),
    ];
    for (uri, want) in cases {
        fetches.lock().unwrap().clear();
        let (status, json) = call(&s, "GET", &uri, None).await;
        assert_eq!(status, 200, "{uri}: {json}");
        assert_eq!(*fetches.lock().unwrap(), vec![want], "{uri}");
    }
}

/// `POST /.search` across types: unsorted pages ask each type only for its
/// part of the page (the same pages as one long list); a sorted page keeps
/// `startIndex - 1 + count` per type, so past `max_list_scan` it is
/// `400 tooMany`.
#[tokio::test]
async fn root_search_pages_by_type() {
    let s = service(
        MemoryStore::new(),
        Config::default().with_base_path("").with_max_list_scan(5),
    );
    for i in 0..4 {
        let body = serde_json::to_value(user(i).as_map()).unwrap();
        assert_eq!(call(&s, "POST", "/Users", Some(body)).await.0, 201);
    }
    for i in 0..3 {
        let g = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("g{i}")});
        assert_eq!(call(&s, "POST", "/Groups", Some(g)).await.0, 201);
    }
    let search = |start: u64, count: u64, sort: Option<&str>| {
        let mut b = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "startIndex": start, "count": count,
        });
        if let Some(s) = sort {
            b["sortBy"] = json!(s);
        }
        b
    };
    let ids = |v: &Value| -> Vec<String> {
        v["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, all) = call(&s, "POST", "/.search", Some(search(1, 100, None))).await;
    assert_eq!(status, 200, "{all}");
    let all = ids(&all);
    assert_eq!(all.len(), 7);
    for start in 1..=9u64 {
        for count in [0u64, 1, 2, 5] {
            let (status, page) =
                call(&s, "POST", "/.search", Some(search(start, count, None))).await;
            assert_eq!(status, 200, "{page}");
            assert_eq!(page["totalResults"], 7);
            let want: Vec<String> = all
                .iter()
                .skip(start as usize - 1)
                .take(count as usize)
                .cloned()
                .collect();
            assert_eq!(ids(&page), want, "startIndex {start} count {count}");
        }
    }
    let (status, _) = call(
        &s,
        "POST",
        "/.search",
        Some(search(3, 3, Some("displayName"))),
    )
    .await;
    assert_eq!(status, 200);
    let (status, err) = call(
        &s,
        "POST",
        "/.search",
        Some(search(4, 3, Some("displayName"))),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["scimType"], "tooMany");
    assert!(
        err["detail"].as_str().unwrap().contains("startIndex"),
        "{err}"
    );
}
