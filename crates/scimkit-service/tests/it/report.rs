//! `RequestReport`: each switch of `docs/COMPATIBILITY.md` fires on the
//! request an identity provider sends, and nothing fires on the clean
//! (RFC) form of the same request; errors, the resource and the filter.

use bytes::Bytes;
use scimkit_schema::Compat;
use scimkit_service::{Config, MemoryStore, RequestReport, ScimService, Switch, Switches};
use serde_json::{Value, json};

use crate::support::{TOKEN, service};

const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Sends a request; its status and report.
async fn send(
    s: &ScimService,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (u16, RequestReport) {
    let mut b = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {TOKEN}"));
    if body.is_some() {
        b = b.header("content-type", "application/scim+json");
    }
    let body = body.map(|v| Bytes::from(v.to_string())).unwrap_or_default();
    let resp = s.handle(b.body(body).unwrap()).await;
    let report = RequestReport::of(&resp)
        .expect("every response has a report")
        .clone();
    (resp.status().as_u16(), report)
}

fn ops(ops: Value) -> Value {
    json!({"schemas": [PATCH], "Operations": ops})
}

/// A service with user `bjensen` (a work e-mail) in group `staff`; returns
/// the service and the two ids.
async fn fixture(compat: Compat) -> (ScimService, String, String) {
    let s = service(
        MemoryStore::new(),
        Config::default().with_base_path("").with_compat(compat),
    );
    let (st, r) = send(
        &s,
        "POST",
        "/Users",
        Some(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "bjensen", "active": true,
            "emails": [{"type": "work", "value": "b@x.com"}]}),
        ),
    )
    .await;
    assert_eq!(st, 201);
    let user = r.resource.unwrap().id.unwrap();
    let (st, r) = send(
        &s,
        "POST",
        "/Groups",
        Some(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "staff", "members": [{"value": user}]}),
        ),
    )
    .await;
    assert_eq!(st, 201, "{:?}", r.error);
    let group = r.resource.unwrap().id.unwrap();
    (s, user, group)
}

/// (switch, method, uri, IdP body, clean body, clean uri); `{u}` / `{g}`
/// stand for the user's and the group's id.
type Row = (
    Switch,
    &'static str,
    &'static str,
    Value,
    Value,
    &'static str,
);

fn rows() -> Vec<Row> {
    let none = Value::Null;
    vec![
        (
            Switch::ExtraSpaces,
            "GET",
            "/Users?filter=userName%20eq%20%20%22bjensen%22",
            none.clone(),
            none.clone(),
            "/Users?filter=userName%20eq%20%22bjensen%22",
        ),
        (
            Switch::LiteralCase,
            "GET",
            "/Users?filter=active%20eq%20True",
            none.clone(),
            none.clone(),
            "/Users?filter=active%20eq%20true",
        ),
        (
            Switch::ValuePathSubAttr,
            "GET",
            "/Users?filter=emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22b%40x.com%22",
            none.clone(),
            none.clone(),
            "/Users?filter=emails%5Btype%20eq%20%22work%22%20and%20value%20eq%20%22b%40x.com%22%5D",
        ),
        (
            Switch::BoolStrings,
            "PATCH",
            "/Users/{u}",
            ops(json!([{"op": "replace", "path": "active", "value": "False"}])),
            ops(json!([{"op": "replace", "path": "active", "value": false}])),
            "",
        ),
        (
            Switch::OpNameAnyCase,
            "PATCH",
            "/Users/{u}",
            ops(json!([{"op": "Replace", "path": "displayName", "value": "Babs"}])),
            ops(json!([{"op": "replace", "path": "displayName", "value": "Babs"}])),
            "",
        ),
        (
            Switch::ValueKeysAsPaths,
            "PATCH",
            "/Users/{u}",
            ops(json!([{"op": "replace", "value": {"name.givenName": "Barbara"}}])),
            ops(json!([{"op": "replace", "value": {"name": {"givenName": "Barbara"}}}])),
            "",
        ),
        (
            Switch::CreateOnFilterMiss,
            "PATCH",
            "/Users/{u}",
            ops(
                json!([{"op": "add", "path": "addresses[type eq \"work\"].country", "value": "DE"}]),
            ),
            ops(
                json!([{"op": "add", "path": "addresses", "value": [{"type": "work", "country": "DE"}]}]),
            ),
            "",
        ),
        (
            Switch::RemoveMembersByValue,
            "PATCH",
            "/Groups/{g}",
            ops(json!([{"op": "remove", "path": "members", "value": [{"value": "{u}"}]}])),
            ops(json!([{"op": "remove", "path": "members[value eq \"{u}\"]"}])),
            "",
        ),
        (
            Switch::ManagerAsString,
            "PATCH",
            "/Users/{u}",
            ops(json!([{"op": "replace", "path": format!("{ENTERPRISE}:manager"), "value": "m1"}])),
            ops(
                json!([{"op": "replace", "path": format!("{ENTERPRISE}:manager"), "value": {"value": "m1"}}]),
            ),
            "",
        ),
        (
            Switch::AllowEmptyOperations,
            "PATCH",
            "/Users/{u}",
            ops(json!([])),
            ops(json!([{"op": "replace", "path": "displayName", "value": "B"}])),
            "",
        ),
        (
            Switch::IgnoreUnknownAttributes,
            "POST",
            "/Users",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x1", "foo": "bar"}),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x1"}),
            "",
        ),
        (
            Switch::IgnoreSchemasInExtensionValue,
            "PATCH",
            "/Users/{u}",
            ops(
                json!([{"op": "add", "path": ENTERPRISE, "value": {"schemas": [ENTERPRISE], "employeeNumber": "7"}}]),
            ),
            ops(json!([{"op": "add", "path": ENTERPRISE, "value": {"employeeNumber": "7"}}])),
            "",
        ),
        (
            Switch::UnknownFilterAttrMatchesNothing,
            "GET",
            "/Users?filter=foo%20eq%20%22x%22",
            none.clone(),
            none,
            "/Users?filter=userName%20eq%20%22x%22",
        ),
    ]
}

