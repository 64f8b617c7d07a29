//! The page frame every console page shares, its stylesheet and script, and
//! the response headers of every console response.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

/// Which tenant page is shown, for the tenant navigation.
pub(crate) struct TenantNav<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) current: Tab,
}

/// The pages of one tenant.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tab {
    Summary,
    Users,
    Groups,
    Log,
    Resource,
}

/// A whole page: `title`, the navigation (the tenant's tabs when `tenant`
/// is given, the logout button when `csrf` is), and `body` in `<main>`.
pub(crate) fn page(
    title: &str,
    tenant: Option<&TenantNav<'_>>,
    csrf: Option<&str>,
    body: Markup,
) -> Html<String> {
    let tabs = [
        (Tab::Summary, "Summary", ""),
        (Tab::Users, "Users", "/users"),
        (Tab::Groups, "Groups", "/groups"),
        (Tab::Log, "Provisioning log", "/log"),
    ];
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · scimkit console" }
                link rel="stylesheet" href="/admin/static/console.css";
                script src="/admin/static/console.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/admin/tenants" { "scimkit console" }
                    @if let Some(csrf) = csrf {
                        nav aria-label="Main" {
                            a href="/admin/tenants" { "Tenants" }
                            form.inline method="post" action="/admin/logout" {
                                input type="hidden" name="csrf" value=(csrf);
                                button.link type="submit" { "Log out" }
                            }
                        }
                    }
                }
                @if let Some(t) = tenant {
                    nav.tabs aria-label="Tenant" {
                        span.tenant { (t.name) }
                        @for (tab, label, suffix) in tabs {
                            @let href = format!("/admin/tenants/{}{}", t.id, suffix);
                            @if t.current == tab {
                                a href=(href) aria-current="page" { (label) }
                            } @else {
                                a href=(href) { (label) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
            }
        }
    };
    Html(markup.into_string())
}

/// A page that only says `message`, with `status`.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Response {
    let body = html! {
        h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("Error")) }
        p.notice role="alert" { (message) }
        p { a href="/admin/tenants" { "Back to the tenants" } }
    };
    (status, page("Error", None, None, body)).into_response()
}

/// Headers on every console response: no caching, no framing, no sniffing,
/// and a policy that loads only the console's own stylesheet and script.
pub(crate) async fn headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in set {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

const CSS: &str = include_str!("static/console.css");
const JS: &str = include_str!("static/console.js");

/// `GET /admin/static/console.css`.
pub(crate) async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

/// `GET /admin/static/console.js`.
pub(crate) async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        JS,
    )
        .into_response()
}

/// `when` as `2026-12-06 10:00:00 UTC`.
pub(crate) fn time(when: &chrono::DateTime<chrono::Utc>) -> String {
    when.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `s` percent-encoded for a URL query value or path segment (every byte
/// but RFC 3986's unreserved characters).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encode_leaves_only_unreserved() {
        assert_eq!(super::encode("a b\"&/é"), "a%20b%22%26%2F%C3%A9");
        assert_eq!(super::encode("AZaz09-._~"), "AZaz09-._~");
    }
}
