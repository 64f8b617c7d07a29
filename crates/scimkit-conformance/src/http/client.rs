//! The one helper every check goes through: send a request, assert the
//! status, and assert what every SCIM response must be (media type, error
//! shape).

use reqwest::Method;
use serde_json::Value;

use super::fixture::TOKEN_A;

/// A server under test.
pub(super) struct Suite {
    pub(super) client: reqwest::Client,
    /// `http://127.0.0.1:PORT`.
    pub(super) origin: String,
    /// `/scim/v2`.
    pub(super) base: String,
}

impl Suite {
    pub(super) fn new(origin: String, base: &str) -> Self {
        Suite {
            client: reqwest::Client::new(),
            origin,
            base: base.to_owned(),
        }
    }

    /// The full URL of a SCIM path (`/Users`).
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{}{}", self.origin, self.base, path)
    }

    /// A request to a SCIM path with tenant `a`'s token.
    pub(super) fn req(&self, method: &str, path: &str) -> Req<'_> {
        Req {
            suite: self,
            method: Method::from_bytes(method.as_bytes()).expect("method"),
            url: self.url(path),
            token: Some(TOKEN_A.to_owned()),
            headers: Vec::new(),
            body: None,
            content_type: Some("application/scim+json".to_owned()),
        }
    }

    /// A request to a full URL.
    pub(super) fn req_url(&self, method: &str, url: String) -> Req<'_> {
        Req {
            url,
            ..self.req(method, "")
        }
    }
}

/// A request being built.
pub(super) struct Req<'s> {
    suite: &'s Suite,
    method: Method,
    url: String,
    token: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    content_type: Option<String>,
}

/// A response.
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: reqwest::header::HeaderMap,
    pub(super) json: Value,
}

impl Reply {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(super) fn etag(&self) -> String {
        self.header("etag").expect("ETag header").to_owned()
    }

    pub(super) fn id(&self) -> String {
        self.json["id"].as_str().expect("id").to_owned()
    }

    pub(super) fn scim_type(&self) -> Option<&str> {
        self.json["scimType"].as_str()
    }

    /// The `Resources` of a list response.
    pub(super) fn resources(&self) -> &Vec<Value> {
        self.json["Resources"].as_array().expect("Resources")
    }

    /// The given string attribute of every listed resource.
    pub(super) fn listed(&self, attr: &str) -> Vec<String> {
        self.resources()
            .iter()
            .map(|r| r[attr].as_str().unwrap_or("").to_owned())
            .collect()
    }
}

impl Req<'_> {
    pub(super) fn token(mut self, token: Option<&str>) -> Self {
        self.token = token.map(str::to_owned);
        self
    }

    pub(super) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub(super) fn json(mut self, v: Value) -> Self {
        self.body = Some(serde_json::to_vec(&v).expect("json"));
        self
    }

    pub(super) fn raw(mut self, body: impl Into<Vec<u8>>, content_type: Option<&str>) -> Self {
        self.body = Some(body.into());
        self.content_type = content_type.map(str::to_owned);
        self
    }

    /// Sends the request and checks the status and the SCIM basics.
    pub(super) async fn check(self, want: u16) -> Reply {
        self.send(Some(want)).await
    }

    /// Sends the request and checks the SCIM basics, whatever the status.
    pub(super) async fn check_any(self) -> Reply {
        self.send(None).await
    }

    /// Sends the request and returns only the status: for paths outside the
    /// service's mount, where the application (not the adapter) answers.
    pub(super) async fn status_only(self) -> u16 {
        let mut rb = self.suite.client.request(self.method, &self.url);
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        rb.send().await.expect("send").status().as_u16()
    }

    async fn send(self, want: Option<u16>) -> Reply {
        let what = format!("{} {}", self.method, self.url);
        let mut rb = self.suite.client.request(self.method, &self.url);
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        for (k, v) in &self.headers {
            rb = rb.header(k, v);
        }
        if let Some(b) = self.body {
            if let Some(ct) = &self.content_type {
                rb = rb.header("content-type", ct);
            }
            rb = rb.body(b);
        }
        let resp = rb.send().await.unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body");
        let json: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {bytes:?}"))
        };
        if let Some(want) = want {
            assert_eq!(status, want, "{what}: status {status}, body {json}");
        }
        if !bytes.is_empty() {
            let ct = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            assert_eq!(ct, "application/scim+json", "{what}: content type");
        }
        if status >= 400 {
            assert_eq!(
                json["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
                "{what}: error schema in {json}"
            );
            assert_eq!(
                json["status"],
                status.to_string(),
                "{what}: error status is a string"
            );
        }
        Reply {
            status,
            headers,
            json,
        }
    }
}
