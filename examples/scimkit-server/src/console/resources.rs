//! A tenant's users and groups (SCIM filter search, paging), and one
//! resource: its JSON as the engine returns it, a group's members, and its
//! change history.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::Console;
use super::auth::session;
use super::layout::{Tab, TenantNav, encode, error_page, page, time};
use super::tenants::find;

/// Resources per console page (the engine may clamp it further).
pub(crate) const PAGE: usize = 50;

/// Members of a group listed on its page; the rest are counted.
pub(crate) const MEMBERS_SHOWN: usize = 500;

/// Changes per page of a resource's history.
pub(crate) const HISTORY_PAGE: usize = 50;

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    filter: String,
    #[serde(default)]
    status: String,
    start: Option<u64>,
}

/// The filter sent to the engine: the admin's, narrowed by `status`.
fn combined(filter: &str, status: &str) -> String {
    let filter = filter.trim();
    let active = match status {
        "active" => Some("active eq true"),
        "inactive" => Some("active eq false"),
        _ => None,
    };
    match (filter.is_empty(), active) {
        (true, None) => String::new(),
        (true, Some(a)) => a.to_owned(),
        (false, None) => filter.to_owned(),
        (false, Some(a)) => format!("({filter}) and {a}"),
    }
}

/// The query string of a list page.
fn list_href(tenant: &str, what: &str, q: &ListQuery, start: u64) -> String {
    format!(
        "/admin/tenants/{tenant}/{what}?filter={}&status={}&start={start}",
        encode(&q.filter),
        encode(&q.status)
    )
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `GET /admin/tenants/{id}/users`.
pub(crate) async fn users(
    state: State<Arc<Console>>,
    path: Path<String>,
    headers: HeaderMap,
    query: Query<ListQuery>,
) -> Response {
    list(state, path, headers, query, true).await
}

/// `GET /admin/tenants/{id}/groups`.
pub(crate) async fn groups(
    state: State<Arc<Console>>,
    path: Path<String>,
    headers: HeaderMap,
    query: Query<ListQuery>,
) -> Response {
    list(state, path, headers, query, false).await
}

async fn list(
    State(console): State<Arc<Console>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
    users: bool,
) -> Response {
    let s = match session(&console, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let t = match find(&console, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let (what, endpoint, attributes, title) = if users {
        (
            "users",
            "Users",
            "userName,displayName,externalId,active,meta",
            "Users",
        )
    } else {
        ("groups", "Groups", "displayName,externalId,meta", "Groups")
    };
    let status = if users { q.status.as_str() } else { "" };
    let filter = combined(&q.filter, status);
    let start = q.start.unwrap_or(1).max(1);
    let mut path = format!("/{endpoint}?startIndex={start}&count={PAGE}&attributes={attributes}");
    if !filter.is_empty() {
        path.push_str("&filter=");
        path.push_str(&encode(&filter));
    }
    let answer = console.engine.get(&t.id, &path).await;
    let ok = answer.status == 200;
    let resources: &[Value] = answer
        .json
        .get("Resources")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let total = answer
        .json
        .get("totalResults")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let shown = u64::try_from(resources.len()).unwrap_or(0);
    let body = html! {
        h1 { (title) }
        form.search method="get" action=(format!("/admin/tenants/{}/{what}", t.id)) role="search" {
            div {
                label for="filter" { "SCIM filter" }
                input #filter type="search" name="filter" value=(q.filter)
                    placeholder=(if users { "userName sw \"a\"" } else { "displayName co \"Sales\"" });
            }
            @if users {
                div {
                    label for="status" { "Status" }
                    select #status name="status" {
                        @for (v, label) in [("", "All"), ("active", "Active"), ("inactive", "Inactive")] {
                            option value=(v) selected[q.status == v] { (label) }
                        }
                    }
                }
            }
            div { button type="submit" { "Search" } }
        }
        @if !ok {
            p.notice.bad role="alert" { "The search failed: " (answer.detail()) }
        } @else if resources.is_empty() {
            p { "No " (what) " match." }
        } @else {
            p.muted { (start) "–" (start + shown - 1) " of " (total) }
            div.table-wrap {
                table {
                    thead { tr {
                        @if users { th scope="col" { "userName" } th scope="col" { "displayName" } th scope="col" { "Status" } }
                        @else { th scope="col" { "displayName" } }
                        th.hide-narrow scope="col" { "externalId" }
                        th.hide-narrow scope="col" { "Last modified" }
                    } }
                    tbody {
                        @for r in resources {
                            @let href = format!("/admin/tenants/{}/resources/{endpoint}/{}", t.id, encode(str_of(r, "id")));
                            tr {
                                @if users {
                                    td { a href=(href) { (str_of(r, "userName")) } }
                                    td { (str_of(r, "displayName")) }
                                    td { (active_label(r)) }
                                } @else {
                                    td { a href=(href) { (str_of(r, "displayName")) } }
                                }
                                td.hide-narrow { (str_of(r, "externalId")) }
                                td.hide-narrow { (r.pointer("/meta/lastModified").and_then(Value::as_str).unwrap_or("")) }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label="Pages" {
                @if start > 1 {
                    a href=(list_href(&t.id, what, &q, start.saturating_sub(PAGE as u64).max(1))) rel="prev" { "← Previous" }
                }
                @if start + shown <= total && shown > 0 {
                    a href=(list_href(&t.id, what, &q, start + shown)) rel="next" { "Next →" }
                }
            }
        }
    };
    let nav = TenantNav {
        id: &t.id,
        name: &t.name,
        current: if users { Tab::Users } else { Tab::Groups },
    };
    let code = if ok || answer.status == 404 {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (code, page(title, Some(&nav), Some(&s.csrf), body)).into_response()
}

fn active_label(r: &Value) -> Markup {
    match r.get("active").and_then(Value::as_bool) {
        Some(false) => html! { span.bad { "inactive" } },
        _ => html! { span.good { "active" } },
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct OneQuery {
    after: Option<String>,
}

/// `GET /admin/tenants/{id}/resources/{Users|Groups}/{rid}`.
pub(crate) async fn one(
    State(console): State<Arc<Console>>,
    Path((id, kind, rid)): Path<(String, String, String)>,
    headers: HeaderMap,
    Query(q): Query<OneQuery>,
) -> Response {
    let s = match session(&console, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let t = match find(&console, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let resource_type = match kind.as_str() {
        "Users" => "User",
        "Groups" => "Group",
        _ => return error_page(StatusCode::NOT_FOUND, "Only users and groups are shown."),
    };
    let group = resource_type == "Group";
    let base = format!("/{kind}/{}", encode(&rid));
    let answer = if group {
        console
            .engine
            .get(&t.id, &format!("{base}?excludedAttributes=members"))
            .await
    } else {
        console.engine.get(&t.id, &base).await
    };
    if answer.status != 200 {
        let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
        return error_page(status, &answer.detail());
    }
    let members = if group {
        let m = console
            .engine
            .get(&t.id, &format!("{base}?attributes=members"))
            .await;
        m.json
            .get("members")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let history = console
        .history
        .changes(&t.id, resource_type, &rid, q.after.as_deref(), HISTORY_PAGE)
        .await;
    let name = if group {
        str_of(&answer.json, "displayName")
    } else {
        str_of(&answer.json, "userName")
    };
    let json = serde_json::to_string_pretty(&answer.json).unwrap_or_default();
    let body = html! {
        h1 { (resource_type) " " (name) }
        @if group {
            h2 #members { "Members (" (members.len()) ")" }
            @if members.is_empty() { p { "No members." } }
            ul #member-list {
                @for m in members.iter().take(MEMBERS_SHOWN) {
                    @let mid = str_of(m, "value");
                    @let mkind = if str_of(m, "type") == "Group" { "Groups" } else { "Users" };
                    li { a href=(format!("/admin/tenants/{}/resources/{mkind}/{}", t.id, encode(mid))) {
                        @if str_of(m, "display").is_empty() { (mid) } @else { (str_of(m, "display")) }
                    } " " span.muted { (str_of(m, "type")) } }
                }
            }
            @if members.len() > MEMBERS_SHOWN { p.muted { "and " (members.len() - MEMBERS_SHOWN) " more" } }
        }
        h2 #history { "Change history" }
        (history_table(&t.id, &kind, &rid, history))
        h2 #json { "JSON" }
        pre { code { (json) } }
    };
    let nav = TenantNav {
        id: &t.id,
        name: &t.name,
        current: Tab::Resource,
    };
    page(name, Some(&nav), Some(&s.csrf), body).into_response()
}

fn history_table(
    tenant: &str,
    kind: &str,
    rid: &str,
    history: Result<super::sources::Changes, String>,
) -> Markup {
    match history {
        Err(e) => html! { p.muted { "No history: " (e) "." } },
        Ok(h) if h.changes.is_empty() => html! { p { "No recorded changes." } },
        Ok(h) => html! {
            div.table-wrap { table.history {
                thead { tr { th scope="col" { "When" } th scope="col" { "Change" } th scope="col" { "Version" } th scope="col" { "What" } } }
                tbody {
                    @for c in &h.changes {
                        tr { td { (time(&c.at)) } td { (c.kind) } td { (c.version.as_deref().unwrap_or("—")) } td { (c.detail) } }
                    }
                }
            } }
            @if let Some(next) = h.next.filter(|_| h.changes.len() >= HISTORY_PAGE) {
                nav.pager aria-label="History pages" {
                    a href=(format!("/admin/tenants/{tenant}/resources/{kind}/{}?after={}#history", encode(rid), encode(&next))) { "Later changes →" }
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn status_narrows_the_filter() {
        use super::combined;
        assert_eq!(combined("", ""), "");
        assert_eq!(combined(" ", "active"), "active eq true");
        assert_eq!(combined("userName sw \"a\"", ""), "userName sw \"a\"");
        assert_eq!(
            combined("userName sw \"a\" or title pr", "inactive"),
            "(userName sw \"a\" or title pr) and active eq false"
        );
    }
}
