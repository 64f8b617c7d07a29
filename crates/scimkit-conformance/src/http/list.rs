//! RFC 7644 §3.4.2: filtering, sorting (string and dateTime), paging edges,
//! projection; §3.4.3 `.search` per type and at the root.

use std::time::Duration;

use serde_json::json;

use super::client::Suite;
use super::fixture::{group, patch, user};

const F: &str = "filter=userName%20sw%20%22lst-%22";

pub(super) async fn run(s: &Suite) {
    // 12 users, created out of order.
    for i in [7, 3, 11, 0, 5, 9, 1, 10, 2, 8, 4, 6] {
        let mut u = user(&format!("lst-{i:02}"));
        u["externalId"] = json!(format!("ext-lst-{i:02}"));
        u["name"] = json!({"givenName": format!("G{i}"), "familyName": "Lister"});
        s.req("POST", "/Users").json(u).check(201).await;
    }
    // No count: capped by maxResults (10); totalResults is the true total.
    let r = s.req("GET", &format!("/Users?{F}")).check(200).await;
    assert_eq!(
        r.json["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert_eq!(r.json["totalResults"], 12);
    assert_eq!(r.json["itemsPerPage"], 10);
    assert_eq!(r.json["startIndex"], 1);
    assert_eq!(r.resources().len(), 10);
    assert!(
        r.resources()[0]["meta"]["location"]
            .as_str()
            .unwrap()
            .starts_with(&s.url("/Users/"))
    );
    // count above maxResults: capped.
    let r = s
        .req("GET", &format!("/Users?{F}&count=1000"))
        .check(200)
        .await;
    assert_eq!(r.resources().len(), 10);
    // count=0 and negative count: no resources, true total.
    for c in ["0", "-5"] {
        let r = s
            .req("GET", &format!("/Users?{F}&count={c}"))
            .check(200)
            .await;
        assert_eq!(r.json["totalResults"], 12, "count={c}");
        assert_eq!(r.json["itemsPerPage"], 0, "count={c}");
        assert_eq!(r.resources().len(), 0, "count={c}");
    }
    // Sorting by a string, both orders; paging through.
    let r = s
        .req(
            "GET",
            &format!("/Users?{F}&sortBy=userName&startIndex=1&count=5"),
        )
        .check(200)
        .await;
    assert_eq!(
        r.listed("userName"),
        ["lst-00", "lst-01", "lst-02", "lst-03", "lst-04"]
    );
    let r = s
        .req(
            "GET",
            &format!("/Users?{F}&sortBy=userName&startIndex=11&count=5"),
        )
        .check(200)
        .await;
    assert_eq!(r.listed("userName"), ["lst-10", "lst-11"]);
    assert_eq!(r.json["startIndex"], 11);
    let r = s
        .req(
            "GET",
            &format!("/Users?{F}&sortBy=userName&sortOrder=descending&count=3"),
        )
        .check(200)
        .await;
    assert_eq!(r.listed("userName"), ["lst-11", "lst-10", "lst-09"]);
    let r = s
        .req("GET", &format!("/Users?{F}&sortBy=name.givenName&count=3"))
        .check(200)
        .await;
    assert_eq!(
        r.listed("userName"),
        ["lst-00", "lst-01", "lst-10"],
        "G0 < G1 < G10"
    );
    // startIndex past the end: empty page, true total; startIndex < 1 is 1.
    let r = s
        .req("GET", &format!("/Users?{F}&startIndex=13"))
        .check(200)
        .await;
    assert_eq!(r.json["totalResults"], 12);
    assert_eq!(r.resources().len(), 0);
    let r = s
        .req(
            "GET",
            &format!("/Users?{F}&sortBy=userName&startIndex=-3&count=1"),
        )
        .check(200)
        .await;
    assert_eq!(r.json["startIndex"], 1);
    assert_eq!(r.listed("userName"), ["lst-00"]);

    // eq lookups (case-insensitive userName; caseExact externalId).
    let r = s
        .req("GET", "/Users?filter=userName%20eq%20%22LST-03%22")
        .check(200)
        .await;
    assert_eq!(r.listed("userName"), ["lst-03"]);
    let r = s
        .req("GET", "/Users?filter=externalId%20eq%20%22ext-lst-04%22")
        .check(200)
        .await;
    assert_eq!(r.listed("userName"), ["lst-04"]);
    let r = s
        .req("GET", "/Users?filter=externalId%20eq%20%22EXT-LST-04%22")
        .check(200)
        .await;
    assert_eq!(r.json["totalResults"], 0);
    let r = s
        .req(
            "GET",
            "/Users?filter=userName%20eq%20%22lst-05%22%20and%20active%20eq%20true",
        )
        .check(200)
        .await;
    assert_eq!(r.listed("userName"), ["lst-05"]);

    // Projection.
    let r = s
        .req(
            "GET",
            "/Users?filter=userName%20eq%20%22lst-06%22&attributes=userName",
        )
        .check(200)
        .await;
    let u = &r.resources()[0];
    assert!(u.get("name").is_none() && u.get("meta").is_none() && u["id"].is_string());
    let r = s
        .req(
            "GET",
            "/Users?filter=userName%20eq%20%22lst-06%22&excludedAttributes=name",
        )
        .check(200)
        .await;
    let u = &r.resources()[0];
    assert!(u.get("name").is_none() && u["userName"] == "lst-06");

    // Sorting by dateTime: meta.created, meta.lastModified.
    for n in ["dt-a", "dt-b", "dt-c"] {
        s.req("POST", "/Users").json(user(n)).check(201).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let fdt = "filter=userName%20sw%20%22dt-%22";
    let r = s
        .req(
            "GET",
            &format!("/Users?{fdt}&sortBy=meta.created&sortOrder=descending"),
        )
        .check(200)
        .await;
    assert_eq!(r.listed("userName"), ["dt-c", "dt-b", "dt-a"]);
    let a = s
        .req("GET", "/Users?filter=userName%20eq%20%22dt-a%22")
        .check(200)
        .await;
    let a_id = a.resources()[0]["id"].as_str().unwrap().to_owned();
    s.req("PATCH", &format!("/Users/{a_id}"))
        .json(patch(
            json!([{"op": "replace", "path": "displayName", "value": "A"}]),
        ))
        .check(200)
        .await;
    let r = s
        .req("GET", &format!("/Users?{fdt}&sortBy=meta.lastModified"))
        .check(200)
        .await;
    assert_eq!(r.listed("userName"), ["dt-b", "dt-c", "dt-a"]);

    // POST /Users/.search.
    let search = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName sw \"lst-\"",
        "sortBy": "userName",
        "sortOrder": "descending",
        "startIndex": 2,
        "count": 2,
        "attributes": ["userName"]
    });
    let r = s
        .req("POST", "/Users/.search")
        .json(search)
        .check(200)
        .await;
    assert_eq!(r.json["totalResults"], 12);
    assert_eq!(r.listed("userName"), ["lst-10", "lst-09"]);
    assert!(r.resources()[0].get("name").is_none());

    // POST /.search at the root: every resource type.
    s.req("POST", "/Groups")
        .json(group("lst-group"))
        .check(201)
        .await;
    let root = |filter: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": filter,
            "count": 100
        })
    };
    let r = s
        .req("POST", "/.search")
        .json(root("userName sw \"lst-\""))
        .check(200)
        .await;
    assert_eq!(r.json["totalResults"], 12);
    let r = s
        .req("POST", "/.search")
        .json(root(
            "displayName eq \"lst-group\" or userName eq \"lst-01\"",
        ))
        .check(200)
        .await;
    assert_eq!(r.json["totalResults"], 2);
    let types: Vec<String> = r
        .resources()
        .iter()
        .map(|x| x["meta"]["resourceType"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["User", "Group"]);
}
