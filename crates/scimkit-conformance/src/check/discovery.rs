//! `discovery`: what a client reads before it sends anything (RFC 7644 §4,
//! RFC 7643 §5-§7). Entra ID and Okta do not require these endpoints, but
//! the other checks read `/ServiceProviderConfig` to know what applies.

use serde_json::Value;

use super::Suite;
use super::catalog::CheckInfo;
use super::cx::{Cx, ensure, has_schema};
use super::report::Failure;

const SPC: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

/// `/ServiceProviderConfig`: every feature with a boolean `supported`.
pub(crate) async fn service_provider_config(cx: &Cx) -> Result<(), Failure> {
    let ex = cx.get_ok("/ServiceProviderConfig").await?;
    ensure(has_schema(&ex.json, SPC), || {
        ex.fail(format!("\"schemas\": [\"{SPC}\"]"))
    })?;
    for member in ["patch", "bulk", "filter", "changePassword", "sort", "etag"] {
        ensure(ex.json[member]["supported"].is_boolean(), || {
            ex.fail(format!(
                "\"{member}\": {{\"supported\": true|false}} (a boolean, RFC 7643 §5)"
            ))
        })?;
    }
    ensure(ex.json["authenticationSchemes"].is_array(), || {
        ex.fail("\"authenticationSchemes\" as an array")
    })?;
    if ex.json["bulk"]["supported"] == Value::Bool(true) {
        ensure(ex.json["bulk"]["maxOperations"].is_u64(), || {
            ex.fail("\"bulk\": {\"maxOperations\": <integer>} when Bulk is supported")
        })?;
    }
    if let Ok(mut spc) = cx.spc.lock() {
        *spc = Some(ex.json.clone());
    }
    Ok(())
}

/// `/ResourceTypes` lists User and Group with their endpoints and schemas.
pub(crate) async fn resource_types(cx: &Cx) -> Result<(), Failure> {
    let ex = cx.get_ok("/ResourceTypes").await?;
    let listed = listed(&ex.json);
    for (name, endpoint, schema) in [
        ("User", "/Users", super::cx::USER),
        ("Group", "/Groups", super::cx::GROUP),
    ] {
        let found = listed.iter().find(|r| r["name"] == name);
        ensure(
            found.is_some_and(|r| r["endpoint"] == endpoint && r["schema"] == schema),
            || {
                ex.fail(format!(
                    "a resource type {{\"name\": \"{name}\", \"endpoint\": \"{endpoint}\", \"schema\": \"{schema}\"}}"
                ))
            },
        )?;
    }
    Ok(())
}

/// `/Schemas` holds the User and Group schemas with their attributes.
pub(crate) async fn schemas(cx: &Cx) -> Result<(), Failure> {
    let ex = cx.get_ok("/Schemas").await?;
    let listed = listed(&ex.json);
    for (urn, attr) in [
        (super::cx::USER, "userName"),
        (super::cx::GROUP, "displayName"),
    ] {
        let found = listed.iter().find(|s| s["id"] == urn);
        let has_attr = found.is_some_and(|s| {
            s["attributes"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["name"] == attr))
        });
        ensure(has_attr, || {
            ex.fail(format!(
                "the schema \"{urn}\" with its attributes (\"{attr}\" among them)"
            ))
        })?;
    }
    Ok(())
}

/// The resources of a discovery list: a ListResponse's `Resources`, or a bare
/// array (which some servers send).
fn listed(v: &Value) -> Vec<Value> {
    if let Some(a) = v.as_array() {
        return a.clone();
    }
    v["Resources"].as_array().cloned().unwrap_or_default()
}

/// The suite's checks, in order.
pub(crate) const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "discovery.spc",
        suite: Suite::Discovery,
        title: "/ServiceProviderConfig advertises every feature with a boolean supported",
        depends_on: &[],
        cites: "RFC 7643 §5, RFC 7644 §4",
        creates: false,
        needs: &[],
        run: |cx| Box::pin(service_provider_config(cx)),
    },
    CheckInfo {
        id: "discovery.resource_types",
        suite: Suite::Discovery,
        title: "/ResourceTypes lists User and Group with endpoint and schema",
        depends_on: &[],
        cites: "RFC 7643 §6, RFC 7644 §4",
        creates: false,
        needs: &[],
        run: |cx| Box::pin(resource_types(cx)),
    },
    CheckInfo {
        id: "discovery.schemas",
        suite: Suite::Discovery,
        title: "/Schemas holds the User and Group schemas",
        depends_on: &[],
        cites: "RFC 7643 §7, RFC 7644 §4",
        creates: false,
        needs: &[],
        run: |cx| Box::pin(schemas(cx)),
    },
];
