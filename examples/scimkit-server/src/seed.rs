//! `seed` (hidden): fills a tenant with generated users through the store
//! API, for load tests. Users are `user{n}@example.com`; with
//! `--group-members M`, the group `big` gets the first M users as members.
//! Prints the group's id, and writes the ids of the users that are not
//! members (one a line) to `--ids-file` when given.

use std::sync::Arc;
use std::time::Instant;

use scimkit_schema::{Registry, Resource};
use scimkit_service::{Member, ResourceStore, TenantId};
use scimkit_sql::SqlStore;
use serde_json::json;

use crate::cli::SeedArgs;

/// At most this many ids go to `--ids-file`.
const IDS_FILE_MAX: usize = 200_000;

/// How many creates run at once.
const WORKERS: u64 = 16;

/// A generated user.
pub(crate) fn user(n: u64) -> Resource {
    let v = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("user{n}@example.com"),
        "externalId": format!("ext-{n}"),
        "active": true,
        "displayName": format!("User {n}"),
        "name": {"givenName": "User", "familyName": format!("N{n}")},
        "emails": [{"value": format!("user{n}@example.com"), "type": "work", "primary": true}]
    });
    match v {
        serde_json::Value::Object(m) => Resource::from_map(m),
        _ => Resource::from_map(serde_json::Map::new()),
    }
}

/// Runs the seed.
pub(crate) async fn run(store: SqlStore, args: &SeedArgs) -> Result<(), String> {
    let found = store
        .tenants()
        .find(&args.tenant)
        .await
        .map_err(|e| e.to_string())?;
    if found.is_none() {
        return Err(format!("no tenant with id {}", args.tenant));
    }
    let registry = Registry::core();
    let users = registry
        .resource_type_by_endpoint("Users")
        .cloned()
        .ok_or("no Users resource type")?;
    let groups = registry
        .resource_type_by_endpoint("Groups")
        .cloned()
        .ok_or("no Groups resource type")?;
    let tenant = TenantId::new(&args.tenant);
    let store = Arc::new(store);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..WORKERS {
        let (store, users, tenant, total) =
            (store.clone(), users.clone(), tenant.clone(), args.users);
        tasks.spawn(async move {
            let mut ids = Vec::new();
            let mut n = w;
            while n < total {
                let r = store.create(&tenant, &users, user(n)).await;
                let r = r.map_err(|e| format!("user {n}: {e}"))?;
                ids.push((n, r.id));
                n += WORKERS;
            }
            Ok::<_, String>(ids)
        });
    }
    let mut ids = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        ids.extend(joined.map_err(|e| e.to_string())??);
    }
    ids.sort_unstable_by_key(|(n, _)| *n);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "created {} users in {secs:.1} s ({:.0}/s)",
        ids.len(),
        ids.len() as f64 / secs.max(1e-9)
    );
    if args.group_members > 0 {
        let start = Instant::now();
        let mut group = serde_json::Map::new();
        group.insert(
            "schemas".into(),
            json!(["urn:ietf:params:scim:schemas:core:2.0:Group"]),
        );
        group.insert("displayName".into(), json!("big"));
        let g = store
            .create(&tenant, &groups, Resource::from_map(group))
            .await
            .map_err(|e| format!("group: {e}"))?;
        let m = usize::try_from(args.group_members)
            .unwrap_or(usize::MAX)
            .min(ids.len());
        for chunk in ids[..m].chunks(1000) {
            let members: Vec<Member> = chunk
                .iter()
                .map(|(_, id)| Member::new(id.clone()))
                .collect();
            store
                .add_members(&tenant, &groups, &g.id, &members)
                .await
                .map_err(|e| format!("members: {e}"))?;
        }
        println!(
            "group big ({}) has {m} members ({:.1} s)",
            g.id,
            start.elapsed().as_secs_f64()
        );
        println!("GROUP_ID={}", g.id);
        if let Some(path) = &args.ids_file {
            let end = ids.len().min(m + IDS_FILE_MAX);
            let rest: String = ids[m..end]
                .iter()
                .map(|(_, id)| format!("{id}\n"))
                .collect();
            std::fs::write(path, rest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    store.close().await;
    Ok(())
}
