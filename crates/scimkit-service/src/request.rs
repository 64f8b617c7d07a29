//! Reading requests (RFC 7644 §3.1, §3.4.2): query parameters, content
//! types and JSON bodies.

use http::HeaderMap;
use http::header::CONTENT_TYPE;
use scimkit_schema::ScimError;
use serde_json::Value;

/// The query parameters of a request, percent-decoded, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses `a=1&b=x%20y` (`+` is a space).
    pub(crate) fn parse(query: Option<&str>) -> Result<Query, ScimError> {
        let mut pairs = Vec::new();
        for (n, part) in query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let name = decode(k)
                .map_err(|e| e.describe(&format!("the name of query parameter {}", n + 1)))?;
            let value = decode(v).map_err(|e| {
                e.describe(&format!(
                    "the value of query parameter {}",
                    quoted_name(&name)
                ))
            })?;
            pairs.push((name, value));
        }
        Ok(Query { pairs })
    }

    /// The value of a parameter (names compare case-insensitively); a
    /// repeated parameter: the first one wins.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A parameter name for an error message: as sent when it is short and plain,
/// else a placeholder (a malformed request must not make the error, or the
/// logs that carry it, repeat arbitrary client bytes).
fn quoted_name(name: &str) -> String {
    if name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-:".contains(&b))
    {
        format!("{name:?}")
    } else {
        "(unprintable name)".to_owned()
    }
}

/// Why a query component could not be decoded, and where (a byte offset):
/// never the component itself, which may carry a credential
/// (`access_token=…`).
enum DecodeError {
    Escape(usize),
    Utf8(usize),
}

impl DecodeError {
    fn describe(self, what: &str) -> ScimError {
        ScimError::invalid_syntax(match self {
            DecodeError::Escape(at) => {
                format!("{what} has a malformed percent-escape at byte {at}")
            }
            DecodeError::Utf8(at) => {
                format!("{what} is not UTF-8 once decoded (byte {at} of the decoded text)")
            }
        })
    }
}

/// Percent-decodes a query component (`+` is a space); invalid UTF-8 or a
/// broken escape is `400 invalidSyntax` (built by the caller, who names the
/// component).
fn decode(s: &str) -> Result<String, DecodeError> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Ok(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let h = bytes.get(i + 1).copied().and_then(hex);
                let l = bytes.get(i + 2).copied().and_then(hex);
                match (h, l) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 2;
                    }
                    _ => return Err(DecodeError::Escape(i)),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|e| DecodeError::Utf8(e.utf8_error().valid_up_to()))
}

/// Accepts `application/scim+json`, `application/json` (with parameters) or
/// no `Content-Type`; anything else is `415`.
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), ScimError> {
    let Some(v) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let text = v.to_str().unwrap_or("");
    let essence = text.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/scim+json")
        || essence.eq_ignore_ascii_case("application/json")
    {
        Ok(())
    } else {
        Err(ScimError::new(
            415,
            None,
            format!(
                "unsupported Content-Type {text:?}; send application/scim+json or application/json"
            ),
        ))
    }
}

/// Parses a JSON request body; malformed JSON is `400 invalidSyntax`.
pub(crate) fn json_body(body: &[u8]) -> Result<Value, ScimError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::invalid_syntax(
            "the request body is empty; a JSON object is required",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("the request body is not valid JSON: {e}")))
}

/// Parses a JSON object body into a resource.
pub(crate) fn resource_body(body: &[u8]) -> Result<scimkit_schema::Resource, ScimError> {
    match json_body(body)? {
        Value::Object(map) => Ok(scimkit_schema::Resource::from_map(map)),
        other => Err(ScimError::invalid_syntax(format!(
            "the request body must be a JSON object, not {}",
            scimkit_schema::json_kind(&other)
        ))),
    }
}
