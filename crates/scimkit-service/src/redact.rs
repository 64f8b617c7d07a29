//! Redaction for logs: what an access log, an audit log or a debug dump may
//! print of a request without printing a secret.
//!
//! - **Bodies** ([`Redactor::redact_body`]): every attribute the schema marks
//!   `returned: never` (RFC 7643 §2.2, e.g. `password`, RFC 7643 §4.1.1) is
//!   replaced by [`REDACTED`] wherever it appears, compared case-insensitively
//!   and with or without its schema URN prefix; so is the `value` of a PATCH
//!   operation (RFC 7644 §3.5.2) whose `path` names such an attribute, at any
//!   depth (inside Bulk operations' `data` too, RFC 7644 §3.7). A body that is
//!   not JSON is not printed at all (it cannot be searched for secrets).
//! - **Headers** ([`redact_headers`]): credentials (`Authorization`,
//!   `Proxy-Authorization`, `Cookie`, `Set-Cookie`, `X-Api-Key`, and any
//!   header whose name contains a [`SECRET_WORDS`] word) are redacted.
//! - **Query strings** ([`redact_query`], [`redact_uri`]): the values of
//!   parameters whose name contains a [`SECRET_WORDS`] word (`access_token`,
//!   `api_key`, `password`, …) are redacted.
//!
//! The engine's own `tracing` span logs the path without the query; the
//! example server's access log prints everything through this module.
//!
//! ```
//! use scimkit_schema::Registry;
//! use scimkit_service::redact::{Redactor, redact_query};
//! let r = Redactor::new(&Registry::core());
//! let body = br#"{"userName":"bjensen","password":"hunter2"}"#;
//! let logged = r.redact_body(body);
//! assert!(logged.contains("bjensen") && !logged.contains("hunter2"));
//! assert_eq!(redact_query("filter=x&access_token=abc"), "filter=x&access_token=<redacted>");
//! ```

use std::borrow::Cow;

use http::{HeaderMap, Uri};
use scimkit_schema::{AttributeDef, Registry, ResourceSchema, Returned};
use serde_json::Value;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Words that make a header or query parameter name a credential, compared
/// case-insensitively as substrings (`X-Auth-Token`, `access_token`,
/// `api_key`, `client_secret`, `Cookie`, …).
pub const SECRET_WORDS: &[&str] = &[
    "auth",
    "cookie",
    "credential",
    "key",
    "passw",
    "pwd",
    "secret",
    "session",
    "signature",
    "token",
];

fn has_secret_word(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether a header carries a credential (see [`SECRET_WORDS`]).
pub fn is_secret_header(name: &str) -> bool {
    has_secret_word(name)
}

/// The headers as `name: value; …`, credentials replaced by [`REDACTED`]
/// and values that are not text shown as `<binary>`.
pub fn redact_headers(headers: &HeaderMap) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(name.as_str());
        out.push_str(": ");
        if is_secret_header(name.as_str()) {
            out.push_str(REDACTED);
        } else {
            out.push_str(value.to_str().unwrap_or("<binary>"));
        }
    }
    out
}

/// Whether a query parameter carries a credential: its name (percent-decoded)
/// contains a [`SECRET_WORDS`] word.
pub fn is_secret_param(name: &str) -> bool {
    has_secret_word(&percent_decode(name))
}

/// Decodes `%XX` escapes and `+` leniently (a broken escape stays as is), for
/// recognising names only.
fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| {
            b.get(j)
                .and_then(|c| char::from(*c).to_digit(16))
                .and_then(|d| u8::try_from(d).ok())
        };
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(h << 4 | l);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// A query string with the values of credential parameters replaced by
/// [`REDACTED`] (`&` and `;` both separate parameters here, so a server
/// that splits on either logs nothing it would read as a credential).
pub fn redact_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    loop {
        let end = rest.find(['&', ';']).unwrap_or(rest.len());
        let part = &rest[..end];
        match part.split_once('=') {
            Some((name, _)) if is_secret_param(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(part),
        }
        match rest.get(end..end + 1) {
            Some(sep) => {
                out.push_str(sep);
                rest = &rest[end + 1..];
            }
            None => return out,
        }
    }
}

