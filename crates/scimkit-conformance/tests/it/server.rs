//! The server the checker is tested against: the real engine (memory store,
//! Bulk on) behind scimkit-axum, wrapped in a layer that plants at most one
//! fault. And a store that loses what it is given, for the store suite.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, Method, StatusCode, header};
use scimkit_schema::{Resource, ResourceSchema};
use scimkit_service::{
    Config, ListQuery, ListResult, MemoryStore, ResourceStore, ScimService, StaticTokens,
    StoreError, StoredResource, TenantId,
};
use serde_json::{Value, json};

pub(crate) const TOKEN: &str = "checker-token";

/// One bug planted in an otherwise correct server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    None,
    /// A list with no match is `404` instead of an empty ListResponse.
    EmptyListIs404,
    /// PATCH op names are compared case-sensitively (`Replace` is `400`).
    CaseSensitiveOps,
    /// A `201` has no `Location` header.
    NoLocation,
    /// `totalResults` is the size of the page, not of the result.
    TotalIsPageSize,
    /// `remove` on `members` with a value list removes every member.
    RemoveByValueWipesAll,
    /// `active` is answered as a string (`"True"` / `"False"`).
    ActiveAsString,
    /// `excludedAttributes=members` is ignored (other exclusions work).
    MembersDespiteExcluded,
    /// A filter on an attribute the server does not know is a `500`.
    UnknownAttributeIs500,
    /// Responses are `application/json`.
    PlainJsonContentType,
    /// `attributes=` is ignored.
    AttributesIgnored,
    /// DELETE answers `200` with a body.
    DeleteIs200,
    /// No `ETag` header.
    NoEtag,
    /// `/ServiceProviderConfig` says Bulk is not supported.
    BulkNotAdvertised,
}

/// The service under test: memory store, one token, Bulk on.
pub(crate) fn service() -> ScimService {
    ScimService::builder()
        .store(MemoryStore::new())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), TOKEN))
        .config(
            Config::default()
                .with_base_path("/scim/v2")
                .with_bulk(true, 10, 1024 * 1024),
        )
        .build()
        .unwrap()
}

/// Serves the service with `fault` planted on 127.0.0.1:0; returns the
/// base URL (`http://127.0.0.1:PORT/scim/v2`).
pub(crate) async fn start(fault: Fault) -> String {
    let app = axum::Router::new()
        .merge(scimkit_axum::router(service()))
        .layer(axum::middleware::from_fn_with_state(fault, plant));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/scim/v2")
}

const KNOWN: [&str; 10] = [
    "userName",
    "externalId",
    "displayName",
    "emails",
    "id",
    "name",
    "title",
    "active",
    "members",
    "meta",
];

