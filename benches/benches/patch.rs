//! PATCH application benchmarks (see docs/BENCHMARKS.md, "PATCH application").
//!
//! `cargo bench -p scimkit-benches --bench patch`
//!
//! Each request is a realistic PATCH body as Entra ID or Okta sends it,
//! applied to a realistic resource (a full enterprise User, a Group of 100
//! members) under the `interoperable` profile: schema-aware, type-checked,
//! all-or-nothing.
//!
//! - `patch/parse+apply/<request>`: `PatchOp::from_slice` on the body bytes,
//!   then `patch::apply` (what a server does per request).
//! - `patch/apply/<request>`: `patch::apply` of an already parsed PatchOp.
//! - `patch/mix`: every request once, per request (elements/s).
//! - `patch/large/add-40000-members`: `patch::run` (budgets, apply,
//!   validate) of one `add` of 40,000 members to an empty group (the values
//!   budget raised), per member (elements/s); linear PATCH application keeps
//!   this in milliseconds, the old quadratic duplicate check took 5.4 s.
//!
//! Each iteration applies a request and then the request that undoes it
//! (add then remove a member, `active` false then true, …), so the resource
//! returns to where it started without being cloned; figures are per request.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

use scimkit_schema::messages::PatchOp;
use scimkit_schema::{Compat, Registry, Resource, patch};

fn user() -> Resource {
    Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara",
                 "middleName": "Jane", "honorificPrefix": "Ms.", "honorificSuffix": "III"},
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "title": "Tour Guide",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": true,
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood",
                       "region": "CA", "postalCode": "91608", "country": "US", "primary": true}],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"}, {"value": "555-555-4444", "type": "mobile"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
            "division": "Theme Park", "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}},
        "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z",
                 "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff591\""}
    }))
    .unwrap()
}

fn group() -> Resource {
    let members: Vec<Value> = (0..100)
        .map(|i| json!({"value": format!("{i:08x}-7f76-453a-919d-413861904646"), "type": "User"}))
        .collect();
    Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Tour Guides",
        "members": members,
        "meta": {"resourceType": "Group", "version": "W/\"7\""}
    }))
    .unwrap()
}

/// (name, resource type, request, the request that undoes it).
fn requests() -> Vec<(&'static str, &'static str, String, String)> {
    let body = |ops: Value| {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
            .to_string()
    };
    let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let member = "6f3ebd7a-2c1d-4e5f-8a9b-0c1d2e3f4a5b";
    let existing = "00000063-7f76-453a-919d-413861904646"; // the last member, so re-adding restores the order
    vec![
        (
            "replace_name",
            "User",
            body(
                json!([{"op": "Replace", "path": "name.givenName", "value": "Barb"},
                     {"op": "Replace", "path": "name.familyName", "value": "Jensen-Smith"}]),
            ),
            body(
                json!([{"op": "Replace", "path": "name.givenName", "value": "Barbara"},
                     {"op": "Replace", "path": "name.familyName", "value": "Jensen"}]),
            ),
        ),
        (
            "add_email",
            "User",
            body(
                json!([{"op": "add", "path": "emails", "value": [{"value": "barbara@example.org", "type": "other"}]}]),
            ),
            body(json!([{"op": "remove", "path": "emails[value eq \"barbara@example.org\"]"}])),
        ),
        (
            "set_active",
            "User",
            body(json!([{"op": "Replace", "path": "active", "value": "False"}])),
            body(json!([{"op": "Replace", "path": "active", "value": "True"}])),
        ),
        (
            "enterprise",
            "User",
            body(
                json!([{"op": "Replace", "path": format!("{ent}:department"), "value": "Sales"},
                     {"op": "Replace", "path": format!("{ent}:manager"), "value": "8d0e2b3c"}]),
            ),
            body(
                json!([{"op": "Replace", "path": format!("{ent}:department"), "value": "Tour Operations"},
                     {"op": "Replace", "path": format!("{ent}:manager"), "value": "26118915-6090-4610-87e4-49d8ca9f808d"}]),
            ),
        ),
        (
            "entra_no_path",
            "User",
            body(
                json!([{"op": "replace", "value": {"displayName": "Barbara Jensen", "name.givenName": "Barb",
             "emails[type eq \"work\"].value": "barbara.jensen@example.com",
             format!("{ent}:employeeNumber"): "701985"}}]),
            ),
            body(
                json!([{"op": "replace", "value": {"displayName": "Babs Jensen", "name.givenName": "Barbara",
             "emails[type eq \"work\"].value": "bjensen@example.com",
             format!("{ent}:employeeNumber"): "701984"}}]),
            ),
        ),
        (
            "okta_active",
            "User",
            body(json!([{"op": "replace", "value": {"active": false}}])),
            body(json!([{"op": "replace", "value": {"active": true}}])),
        ),
        (
            "member_add_remove",
            "Group",
            body(json!([{"op": "Add", "path": "members", "value": [{"value": member}]}])),
            body(json!([{"op": "remove", "path": format!("members[value eq \"{member}\"]")}])),
        ),
        (
            "member_remove_add_entra",
            "Group",
            body(json!([{"op": "Remove", "path": "members", "value": [{"value": existing}]}])),
            body(
                json!([{"op": "Add", "path": "members", "value": [{"value": existing, "type": "User"}]}]),
            ),
        ),
    ]
}