fn fill(v: &Value, u: &str, g: &str) -> Option<Value> {
    if v.is_null() {
        return None;
    }
    Some(serde_json::from_str(&v.to_string().replace("{u}", u).replace("{g}", g)).unwrap())
}

#[tokio::test]
async fn each_switch_fires_on_its_idp_request_and_not_on_a_clean_one() {
    assert_eq!(rows().len(), Switch::ALL.len(), "a row per switch");
    for (switch, method, uri, idp, clean, clean_uri) in rows() {
        let mut compat = Compat::default();
        compat.unknown_filter_attr_matches_nothing = true;
        // The IdP's form, on a fresh fixture.
        let (s, u, g) = fixture(compat).await;
        let at = uri.replace("{u}", &u).replace("{g}", &g);
        let (st, r) = send(&s, method, &at, fill(&idp, &u, &g)).await;
        assert!(
            st < 300,
            "{switch}: {method} {at} answered {st}: {:?}",
            r.error
        );
        assert_eq!(
            r.switches,
            Switches::new().with(switch),
            "{switch}: {method} {at}"
        );
        // The clean form, on another fresh fixture.
        let (s, u, g) = fixture(compat).await;
        let at = if clean_uri.is_empty() { uri } else { clean_uri };
        let at = at.replace("{u}", &u).replace("{g}", &g);
        let (st, r) = send(&s, method, &at, fill(&clean, &u, &g)).await;
        assert!(
            st < 300,
            "{switch} (clean): {method} {at} answered {st}: {:?}",
            r.error
        );
        assert!(
            r.switches.is_empty(),
            "{switch} (clean): {method} {at} fired {}",
            r.switches
        );
    }
}

#[tokio::test]
async fn an_error_is_reported_with_its_status_scim_type_and_detail() {
    let (s, u, _) = fixture(Compat::strict()).await;
    let (st, r) = send(
        &s,
        "PATCH",
        &format!("/Users/{u}"),
        Some(ops(
            json!([{"op": "replace", "path": "active", "value": "False"}]),
        )),
    )
    .await;
    assert_eq!(st, 400);
    let e = r.error.expect("an error report");
    assert_eq!(
        (e.status, e.scim_type.as_deref()),
        (400, Some("invalidValue"))
    );
    assert!(e.detail.contains("active"), "{}", e.detail);
    let res = r.resource.unwrap();
    assert_eq!(
        (res.resource_type.as_str(), res.id.as_deref()),
        ("User", Some(u.as_str()))
    );
    assert!(r.switches.is_empty());
    assert_eq!(r.status, 400);
    assert!(r.tenant.is_some());
}

#[tokio::test]
async fn the_filter_is_reported_decoded_and_a_refused_token_too() {
    let (s, _, _) = fixture(Compat::default()).await;
    let (_, r) = send(&s, "GET", "/Users?filter=userName+eq+%22bjensen%22", None).await;
    assert_eq!(r.filter.as_deref(), Some("userName eq \"bjensen\""));
    let resp = s
        .handle(
            http::Request::get("/Users")
                .header("authorization", "Bearer wrong")
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    let r = RequestReport::of(&resp).unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.error.as_ref().map(|e| e.status), Some(401));
    assert!(r.tenant.is_none());
}

#[tokio::test]
async fn a_refused_filter_on_a_secret_is_not_reported_and_details_are_scrubbed() {
    let (s, _, _) = fixture(Compat::default()).await;
    let (st, r) = send(
        &s,
        "GET",
        "/Users?filter=password%20eq%20%22PLANTED-PW%22",
        None,
    )
    .await;
    assert_eq!(st, 400);
    let f = r.filter.unwrap();
    assert!(!f.contains("PLANTED"), "{f}");
    let (st, r) = send(
        &s,
        "GET",
        "/Users?access_token=PLANTED-TOKEN&filter=%ZZ",
        None,
    )
    .await;
    assert_eq!(st, 400);
    let d = r.error.unwrap().detail;
    assert!(!d.contains("PLANTED"), "{d}");
    // A clean filter that fails for another reason is kept as sent.
    let (_, r) = send(&s, "GET", "/Users?filter=userName%20eq", None).await;
    assert_eq!(r.filter.as_deref(), Some("userName eq"));
}
