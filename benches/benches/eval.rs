//! Filter evaluation benchmarks (see docs/BENCHMARKS.md, "Filter evaluation").
//!
//! `cargo bench -p scimkit-benches --bench eval -- --warm-up-time 1 --measurement-time 3`
//!
//! 100,000 realistic users (userName `user{i}@contoso.com`, name,
//! displayName, 1–3 typed e-mails, active, an address, phone numbers, the
//! enterprise extension with a manager, meta) held as `Resource`s; each filter
//! is compiled once (`CompiledFilter`) and matched against every user:
//!
//! - `eval/100k_users/sw`: `userName sw "user50000@"` (bar: ≥ 5 M users/s);
//! - `eval/100k_users/value_path`: `emails[type eq "work" and value ew "@contoso.com"]`
//!   (bar: ≥ 2 M users/s);
//! - `eval/100k_users/datetime`: `meta.lastModified gt "2024-06-01T00:00:00Z"`
//!   (parses one dateTime per user; no bar);
//! - `eval/100k_users/and_or`: `active eq true and (title pr or urn:…:department eq "Sales")`
//!   (no bar).
//!
//! Each runs three ways: `matches` on the `Resource`s, and `flat`
//! (`matches_flat`) and `select_flat` on each user's `FlatResource`
//! (what `MemoryStore` scans). `eval/flat_build` is the cost of making the
//! `FlatResource`s.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scimkit_filter::parse_filter;
use scimkit_schema::eval::{CompiledFilter, FlatResource};
use scimkit_schema::{Compat, Registry, Resource};
use serde_json::json;

/// With `--features mimalloc`, the allocator `scimkit-server` ships with.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USERS: usize = 100_000;
const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const DEPARTMENTS: [&str; 5] = ["Sales", "Engineering", "Finance", "Support", "Legal"];
const GIVEN: [&str; 8] = [
    "Barbara", "John", "Aiko", "Mateo", "Fatima", "Oskar", "Priya", "Chen",
];
const FAMILY: [&str; 8] = [
    "Jensen", "Smith", "Tanaka", "García", "Haddad", "Nilsson", "Patel", "Wei",
];

/// One realistic user, the way an identity provider creates it and the
/// service stores it.
fn user(i: usize) -> Resource {
    let given = GIVEN[i % GIVEN.len()];
    let family = FAMILY[(i / 8) % FAMILY.len()];
    let domain = if i.is_multiple_of(7) {
        "fabrikam.com"
    } else {
        "contoso.com"
    };
    let mut emails = vec![json!({
        "value": format!("user{i}@{domain}"),
        "type": if i.is_multiple_of(5) { "home" } else { "work" },
        "primary": true
    })];
    if i % 3 >= 1 {
        emails.push(json!({"value": format!("{}.{}{i}@example.net", given.to_lowercase(), family.to_lowercase()), "type": "home"}));
    }
    if i % 3 == 2 {
        emails.push(json!({"value": format!("u{i}@contoso.com"), "type": "other"}));
    }
    let mut v = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
        "id": format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", i * 2_654_435_761 % 0xffff_ffff, i % 0xffff, i % 0xfff, (i * 7) % 0xfff, i * 31),
        "externalId": format!("ext-{i:06}"),
        "userName": format!("user{i}@contoso.com"),
        "name": {
            "formatted": format!("{given} {family}"),
            "familyName": family,
            "givenName": given
        },
        "displayName": format!("{given} {family}"),
        "active": !i.is_multiple_of(10),
        "emails": emails,
        "phoneNumbers": [{"value": format!("+1 555 {:04}", i % 10_000), "type": "work"}],
        "addresses": [{
            "type": "work",
            "streetAddress": format!("{} Main Street", i % 1000),
            "locality": "Redmond",
            "region": "WA",
            "postalCode": format!("98{:03}", i % 1000),
            "country": "US",
            "primary": true
        }],
        ENT: {
            "employeeNumber": format!("{i}"),
            "costCenter": format!("CC-{}", i % 40),
            "organization": "Contoso",
            "department": DEPARTMENTS[i % DEPARTMENTS.len()],
            "manager": {"value": format!("mgr-{}", i / 50), "displayName": "Manager"}
        },
        "meta": {
            "resourceType": "User",
            "created": format!("2024-{:02}-{:02}T08:{:02}:00Z", 1 + i % 12, 1 + i % 28, i % 60),
            "lastModified": format!("2024-{:02}-{:02}T09:{:02}:30.5+02:00", 1 + (i / 3) % 12, 1 + i % 28, i % 60),
            "version": format!("W/\"{i:x}\""),
            "location": format!("https://scim.example.com/v2/Users/{i}")
        }
    });
    if i.is_multiple_of(4) {
        v["title"] = json!("Engineer");
    }
    Resource::from_value(v).unwrap()
}

