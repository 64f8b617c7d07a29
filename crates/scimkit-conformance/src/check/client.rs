//! One request and its answer, kept for the report: what was sent, what came
//! back, trimmed. The token is never part of either.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::report::Failure;

/// How much of a body a report shows.
const SHOWN_BYTES: usize = 1200;

/// A request being built: a path relative to the base URL, written as it
/// goes on the wire (query values already encoded).
pub(crate) struct Req {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) auth: bool,
}

impl Req {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        Req {
            method,
            path: path.into(),
            body: None,
            headers: Vec::new(),
            auth: true,
        }
    }

    /// A JSON body, sent as `application/scim+json`.
    pub(crate) fn json(mut self, v: &Value) -> Self {
        self.body = Some(serde_json::to_vec(v).unwrap_or_default());
        self
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Without the `Authorization` header.
    pub(crate) fn anonymous(mut self) -> Self {
        self.auth = false;
        self
    }
}

/// A request and its answer.
pub(crate) struct Exchange {
    /// `METHOD URL` and the body, trimmed.
    pub(crate) sent: String,
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
    /// The body as JSON; `Null` when empty or not JSON.
    pub(crate) json: Value,
}

impl Exchange {
    /// The answer as the report shows it: status, the headers that matter,
    /// the body, trimmed.
    pub(crate) fn received(&self) -> String {
        let mut out = format!("HTTP {}", self.status);
        for name in ["content-type", "location", "etag"] {
            if let Some(v) = self.header(name) {
                out.push_str(&format!("\n{name}: {v}"));
            }
        }
        if !self.text.is_empty() {
            out.push('\n');
            out.push_str(&trim(&self.text));
        }
        out
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A failure of this exchange: `expected` says what should have come back.
    pub(crate) fn fail(&self, expected: impl Into<String>) -> Failure {
        Failure::new(expected)
            .with_sent(self.sent.clone())
            .with_received(self.received())
    }

    /// `Ok` when the status is one of `want`.
    pub(crate) fn status_in(&self, want: &[u16], what: &str) -> Result<(), Failure> {
        if want.contains(&self.status) {
            return Ok(());
        }
        let want: Vec<String> = want.iter().map(u16::to_string).collect();
        Err(self.fail(format!("HTTP {} ({what})", want.join(" or "))))
    }

    /// A string member of the body.
    pub(crate) fn str_at(&self, pointer: &str) -> Option<&str> {
        self.json.pointer(pointer).and_then(Value::as_str)
    }
}

/// The request as the report shows it.
pub(crate) fn describe(method: &Method, url: &str, body: Option<&[u8]>) -> String {
    let mut out = format!("{method} {url}");
    if let Some(b) = body {
        out.push('\n');
        out.push_str(&trim(&String::from_utf8_lossy(b)));
    }
    out
}

/// At most `SHOWN_BYTES` of `s`, cut at a character boundary.
pub(crate) fn trim(s: &str) -> String {
    if s.len() <= SHOWN_BYTES {
        return s.to_owned();
    }
    let mut end = SHOWN_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &s[..end], s.len())
}

/// Where and how to send: the client (whose timeout bounds the whole
/// exchange), the base URL, the token, the most of a body to read.
pub(crate) struct Conn<'a> {
    pub(crate) client: &'a reqwest::Client,
    pub(crate) base: &'a str,
    pub(crate) token: &'a str,
    pub(crate) max_body: usize,
}

/// Sends `req` to the base URL + its path; reads at most `max_body` bytes of
/// the answer.
pub(crate) async fn send(conn: &Conn<'_>, req: Req) -> Result<Exchange, SendError> {
    let Conn {
        client,
        base,
        token,
        max_body,
    } = *conn;
    let url = format!("{base}{}", req.path);
    let sent = describe(&req.method, &url, req.body.as_deref());
    let mut rb = client.request(req.method, &url);
    if req.auth {
        rb = rb.bearer_auth(token);
    }
    rb = rb.header("accept", "application/scim+json");
    for (k, v) in &req.headers {
        rb = rb.header(*k, v);
    }
    if let Some(b) = req.body {
        rb = rb.header("content-type", "application/scim+json").body(b);
    }
    let mut resp = rb.send().await.map_err(|e| SendError {
        sent: sent.clone(),
        status: None,
        detail: error_text(&e),
    })?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max_body {
                    return Err(SendError {
                        sent,
                        status: Some(status),
                        detail: format!(
                            "HTTP {status}: the response body is over {max_body} bytes (--max-response-bytes)"
                        ),
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Err(SendError {
                    sent,
                    status: Some(status),
                    detail: format!("HTTP {status}: reading the body: {}", error_text(&e)),
                });
            }
        }
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Ok(Exchange {
        sent,
        status,
        headers,
        text,
        json,
    })
}

/// A request that got no (complete) answer.
#[derive(Debug)]
pub(crate) struct SendError {
    pub(crate) sent: String,
    /// The status, when the head came back.
    pub(crate) status: Option<u16>,
    pub(crate) detail: String,
}

impl SendError {
    pub(crate) fn into_failure(self) -> Failure {
        Failure::new("an HTTP answer")
            .with_sent(self.sent)
            .with_received(format!("no answer: {}", self.detail))
    }
}

/// The error and its causes on one line (reqwest's `Display` names only the
/// outermost: "error sending request").
fn error_text(e: &reqwest::Error) -> String {
    let mut out = if e.is_timeout() {
        "timed out".to_owned()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            out.push_str(": ");
            out.push_str(&s_text);
        }
        source = s.source();
    }
    out
}
