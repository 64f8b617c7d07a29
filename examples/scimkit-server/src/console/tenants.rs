//! The tenants page: Tenant URLs, add, remove, rotate a token (the new
//! token is shown once, on the page that answers the form).

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use scimkit_sql::Tenant;
use serde::Deserialize;

use super::Console;
use super::auth::{CsrfForm, post_session, session};
use super::layout::{error_page, page, time};
use crate::tenant_admin;

/// The longest tenant name the console accepts.
const MAX_NAME: usize = 200;

/// Tenants per page.
pub(crate) const TENANTS_PAGE: u32 = 100;

#[derive(Deserialize, Default)]
pub(crate) struct PageQuery {
    #[serde(default)]
    start: u64,
}

/// Tenant `id`, or the page saying it does not exist.
pub(crate) async fn find(console: &Console, id: &str) -> Result<Tenant, Response> {
    match console.store.tenants().find(id).await {
        Ok(Some((t, _))) => Ok(t),
        Ok(None) => Err(error_page(
            StatusCode::NOT_FOUND,
            "There is no such tenant (it may have been removed).",
        )),
        Err(e) => {
            tracing::error!(error = %e, "reading a tenant failed");
            Err(error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database did not answer; try again.",
            ))
        }
    }
}

/// The page of every tenant, with `shown` (a new token) on top.
async fn tenants_page(
    console: &Console,
    csrf: &str,
    shown: Option<Markup>,
    start: u64,
) -> Response {
    // One more than a page, to know whether there is a next one.
    let tenants = match console.store.tenants().page(start, TENANTS_PAGE + 1).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "listing tenants failed");
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database did not answer; try again.",
            );
        }
    };
    let body = html! {
        h1 { "Tenants" }
        @if let Some(s) = shown { (s) }
        @let more = tenants.len() > TENANTS_PAGE as usize;
        @if tenants.is_empty() {
            p { "No tenants yet. Add one below." }
        } @else {
            div.table-wrap {
                table {
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Tenant URL" }
                        th.hide-narrow scope="col" { "Token set" } th scope="col" { "Actions" } } }
                    tbody {
                        @for t in tenants.iter().take(TENANTS_PAGE as usize) {
                            tr {
                                td { a href=(format!("/admin/tenants/{}", t.id)) { (t.name) } }
                                td { code { (tenant_admin::tenant_url(&console.origin, &t.id)) } }
                                td.hide-narrow { (time(&t.token_rotated)) }
                                td {
                                    form.inline method="post" action=(format!("/admin/tenants/{}/rotate", t.id)) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button type="submit" aria-label=(format!("Rotate the token of {}", t.name)) { "Rotate token" }
                                    }
                                    " "
                                    a href=(format!("/admin/tenants/{}/remove", t.id)) aria-label=(format!("Remove {}", t.name)) { "Remove…" }
                                }
                            }
                        }
                    }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if start > 0 {
                a href=(format!("/admin/tenants?start={}", start.saturating_sub(u64::from(TENANTS_PAGE)))) rel="prev" { "← Previous" }
            }
            @if more {
                a href=(format!("/admin/tenants?start={}", start + u64::from(TENANTS_PAGE))) rel="next" { "Next →" }
            }
        }
        h2 { "Add a tenant" }
        form.card method="post" action="/admin/tenants" {
            input type="hidden" name="csrf" value=(csrf);
            label for="name" { "Name (the customer's name)" }
            input #name type="text" name="name" maxlength=(MAX_NAME) required;
            " "
            button type="submit" { "Add tenant" }
        }
    };
    page("Tenants", None, Some(csrf), body).into_response()
}

/// The box showing a tenant's new credentials once.
fn credentials(console: &Console, title: &str, t: &Tenant, token: &str) -> Markup {
    html! {
        section.secret aria-labelledby="new-token" {
            h2 #new-token { (title) }
            dl.facts {
                dt { "Tenant" } dd { (t.name) }
                dt { "Tenant URL" } dd { code #tenant-url { (tenant_admin::tenant_url(&console.origin, &t.id)) } }
                dt { "Secret Token" } dd { code #secret-token { (token) } }
            }
            p { "Paste both into your identity provider (Entra ID: Provisioning › Admin Credentials). "
                strong { "The token is shown only this once." } }
        }
    }
}

/// `GET /admin/tenants`.
pub(crate) async fn list(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    match session(&console, &headers).await {
        Ok(s) => tenants_page(&console, &s.csrf, None, q.start).await,
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub(crate) struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/tenants`.
pub(crate) async fn add(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Form(form): Form<AddForm>,
) -> Response {
    let s = match post_session(&console, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return error_page(
            StatusCode::BAD_REQUEST,
            &format!("A tenant name is 1 to {MAX_NAME} characters, without control characters."),
        );
    }
    match tenant_admin::add(&console.store, name).await {
        Ok((t, token)) => {
            tracing::info!(tenant = %t.id, "console: tenant added");
            let shown = credentials(&console, "Tenant added", &t, token.expose());
            tenants_page(&console, &s.csrf, Some(shown), 0).await
        }
        Err(e) => {
            tracing::error!(error = %e, "console: adding a tenant failed");
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The tenant could not be added; try again.",
            )
        }
    }
}

/// `POST /admin/tenants/{id}/rotate`.
pub(crate) async fn rotate(
    State(console): State<Arc<Console>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let s = match post_session(&console, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let t = match find(&console, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    match tenant_admin::rotate(&console.store, &id, None).await {
        Ok((token, _)) => {
            tracing::info!(tenant = %id, "console: token rotated");
            let shown = credentials(
                &console,
                "New Secret Token (the old one no longer works)",
                &t,
                token.expose(),
            );
            tenants_page(&console, &s.csrf, Some(shown), 0).await
        }
        Err(e) => {
            tracing::error!(error = %e, "console: rotating a token failed");
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The token could not be rotated; try again.",
            )
        }
    }
}

/// `GET /admin/tenants/{id}/remove`: asks first.
pub(crate) async fn confirm_remove(
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
    let body = html! {
        h1 { "Remove " (t.name) "?" }
        p { "This removes the tenant and every user and group it holds. Its Tenant URL and token stop working at once. This cannot be undone." }
        form.card method="post" action=(format!("/admin/tenants/{}/remove", t.id)) {
            input type="hidden" name="csrf" value=(s.csrf);
            button.danger type="submit" { "Remove " (t.name) }
            " "
            a href="/admin/tenants" { "Cancel" }
        }
    };
    page("Remove tenant", None, Some(&s.csrf), body).into_response()
}

/// `POST /admin/tenants/{id}/remove`.
pub(crate) async fn remove(
    State(console): State<Arc<Console>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(r) = post_session(&console, &headers, &form.csrf).await {
        return r;
    }
    match console.store.tenants().remove(&id).await {
        Ok(_) => {
            tracing::info!(tenant = %id, "console: tenant removed");
            Redirect::to("/admin/tenants").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "console: removing a tenant failed");
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The tenant could not be removed; try again.",
            )
        }
    }
}
