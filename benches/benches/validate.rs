//! Validation and projection of the RFC 7643 §8.3 Enterprise User
//! (`scimkit_schema::validate`, `scimkit_schema::project`), against parsing
//! the same body with serde_json as the reference (see docs/BENCHMARKS.md,
//! "Validation and projection").
//!
//! `cargo bench -p scimkit-benches --bench validate`

#![allow(missing_docs)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use scimkit_filter::ParseOptions;
use scimkit_schema::project::{Projection, project};
use scimkit_schema::validate::{RequestKind, validate};
use scimkit_schema::{Compat, Registry, Resource};

const USER: &str = include_str!("../../crates/scimkit-schema/tests/data/project/full_user.json");
const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn stored() -> Resource {
    let mut v: serde_json::Value = serde_json::from_str(USER).unwrap_or_default();
    v["schemas"] = serde_json::json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT]);
    v[ENT] = serde_json::json!({
        "employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
        "division": "Theme Park", "department": "Tour Operations",
        "manager": {"value": "26118915-6090-4c49-9c12-0011050119a5",
                    "$ref": "../Users/26118915-6090-4c49-9c12-0011050119a5",
                    "displayName": "John Smith"}
    });
    // Stored form: what validation keeps (password is writeOnly and stays).
    Resource::from_value(v).unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let registry = Registry::core();
    let Some(users) = registry.resource_type("User") else {
        return;
    };
    let compat = Compat::interoperable();
    let original = stored();
    let body = serde_json::to_string(&original).unwrap_or_default();
    let mut g = c.benchmark_group("validate");
    g.bench_function("serde_json parse (reference)", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&body)))
    });
    g.bench_function("patch result, enterprise user", |b| {
        b.iter_batched_ref(
            || original.clone(),
            |r| {
                validate(
                    r,
                    users,
                    RequestKind::PatchResult {
                        original: &original,
                    },
                    &compat,
                )
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.bench_function("create, enterprise user", |b| {
        b.iter_batched_ref(
            || original.clone(),
            |r| validate(r, users, RequestKind::Create, &compat),
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
    let mut g = c.benchmark_group("project");
    let default = Projection::default();
    let user_name =
        Projection::parse(Some("userName"), None, &ParseOptions::default()).unwrap_or_default();
    g.bench_function("clone (reference)", |b| {
        b.iter(|| black_box(&original).clone())
    });
    g.bench_function("default, enterprise user", |b| {
        b.iter(|| project(black_box(&original), users, &default))
    });
    g.bench_function("attributes=userName, enterprise user", |b| {
        b.iter(|| project(black_box(&original), users, &user_name))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
