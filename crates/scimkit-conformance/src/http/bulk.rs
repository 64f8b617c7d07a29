//! RFC 7644 §3.7: Bulk with `bulkId` references (forward ones too),
//! circular references, `failOnErrors`, `maxOperations`, `maxPayloadSize`.

use serde_json::{Value, json};

use super::client::Suite;
use super::fixture::{group, patch, user};

const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

fn op(method: &str, path: &str, bulk_id: Option<&str>, data: Option<Value>) -> Value {
    let mut o = json!({"method": method, "path": path});
    if let Some(b) = bulk_id {
        o["bulkId"] = json!(b);
    }
    if let Some(d) = data {
        o["data"] = d;
    }
    o
}

pub(super) async fn run(s: &Suite) {
    // A group refers to a user created later in the same request.
    let mut g = group("bulk-group");
    g["members"] = json!([{"value": "bulkId:u1", "type": "User"}]);
    let body = json!({
        "schemas": [BULK],
        "Operations": [
            op("POST", "/Groups", Some("g1"), Some(g)),
            op("POST", "/Users", Some("u1"), Some(user("bulk-user"))),
            op("PATCH", "/Users/bulkId:u1", None,
               Some(patch(json!([{"op": "replace", "path": "displayName", "value": "Bulky"}])))),
        ]
    });
    let r = s.req("POST", "/Bulk").json(body).check(200).await;
    assert_eq!(
        r.json["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
    );
    let ops = r.json["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 3);
    assert_eq!(ops[0]["status"], "201", "{}", r.json);
    assert_eq!(ops[0]["bulkId"], "g1");
    assert_eq!(ops[1]["status"], "201");
    assert_eq!(ops[2]["status"], "200");
    let user_loc = ops[1]["location"].as_str().unwrap();
    let user_id = user_loc.rsplit('/').next().unwrap();
    assert!(ops[1]["version"].as_str().unwrap().starts_with("W/"));
    let group_loc = ops[0]["location"].as_str().unwrap();
    let got = s.req_url("GET", group_loc.to_owned()).check(200).await;
    assert_eq!(got.json["members"][0]["value"], user_id);
    let u = s.req_url("GET", user_loc.to_owned()).check(200).await;
    assert_eq!(u.json["displayName"], "Bulky");

    // Circular references: 409 for each.
    let mut a = group("cycle-a");
    a["members"] = json!([{"value": "bulkId:b"}]);
    let mut b = group("cycle-b");
    b["members"] = json!([{"value": "bulkId:a"}]);
    let r = s
        .req("POST", "/Bulk")
        .json(json!({"schemas": [BULK], "Operations": [
            op("POST", "/Groups", Some("a"), Some(a)),
            op("POST", "/Groups", Some("b"), Some(b)),
        ]}))
        .check(200)
        .await;
    let ops = r.json["Operations"].as_array().unwrap();
    assert_eq!(ops[0]["status"], "409");
    assert_eq!(ops[1]["status"], "409");
    assert_eq!(ops[0]["response"]["status"], "409");
    // An unknown bulkId: 409.
    let r = s
        .req("POST", "/Bulk")
        .json(json!({"schemas": [BULK], "Operations": [
            op("PATCH", "/Users/bulkId:nope", None, Some(patch(json!([{"op": "replace", "path": "active", "value": true}])))),
        ]}))
        .check(200)
        .await;
    assert_eq!(r.json["Operations"][0]["status"], "409");

    // failOnErrors: stop after the first error.
    let r = s
        .req("POST", "/Bulk")
        .json(json!({"schemas": [BULK], "failOnErrors": 1, "Operations": [
            op("POST", "/Users", None, Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}))),
            op("POST", "/Users", None, Some(user("after-failure"))),
        ]}))
        .check(200)
        .await;
    let ops = r.json["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0]["status"], "400");
    s.req("GET", "/Users?filter=userName%20eq%20%22after-failure%22")
        .check(200)
        .await
        .resources()
        .is_empty()
        .then_some(())
        .expect("the second operation did not run");

    // Errors inside: 409 uniqueness, 412 version, 404; results keep going.
    let r = s
        .req("POST", "/Bulk")
        .json(json!({"schemas": [BULK], "Operations": [
            op("POST", "/Users", None, Some(user("bulk-user"))),
            {"method": "DELETE", "path": user_loc.split("/scim/v2").nth(1).unwrap(), "version": "W/\"0\""},
            op("DELETE", "/Users/does-not-exist", None, None),
            op("DELETE", user_loc.split("/scim/v2").nth(1).unwrap(), None, None),
        ]}))
        .check(200)
        .await;
    let st: Vec<&str> = r.json["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(st, ["409", "412", "404", "204"]);

    // maxOperations (5) and maxPayloadSize (32 KiB): 413.
    let many: Vec<Value> = (0..6)
        .map(|i| op("POST", "/Users", None, Some(user(&format!("many-{i}")))))
        .collect();
    s.req("POST", "/Bulk")
        .json(json!({"schemas": [BULK], "Operations": many}))
        .check(413)
        .await;
    let mut big = user("big-bulk");
    big["displayName"] = json!("x".repeat(40 * 1024));
    s.req("POST", "/Bulk")
        .json(json!({"schemas": [BULK], "Operations": [op("POST", "/Users", None, Some(big))]}))
        .check(413)
        .await;
    // A bulk request without its schema: 400.
    s.req("POST", "/Bulk")
        .json(json!({"Operations": []}))
        .check(400)
        .await;
}
