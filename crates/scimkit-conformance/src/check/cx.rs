//! What every check gets: the client, the base URL, the run's name prefix,
//! what discovery advertised, and the list of what the run created (for
//! cleanup). Plus the few helpers the checks share.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{self, Exchange, Req};
use super::report::Failure;

pub(crate) const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(crate) const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub(crate) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub(crate) const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub(crate) const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A feature `/ServiceProviderConfig` advertises (RFC 7643 §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Feature {
    Patch,
    Bulk,
    Filter,
    Sort,
    Etag,
}

impl Feature {
    /// The member of `/ServiceProviderConfig` that advertises it.
    pub(crate) fn member(self) -> &'static str {
        match self {
            Feature::Patch => "patch",
            Feature::Bulk => "bulk",
            Feature::Filter => "filter",
            Feature::Sort => "sort",
            Feature::Etag => "etag",
        }
    }
}

/// The run's context.
pub(crate) struct Cx {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    token: String,
    pub(crate) prefix: String,
    max_body: usize,
    counter: AtomicU32,
    /// `Users/<id>`, `Groups/<id>`: what the run created, in order.
    pub(crate) created: Mutex<Vec<String>>,
    /// The `/ServiceProviderConfig` body, once `discovery.spc` passed.
    pub(crate) spc: Mutex<Option<Value>>,
}

impl Cx {
    pub(crate) fn new(
        http: reqwest::Client,
        base: String,
        token: String,
        prefix: String,
        max_body: usize,
    ) -> Self {
        Cx {
            http,
            base,
            token,
            prefix,
            max_body,
            counter: AtomicU32::new(0),
            created: Mutex::new(Vec::new()),
            spc: Mutex::new(None),
        }
    }

    /// Whether discovery advertised `feature` (`None`: not known).
    pub(crate) fn advertises(&self, feature: Feature) -> Option<bool> {
        let spc = self.spc.lock().ok()?;
        let spc = spc.as_ref()?;
        Some(spc[feature.member()]["supported"] == Value::Bool(true))
    }

    /// A member of the advertised `/ServiceProviderConfig`.
    pub(crate) fn spc_value(&self, pointer: &str) -> Option<Value> {
        let spc = self.spc.lock().ok()?;
        spc.as_ref()?.pointer(pointer).cloned()
    }