/// The raw values of the credential parameters of a query string (to scrub
/// them from text that may echo them, such as an error detail).
pub fn secret_query_values(query: &str) -> Vec<&str> {
    query
        .split(['&', ';'])
        .filter_map(|p| p.split_once('='))
        .filter(|(n, v)| !v.is_empty() && is_secret_param(n))
        .map(|(_, v)| v)
        .collect()
}

/// `text` with every occurrence of each of `secrets` replaced by [`REDACTED`].
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s, REDACTED);
    }
    out
}

/// `path?query` of a URI, the query through [`redact_query`].
pub fn redact_uri(uri: &Uri) -> String {
    match uri.query() {
        Some(q) => format!("{}?{}", uri.path(), redact_query(q)),
        None => uri.path().to_owned(),
    }
}

/// Knows which attribute names are secret (`returned: never`) in a registry,
/// and redacts them from JSON bodies. Build once, use for every log line.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Lower-case names of the `returned: never` attributes and sub-attributes.
    secrets: Vec<String>,
}

impl Redactor {
    /// The secrets of every schema in `registry`.
    pub fn new(registry: &Registry) -> Redactor {
        let mut r = Redactor::default();
        for schema in registry.schemas() {
            r.add(&schema.attributes);
        }
        r
    }

    /// The secrets of one resource type (its schema and extensions).
    pub fn for_resource_type(rs: &ResourceSchema) -> Redactor {
        let mut r = Redactor::default();
        r.add(&rs.base().attributes);
        for (ext, _) in rs.extensions() {
            r.add(&ext.attributes);
        }
        r
    }

    fn add(&mut self, attrs: &[AttributeDef]) {
        for a in attrs {
            if a.returned == Returned::Never {
                let name = a.name.to_ascii_lowercase();
                if !self.secrets.contains(&name) {
                    self.secrets.push(name);
                }
            }
            self.add(&a.sub_attributes);
        }
    }

    /// Whether a JSON key names a secret attribute: `password`,
    /// `PASSWORD`, or `urn:…:User:password`.
    pub fn is_secret_key(&self, key: &str) -> bool {
        let last = key.rsplit(':').next().unwrap_or(key);
        self.secrets.iter().any(|s| s.eq_ignore_ascii_case(last))
    }

    /// Whether a PATCH `path` (RFC 7644 §3.5.2) names a secret attribute
    /// anywhere in it (`password`, `urn:…:User:password`,
    /// `x[type eq "a"].password`).
    pub fn is_secret_path(&self, path: &str) -> bool {
        path.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$'))
            .any(|seg| self.secrets.iter().any(|s| s.eq_ignore_ascii_case(seg)))
    }

