//! Method and endpoint to handler (RFC 7644 §3.2): `405` with `Allow` for a
//! method an endpoint does not take, `403` for a read-only caller's writes.

use bytes::Bytes;
use http::{HeaderMap, Method};
use scimkit_schema::ScimError;

use super::Cx;
use crate::endpoints::{bulk, discovery, list, resource};
use crate::request::Query;
use crate::response::{Failure, Outcome};
use crate::route::Route;

const ITEM_METHODS: &str = "GET, PUT, PATCH, DELETE";

pub(crate) async fn dispatch(
    cx: &Cx<'_>,
    method: &Method,
    route: Route<'_>,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Bytes,
) -> Outcome {
    let query = Query::parse(query)?;
    match route {
        Route::NotFound => Err(ScimError::not_found("no SCIM endpoint at this path").into()),
        Route::RootSearch => match *method {
            Method::POST => list::search_all(cx, body).await,
            _ => Err(Failure::method_not_allowed("POST")),
        },
        Route::Bulk => match *method {
            Method::POST => {
                may_write(cx)?;
                bulk::bulk(cx, body).await
            }
            _ => Err(Failure::method_not_allowed("POST")),
        },
        Route::ServiceProviderConfig => match *method {
            Method::GET => discovery::service_provider_config(cx, &query),
            _ => Err(Failure::method_not_allowed("GET")),
        },
        Route::Schemas(id) => match *method {
            Method::GET => discovery::schemas(cx, id, &query),
            _ => Err(Failure::method_not_allowed("GET")),
        },
        Route::ResourceTypes(name) => match *method {
            Method::GET => discovery::resource_types(cx, name, &query),
            _ => Err(Failure::method_not_allowed("GET")),
        },
        Route::Collection(ep) => {
            let rs = resource_type(cx, ep)?;
            cx.report.resource(rs.name(), None);
            match *method {
                Method::GET => list::list(cx, rs, &query).await,
                Method::POST => {
                    may_write(cx)?;
                    resource::create(cx, rs, &query, body).await
                }
                _ => Err(Failure::method_not_allowed("GET, POST")),
            }
        }
        Route::Search(ep) => {
            let rs = resource_type(cx, ep)?;
            cx.report.resource(rs.name(), None);
            match *method {
                Method::POST => list::search(cx, rs, body).await,
                _ => Err(Failure::method_not_allowed("POST")),
            }
        }
        Route::Item(ep, id) => {
            let rs = resource_type(cx, ep)?;
            item(cx, method, rs, id, headers, &query, body).await
        }
        Route::Me => {
            let Some(me) = &cx.principal.me else {
                return Err(ScimError::new(
                    501,
                    None,
                    "/Me is not available: the caller is not mapped to a resource",
                )
                .into());
            };
            let rs = cx
                .svc
                .registry
                .resource_type(&me.resource_type)
                .ok_or_else(|| {
                    ScimError::new(
                        501,
                        None,
                        "/Me maps to a resource type this service does not serve",
                    )
                })?;
            item(cx, method, rs, &me.id, headers, &query, body).await
        }
    }
}

async fn item(
    cx: &Cx<'_>,
    method: &Method,
    rs: &scimkit_schema::ResourceSchema,
    id: &str,
    headers: &HeaderMap,
    query: &Query,
    body: &Bytes,
) -> Outcome {
    cx.report.resource(rs.name(), Some(id));
    match *method {
        Method::GET => resource::get(cx, rs, id, headers, query).await,
        Method::PUT => {
            may_write(cx)?;
            resource::replace(cx, rs, id, headers, query, body).await
        }
        Method::PATCH => {
            may_write(cx)?;
            resource::patch(cx, rs, id, headers, query, body).await
        }
        Method::DELETE => {
            may_write(cx)?;
            resource::delete(cx, rs, id, headers).await
        }
        _ => Err(Failure::method_not_allowed(ITEM_METHODS)),
    }
}

/// `403` for a read-only caller.
fn may_write(cx: &Cx<'_>) -> Result<(), Failure> {
    if cx.principal.read_only {
        Err(ScimError::new(403, None, "this caller may only read").into())
    } else {
        Ok(())
    }
}

fn resource_type<'s>(
    cx: &'s Cx<'_>,
    endpoint: &str,
) -> Result<&'s scimkit_schema::ResourceSchema, Failure> {
    cx.svc
        .resource_type(endpoint)
        .map(|rs| &**rs)
        .ok_or_else(|| {
            ScimError::not_found(format!("no resource type is served at /{endpoint}")).into()
        })
}