/// Each iteration applies a request and the request that undoes it, so the
/// resource returns to its start and nothing is cloned: two requests per
/// iteration, reported per request.
fn bench(c: &mut Criterion) {
    let registry = Registry::core();
    let compat = Compat::interoperable();
    let reqs = requests();
    let (u, g) = (user(), group());
    let fixture = |ty: &str| if ty == "User" { u.clone() } else { g.clone() };
    // Every request must apply, change something, and be undone by its pair.
    for (name, ty, fwd, back) in &reqs {
        let rs = registry.resource_type(ty).unwrap();
        let mut r = fixture(ty);
        for body in [fwd, back] {
            let p = PatchOp::from_slice(body.as_bytes()).unwrap();
            let out =
                patch::apply(&mut r, &p, rs, &compat).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(out.changed, "{name} changed nothing");
        }
        let same = serde_json::to_value(&r).unwrap() == serde_json::to_value(fixture(ty)).unwrap();
        assert!(same, "{name}: the pair does not return to the start");
    }

    let mut grp = c.benchmark_group("patch/parse+apply");
    grp.throughput(Throughput::Elements(2));
    for (name, ty, fwd, back) in &reqs {
        let rs = registry.resource_type(ty).unwrap();
        let mut r = fixture(ty);
        grp.bench_function(*name, |b| {
            b.iter(|| {
                for body in [fwd, back] {
                    let p = PatchOp::from_slice(black_box(body.as_bytes())).unwrap();
                    black_box(patch::apply(&mut r, &p, rs, &compat).unwrap());
                }
            })
        });
    }
    grp.finish();

    let mut grp = c.benchmark_group("patch/apply");
    grp.throughput(Throughput::Elements(2));
    for (name, ty, fwd, back) in &reqs {
        let rs = registry.resource_type(ty).unwrap();
        let ops = [
            PatchOp::from_slice(fwd.as_bytes()).unwrap(),
            PatchOp::from_slice(back.as_bytes()).unwrap(),
        ];
        let mut r = fixture(ty);
        grp.bench_function(*name, |b| {
            b.iter(|| {
                for p in &ops {
                    black_box(patch::apply(&mut r, black_box(p), rs, &compat).unwrap());
                }
            })
        });
    }
    grp.finish();

    let mut grp = c.benchmark_group("patch/mix");
    grp.throughput(Throughput::Elements(2 * reqs.len() as u64));
    let typed: Vec<_> = reqs
        .iter()
        .map(|(_, ty, fwd, back)| {
            (
                registry.resource_type(ty).unwrap(),
                *ty == "User",
                fwd.as_bytes(),
                back.as_bytes(),
            )
        })
        .collect();
    let (mut user, mut group) = (u.clone(), g.clone());
    grp.bench_function("parse+apply", |b| {
        b.iter(|| {
            for (rs, is_user, fwd, back) in &typed {
                let r = if *is_user { &mut user } else { &mut group };
                for body in [fwd, back] {
                    let p = PatchOp::from_slice(black_box(body)).unwrap();
                    black_box(patch::apply(r, &p, rs, &compat).unwrap());
                }
            }
        })
    });
    grp.finish();

    let mut grp = c.benchmark_group("patch/large");
    const N: usize = 40_000;
    grp.throughput(Throughput::Elements(N as u64));
    grp.sample_size(10);
    let members: Vec<Value> = (0..N)
        .map(|i| json!({"value": format!("{i:08x}-7f76-453a-919d-413861904646"), "type": "User"}))
        .collect();
    let add = PatchOp::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": members}]
    }))
    .unwrap();
    let empty = Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Everyone"
    }))
    .unwrap();
    let groups = registry.resource_type("Group").unwrap();
    let limits = patch::PatchLimits::default().with_max_values_per_operation(N);
    let once = patch::run(&empty, &add, groups, &compat, &limits).unwrap();
    assert_eq!(
        once.resource.as_map()["members"].as_array().map(Vec::len),
        Some(N)
    );
    grp.bench_function("add-40000-members", |b| {
        b.iter(|| black_box(patch::run(&empty, black_box(&add), groups, &compat, &limits).unwrap()))
    });
    grp.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
