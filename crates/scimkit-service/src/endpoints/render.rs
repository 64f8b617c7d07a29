//! Shaping a stored resource for a response (RFC 7644 §3.9 projection,
//! RFC 7643 §3.1 `meta.location`).

use scimkit_schema::ResourceSchema;
use scimkit_schema::project::{Projection, project};
use serde_json::Value;

use crate::StoredResource;
use crate::request::Query;
use crate::service::Cx;

/// The `attributes` / `excludedAttributes` query parameters.
pub(crate) fn projection(
    cx: &Cx<'_>,
    query: &Query,
) -> Result<Projection, scimkit_schema::ScimError> {
    Projection::parse(
        query.get("attributes"),
        query.get("excludedAttributes"),
        &cx.compat().parse,
    )
}

/// The representation of `stored` that `projection` asks for, with `meta.location`.
pub(crate) fn render(
    cx: &Cx<'_>,
    stored: &StoredResource,
    rs: &ResourceSchema,
    projection: &Projection,
) -> Value {
    let mut v = project(&stored.resource, rs, projection);
    if let Some(Value::Object(meta)) = v.get_mut("meta") {
        meta.insert("location".to_owned(), cx.location(rs, &stored.id).into());
    }
    v
}
