//! The store's statements, written once and instantiated for each database
//! by [`backend!`]: the SQL differs only in what [`crate::sql::Sql`] and the
//! translator write for the dialect, and in how parameters bind.

/// Defines the operations over `sqlx::Pool<$db>`. `$bind` binds a
/// [`crate::sql::Param`] to a query; `$data` selects the document as text.
macro_rules! backend {
    ($db:ty, $dialect:expr, $bind:path, $data:expr) => {
        use chrono::{DateTime, Utc};
        use serde_json::{Map, Value};
        use sqlx::{Pool, Row};

        use crate::columns::{Layout, MemberRow, Stored};
        use crate::error::DbError;
        use crate::record::{ListQuery, Page, Record};
        use crate::sql::{Param, Sql};
        use crate::translate::{fold, filter_condition};

        const DIALECT: crate::sql::Dialect = $dialect;

        fn cols() -> String {
            format!("r.id, r.version, r.created, r.last_modified, r.{}", $data)
        }

        /// The same columns, unqualified (for `RETURNING`, which SQLite does
        /// not let name a table alias).
        fn bare_cols() -> String {
            format!("id, version, created, last_modified, {}", $data)
        }

        async fn run(ex: &mut <$db as sqlx::Database>::Connection, sql: &Sql) -> Result<u64, DbError> {
            let mut q = sqlx::query(&sql.text);
            for p in &sql.params {
                q = $bind(q, p);
            }
            Ok(q.execute(&mut *ex).await?.rows_affected())
        }

        async fn rows(
            ex: &mut <$db as sqlx::Database>::Connection,
            sql: &Sql,
        ) -> Result<Vec<<$db as sqlx::Database>::Row>, DbError> {
            let mut q = sqlx::query(&sql.text);
            for p in &sql.params {
                q = $bind(q, p);
            }
            Ok(q.fetch_all(&mut *ex).await?)
        }

        fn record(row: &<$db as sqlx::Database>::Row) -> Result<Record, DbError> {
            let data: String = row.try_get(4)?;
            let data = match serde_json::from_str(&data)? {
                Value::Object(m) => m,
                _ => return Err(DbError::NotAnObject),
            };
            Ok(Record {
                id: row.try_get(0)?,
                version: row.try_get(1)?,
                created: row.try_get(2)?,
                last_modified: row.try_get(3)?,
                data,
            })
        }

        fn time(t: DateTime<Utc>) -> Param {
            Param::Time(t)
        }

        /// The `INSERT`s of a resource's e-mail rows (none without any), each
        /// under the database's parameter cap.
        fn emails_sql(tenant: &str, rt: &str, id: &str, s: &Stored, layout: &Layout) -> Vec<Sql> {
            if !layout.emails {
                return Vec::new();
            }
            // tenant, type, id, type_lower, value_lower
            const PER_ROW: usize = 5;
            let per = crate::chunk::rows_per_statement(DIALECT, PER_ROW, 0);
            let mut out = Vec::new();
            for chunk in s.emails.chunks(per) {
                let mut sql = Sql::new(DIALECT);
                sql.push("INSERT INTO resource_emails (tenant_id, resource_type, resource_id, type_lower, value_lower) VALUES ");
                for (i, (ty, v)) in chunk.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" });
                    sql.bind_text(tenant).push(", ").bind_text(rt).push(", ").bind_text(id).push(", ");
                    match ty {
                        Some(t) => sql.bind_text(t.as_str()),
                        None => sql.push("NULL"),
                    };
                    sql.push(", ").bind_text(v.as_str()).push(")");
                }
                out.push(sql);
            }
            out
        }

        /// With registered tenants, fails with [`DbError::TenantGone`] unless
        /// the tenant is in the `tenants` table; PostgreSQL holds its row
        /// `FOR KEY SHARE` until the transaction ends, so a removal (whose
        /// `DELETE` conflicts with it) waits, while writes of one tenant and
        /// a token rotation do not wait for each other.
        async fn tenant_guard(
            ex: &mut <$db as sqlx::Database>::Connection,
            tenant: &str,
            registered: bool,
        ) -> Result<(), DbError> {
            if !registered {
                return Ok(());
            }
            let mut sql = Sql::new(DIALECT);
            sql.push("SELECT 1 FROM tenants WHERE id = ").bind_text(tenant);
            if DIALECT == crate::sql::Dialect::Postgres {
                sql.push(" FOR KEY SHARE");
            }
            if rows(ex, &sql).await?.is_empty() {
                return Err(DbError::TenantGone);
            }
            Ok(())
        }

        /// `INSERT` of one unique value.
        fn unique_sql(tenant: &str, rt: &str, id: &str, attr: &str, value: &str) -> Sql {
            let mut sql = Sql::new(DIALECT);
            sql.push("INSERT INTO unique_values (tenant_id, resource_type, attr, value, resource_id) VALUES (");
            sql.bind_text(tenant).push(", ").bind_text(rt).push(", ").bind_text(attr).push(", ");
            sql.bind_text(value).push(", ").bind_text(id).push(")");
            sql
        }

        /// Writes the e-mail, member and unique-value rows of a resource,
        /// one statement each (a unique violation names its attribute).
        async fn write_side_rows(
            ex: &mut <$db as sqlx::Database>::Connection,
            tenant: &str,
            rt: &str,
            id: &str,
            s: &Stored,
            layout: &Layout,
        ) -> Result<(), DbError> {
            for sql in emails_sql(tenant, rt, id, s, layout) {
                run(ex, &sql).await?;
            }
            if layout.members {
                insert_members(ex, tenant, rt, id, &s.members).await?;
            }
            for (attr, value) in &s.unique {
                match run(ex, &unique_sql(tenant, rt, id, attr, value)).await {
                    Err(DbError::Unique { .. }) => {
                        return Err(DbError::Unique { attr: attr.clone(), value: value.clone() });
                    }
                    r => {
                        r?;
                    }
                }
            }
            Ok(())
        }

        /// Inserts member rows of group `group` (of type `rt`), ignoring
        /// members already there, in statements under the parameter cap;
        /// returns the new ones.
        async fn insert_members(
            ex: &mut <$db as sqlx::Database>::Connection,
            tenant: &str,
            rt: &str,
            group: &str,
            members: &[MemberRow],
        ) -> Result<Vec<String>, DbError> {
            // tenant, group, group type, id, id lower, type, display, ref
            const PER_ROW: usize = 8;
            let per = crate::chunk::rows_per_statement(DIALECT, PER_ROW, 0);
            let mut n = Vec::new();
            for chunk in members.chunks(per) {
                let mut sql = Sql::new(DIALECT);
                sql.push("INSERT INTO group_members (tenant_id, group_id, group_type, member_id, member_id_lower, type, display, ref) VALUES ");
                for (i, m) in chunk.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" });
                    sql.bind_text(tenant).push(", ").bind_text(group).push(", ").bind_text(rt).push(", ");
                    sql.bind_text(m.value.as_str()).push(", ").bind_text(fold(&m.value)).push(", ");
                    for (j, o) in [&m.kind, &m.display, &m.reference].into_iter().enumerate() {
                        if j > 0 {
                            sql.push(", ");
                        }
                        match o {
                            Some(t) => sql.bind_text(t.as_str()),
                            None => sql.push("NULL"),
                        };
                    }
                    sql.push(")");
                }
                sql.push(" ON CONFLICT (tenant_id, group_id, member_id) DO NOTHING RETURNING member_id");
                for r in rows(ex, &sql).await? {
                    n.push(r.try_get(0)?);
                }
            }
            Ok(n)
        }

        async fn delete_side_rows(
            ex: &mut <$db as sqlx::Database>::Connection,
            tenant: &str,
            rt: &str,
            id: &str,
            layout: &Layout,
        ) -> Result<(), DbError> {
            if layout.emails {
                let mut sql = Sql::new(DIALECT);
                sql.push("DELETE FROM resource_emails WHERE tenant_id = ").bind_text(tenant);
                sql.push(" AND resource_type = ").bind_text(rt).push(" AND resource_id = ").bind_text(id);
                run(ex, &sql).await?;
            }
            if layout.members {
                let mut sql = Sql::new(DIALECT);
                sql.push("DELETE FROM group_members WHERE tenant_id = ").bind_text(tenant);
                sql.push(" AND group_id = ").bind_text(id);
                run(ex, &sql).await?;
            }
            if !layout.unique.is_empty() {
                let mut sql = Sql::new(DIALECT);
                sql.push("DELETE FROM unique_values WHERE tenant_id = ").bind_text(tenant);
                sql.push(" AND resource_type = ").bind_text(rt).push(" AND resource_id = ").bind_text(id);
                run(ex, &sql).await?;
            }
            Ok(())
        }

        /// The statement reading a group's member rows, ordered by value.
        pub(crate) fn members_sql(tenant: &str, group: &str) -> Sql {
            let mut sql = Sql::new(DIALECT);
            sql.push("SELECT member_id, type, display, ref FROM group_members WHERE tenant_id = ")
                .bind_text(tenant)
                .push(" AND group_id = ")
                .bind_text(group)
                .push(" ORDER BY member_id");
            sql
        }

        /// The members of a group, ordered by value.
        async fn load_members(
            ex: &mut <$db as sqlx::Database>::Connection,
            tenant: &str,
            group: &str,
            counters: &crate::stats::Counters,
        ) -> Result<Vec<Value>, DbError> {
            let rs = rows(ex, &members_sql(tenant, group)).await?;
            counters.member_rows(rs.len());
            let mut out = Vec::with_capacity(rs.len());
            for r in &rs {
                out.push(
                    MemberRow {
                        value: r.try_get(0)?,
                        kind: r.try_get(1)?,
                        display: r.try_get(2)?,
                        reference: r.try_get(3)?,
                    }
                    .to_json(),
                );
            }
            Ok(out)
        }

        async fn attach_members(
            ex: &mut <$db as sqlx::Database>::Connection,
            tenant: &str,
            rec: &mut Record,
            counters: &crate::stats::Counters,
        ) -> Result<(), DbError> {
            let m = load_members(ex, tenant, &rec.id, counters).await?;
            if !m.is_empty() {
                rec.data.insert("members".into(), Value::Array(m));
            }
            Ok(())
        }

        /// The statements of an insert: the resource row alone, and (on
        /// SQLite, for types without member rows) the row with its side rows
        /// as one multi-statement text, run in one call.
        pub(crate) struct Prepared {
            pub(crate) stored: Stored,
            pub(crate) row: Sql,
            pub(crate) all: Option<Sql>,
        }

        /// Builds the statements that insert `doc` as resource `id`.
        pub(crate) fn prepare_insert(
            tenant: &str,
            rt: &str,
            layout: &Layout,
            id: &str,
            doc: &Map<String, Value>,
            now: DateTime<Utc>,
        ) -> Result<Prepared, DbError> {
            let s = Stored::new(doc.clone(), layout)?;
            let mut sql = Sql::new(DIALECT);
            sql.push("INSERT INTO resources (tenant_id, resource_type, id, version, created, last_modified, data, user_name_lower, external_id, display_name_lower) VALUES (");
            if layout.registered_tenant {
                // NULL (a NOT NULL violation, DbError::TenantGone) when the
                // tenant is gone: the group commit needs no extra statement.
                sql.push("(SELECT id FROM tenants WHERE id = ").bind_text(tenant).push(")");
            } else {
                sql.bind_text(tenant);
            }
            sql.push(", ").bind_text(rt).push(", ").bind_text(id).push(", ");
            sql.bind(Param::Int(1)).push(", ").bind(time(now)).push(", ").bind(time(now)).push(", ");
            sql.bind(Param::Json(s.data.clone()));
            for o in [&s.user_name_lower, &s.external_id, &s.display_name_lower] {
                sql.push(", ");
                match o {
                    Some(t) => sql.bind_text(t.as_str()),
                    None => sql.push("NULL"),
                };
            }
            sql.push(")");
            let all = (DIALECT == crate::sql::Dialect::Sqlite && !layout.members).then(|| {
                // SQLite runs several statements in one call (parameters bind
                // in order): one hand-off to its thread instead of one each.
                let mut all = sql.clone();
                let side = emails_sql(tenant, rt, id, &s, layout)
                    .into_iter()
                    .chain(s.unique.iter().map(|(a, v)| unique_sql(tenant, rt, id, a, v)));
                for st in side {
                    all.text.push_str(";\n");
                    all.text.push_str(&st.text);
                    all.params.extend(st.params);
                }
                all
            });
            Ok(Prepared { stored: s, row: sql, all })
        }

        /// Inserts the resource statement by statement in its own
        /// transaction (a unique violation names its attribute).
        pub(crate) async fn insert_each(
            pool: &Pool<$db>,
            tenant: &str,
            rt: &str,
            layout: &Layout,
            id: &str,
            p: &Prepared,
        ) -> Result<(), DbError> {
            let mut tx = pool.begin().await?;
            tenant_guard(&mut tx, tenant, layout.registered_tenant).await?;
            run(&mut tx, &p.row).await?;
            write_side_rows(&mut tx, tenant, rt, id, &p.stored, layout).await?;
            tx.commit().await?;
            Ok(())
        }

        /// The record of a resource just inserted.
        pub(crate) fn inserted(
            id: &str,
            doc: Map<String, Value>,
            p: Prepared,
            layout: &Layout,
            now: DateTime<Utc>,
        ) -> Record {
            let mut data = doc;
            scimkit_schema::remove_ci(&mut data, "id");
            scimkit_schema::remove_ci(&mut data, "meta");
            if layout.members {
                scimkit_schema::remove_ci(&mut data, "members");
                if !p.stored.members.is_empty() {
                    data.insert("members".into(), Value::Array(p.stored.members.iter().map(MemberRow::to_json).collect()));
                }
            }
            Record {
                id: id.to_owned(),
                version: 1,
                created: now,
                last_modified: now,
                data,
            }
        }

        /// Inserts a new resource.
        pub(crate) async fn insert(
            pool: &Pool<$db>,
            tenant: &str,
            rt: &str,
            layout: &Layout,
            id: &str,
            doc: Map<String, Value>,
            now: DateTime<Utc>,
        ) -> Result<Record, DbError> {
            let p = prepare_insert(tenant, rt, layout, id, &doc, now)?;
            match &p.all {
                Some(all) => {
                    let mut tx = pool.begin().await?;
                    match run(&mut tx, all).await {
                        Ok(_) => tx.commit().await?,
                        Err(DbError::Unique { .. }) => {
                            // Redo statement by statement to name the attribute.
                            drop(tx);
                            insert_each(pool, tenant, rt, layout, id, &p).await?;
                        }
                        Err(e) => return Err(e),
                    }
                }
                None => insert_each(pool, tenant, rt, layout, id, &p).await?,
            }
            Ok(inserted(id, doc, p, layout, now))
        }

        /// The statement reading one resource.
        pub(crate) fn fetch_sql(tenant: &str, rt: &str, id: &str) -> Sql {
            let mut sql = Sql::new(DIALECT);
            sql.push("SELECT ").push(&cols()).push(" FROM resources r WHERE r.tenant_id = ").bind_text(tenant);
            sql.push(" AND r.resource_type = ").bind_text(rt).push(" AND r.id = ").bind_text(id);
            sql
        }

        /// Reads one resource.
        pub(crate) async fn fetch(
            pool: &Pool<$db>,
            tenant: &str,
            rt: &str,
            layout: &Layout,
            id: &str,
            with_members: bool,
            counters: &crate::stats::Counters,
        ) -> Result<Option<Record>, DbError> {
            let mut c = pool.acquire().await?;
            let rs = rows(&mut c, &fetch_sql(tenant, rt, id)).await?;
            let Some(row) = rs.first() else { return Ok(None) };
            let mut rec = record(row)?;
            counters.rows(1);
            if layout.members && with_members {
                attach_members(&mut c, tenant, &mut rec, counters).await?;
            }
            Ok(Some(rec))
        }

        /// The current version of a resource, if it exists.
        async fn current_version(
            ex: &mut <$db as sqlx::Database>::Connection,
            tenant: &str,
            rt: &str,
            id: &str,
        ) -> Result<Option<i64>, DbError> {
            let mut sql = Sql::new(DIALECT);
            sql.push("SELECT version FROM resources WHERE tenant_id = ").bind_text(tenant);
            sql.push(" AND resource_type = ").bind_text(rt).push(" AND id = ").bind_text(id);
            let rs = rows(ex, &sql).await?;
            Ok(match rs.first() {
                Some(r) => Some(r.try_get(0)?),
                None => None,
            })
        }

        /// The error for a compare-and-swap that changed no row.
        async fn cas_failure(
            ex: &mut <$db as sqlx::Database>::Connection,
            tenant: &str,
            rt: &str,
            id: &str,
        ) -> DbError {
            match current_version(ex, tenant, rt, id).await {
                Ok(Some(current)) => DbError::VersionMismatch { current },
                Ok(None) => DbError::NotFound,
                Err(e) => e,
            }
        }

        /// Replaces a resource (compare-and-swap on `expected` when given).
        #[allow(clippy::too_many_arguments)]
        pub(crate) async fn update(
            pool: &Pool<$db>,
            tenant: &str,
            rt: &str,
            layout: &Layout,
            id: &str,
            doc: Map<String, Value>,
            expected: Option<i64>,
            now: DateTime<Utc>,
        ) -> Result<Record, DbError> {
            let s = Stored::new(doc.clone(), layout)?;
            let mut tx = pool.begin().await?;
            tenant_guard(&mut tx, tenant, layout.registered_tenant).await?;
            let mut sql = Sql::new(DIALECT);
            sql.push("UPDATE resources SET version = version + 1, last_modified = ").bind(time(now));
            sql.push(", data = ").bind(Param::Json(s.data.clone()));
            for (col, o) in [
                ("user_name_lower", &s.user_name_lower),
                ("external_id", &s.external_id),
                ("display_name_lower", &s.display_name_lower),
            ] {
                sql.push(", ").push(col).push(" = ");
                match o {
                    Some(t) => sql.bind_text(t.as_str()),
                    None => sql.push("NULL"),
                };
            }
            sql.push(" WHERE tenant_id = ").bind_text(tenant).push(" AND resource_type = ").bind_text(rt);
            sql.push(" AND id = ").bind_text(id);
            if let Some(v) = expected {
                sql.push(" AND version = ").bind(Param::Int(v));
            }
            sql.push(" RETURNING version, created");
            let rs = rows(&mut tx, &sql).await?;
            let Some(row) = rs.first() else {
                let e = cas_failure(&mut tx, tenant, rt, id).await;
                return Err(e);
            };
            let version: i64 = row.try_get(0)?;
            let created: DateTime<Utc> = row.try_get(1)?;
            delete_side_rows(&mut tx, tenant, rt, id, layout).await?;
            write_side_rows(&mut tx, tenant, rt, id, &s, layout).await?;
            tx.commit().await?;
            let mut data = doc;
            scimkit_schema::remove_ci(&mut data, "id");
            scimkit_schema::remove_ci(&mut data, "meta");
            if layout.members {
                scimkit_schema::remove_ci(&mut data, "members");
                if !s.members.is_empty() {
                    data.insert("members".into(), Value::Array(s.members.iter().map(MemberRow::to_json).collect()));
                }
            }
            Ok(Record { id: id.to_owned(), version, created, last_modified: now, data })
        }

        /// Takes resource `id` out of every group of the tenant that lists
        /// it, giving those groups a new version and `lastModified`.
        async fn leave_groups(
            ex: &mut <$db as sqlx::Database>::Connection,
            tenant: &str,
            id: &str,
            now: DateTime<Utc>,
        ) -> Result<(), DbError> {
            let mut sql = Sql::new(DIALECT);
            sql.push("DELETE FROM group_members WHERE tenant_id = ").bind_text(tenant);
            sql.push(" AND member_id_lower = ").bind_text(fold(id));
            sql.push(" AND member_id = ").bind_text(id).push(" RETURNING group_id, group_type");
            let mut by_type: std::collections::BTreeMap<Option<String>, Vec<String>> =
                std::collections::BTreeMap::new();
            for r in rows(ex, &sql).await? {
                by_type.entry(r.try_get(1)?).or_default().push(r.try_get(0)?);
            }
            // last_modified, tenant, resource type
            const FIXED: usize = 3;
            let per = crate::chunk::rows_per_statement(DIALECT, 1, FIXED);
            for (ty, groups) in by_type {
                for chunk in groups.chunks(per) {
                    let mut sql = Sql::new(DIALECT);
                    sql.push("UPDATE resources SET version = version + 1, last_modified = ").bind(time(now));
                    sql.push(" WHERE tenant_id = ").bind_text(tenant);
                    // Every row has its group's type since migration 20261205000200.
                    if let Some(ty) = &ty {
                        sql.push(" AND resource_type = ").bind_text(ty.as_str());
                    }
                    sql.push(" AND id IN (");
                    for (i, g) in chunk.iter().enumerate() {
                        if i > 0 {
                            sql.push(", ");
                        }
                        sql.bind_text(g.as_str());
                    }
                    sql.push(")");
                    run(ex, &sql).await?;
                }
            }
            Ok(())
        }

        /// The ids among `ids` that name no resource of the types `types`
        /// in the tenant (one query per slice under the parameter cap).
        pub(crate) async fn missing_ids(
            pool: &Pool<$db>,
            tenant: &str,
            types: &[&str],
            ids: &[String],
        ) -> Result<Vec<String>, DbError> {
            if types.is_empty() {
                return Ok(ids.to_vec());
            }
            let per = crate::chunk::rows_per_statement(DIALECT, 1, 1 + types.len());
            let mut c = pool.acquire().await?;
            let mut missing = Vec::new();
            for chunk in ids.chunks(per) {
                let mut sql = Sql::new(DIALECT);
                sql.push("SELECT id FROM resources WHERE tenant_id = ").bind_text(tenant);
                sql.push(" AND resource_type IN (");
                for (i, t) in types.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind_text(*t);
                }
                sql.push(") AND id IN (");
                for (i, id) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind_text(id.as_str());
                }
                sql.push(")");
                let mut found = std::collections::HashSet::new();
                for r in rows(&mut c, &sql).await? {
                    found.insert(r.try_get::<String, _>(0)?);
                }
                missing.extend(chunk.iter().filter(|id| !found.contains(id.as_str())).cloned());
            }
            Ok(missing)
        }

        /// Deletes a resource (compare-and-swap on `expected` when given),
        /// and its memberships (see [`leave_groups`]).
        pub(crate) async fn delete(
            pool: &Pool<$db>,
            tenant: &str,
            rt: &str,
            layout: &Layout,
            id: &str,
            expected: Option<i64>,
            now: DateTime<Utc>,
        ) -> Result<(), DbError> {
            let mut tx = pool.begin().await?;
            tenant_guard(&mut tx, tenant, layout.registered_tenant).await?;
            let mut sql = Sql::new(DIALECT);
            sql.push("DELETE FROM resources WHERE tenant_id = ").bind_text(tenant);
            sql.push(" AND resource_type = ").bind_text(rt).push(" AND id = ").bind_text(id);
            if let Some(v) = expected {
                sql.push(" AND version = ").bind(Param::Int(v));
            }
            if run(&mut tx, &sql).await? == 0 {
                let e = cas_failure(&mut tx, tenant, rt, id).await;
                return Err(e);
            }
            delete_side_rows(&mut tx, tenant, rt, id, layout).await?;
            leave_groups(&mut tx, tenant, id, now).await?;
            tx.commit().await?;
            Ok(())
        }

        /// Adds (`add`) or removes members of a group with single-row writes,
        /// bumping the group's version and `lastModified` (one-row UPDATE)
        /// when anything changed. Returns the group (without `members`) and
        /// the member values actually added or removed.
        #[allow(clippy::too_many_arguments)]
        pub(crate) async fn change_members(
            pool: &Pool<$db>,
            tenant: &str,
            rt: &str,
            group: &str,
            add: &[MemberRow],
            remove: &[String],
            now: DateTime<Utc>,
            registered: bool,
        ) -> Result<(Record, Vec<String>), DbError> {
            let mut tx = pool.begin().await?;
            tenant_guard(&mut tx, tenant, registered).await?;
            // Take the group's row lock first, so concurrent changes serialise.
            let mut sql = Sql::new(DIALECT);
            sql.push("UPDATE resources SET version = version WHERE tenant_id = ").bind_text(tenant);
            sql.push(" AND resource_type = ").bind_text(rt).push(" AND id = ").bind_text(group);
            if run(&mut tx, &sql).await? == 0 {
                return Err(DbError::NotFound);
            }
            let mut changed = insert_members(&mut tx, tenant, rt, group, add).await?;
            // tenant, group
            const FIXED: usize = 2;
            for chunk in remove.chunks(crate::chunk::rows_per_statement(DIALECT, 1, FIXED)) {
                let mut sql = Sql::new(DIALECT);
                sql.push("DELETE FROM group_members WHERE tenant_id = ").bind_text(tenant);
                sql.push(" AND group_id = ").bind_text(group).push(" AND member_id IN (");
                for (i, m) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind_text(m.as_str());
                }
                sql.push(") RETURNING member_id");
                for r in rows(&mut tx, &sql).await? {
                    changed.push(r.try_get(0)?);
                }
            }
            let mut sql = Sql::new(DIALECT);
            if changed.is_empty() {
                sql.push("SELECT ").push(&bare_cols()).push(" FROM resources");
            } else {
                sql.push("UPDATE resources SET version = version + 1, last_modified = ").bind(time(now));
            }
            sql.push(" WHERE tenant_id = ").bind_text(tenant).push(" AND resource_type = ").bind_text(rt);
            sql.push(" AND id = ").bind_text(group);
            if !changed.is_empty() {
                sql.push(" RETURNING ").push(&bare_cols());
            }
            let rs = rows(&mut tx, &sql).await?;
            let rec = match rs.first() {
                Some(r) => record(r)?,
                None => return Err(DbError::NotFound),
            };
            tx.commit().await?;
            Ok((rec, changed))
        }

        /// The count of a list's matches (an index-only count, no documents read).
        pub(crate) fn count_sql(tenant: &str, rt: &str, layout: &Layout, q: &ListQuery<'_>) -> Sql {
            let scope = layout.scope(tenant, rt);
            let mut cnt = Sql::new(DIALECT);
            cnt.push("SELECT count(*) FROM resources r WHERE r.tenant_id = ").bind_text(tenant);
            cnt.push(" AND r.resource_type = ").bind_text(rt);
            if let Some(f) = q.filter {
                cnt.push(" AND ");
                filter_condition(&mut cnt, &scope, f.root());
            }
            cnt
        }

        /// The list statement: the filter (exact or a superset), the order
        /// and, when both went to SQL, the page. Returns the statement,
        /// whether filter and sort are exact, and the offset.
        pub(crate) fn list_sql(tenant: &str, rt: &str, layout: &Layout, q: &ListQuery<'_>) -> (Sql, bool, bool, usize) {
            let scope = layout.scope(tenant, rt);
            let mut sql = Sql::new(DIALECT);
            sql.push("SELECT ").push(&cols()).push(" FROM resources r WHERE r.tenant_id = ").bind_text(tenant);
            sql.push(" AND r.resource_type = ").bind_text(rt);
            let exact = match q.filter {
                Some(f) => {
                    sql.push(" AND ");
                    filter_condition(&mut sql, &scope, f.root())
                }
                None => true,
            };
            let order = q.sort.and_then(|(k, desc)| crate::sort::order_by(DIALECT, &scope, k, desc));
            let sorted = q.sort.is_none() || order.is_some();
            sql.push(" ORDER BY ").push(order.as_deref().unwrap_or("r.seq ASC"));
            let offset = q.start_index.max(1) - 1;
            if exact && sorted {
                match (q.count, DIALECT) {
                    (Some(c), _) => {
                        sql.push(" LIMIT ").bind(Param::Int(i64::try_from(c).unwrap_or(i64::MAX)));
                    }
                    (None, crate::sql::Dialect::Sqlite) => {
                        sql.push(" LIMIT -1");
                    }
                    (None, crate::sql::Dialect::Postgres) => {}
                }
                sql.push(" OFFSET ").bind(Param::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
            }
            (sql, exact, sorted, offset)
        }

        /// The statement a list would run and the database's plan for it
        /// (SQLite `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN`).
        pub(crate) async fn explain(
            pool: &Pool<$db>,
            tenant: &str,
            rt: &str,
            layout: &Layout,
            q: &ListQuery<'_>,
        ) -> Result<(String, Vec<String>, bool), DbError> {
            let (mut sql, exact, _, _) = list_sql(tenant, rt, layout, q);
            let text = sql.text.clone();
            let (prefix, col) = match DIALECT {
                crate::sql::Dialect::Sqlite => ("EXPLAIN QUERY PLAN ", 3),
                crate::sql::Dialect::Postgres => ("EXPLAIN ", 0),
            };
            sql.text.insert_str(0, prefix);
            let mut c = pool.acquire().await?;
            let mut plan = Vec::new();
            for r in rows(&mut c, &sql).await? {
                plan.push(r.try_get::<String, _>(col)?);
            }
            Ok((text, plan, exact))
        }

        /// Lists resources: the filter and sort go to SQL when they translate
        /// exactly; otherwise the SQL pre-filter selects a superset, and the
        /// filter, sort and paging finish in memory.
        pub(crate) async fn list(
            pool: &Pool<$db>,
            tenant: &str,
            rt: &str,
            layout: &Layout,
            q: &ListQuery<'_>,
            counters: &crate::stats::Counters,
        ) -> Result<Page, DbError> {
            let (sql, exact, sorted, offset) = list_sql(tenant, rt, layout, q);
            let in_sql_paging = exact && sorted;
            let mut c = pool.acquire().await?;
            let rs = rows(&mut c, &sql).await?;
            let mut total = offset + rs.len();
            let mut records = Vec::with_capacity(rs.len());
            for r in &rs {
                records.push(record(r)?);
            }
            counters.rows(records.len());
            counters.held(records.len());
            let short = crate::record::page_tells_total(records.len(), q.count, offset);
            if in_sql_paging && !short {
                let cnt = count_sql(tenant, rt, layout, q);
                let rs = rows(&mut c, &cnt).await?;
                total = match rs.first() {
                    Some(r) => usize::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0),
                    None => 0,
                };
            }
            // The in-memory evaluator needs `members` when it filters or sorts.
            if layout.members && (q.load_members || !in_sql_paging) {
                for rec in &mut records {
                    attach_members(&mut c, tenant, rec, counters).await?;
                }
            }
            Ok(Page {
                records,
                total,
                filter_pushed_down: exact,
                sort_pushed_down: sorted,
                paged: in_sql_paging,
            })
        }

        /// The columns a scan reads: [`cols`], then `r.seq`.
        pub(crate) fn scan_cols() -> String {
            format!("{}, r.seq", cols())
        }

        /// Runs a scan statement (selecting [`scan_cols`]) and returns its
        /// rows with their `seq`, with their members when `members_of`
        /// names the tenant.
        pub(crate) async fn scan_rows(
            pool: &Pool<$db>,
            sql: &Sql,
            members_of: Option<&str>,
            counters: &crate::stats::Counters,
        ) -> Result<Vec<(i64, Record)>, DbError> {
            let mut c = pool.acquire().await?;
            let rs = rows(&mut c, sql).await?;
            let mut out = Vec::with_capacity(rs.len());
            for r in &rs {
                out.push((r.try_get::<i64, _>(5)?, record(r)?));
            }
            drop(rs);
            counters.rows(out.len());
            if let Some(tenant) = members_of {
                for (_, rec) in &mut out {
                    attach_members(&mut c, tenant, rec, counters).await?;
                }
            }
            Ok(out)
        }

        /// Runs a `SELECT count(*)`.
        pub(crate) async fn count(pool: &Pool<$db>, sql: &Sql) -> Result<u64, DbError> {
            let mut c = pool.acquire().await?;
            let rs = rows(&mut c, sql).await?;
            Ok(match rs.first() {
                Some(r) => u64::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0),
                None => 0,
            })
        }

        /// Adds `members` to each record from its member rows.
        pub(crate) async fn attach_all(
            pool: &Pool<$db>,
            tenant: &str,
            recs: &mut [Record],
            counters: &crate::stats::Counters,
        ) -> Result<(), DbError> {
            let mut c = pool.acquire().await?;
            for rec in recs {
                attach_members(&mut c, tenant, rec, counters).await?;
            }
            Ok(())
        }
    };
}

pub(crate) use backend;
