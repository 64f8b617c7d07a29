//! What SQL a list request becomes, and how the database plans to run it:
//! for checking that a filter is pushed down and that lookups use an index.

use scimkit_service::{ListQuery, TenantId};

use crate::{SqlError, SqlStore};

/// The statement a list request runs and the database's plan for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryPlan {
    /// The SQL text, with placeholders (`?` or `$n`) where values are bound.
    pub sql: String,
    /// The plan, one line per row of SQLite's `EXPLAIN QUERY PLAN` or
    /// PostgreSQL's `EXPLAIN` (e.g. `SEARCH r USING INDEX resources_user_name (…)`).
    pub plan: Vec<String>,
    /// Whether the filter went to SQL exactly (else SQL selects a superset
    /// and the engine finishes the filter, sort and page in memory).
    pub filter_pushed_down: bool,
}

impl SqlStore {
    /// Explains the list request `query` for `tenant` without running it.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use scimkit_filter::parse_filter;
    /// use scimkit_schema::{Compat, Registry, eval::CompiledFilter};
    /// use scimkit_service::{ListQuery, TenantId};
    /// use scimkit_sql::{SqlStore, SqliteOptions};
    ///
    /// let store = SqlStore::sqlite(SqliteOptions::in_memory()).await?;
    /// let registry = Registry::core();
    /// let users = registry.resource_type("User").unwrap();
    /// let compat = Compat::default();
    /// let filter = parse_filter(r#"userName eq "bjensen""#, &compat.parse)?.into_owned();
    /// let compiled = CompiledFilter::new(&filter, users, &compat)?;
    /// let mut query = ListQuery::all(users, 100);
    /// query.compiled = Some(&compiled);
    /// let plan = store.explain_list(&TenantId::default(), &query).await?;
    /// assert!(plan.filter_pushed_down);
    /// assert!(plan.plan.iter().any(|l| l.contains("USING INDEX resources_user_name")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn explain_list(
        &self,
        tenant: &TenantId,
        query: &ListQuery<'_>,
    ) -> Result<QueryPlan, SqlError> {
        let q = crate::record::ListQuery {
            filter: query.compiled,
            sort: query.sort.map(|s| (&s.key, s.descending)),
            start_index: usize::try_from(query.start_index).unwrap_or(usize::MAX),
            count: Some(usize::try_from(query.count).unwrap_or(usize::MAX)),
            load_members: true,
        };
        let (sql, plan, filter_pushed_down) =
            self.explain_query(tenant.as_str(), query.rs, &q).await?;
        Ok(QueryPlan {
            sql,
            plan,
            filter_pushed_down,
        })
    }
}
