//! What the checks share: the registry, fresh tenants, documents, and a
//! list through `finish_list` the way the engine lists.

use std::collections::BTreeSet;
use std::sync::Arc;

use scimkit_filter::{parse_attr_path, parse_filter};
use scimkit_schema::eval::{CompiledFilter, SortKey};
use scimkit_schema::{Compat, Registry, Resource, ResourceSchema};
use scimkit_service::{ListQuery, ResourceStore, SortSpec, StoredResource, TenantId, finish_list};
use serde_json::{Value, json};

pub(super) const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(super) const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

pub(super) fn registry() -> Registry {
    Registry::core()
}

pub(super) fn users(r: &Registry) -> Arc<ResourceSchema> {
    r.resource_type("User").unwrap().clone()
}

pub(super) fn groups(r: &Registry) -> Arc<ResourceSchema> {
    r.resource_type("Group").unwrap().clone()
}

/// A fresh tenant id, so tests sharing a database never see each other.
pub(super) fn tenant() -> TenantId {
    TenantId::new(format!("t-{}", uuid::Uuid::new_v4().simple()))
}

pub(super) fn user(name: &str, extra: Value) -> Resource {
    let mut v = json!({"schemas": [USER, ENT], "userName": name});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    Resource::from_value(v).unwrap()
}

pub(super) fn name_of(r: &StoredResource) -> String {
    r.resource
        .as_map()
        .get("userName")
        .or_else(|| r.resource.as_map().get("displayName"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Lists through `finish_list` (what the engine does) and returns the
/// userNames (or displayNames) of the page and `totalResults`.
pub(super) async fn list(
    s: &dyn ResourceStore,
    t: &TenantId,
    rs: &ResourceSchema,
    filter: Option<&str>,
    sort: Option<(&str, bool)>,
    start: u64,
    count: u64,
) -> (Vec<String>, u64) {
    let compat = Compat::default();
    let parsed = filter.map(|f| parse_filter(f, &compat.parse).unwrap().into_owned());
    let compiled = parsed
        .as_ref()
        .map(|f| CompiledFilter::new(f, rs, &compat).unwrap());
    let spec = sort.map(|(by, desc)| {
        let path = parse_attr_path(by, &compat.parse).unwrap().into_owned();
        let key = SortKey::new(&path, rs).unwrap();
        SortSpec::new(path, key, desc)
    });
    let mut q = ListQuery::all(rs, count);
    q.filter = parsed.as_ref();
    q.compiled = compiled.as_ref();
    q.sort = spec.as_ref();
    q.start_index = start;
    let result = s.list(t, &q).await.unwrap();
    let (page, total) = finish_list(&q, result).unwrap();
    (page.iter().map(name_of).collect(), total)
}

pub(super) fn member_values(r: &StoredResource) -> BTreeSet<String> {
    match r.resource.as_map().get("members") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|m| m["value"].as_str().unwrap().to_owned())
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// Runs futures concurrently on the current task.
pub(super) async fn futures_join<F: std::future::Future>(
    fs: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let fs: Vec<_> = fs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = fs.iter().map(|_| None).collect();
    let mut fs: Vec<_> = fs.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, slot) in fs.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}

pub(super) fn group_doc(name: &str, members: &[&str]) -> Resource {
    let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
    Resource::from_value(
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": name, "members": members}),
    )
    .unwrap()
}
