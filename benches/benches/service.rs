//! `ScimService::handle` with the memory store (see docs/BENCHMARKS.md, "Service").
//!
//! `cargo bench -p scimkit-benches --bench service -- --warm-up-time 1 --measurement-time 3`
//!
//! 100,000 realistic users in a `MemoryStore`; each iteration builds an
//! `http::Request`, runs the whole engine (bearer token, routing, parsing,
//! validation, store, projection, serialisation) and drops the response:
//!
//! - `service/get_filter_username_eq`: `GET /Users?filter=userName eq "…"`
//!   (bar: ≥ 200,000 requests/s per core; an index lookup, not a scan);
//! - `service/post_user`: `POST /Users` of a new user (no bar);
//! - `service/patch_user`: `PATCH /Users/{id}` replacing `displayName` (no bar).
//!
//! Time is the benchmark thread's **CPU time** (`/proc/thread-self/schedstat`),
//! not wall time: the bar is per core, and the shared machine's other load
//! would otherwise be counted. Falls back to wall time where that file is missing.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use std::time::{Duration, Instant};

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use scimkit_schema::{Registry, Resource};
use scimkit_service::{MemoryStore, ResourceStore, ScimService, StaticTokens, TenantId};
use serde_json::{Value, json};

const USERS: usize = 100_000;
const TOKEN: &str = "bench-token";
const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user(i: usize) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
        "externalId": format!("ext-{i:06}"),
        "userName": format!("user{i}@contoso.com"),
        "name": {"formatted": "Barbara Jensen", "familyName": "Jensen", "givenName": "Barbara"},
        "displayName": "Barbara Jensen",
        "active": true,
        "emails": [{"value": format!("user{i}@contoso.com"), "type": "work", "primary": true}],
        "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}],
        ENT: {"employeeNumber": format!("{i}"), "department": "Sales",
              "manager": {"value": format!("mgr-{}", i / 50)}}
    })
}

fn request(method: &str, uri: &str, body: Option<&Value>) -> http::Request<Bytes> {
    let b = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "scim.example.com")
        .header("authorization", "Bearer bench-token")
        .header("content-type", "application/scim+json");
    let body = body
        .map(|v| Bytes::from(serde_json::to_vec(v).unwrap()))
        .unwrap_or_default();
    b.body(body).unwrap()
}

/// CPU time of the calling thread.
struct ThreadCpu;

fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

impl Measurement for ThreadCpu {
    type Intermediate = (Option<u64>, Instant);
    type Value = Duration;
    fn start(&self) -> Self::Intermediate {
        (thread_cpu_ns(), Instant::now())
    }
    fn end(&self, (cpu, wall): Self::Intermediate) -> Duration {
        match (cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => Duration::from_nanos(b.saturating_sub(a)),
            _ => wall.elapsed(),
        }
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WallTime.formatter()
    }
}

fn bench_service(c: &mut Criterion<ThreadCpu>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let registry = Registry::core();
    let users = registry.resource_type("User").unwrap().clone();
    let store = MemoryStore::new();
    let tenant = TenantId::default();
    let mut ids = Vec::with_capacity(USERS);
    rt.block_on(async {
        for i in 0..USERS {
            let r = Resource::from_value(user(i)).unwrap();
            ids.push(store.create(&tenant, &users, r).await.unwrap().id);
        }
    });
    let service = ScimService::builder()
        .registry(registry)
        .store(store)
        .authenticator(StaticTokens::new().with_token(tenant, TOKEN))
        .build()
        .unwrap();

    let mut g = c.benchmark_group("service");
    g.throughput(Throughput::Elements(1));
    // Equal samples of tens of milliseconds: the kernel updates a running
    // thread's CPU time at scheduler ticks, an error that averages out over
    // equal samples but not over criterion's short first linear samples.
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(50);

    let uris: Vec<String> = (0..64)
        .map(|k| {
            let i = (k * 1_543) % USERS;
            format!("/scim/v2/Users?filter=userName%20eq%20%22user{i}%40contoso.com%22")
        })
        .collect();
    // Sanity: one match, found.
    let resp = rt.block_on(service.handle(request("GET", &uris[1], None)));
    assert_eq!(resp.status(), 200);
    let v: Value = serde_json::from_slice(resp.body()).unwrap();
    assert_eq!(v["totalResults"], 1, "{v}");
    let mut k = 0;
    g.bench_function("get_filter_username_eq", |b| {
        b.iter(|| {
            k = (k + 1) % uris.len();
            let resp = rt.block_on(service.handle(request("GET", &uris[k], None)));
            black_box(resp)
        })
    });

    let next = AtomicUsize::new(USERS);
    g.bench_function("post_user", |b| {
        b.iter(|| {
            let body = user(next.fetch_add(1, Ordering::Relaxed));
            let resp = rt.block_on(service.handle(request("POST", "/scim/v2/Users", Some(&body))));
            assert_eq!(resp.status(), 201);
            black_box(resp)
        })
    });

    let target = format!("/scim/v2/Users/{}", ids[42]);
    let patches: Vec<Value> = ["Babs", "Barbara"]
        .iter()
        .map(|n| {
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                   "Operations": [{"op": "replace", "path": "displayName", "value": n}]})
        })
        .collect();
    let mut flip = 0;
    g.bench_function("patch_user", |b| {
        b.iter(|| {
            flip ^= 1;
            let resp = rt.block_on(service.handle(request("PATCH", &target, Some(&patches[flip]))));
            assert_eq!(resp.status(), 200);
            black_box(resp)
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = bench_service
}
criterion_main!(benches);
