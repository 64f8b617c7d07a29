//! Shaping a stored resource for a response (RFC 7644 §3.9 projection,
//! RFC 7643 §2.2 `returned`, RFC 7643 §3.1 `meta.location`).
//!
//! The default projection of a resource that holds no attribute the schema
//! hides by default (`returned: never` or `request`, e.g. `password`) is the
//! resource itself: it is serialised straight from the store's copy, with
//! `meta.location` written on the way, instead of being rebuilt.

use scimkit_schema::project::{Projection, project};
use scimkit_schema::{ResourceSchema, ScimError};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::StoredResource;
use crate::context::Cx;
use crate::request::Query;

/// The `attributes` / `excludedAttributes` query parameters.
pub(crate) fn projection(cx: &Cx<'_>, query: &Query) -> Result<Projection, ScimError> {
    Projection::parse(
        query.get("attributes"),
        query.get("excludedAttributes"),
        &cx.compat().parse,
    )
}

/// A resource representation, ready to serialise.
pub(crate) enum Rendered<'a> {
    /// The stored body as it is, plus `meta.location`.
    Direct {
        stored: &'a StoredResource,
        location: String,
    },
    /// A projected copy (with `meta.location` in it).
    Projected(Value),
}

/// The representation of `stored` that `projection` asks for, with `meta.location`.
pub(crate) fn render<'a>(
    cx: &Cx<'_>,
    stored: &'a StoredResource,
    rs: &ResourceSchema,
    projection: &Projection,
) -> Rendered<'a> {
    let location = cx.location(rs, &stored.id);
    if projection.is_default() && !rs.hidden_by_default().present_in(&stored.resource) {
        return Rendered::Direct { stored, location };
    }
    let mut v = project(&stored.resource, rs, projection);
    if let Some(Value::Object(meta)) = v.get_mut("meta") {
        meta.insert("location".to_owned(), location.into());
    }
    Rendered::Projected(v)
}

impl Serialize for Rendered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Rendered::Projected(v) => v.serialize(s),
            Rendered::Direct { stored, location } => {
                let map = stored.resource.as_map();
                let mut m = s.serialize_map(Some(map.len()))?;
                for (k, v) in map.iter() {
                    match v {
                        Value::Object(meta) if k == "meta" => m.serialize_entry(
                            k,
                            &WithLocation {
                                meta,
                                location: location.as_str(),
                            },
                        )?,
                        _ => m.serialize_entry(k, v)?,
                    }
                }
                m.end()
            }
        }
    }
}

impl Rendered<'_> {
    /// Appends the JSON text to `out`, from the cached text of the stored
    /// body when there is one.
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        if let Rendered::Direct { stored, location } = self
            && let Some(head) = stored.json_head()
        {
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(b",\"location\":");
            serde_json::to_writer(&mut *out, location.as_str())?;
            out.extend_from_slice(b"}}");
            return Ok(());
        }
        serde_json::to_writer(out, self)
    }
}

struct WithLocation<'a> {
    meta: &'a Map<String, Value>,
    location: &'a str,
}

impl Serialize for WithLocation<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.meta.len() + 1))?;
        for (k, v) in self.meta.iter().filter(|(k, _)| *k != "location") {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("location", self.location)?;
        m.end()
    }
}
