//! The provisioning log of a tenant (newest first, filtered by status,
//! resource and switch, refreshing itself) and the tenant's summary (last
//! request from the IdP, failures in the last hour, the most frequent
//! errors).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;

use super::Console;
use super::auth::session;
use super::layout::{Tab, TenantNav, encode, page, time};
use super::sources::{LogEntry, LogQuery, StatusClass};
use super::tenants::find;
use crate::tenant_admin;

/// Entries per log page.
pub(crate) const LOG_PAGE: usize = 100;

/// The failures of the last hour the summary reads at most (it says "at
/// least" beyond).
pub(crate) const SUMMARY_FAILURES: usize = 1_000;

/// Seconds between refreshes of the log page.
const REFRESH_SECONDS: u32 = 5;

#[derive(Deserialize, Default)]
pub(crate) struct LogParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    resource_type: String,
    #[serde(default)]
    resource_id: String,
    #[serde(default)]
    switch: String,
    before: Option<String>,
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// `GET /admin/tenants/{id}/log`.
pub(crate) async fn entries_page(
    State(console): State<Arc<Console>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LogParams>,
) -> Response {
    let s = match session(&console, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let t = match find(&console, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let status = StatusClass::parse(&p.status);
    let q = LogQuery {
        tenant: t.id.clone(),
        status,
        resource_type: opt(&p.resource_type),
        resource_id: opt(&p.resource_id),
        switch: opt(&p.switch),
        before: p.before.clone(),
        since: None,
        limit: LOG_PAGE,
    };
    let result = console.log.entries(&q).await;
    let switches = console.log.switch_names();
    let here = format!(
        "/admin/tenants/{}/log?status={}&resource_type={}&resource_id={}&switch={}",
        t.id,
        encode(status.as_str()),
        encode(&p.resource_type),
        encode(&p.resource_id),
        encode(&p.switch)
    );
    let body = html! {
        h1 { "Provisioning log" }
        form.search method="get" action=(format!("/admin/tenants/{}/log", t.id)) {
            div {
                label for="status" { "Status" }
                select #status name="status" {
                    @for (v, label) in [("", "All"), ("failed", "Failed (4xx, 5xx)"), ("2xx", "Succeeded (2xx)"), ("4xx", "Client errors (4xx)"), ("5xx", "Server errors (5xx)")] {
                        option value=(v) selected[status.as_str() == v] { (label) }
                    }
                }
            }
            div {
                label for="resource_type" { "Resource type" }
                select #resource_type name="resource_type" {
                    @for v in ["", "User", "Group"] {
                        option value=(v) selected[p.resource_type == v] { @if v.is_empty() { "Any" } @else { (v) } }
                    }
                }
            }
            div {
                label for="resource_id" { "Resource id" }
                input #resource_id type="text" name="resource_id" value=(p.resource_id);
            }
            div {
                label for="switch" { "Compatibility switch fired" }
                @if switches.is_empty() {
                    input #switch type="text" name="switch" value=(p.switch);
                } @else {
                    select #switch name="switch" {
                        option value="" selected[p.switch.is_empty()] { "Any" }
                        @for sw in &switches {
                            option value=(sw) selected[p.switch == *sw] { (sw) }
                        }
                    }
                }
            }
            div { button type="submit" { "Filter" } }
        }
        div data-refresh=(REFRESH_SECONDS) {
            p {
                a href=(here) { "Refresh" }
                span #auto-refresh hidden {
                    " · "
                    input #auto-refresh-on type="checkbox" checked[p.before.is_none()];
                    label.inline-label for="auto-refresh-on" { " Refresh automatically" }
                }
            }
            @match result {
                Err(e) => p.notice role="alert" { "The log cannot be read: " (e) "." },
                Ok(page) => {
                    @if page.entries.is_empty() {
                        p { "No requests match." }
                    } @else {
                        (entries_table(&t.id, &page.entries))
                    }
                    @if let Some(older) = page.older.filter(|_| page.entries.len() >= LOG_PAGE) {
                        nav.pager aria-label="Log pages" {
                            a href=(format!("{here}&before={}", encode(&older))) rel="next" { "Older requests →" }
                        }
                    }
                }
            }
        }
    };
    let nav = TenantNav {
        id: &t.id,
        name: &t.name,
        current: Tab::Log,
    };
    page("Provisioning log", Some(&nav), Some(&s.csrf), body).into_response()
}

