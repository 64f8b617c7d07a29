//! Routing (RFC 7644 §3.2, Figure "Defined endpoints"): from a request path
//! to an endpoint, after the optional tenant prefix and the base path.

/// An endpoint of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route<'a> {
    /// `/.search` at the root (RFC 7644 §3.4.3).
    RootSearch,
    /// `/Bulk` (§3.7).
    Bulk,
    /// `/Me` (§3.11), with an optional sub-path that is not allowed.
    Me,
    /// `/ServiceProviderConfig` (§4).
    ServiceProviderConfig,
    /// `/Schemas` or `/Schemas/{id}` (§4).
    Schemas(Option<&'a str>),
    /// `/ResourceTypes` or `/ResourceTypes/{name}` (§4).
    ResourceTypes(Option<&'a str>),
    /// `/{endpoint}`: list and create.
    Collection(&'a str),
    /// `/{endpoint}/.search`.
    Search(&'a str),
    /// `/{endpoint}/{id}`: read, replace, modify, delete.
    Item(&'a str, &'a str),
    /// Nothing is served here.
    NotFound,
}

/// A request path split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Located<'a> {
    /// The tenant named by a tenant URL.
    pub(crate) path_tenant: Option<&'a str>,
    /// The path up to and including the base path (`/tenants/acme/scim/v2`),
    /// for `Location` headers.
    pub(crate) prefix: &'a str,
    /// The endpoint.
    pub(crate) route: Route<'a>,
}

/// Splits `path` for a service mounted at `base_path`, with tenant URLs
/// (`/tenants/{id}{base_path}/…`) when `tenant_urls` is on. `None` when the
/// path is outside the service.
pub(crate) fn locate<'a>(path: &'a str, base_path: &str, tenant_urls: bool) -> Option<Located<'a>> {
    let mut rest = path;
    let mut path_tenant = None;
    if tenant_urls {
        let after = rest.strip_prefix("/tenants/")?;
        let end = after.find('/').unwrap_or(after.len());
        let tenant = &after[..end];
        if tenant.is_empty() {
            return None;
        }
        path_tenant = Some(tenant);
        rest = &after[end..];
    }
    let rest = rest.strip_prefix(base_path)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let prefix = &path[..path.len() - rest.len()];
    Some(Located {
        path_tenant,
        prefix,
        route: route(rest),
    })
}

fn route(rest: &str) -> Route<'_> {
    let trimmed = rest.trim_start_matches('/');
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    let mut parts = trimmed.splitn(3, '/');
    let first = parts.next().unwrap_or("");
    let second = parts.next();
    if parts.next().is_some() {
        return Route::NotFound;
    }
    let is = |name: &str| first == name;
    match (first, second) {
        ("", None) => Route::NotFound,
        (".search", None) => Route::RootSearch,
        (_, None) if is("Bulk") => Route::Bulk,
        (_, None) if is("Me") => Route::Me,
        (_, None) if is("ServiceProviderConfig") => Route::ServiceProviderConfig,
        (_, s) if is("Schemas") => Route::Schemas(s),
        (_, s) if is("ResourceTypes") => Route::ResourceTypes(s),
        (_, _) if first.is_empty() => Route::NotFound,
        (endpoint, None) => Route::Collection(endpoint),
        (endpoint, Some(".search")) => Route::Search(endpoint),
        (_, Some("")) => Route::NotFound,
        (endpoint, Some(id)) => Route::Item(endpoint, id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &str, tenant_urls: bool, want: Option<(Option<&str>, &str, Route<'_>)>) {
        let got = locate(path, "/scim/v2", tenant_urls).map(|l| (l.path_tenant, l.prefix, l.route));
        assert_eq!(got, want, "{path}");
    }

    #[test]
    fn routes() {
        use Route::*;
        check(
            "/scim/v2/Users",
            false,
            Some((None, "/scim/v2", Collection("Users"))),
        );
        check(
            "/scim/v2/Users/",
            false,
            Some((None, "/scim/v2", Collection("Users"))),
        );
        check(
            "/scim/v2/Users/abc",
            false,
            Some((None, "/scim/v2", Item("Users", "abc"))),
        );
        check(
            "/scim/v2/Users/.search",
            false,
            Some((None, "/scim/v2", Search("Users"))),
        );
        check(
            "/scim/v2/.search",
            false,
            Some((None, "/scim/v2", RootSearch)),
        );
        check("/scim/v2/Bulk", false, Some((None, "/scim/v2", Bulk)));
        check("/scim/v2/Me", false, Some((None, "/scim/v2", Me)));
        check(
            "/scim/v2/Schemas/urn:x",
            false,
            Some((None, "/scim/v2", Schemas(Some("urn:x")))),
        );
        check(
            "/scim/v2/ResourceTypes",
            false,
            Some((None, "/scim/v2", ResourceTypes(None))),
        );
        check(
            "/scim/v2/ServiceProviderConfig",
            false,
            Some((None, "/scim/v2", ServiceProviderConfig)),
        );
        check(
            "/scim/v2/Users/a/b",
            false,
            Some((None, "/scim/v2", NotFound)),
        );
        check("/scim/v2", false, Some((None, "/scim/v2", NotFound)));
        check("/scim/v2x/Users", false, None);
        check("/other", false, None);
        check(
            "/tenants/acme/scim/v2/Groups/1",
            true,
            Some((Some("acme"), "/tenants/acme/scim/v2", Item("Groups", "1"))),
        );
        check("/scim/v2/Users", true, None);
        check("/tenants//scim/v2/Users", true, None);
    }
}
