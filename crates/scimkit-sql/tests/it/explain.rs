//! Entra ID's lookups (`userName eq`, `externalId eq`, `displayName eq`,
//! `emails[type eq "work"].value eq`, and `members[value eq]`, `id eq`) are
//! index lookups, not scans: proven with SQLite's `EXPLAIN QUERY PLAN` and
//! PostgreSQL's `EXPLAIN` of the very statement the store runs.

use scimkit_filter::parse_filter;
use scimkit_schema::eval::CompiledFilter;
use scimkit_schema::{Compat, Registry, Resource};
use scimkit_service::{ListQuery, ResourceStore, TenantId};
use scimkit_sql::SqlStore;
use serde_json::json;
use sqlx::Connection;

/// (resource type, filter, index the plan must use).
const LOOKUPS: &[(&str, &str, &str)] = &[
    (
        "User",
        r#"userName eq "user42@example.com""#,
        "resources_user_name",
    ),
    ("User", r#"externalId eq "ext-42""#, "resources_external_id"),
    ("User", r#"id eq "42""#, "resources_id"),
    (
        "User",
        r#"emails[type eq "work"].value eq "user42@example.com""#,
        "resource_emails_value",
    ),
    (
        "User",
        r#"emails[type eq "work" and value eq "user42@example.com"]"#,
        "resource_emails_value",
    ),
    (
        "Group",
        r#"displayName eq "group 42""#,
        "resources_display_name",
    ),
    ("Group", r#"members[value eq "42"]"#, "group_members_member"),
];

async fn plans(store: &SqlStore, tenant: &TenantId) -> Vec<(String, scimkit_sql::QueryPlan)> {
    let registry = Registry::core();
    let compat = Compat::default();
    let mut out = Vec::new();
    for (rt, filter, _) in LOOKUPS {
        let rs = registry.resource_type(rt).unwrap();
        let f = parse_filter(filter, &compat.parse).unwrap().into_owned();
        let compiled = CompiledFilter::new(&f, rs, &compat).unwrap();
        let mut q = ListQuery::all(rs, 100);
        q.compiled = Some(&compiled);
        let plan = store.explain_list(tenant, &q).await.unwrap();
        assert!(
            plan.filter_pushed_down,
            "{filter}: not pushed down:\n{}",
            plan.sql
        );
        // Every value is bound, never pasted.
        assert!(
            !plan.sql.contains("42"),
            "{filter}: a value in the SQL text:\n{}",
            plan.sql
        );
        out.push((filter.to_string(), plan));
    }
    out
}

#[tokio::test]
async fn sqlite_lookups_use_indexes() {
    let (store, _dir) = crate::backends::sqlite_store().await;
    let registry = Registry::core();
    let users = registry.resource_type("User").unwrap();
    let tenant = TenantId::new("t");
    for i in 0..50 {
        let u = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("user{i}@example.com"),
            "externalId": format!("ext-{i}"), "emails": [{"type": "work", "value": format!("user{i}@example.com")}]});
        store
            .create(&tenant, users, Resource::from_value(u).unwrap())
            .await
            .unwrap();
    }
    for (i, (filter, plan)) in plans(&store, &tenant).await.into_iter().enumerate() {
        let index = LOOKUPS[i].2;
        let text = plan.plan.join("\n");
        eprintln!("{filter}\n  {}\n  {}", plan.sql, text.replace('\n', "\n  "));
        assert!(
            text.contains(&format!("INDEX {index}")),
            "{filter}: expected {index}:\n{text}"
        );
        // No full scan of the resources table.
        assert!(
            !plan.plan.iter().any(|l| l.starts_with("SCAN r")),
            "{filter}: scans:\n{text}"
        );
    }
}

#[tokio::test]
async fn postgres_lookups_use_indexes() {
    let schema = format!("scimkit_explain_{}", uuid::Uuid::new_v4().simple());
    let store = crate::backends::postgres_store_in(&schema).await;
    // Enough rows (and statistics) that the planner prefers an index to a scan.
    let mut c = sqlx::PgConnection::connect(&crate::backends::postgres_url())
        .await
        .unwrap();
    sqlx::query(&format!("SET search_path TO {schema}"))
        .execute(&mut c)
        .await
        .unwrap();
    for stmt in [
        "INSERT INTO resources (tenant_id, resource_type, id, version, created, last_modified, data, user_name_lower, external_id, display_name_lower) \
         SELECT 't', CASE WHEN i % 10 = 0 THEN 'Group' ELSE 'User' END, i::text, 1, now(), now(), '{}'::jsonb, \
                'user' || i || '@example.com', 'ext-' || i, 'group ' || i FROM generate_series(1, 20000) AS i",
        "INSERT INTO resource_emails (tenant_id, resource_type, resource_id, type_lower, value_lower) \
         SELECT 't', 'User', i::text, 'work', 'user' || i || '@example.com' FROM generate_series(1, 20000) AS i",
        "INSERT INTO group_members (tenant_id, group_id, member_id, member_id_lower) \
         SELECT 't', (i % 100 * 10)::text, i::text, i::text FROM generate_series(1, 20000) AS i",
        "ANALYZE",
    ] {
        sqlx::query(stmt).execute(&mut c).await.unwrap();
    }
    for (i, (filter, plan)) in plans(&store, &TenantId::new("t"))
        .await
        .into_iter()
        .enumerate()
    {
        let index = LOOKUPS[i].2;
        let text = plan.plan.join("\n");
        eprintln!("{filter}\n  {}\n  {}", plan.sql, text.replace('\n', "\n  "));
        assert!(text.contains(index), "{filter}: expected {index}:\n{text}");
        assert!(
            !text.contains("Seq Scan on resources"),
            "{filter}: scans:\n{text}"
        );
    }
}