fn entries_table(tenant: &str, entries: &[LogEntry]) -> Markup {
    html! {
        div.table-wrap { table.log {
            thead { tr {
                th scope="col" { "Time" } th scope="col" { "Request" } th scope="col" { "Status" }
                th scope="col" { "Reason" } th scope="col" { "Switches fired" } th.hide-narrow scope="col" { "ms" }
            } }
            tbody {
                @for e in entries {
                    tr.entry {
                        td { (time(&e.at)) }
                        td {
                            code { (e.method) " " (e.path) }
                            @if let Some(f) = &e.filter { br; span.muted { "filter: " code { (f) } } }
                            @if let Some((kind, id)) = &e.resource {
                                @let plural = if kind == "Group" { "Groups" } else { "Users" };
                                br; a href=(format!("/admin/tenants/{tenant}/resources/{plural}/{}", encode(id))) { (kind) " " (id) }
                            }
                        }
                        td { @if e.status >= 400 { span.bad { (e.status) } } @else { (e.status) } }
                        td.reason {
                            @if let Some(st) = &e.scim_type { strong { (st) } " " }
                            @if let Some(d) = &e.detail { (d) }
                        }
                        td.switches { @for sw in &e.switches { span.tag { (sw) } } }
                        td.hide-narrow { (format!("{:.1}", e.duration_ms)) }
                    }
                }
            }
        } }
    }
}

/// `GET /admin/tenants/{id}`: the tenant's summary.
pub(crate) async fn summary(
    State(console): State<Arc<Console>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let s = match session(&console, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let t = match find(&console, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let base = |status, since, limit| LogQuery {
        tenant: t.id.clone(),
        status,
        resource_type: None,
        resource_id: None,
        switch: None,
        before: None,
        since,
        limit,
    };
    let last = console.log.entries(&base(StatusClass::All, None, 1)).await;
    let hour_ago = Utc::now() - chrono::Duration::hours(1);
    let failures = console
        .log
        .entries(&base(
            StatusClass::Failure,
            Some(hour_ago),
            SUMMARY_FAILURES,
        ))
        .await;
    let users = console.engine.get(&t.id, "/Users?count=0").await;
    let groups = console.engine.get(&t.id, "/Groups?count=0").await;
    let total = |a: &super::engine::Answer| {
        a.json
            .get("totalResults")
            .and_then(serde_json::Value::as_u64)
            .map_or_else(|| "?".to_owned(), |n| n.to_string())
    };
    let body = html! {
        h1 { (t.name) }
        dl.facts {
            dt { "Tenant URL" } dd { code { (tenant_admin::tenant_url(&console.origin, &t.id)) } }
            dt { "Tenant id" } dd { code { (t.id) } }
            dt { "Created" } dd { (time(&t.created)) }
            dt { "Token set" } dd { (time(&t.token_rotated)) }
            dt { "Users" } dd { a href=(format!("/admin/tenants/{}/users", t.id)) { (total(&users)) } }
            dt { "Groups" } dd { a href=(format!("/admin/tenants/{}/groups", t.id)) { (total(&groups)) } }
        }
        h2 { "Last request from the identity provider" }
        @match &last {
            Err(e) => p.muted { "Unknown: " (e) "." },
            Ok(p) => @match p.entries.first() {
                None => p { "None yet." },
                Some(e) => p #last-request {
                    (time(&e.at)) " · " code { (e.method) " " (e.path) } " · "
                    @if e.status >= 400 { span.bad { (e.status) } } @else { span.good { (e.status) } }
                },
            },
        }
        h2 { "Failures in the last hour" }
        @match &failures {
            Err(e) => p.muted { "Unknown: " (e) "." },
            Ok(f) => {
                @let n = f.entries.len();
                p #failures-last-hour {
                    @if n >= SUMMARY_FAILURES { "at least " }
                    strong { (n) } " failed request" @if n != 1 { "s" } "."
                    " " a href=(format!("/admin/tenants/{}/log?status=failed", t.id)) { "See them in the log" }
                }
                @if n > 0 {
                    h2 { "Most frequent errors" }
                    (top_errors(&f.entries))
                }
            }
        }
    };
    let nav = TenantNav {
        id: &t.id,
        name: &t.name,
        current: Tab::Summary,
    };
    page(&t.name, Some(&nav), Some(&s.csrf), body).into_response()
}

/// The five most frequent (status, scimType, detail) among `entries`.
fn top_errors(entries: &[LogEntry]) -> Markup {
    let mut counts: BTreeMap<(u16, String, String), usize> = BTreeMap::new();
    for e in entries {
        let key = (
            e.status,
            e.scim_type.clone().unwrap_or_default(),
            e.detail.clone().unwrap_or_default(),
        );
        *counts.entry(key).or_default() += 1;
    }
    let mut top: Vec<_> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    html! {
        div.table-wrap { table {
            thead { tr { th scope="col" { "Count" } th scope="col" { "Status" } th scope="col" { "scimType" } th scope="col" { "Detail" } } }
            tbody {
                @for ((status, st, detail), n) in top.iter().take(5) {
                    tr { td { (n) } td { (status) } td { (st) } td { (detail) } }
                }
            }
        } }
    }
}