async fn plant(State(fault): State<Fault>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let mut bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap()
        .to_vec();
    let method = parts.method.clone();
    let query = parts.uri.query().unwrap_or("").to_owned();
    match fault {
        Fault::CaseSensitiveOps if method == Method::PATCH => {
            let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let ops = v["Operations"].as_array().cloned().unwrap_or_default();
            if ops
                .iter()
                .any(|o| o["op"].as_str().is_some_and(|s| s != s.to_lowercase()))
            {
                return error(400, "invalidSyntax", "unknown op");
            }
        }
        Fault::RemoveByValueWipesAll if method == Method::PATCH => {
            let mut v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if let Some(ops) = v["Operations"].as_array_mut() {
                for o in ops {
                    let remove = o["op"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case("remove"));
                    if remove
                        && o["path"] == "members"
                        && let Some(m) = o.as_object_mut()
                    {
                        m.remove("value");
                    }
                }
            }
            bytes = serde_json::to_vec(&v).unwrap();
            parts.headers.remove(header::CONTENT_LENGTH);
        }
        Fault::UnknownAttributeIs500 if method == Method::GET => {
            if let Some(filter) = param(&query, "filter") {
                let first = filter
                    .trim_start_matches(['(', ' '])
                    .split([' ', '[', '.'])
                    .next()
                    .unwrap_or("")
                    .to_owned();
                let urn = filter.starts_with("urn:");
                let known = KNOWN.contains(&first.as_str())
                    || (urn && filter.contains(":enterprise:2.0:User:"));
                if !known {
                    return error(500, "", "internal error");
                }
            }
        }
        Fault::MembersDespiteExcluded
            if param(&query, "excludedAttributes").as_deref() == Some("members") =>
        {
            set_query(&mut parts, &drop_param(&query, "excludedAttributes"))
        }
        Fault::AttributesIgnored => set_query(&mut parts, &drop_param(&query, "attributes")),
        _ => {}
    }
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap()
        .to_vec();
    let mut json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let is_list = json["schemas"][0] == "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    let mut changed = false;
    match fault {
        Fault::EmptyListIs404 if is_list && json["totalResults"] == 0 => {
            return error(404, "", "no such resources");
        }
        Fault::NoLocation => {
            parts.headers.remove(header::LOCATION);
        }
        Fault::TotalIsPageSize if is_list => {
            let n = json["Resources"].as_array().map_or(0, Vec::len);
            json["totalResults"] = json!(n);
            changed = true;
        }
        Fault::ActiveAsString => changed = stringify_active(&mut json),
        Fault::PlainJsonContentType => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        Fault::DeleteIs200
            if method == Method::DELETE && parts.status == StatusCode::NO_CONTENT =>
        {
            parts.status = StatusCode::OK;
            return Response::from_parts(parts, Body::from("{}"));
        }
        Fault::NoEtag => {
            parts.headers.remove(header::ETAG);
        }
        Fault::BulkNotAdvertised if json["bulk"].is_object() => {
            json["bulk"]["supported"] = json!(false);
            changed = true;
        }
        _ => {}
    }
    if changed {
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(serde_json::to_vec(&json).unwrap()));
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `"active": true` → `"True"` wherever it appears.
fn stringify_active(v: &mut Value) -> bool {
    let mut changed = false;
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "active" {
                    if let Value::Bool(b) = x {
                        *x = json!(if *b { "True" } else { "False" });
                        changed = true;
                    }
                } else {
                    changed |= stringify_active(x);
                }
            }
        }
        Value::Array(a) => {
            for x in a {
                changed |= stringify_active(x);
            }
        }
        _ => {}
    }
    changed
}

fn error(status: u16, scim_type: &str, detail: &str) -> Response {
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": status.to_string(),
        "detail": detail,
    });
    if !scim_type.is_empty() {
        body["scimType"] = json!(scim_type);
    }
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/scim+json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// The decoded value of query parameter `name`.
fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| decode(v))
    })
}

fn drop_param(query: &str, name: &str) -> String {
    query
        .split('&')
        .filter(|kv| kv.split('=').next() != Some(name))
        .collect::<Vec<_>>()
        .join("&")
}

fn set_query(parts: &mut http::request::Parts, query: &str) {
    let path = parts.uri.path().to_owned();
    let pq = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    parts.uri = pq.parse().unwrap();
    // scimkit-axum reads the URI from `OriginalUri` (it may be nested).
    parts
        .extensions
        .insert(axum::extract::OriginalUri(parts.uri.clone()));
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A store that forgets: creates succeed, but nothing can be read back.
#[derive(Default)]
pub(crate) struct ForgetfulStore(Arc<MemoryStore>);

#[async_trait::async_trait]
impl ResourceStore for ForgetfulStore {
    async fn create(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        resource: Resource,
    ) -> Result<StoredResource, StoreError> {
        self.0.create(tenant, rs, resource).await
    }

    async fn get(
        &self,
        _tenant: &TenantId,
        _rs: &ResourceSchema,
        _id: &str,
    ) -> Result<Option<StoredResource>, StoreError> {
        Ok(None)
    }

    async fn replace(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
        change: &[scimkit_service::EventKind],
    ) -> Result<StoredResource, StoreError> {
        self.0
            .replace(tenant, rs, id, resource, expected_version, change)
            .await
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        rs: &ResourceSchema,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<Vec<scimkit_service::ChangeRecord>, StoreError> {
        self.0.delete(tenant, rs, id, expected_version).await
    }

    async fn list(
        &self,
        tenant: &TenantId,
        query: &ListQuery<'_>,
    ) -> Result<ListResult, StoreError> {
        self.0.list(tenant, query).await
    }
}
