//! Logging in and out, sessions and CSRF tokens.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::html;
use scimkit_service::TokenHash;
use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use super::Console;
use super::layout::{self, error_page};
use crate::tenant_admin::new_token;

/// The session cookie.
const SESSION_COOKIE: &str = "scimkit_admin";
/// The login form's CSRF cookie.
const LOGIN_COOKIE: &str = "scimkit_login";

/// A logged-in request: its session's CSRF token.
pub(crate) struct Session {
    pub(crate) csrf: String,
}

/// The value of cookie `name`, if sent.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the two tokens are equal, in constant time.
pub(crate) fn same(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes())) && !a.is_empty()
}

/// `Set-Cookie` for `name=value` on `path` (`Max-Age` when given).
fn set_cookie(
    console: &Console,
    name: &str,
    value: &str,
    path: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if console.secure_cookies {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Where a request without a valid session goes.
fn to_login(expired: bool) -> Response {
    let to = if expired {
        "/admin/login?expired=1"
    } else {
        "/admin/login"
    };
    Redirect::to(to).into_response()
}

/// The session of this request, or the response that sends it to log in.
pub(crate) async fn session(console: &Console, headers: &HeaderMap) -> Result<Session, Response> {
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Err(to_login(false));
    };
    let found = console.store.admin().session(&TokenHash::of(id)).await;
    match found {
        Ok(Some(s)) if s.expires > Utc::now() => Ok(Session { csrf: s.csrf }),
        Ok(Some(_)) => Err(to_login(true)),
        Ok(None) => Err(to_login(false)),
        Err(e) => {
            tracing::error!(error = %e, "reading a console session failed");
            Err(error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database did not answer; try again.",
            ))
        }
    }
}

/// The session of a form post whose CSRF token is `csrf`: `403` when the
/// token is missing or wrong.
pub(crate) async fn post_session(
    console: &Console,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Session, Response> {
    let s = session(console, headers).await?;
    if same(&s.csrf, csrf) {
        Ok(s)
    } else {
        tracing::warn!("console form post with a missing or wrong CSRF token refused");
        Err(error_page(
            StatusCode::FORBIDDEN,
            "This form is out of date or was not sent by the console (CSRF token mismatch). \
             Reload the page and try again.",
        ))
    }
}

/// Whether `headers` carry an open, unexpired console session (the admin
/// credential `/metrics` asks for with `--metrics-public`).
pub(crate) async fn has_session(console: &Console, headers: &HeaderMap) -> bool {
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return false;
    };
    matches!(
        console.store.admin().session(&TokenHash::of(id)).await,
        Ok(Some(s)) if s.expires > Utc::now()
    )
}

/// `GET /admin`.
pub(crate) async fn home(State(console): State<Arc<Console>>, headers: HeaderMap) -> Response {
    match session(&console, &headers).await {
        Ok(_) => Redirect::to("/admin/tenants").into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    expired: Option<String>,
}

/// The login page with `message`.
fn login_page(console: &Console, status: StatusCode, message: Option<&str>) -> Response {
    let token = new_token();
    let body = html! {
        h1 { "Log in to the scimkit console" }
        @if let Some(m) = message {
            p.notice role="alert" { (m) }
        }
        form.card method="post" action="/admin/login" {
            input type="hidden" name="csrf" value=(token.expose());
            label for="password" { "Admin password" }
            input #password type="password" name="password" autocomplete="current-password" required autofocus;
            button type="submit" { "Log in" }
        }
        p.hint { "The admin password was printed when the server first started. Lost it? Run "
            code { "scimkit-server admin reset-password" } "." }
    };
    let mut resp = (status, layout::page("Log in", None, None, body)).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            console,
            LOGIN_COOKIE,
            token.expose(),
            "/admin/login",
            Some(600),
        ),
    );
    resp
}

/// `GET /admin/login`.
pub(crate) async fn login_form(
    State(console): State<Arc<Console>>,
    Query(q): Query<LoginQuery>,
) -> Response {
    let message = q
        .expired
        .is_some()
        .then_some("Your session has expired. Log in again.");
    login_page(&console, StatusCode::OK, message)
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// `POST /admin/login`.
pub(crate) async fn login(
    State(console): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if let Err(wait) = console.limiter.admit(peer.ip(), Instant::now()) {
        tracing::warn!(%peer, "console login attempts over the limit");
        let mut r = error_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many login attempts. Wait a minute and try again.",
        );
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if !same(expected, &form.csrf) {
        return login_page(
            &console,
            StatusCode::FORBIDDEN,
            Some("The login form was out of date. Try again."),
        );
    }
    let stored = match console.store.admin().password_hash().await {
        Ok(Some(h)) => h,
        Ok(None) => {
            return login_page(
                &console,
                StatusCode::UNAUTHORIZED,
                Some("No admin password is set: run `scimkit-server admin reset-password`."),
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "reading the admin credential failed");
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database did not answer; try again.",
            );
        }
    };
    let password = form.password;
    let ok =
        tokio::task::spawn_blocking(move || scimkit_service::verify_password(&stored, &password))
            .await
            .unwrap_or(false);
    if !ok {
        tracing::warn!(%peer, "console login with a wrong password");
        return login_page(&console, StatusCode::UNAUTHORIZED, Some("Wrong password."));
    }
    let id = new_token();
    let csrf = new_token();
    let ttl = chrono::Duration::from_std(console.args.admin_session_ttl)
        .unwrap_or_else(|_| chrono::Duration::hours(8));
    let expires = Utc::now() + ttl;
    if let Err(e) = console
        .store
        .admin()
        .open_session(
            &TokenHash::of(id.expose()),
            csrf.expose(),
            expires,
            console.args.admin_max_sessions,
        )
        .await
    {
        tracing::error!(error = %e, "opening a console session failed");
        return error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database did not answer; try again.",
        );
    }
    tracing::info!(%peer, "console login");
    let mut resp = Redirect::to("/admin/tenants").into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(&console, SESSION_COOKIE, id.expose(), "/admin", None),
    );
    h.append(
        header::SET_COOKIE,
        set_cookie(&console, LOGIN_COOKIE, "", "/admin/login", Some(0)),
    );
    resp
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// `POST /admin/logout`.
pub(crate) async fn logout(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(r) = post_session(&console, &headers, &form.csrf).await {
        return r;
    }
    if let Some(id) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = console
            .store
            .admin()
            .close_session(&TokenHash::of(id))
            .await
    {
        tracing::error!(error = %e, "closing a console session failed");
    }
    let mut resp = Redirect::to("/admin/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&console, SESSION_COOKIE, "", "/admin", Some(0)),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; scimkit_admin_x=2"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("scimkit_admin=3"));
        assert_eq!(cookie(&h, "scimkit_admin"), Some("3"));
        assert_eq!(cookie(&h, "a"), Some("1"));
        assert_eq!(cookie(&h, "b"), None);
    }

    #[test]
    fn tokens_compare_whole_and_never_empty() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", ""));
    }
}
