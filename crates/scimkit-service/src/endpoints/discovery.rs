//! Discovery (RFC 7644 §4, RFC 7643 §5–§7): `/ServiceProviderConfig`,
//! `/Schemas`, `/ResourceTypes`, generated from the registry and the
//! configuration. A `filter` on them is `403` (RFC 7644 §4).

use scimkit_schema::messages::{
    AuthenticationScheme, BulkConfig, FilterConfig, ListResponse, ServiceProviderConfig, Supported,
};
use scimkit_schema::views::Meta;
use scimkit_schema::{RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA, ScimError};
use serde_json::{Map, Value};

use crate::context::Cx;
use crate::request::Query;
use crate::response::{self, Outcome};

fn no_filter(query: &Query) -> Result<(), ScimError> {
    if query.get("filter").is_some() {
        return Err(ScimError::new(
            403,
            None,
            "discovery endpoints do not support filtering (RFC 7644 §4)",
        ));
    }
    Ok(())
}

/// `GET /ServiceProviderConfig`.
pub(crate) fn service_provider_config(cx: &Cx<'_>, query: &Query) -> Outcome {
    no_filter(query)?;
    let cfg = &cx.svc.config;
    let mut spc = ServiceProviderConfig::new(vec![
        AuthenticationScheme::oauth_bearer_token().with_primary(true),
    ]);
    spc.documentation_uri = cfg.documentation_uri.clone();
    spc.patch = Supported::new(true);
    spc.bulk = BulkConfig::new(
        cfg.bulk_supported,
        cfg.bulk_max_operations,
        cfg.bulk_max_payload_size as u64,
    );
    spc.filter = FilterConfig::new(true, cfg.max_results);
    spc.change_password = Supported::new(false);
    spc.sort = Supported::new(true);
    spc.etag = Supported::new(true);
    spc.meta =
        Some(Meta::new("ServiceProviderConfig").with_location(cx.url("ServiceProviderConfig")));
    Ok(response::json(200, &spc))
}

/// A discovery resource: `schemas` first, the definition, `meta` last.
fn with_meta(schema_uri: &str, def: Value, resource_type: &str, location: String) -> Value {
    let mut out = Map::new();
    out.insert("schemas".into(), Value::from(vec![schema_uri]));
    if let Value::Object(m) = def {
        out.extend(m);
    }
    let meta = serde_json::to_value(Meta::new(resource_type).with_location(location))
        .unwrap_or(Value::Null);
    out.insert("meta".into(), meta);
    Value::Object(out)
}

/// `GET /Schemas` and `GET /Schemas/{id}`.
pub(crate) fn schemas(cx: &Cx<'_>, id: Option<&str>, query: &Query) -> Outcome {
    no_filter(query)?;
    let render = |s: &scimkit_schema::Schema| {
        let def = serde_json::to_value(s).unwrap_or(Value::Null);
        with_meta(
            SCHEMA_SCHEMA,
            def,
            "Schema",
            cx.url(&format!("Schemas/{}", s.id)),
        )
    };
    let registry = &cx.svc.registry;
    match id {
        Some(id) => {
            let s = registry
                .schema(id)
                .ok_or_else(|| ScimError::not_found(format!("no schema {id}")))?;
            Ok(response::json(200, &render(s)))
        }
        None => {
            let items: Vec<Value> = registry.schemas().map(|s| render(s)).collect();
            let n = items.len() as u64;
            Ok(response::json(200, &ListResponse::new(items, n, 1)))
        }
    }
}

/// `GET /ResourceTypes` and `GET /ResourceTypes/{name}`.
pub(crate) fn resource_types(cx: &Cx<'_>, name: Option<&str>, query: &Query) -> Outcome {
    no_filter(query)?;
    let render = |rt: &scimkit_schema::ResourceType| {
        let mut def = serde_json::to_value(rt).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut def
            && !m.contains_key("id")
        {
            m.insert("id".into(), rt.name.clone().into());
        }
        with_meta(
            RESOURCE_TYPE_SCHEMA,
            def,
            "ResourceType",
            cx.url(&format!("ResourceTypes/{}", rt.name)),
        )
    };
    let registry = &cx.svc.registry;
    match name {
        Some(name) => {
            let rs = registry
                .resource_type(name)
                .ok_or_else(|| ScimError::not_found(format!("no resource type {name}")))?;
            Ok(response::json(200, &render(rs.resource_type())))
        }
        None => {
            let items: Vec<Value> = registry
                .resource_types()
                .map(|rs| render(rs.resource_type()))
                .collect();
            let n = items.len() as u64;
            Ok(response::json(200, &ListResponse::new(items, n, 1)))
        }
    }
}
