//! SQL store benchmarks (see docs/BENCHMARKS.md, "SQL store").
//!
//! `cargo bench -p scimkit-benches --bench sql`
//!
//! On a SQLite file (WAL, `synchronous=NORMAL`, 4 readers, 1 writer):
//! - `sql/get_by_user_name`: Entra's lookup `userName eq "…"` among 100,000
//!   users through `ResourceStore::list` (filter parsed and compiled per call,
//!   as the engine does): one at a time, and 64 concurrent on 2 threads.
//! - `sql/create_user`: one user create (a transaction) at a time.
//! - `sql/member_add`: adding one member to a 100,000-member group.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scimkit_filter::parse_filter;
use scimkit_schema::eval::CompiledFilter;
use scimkit_schema::{Compat, Registry, Resource, ResourceSchema};
use scimkit_service::{ListQuery, Member, ResourceStore, TenantId};
use scimkit_sql::{SqlStore, SqliteOptions};
use serde_json::json;

const USERS: usize = 100_000;
const MEMBERS: usize = 100_000;

fn user(i: u64) -> Resource {
    Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("user{i}@example.com"),
        "externalId": format!("ext-{i}"),
        "displayName": format!("User {i}"),
        "active": true,
        "name": {"givenName": "Given", "familyName": format!("Family{i}")},
        "emails": [{"type": "work", "value": format!("user{i}@example.com"), "primary": true}]
    }))
    .unwrap()
}

async fn lookup(
    store: &SqlStore,
    tenant: &TenantId,
    users: &ResourceSchema,
    compat: &Compat,
    i: u64,
) -> usize {
    let text = format!("userName eq \"user{i}@example.com\"");
    let f = parse_filter(&text, &compat.parse).unwrap();
    let compiled = CompiledFilter::new(&f, users, compat).unwrap();
    let mut q = ListQuery::all(users, 100);
    q.compiled = Some(&compiled);
    store.list(tenant, &q).await.unwrap().resources.len()
}

fn bench_sql(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = rt
        .block_on(SqlStore::sqlite(SqliteOptions::file(
            dir.path().join("bench.db"),
        )))
        .unwrap();
    let registry = Registry::core();
    let users = registry.resource_type("User").unwrap().clone();
    let groups = registry.resource_type("Group").unwrap().clone();
    let tenant = TenantId::new("bench");
    let compat = Compat::default();

    // 100,000 users, created concurrently (writes serialise on the writer).
    rt.block_on(async {
        let store = Arc::new(store.clone());
        let mut tasks = Vec::new();
        for w in 0..8u64 {
            let (store, tenant, users) = (store.clone(), tenant.clone(), users.clone());
            tasks.push(tokio::spawn(async move {
                for i in (w..USERS as u64).step_by(8) {
                    store.create(&tenant, &users, user(i)).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });

    let mut g = c.benchmark_group("sql");
    let mut n = 0u64;
    g.throughput(Throughput::Elements(1));
    g.bench_function("get_by_user_name", |b| {
        b.iter(|| {
            n = (n + 7919) % USERS as u64;
            let found = rt.block_on(lookup(&store, &tenant, &users, &compat, n));
            assert_eq!(black_box(found), 1);
        })
    });
    g.throughput(Throughput::Elements(64));
    g.bench_function("get_by_user_name/concurrent64", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut tasks = Vec::with_capacity(64);
                for k in 0..64u64 {
                    n = (n + 7919) % USERS as u64;
                    let (store, tenant, users, compat, i) =
                        (store.clone(), tenant.clone(), users.clone(), compat, n + k);
                    tasks.push(tokio::spawn(async move {
                        lookup(&store, &tenant, &users, &compat, i % USERS as u64).await
                    }));
                }
                for t in tasks {
                    assert_eq!(t.await.unwrap(), 1);
                }
            })
        })
    });

    let next = AtomicU64::new(USERS as u64);
    g.throughput(Throughput::Elements(1));
    g.bench_function("create_user", |b| {
        b.iter(|| {
            let i = next.fetch_add(1, Ordering::Relaxed);
            rt.block_on(store.create(&tenant, &users, user(i))).unwrap();
        })
    });

    // A group of 100,000 members, then one more member per iteration.
    let group = rt.block_on(async {
        let g = store
            .create(&tenant, &groups, Resource::from_value(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Everyone"})).unwrap())
            .await
            .unwrap();
        for chunk in (0..MEMBERS).collect::<Vec<_>>().chunks(1000) {
            let members: Vec<Member> = chunk.iter().map(|i| Member::new(format!("member-{i}")).with_kind("User")).collect();
            store.add_members(&tenant, &groups, &g.id, &members).await.unwrap();
        }
        g.id
    });
    let mut m = 0u64;
    g.bench_function("member_add", |b| {
        b.iter(|| {
            m += 1;
            let up = rt
                .block_on(store.add_members(
                    &tenant,
                    &groups,
                    &group,
                    &[Member::new(format!("extra-{m}")).with_kind("User")],
                ))
                .unwrap();
            assert_eq!(up.changed.len(), 1);
        })
    });
    g.finish();
}

criterion_group!(benches, bench_sql);
criterion_main!(benches);