    /// Redacts secrets in a JSON value, in place.
    pub fn redact_value(&self, v: &mut Value) {
        match v {
            Value::Object(m) => {
                let secret_path = m
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("path"))
                    .and_then(|(_, p)| p.as_str())
                    .is_some_and(|p| self.is_secret_path(p));
                for (k, val) in m.iter_mut() {
                    if self.is_secret_key(k) || (secret_path && k.eq_ignore_ascii_case("value")) {
                        *val = Value::String(REDACTED.to_owned());
                    } else {
                        self.redact_value(val);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_value(v)),
            _ => {}
        }
    }

    /// A body as text for a log line: JSON with its secrets redacted, empty
    /// for an empty body, and only its size for anything that is not JSON.
    pub fn redact_body(&self, body: &[u8]) -> String {
        if body.iter().all(u8::is_ascii_whitespace) {
            return String::new();
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(mut v) => {
                self.redact_value(&mut v);
                v.to_string()
            }
            Err(_) => format!("<{} bytes, not JSON: not logged>", body.len()),
        }
    }
}

/// [`Redactor::redact_body`] with the secrets of `registry` (build a
/// [`Redactor`] once instead when logging many bodies).
pub fn redact_body(registry: &Registry, body: &[u8]) -> String {
    Redactor::new(registry).redact_body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        let r = Redactor::new(&Registry::core());
        let cases: &[(&str, &str)] = &[
            (
                r#"{"userName":"a","password":"p1"}"#,
                r#"{"userName":"a","password":"<redacted>"}"#,
            ),
            (r#"{"PassWord":"p1"}"#, r#"{"PassWord":"<redacted>"}"#),
            (
                r#"{"urn:ietf:params:scim:schemas:core:2.0:User:password":"p1"}"#,
                r#"{"urn:ietf:params:scim:schemas:core:2.0:User:password":"<redacted>"}"#,
            ),
            (
                r#"{"Operations":[{"op":"replace","path":"password","value":"p1"},{"op":"add","path":"nickName","value":"n"}]}"#,
                r#"{"Operations":[{"op":"replace","path":"password","value":"<redacted>"},{"op":"add","path":"nickName","value":"n"}]}"#,
            ),
            (
                r#"{"Operations":[{"op":"Replace","Path":"urn:ietf:params:scim:schemas:core:2.0:User:PASSWORD","Value":"p1"}]}"#,
                r#"{"Operations":[{"op":"Replace","Path":"urn:ietf:params:scim:schemas:core:2.0:User:PASSWORD","Value":"<redacted>"}]}"#,
            ),
            (
                r#"{"Operations":[{"op":"replace","value":{"password":"p1","active":true}}]}"#,
                r#"{"Operations":[{"op":"replace","value":{"password":"<redacted>","active":true}}]}"#,
            ),
            (
                r#"{"Operations":[{"method":"POST","path":"/Users","data":{"userName":"b","password":"p1"}}]}"#,
                r#"{"Operations":[{"method":"POST","path":"/Users","data":{"userName":"b","password":"<redacted>"}}]}"#,
            ),
            ("", ""),
            ("password=p1", "<11 bytes, not JSON: not logged>"),
        ];
        for (body, want) in cases {
            assert_eq!(r.redact_body(body.as_bytes()), *want, "{body}");
        }
    }

    #[test]
    fn queries() {
        let cases: &[(&str, &str)] = &[
            (
                "filter=userName%20eq%20%22a%22",
                "filter=userName%20eq%20%22a%22",
            ),
            ("access_token=t1&count=2", "access_token=<redacted>&count=2"),
            ("count=2;API_KEY=k1", "count=2;API_KEY=<redacted>"),
            ("access%5Ftoken=t1", "access%5Ftoken=<redacted>"),
            (
                "key=k1&secret=s1&password=p1&token=t1",
                "key=<redacted>&secret=<redacted>&password=<redacted>&token=<redacted>",
            ),
            ("", ""),
        ];
        for (q, want) in cases {
            assert_eq!(redact_query(q), *want, "{q}");
        }
        assert_eq!(secret_query_values("a=1&token=t1&key="), vec!["t1"]);
    }

    #[test]
    fn headers() {
        let mut h = HeaderMap::new();
        for (n, v) in [
            ("authorization", "Bearer b1"),
            ("proxy-authorization", "Basic p1"),
            ("cookie", "sid=c1"),
            ("set-cookie", "sid=c2"),
            ("x-api-key", "k1"),
            ("x-auth-token", "t1"),
            ("x-client-secret", "s1"),
            ("content-type", "application/scim+json"),
            ("user-agent", "Okta SCIM Client"),
        ] {
            h.insert(
                http::HeaderName::from_static(n),
                http::HeaderValue::from_static(v),
            );
        }
        let text = redact_headers(&h);
        for secret in ["b1", "p1", "c1", "c2", "k1", "t1", "s1"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("application/scim+json") && text.contains("Okta SCIM Client"));
    }
}