fn bench_users(c: &mut Criterion) {
    let registry = Registry::core();
    let rs = registry.resource_type("User").unwrap();
    let compat = Compat::default();
    let users: Vec<Resource> = (0..USERS).map(user).collect();
    let flats: Vec<FlatResource> = users.iter().map(FlatResource::new).collect();
    let cases = [
        ("sw", r#"userName sw "user50000@""#, 1),
        (
            "value_path",
            r#"emails[type eq "work" and value ew "@contoso.com"]"#,
            (0..USERS)
                .filter(|i| !i.is_multiple_of(5) && !i.is_multiple_of(7))
                .count(),
        ),
        (
            "datetime",
            r#"meta.lastModified gt "2024-06-01T00:00:00Z""#,
            0,
        ),
        (
            "and_or",
            r#"active eq true and (title pr or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales")"#,
            0,
        ),
    ];
    let compiled: Vec<(&str, CompiledFilter)> = cases
        .iter()
        .map(|(name, text, want)| {
            let filter = parse_filter(text, &compat.parse).unwrap();
            let compiled = CompiledFilter::new(&filter, rs, &compat).unwrap();
            let count = users.iter().filter(|u| compiled.matches(u)).count();
            // The counts prove the filter does real work (0 = not checked).
            if *want != 0 {
                assert_eq!(count, *want, "{text}");
            }
            assert!(count > 0 && count < USERS, "{text}: {count} matches");
            let flat = flats.iter().filter(|f| compiled.matches_flat(f)).count();
            assert_eq!(flat, count, "{text}");
            assert_eq!(compiled.select_flat(&flats).count(), count, "{text}");
            (*name, compiled)
        })
        .collect();
    // The bars are for the 100,000 users (mostly outside the CPU caches); the
    // first 1,000 users fit in cache and show the cost of the evaluation itself.
    for (group, slice, flat) in [
        ("eval/100k_users", &users[..], &flats[..]),
        ("eval/1k_users_in_cache", &users[..1_000], &flats[..1_000]),
    ] {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Elements(slice.len() as u64));
        g.sample_size(20);
        for (name, compiled) in &compiled {
            // `matches` on each user in turn.
            g.bench_function(format!("{name}/matches"), |b| {
                b.iter(|| {
                    black_box(slice)
                        .iter()
                        .filter(|u| compiled.matches(u))
                        .count()
                })
            });
            // `select_flat`: batches of `FlatResource`s, fetched ahead.
            g.bench_function(format!("{name}/select_flat"), |b| {
                b.iter(|| compiled.select_flat(black_box(flat)).count())
            });
            // `matches_flat` on each user's `FlatResource` in turn.
            g.bench_function(format!("{name}/flat"), |b| {
                b.iter(|| {
                    black_box(flat)
                        .iter()
                        .filter(|f| compiled.matches_flat(f))
                        .count()
                })
            });
        }
        g.finish();
    }
    // What a store pays per write to keep a `FlatResource`.
    let mut g = c.benchmark_group("eval/flat_build");
    g.throughput(Throughput::Elements(1_000));
    g.bench_function("1k_users", |b| {
        b.iter(|| {
            black_box(&users[..1_000])
                .iter()
                .map(|u| FlatResource::new(u).heap_bytes())
                .sum::<usize>()
        })
    });
    g.finish();
    let bytes: usize = flats.iter().map(FlatResource::heap_bytes).sum();
    eprintln!("FlatResource: {} bytes per user on average", bytes / USERS);
}

criterion_group!(benches, bench_users);
criterion_main!(benches);