    /// A name no other run uses: `<prefix>-<what>-<n>`.
    pub(crate) fn unique(&self, what: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}-{what}-{n}", self.prefix)
    }

    /// A fresh `userName`, shaped like the UPNs the IdPs send.
    pub(crate) fn user_name(&self, what: &str) -> String {
        format!("{}@example.com", self.unique(what))
    }

    /// Where requests go.
    pub(crate) fn conn(&self) -> client::Conn<'_> {
        client::Conn {
            client: &self.http,
            base: &self.base,
            token: &self.token,
            max_body: self.max_body,
        }
    }

    pub(crate) async fn send(&self, req: Req) -> Result<Exchange, Failure> {
        client::send(&self.conn(), req)
            .await
            .map_err(client::SendError::into_failure)
    }

    pub(crate) async fn get(&self, path: impl Into<String>) -> Result<Exchange, Failure> {
        self.send(Req::new(Method::GET, path)).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Result<Exchange, Failure> {
        self.send(Req::new(Method::POST, path).json(body)).await
    }

    pub(crate) async fn put(&self, path: &str, body: &Value) -> Result<Exchange, Failure> {
        self.send(Req::new(Method::PUT, path).json(body)).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Result<Exchange, Failure> {
        self.send(Req::new(Method::DELETE, path)).await
    }

    /// PATCH with `ops`; `200` or `204` (RFC 7644 §3.5.2: the server chooses).
    pub(crate) async fn patch(&self, path: &str, ops: Value) -> Result<Exchange, Failure> {
        let body = json!({"schemas": [PATCH_OP], "Operations": ops});
        let ex = self.send(Req::new(Method::PATCH, path).json(&body)).await?;
        ex.status_in(&[200, 204], "RFC 7644 §3.5.2: a successful PATCH")?;
        Ok(ex)
    }

    /// GET expecting `200` and a JSON object.
    pub(crate) async fn get_ok(&self, path: impl Into<String>) -> Result<Exchange, Failure> {
        let ex = self.get(path).await?;
        ex.status_in(&[200], "the resource")?;
        ensure(ex.json.is_object(), || ex.fail("a JSON object"))?;
        Ok(ex)
    }

    /// POST to `/Users` or `/Groups` expecting `201` with an `id`; records
    /// the new resource for cleanup. Returns the exchange and the id.
    pub(crate) async fn create(
        &self,
        endpoint: &str,
        body: &Value,
    ) -> Result<(Exchange, String), Failure> {
        let ex = self.post(&format!("/{endpoint}"), body).await?;
        let id = ex.str_at("/id").map(str::to_owned);
        if let (true, Some(id)) = (ex.status == 201, &id) {
            self.record(endpoint, id);
        }
        ex.status_in(&[201], "RFC 7644 §3.3: a created resource")?;
        let id = id.ok_or_else(|| ex.fail("the new resource's \"id\" (a string)"))?;
        Ok((ex, id))
    }

    /// Records `endpoint/id` for cleanup.
    pub(crate) fn record(&self, endpoint: &str, id: &str) {
        if let Ok(mut c) = self.created.lock() {
            c.push(format!("{endpoint}/{id}"));
        }
    }

    /// A plain user: `userName`, `externalId`, `name`, a work e-mail.
    pub(crate) fn user_body(&self, what: &str) -> Value {
        let user_name = self.user_name(what);
        json!({
            "schemas": [USER],
            "userName": user_name,
            "externalId": format!("ext-{user_name}"),
            "name": {"givenName": "Check", "familyName": what},
            "displayName": format!("Check {what}"),
            "emails": [{"type": "work", "value": user_name, "primary": true}],
            "active": true
        })
    }

    /// Creates a plain user; returns its id and the body sent.
    pub(crate) async fn create_user(&self, what: &str) -> Result<(String, Value), Failure> {
        let body = self.user_body(what);
        let (_, id) = self.create("Users", &body).await?;
        Ok((id, body))
    }

    /// Creates a group with `members`; returns its id and displayName.
    pub(crate) async fn create_group(
        &self,
        what: &str,
        members: &[&str],
    ) -> Result<(String, String), Failure> {
        let name = self.unique(what);
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let body = json!({"schemas": [GROUP], "displayName": name, "members": members});
        let (_, id) = self.create("Groups", &body).await?;
        Ok((id, name))
    }

    /// A list request expecting `200`, a ListResponse and an integer
    /// `totalResults`; returns the exchange and its `Resources` (absent is
    /// empty).
    pub(crate) async fn list(&self, path: &str) -> Result<(Exchange, Vec<Value>), Failure> {
        let ex = self.get(path).await?;
        check_list(&ex)?;
        let resources = resources(&ex);
        Ok((ex, resources))
    }
}

/// `200`, the ListResponse schema and an integer `totalResults` (RFC 7644 §3.4.2).
pub(crate) fn check_list(ex: &Exchange) -> Result<(), Failure> {
    ex.status_in(
        &[200],
        "RFC 7644 §3.4.2: a ListResponse, also when nothing matches",
    )?;
    ensure(has_schema(&ex.json, LIST), || {
        ex.fail(format!("\"schemas\": [\"{LIST}\"]"))
    })?;
    ensure(ex.json["totalResults"].is_u64(), || {
        ex.fail("\"totalResults\" as a non-negative integer")
    })?;
    Ok(())
}

/// The `Resources` of a list response (absent is empty).
pub(crate) fn resources(ex: &Exchange) -> Vec<Value> {
    ex.json["Resources"].as_array().cloned().unwrap_or_default()
}

/// Whether `v["schemas"]` names `urn`.
pub(crate) fn has_schema(v: &Value, urn: &str) -> bool {
    v["schemas"]
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(urn)))
}

/// `Ok` when `ok`, else the failure `f` builds.
pub(crate) fn ensure(ok: bool, f: impl FnOnce() -> Failure) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(f()) }
}

/// Percent-encodes a query value the way Okta does (space as `%20`).
pub(crate) fn enc(s: &str) -> String {
    encode(s, "%20")
}

/// Form-encodes a query value the way Entra ID does (space as `+`).
pub(crate) fn form(s: &str) -> String {
    encode(s, "+")
}

fn encode(s: &str, space: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push_str(space),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The `value`s of a group's `members`.
pub(crate) fn member_ids(group: &Value) -> Vec<String> {
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}
