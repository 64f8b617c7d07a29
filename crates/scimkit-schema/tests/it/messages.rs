//! Protocol messages (RFC 7644 §3.4.2, §3.4.3, §3.7; RFC 7643 §5): the RFC's
//! examples round-trip exactly, tolerant input is written strictly.

use scimkit_schema::messages::{
    BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA, BulkMethod, BulkOperation, BulkOperationResponse,
    BulkRequest, BulkResponse, LIST_RESPONSE_SCHEMA, ListResponse, PATCH_OP_SCHEMA,
    SEARCH_REQUEST_SCHEMA, SearchRequest, ServiceProviderConfig, SortOrder,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// Reads `input` as `T`, writes it back and compares with `expected`.
fn check<T: Serialize + DeserializeOwned>(input: Value, expected: Value) {
    let typed: T = serde_json::from_value(input.clone())
        .unwrap_or_else(|e| panic!("{input} did not deserialise: {e}"));
    let out = serde_json::to_value(&typed).unwrap();
    assert_eq!(out, expected, "input: {input}");
}

fn round_trip<T: Serialize + DeserializeOwned>(input: Value) {
    check::<T>(input.clone(), input);
}

fn rejects<T: DeserializeOwned + std::fmt::Debug>(input: Value) {
    let r = serde_json::from_value::<T>(input.clone());
    assert!(r.is_err(), "{input} was accepted: {r:?}");
}

#[test]
fn schema_uris() {
    assert_eq!(
        LIST_RESPONSE_SCHEMA,
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert_eq!(
        SEARCH_REQUEST_SCHEMA,
        "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
    );
    assert_eq!(
        PATCH_OP_SCHEMA,
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    );
    assert_eq!(
        BULK_REQUEST_SCHEMA,
        "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
    );
    assert_eq!(
        BULK_RESPONSE_SCHEMA,
        "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
    );
}

#[test]
fn list_response_rfc7644_3_4_2_examples() {
    // RFC 7644 §3.4.2, the response to `GET /Users?attributes=userName`.
    round_trip::<ListResponse>(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2,
        "Resources": [{"userName": "Smith"}, {"userName": "Jones"}]
    }));
    // RFC 7644 §3.4.2.4, a paginated response.
    round_trip::<ListResponse>(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 100,
        "itemsPerPage": 10,
        "startIndex": 1,
        "Resources": [{"id": "2819c223-7f76-453a-919d-413861904646"}]
    }));
}

#[test]
fn list_response_tolerant_in_strict_out() {
    let strict = json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": 1,
        "itemsPerPage": 1,
        "startIndex": 1,
        "Resources": [{"id": "a"}]
    });
    // lower-case `resources`, numbers as strings
    check::<ListResponse>(
        json!({"schemas": [LIST_RESPONSE_SCHEMA], "totalResults": "1", "itemsPerPage": "1",
               "startIndex": 1, "resources": [{"id": "a"}]}),
        strict.clone(),
    );
    // no Resources at all when nothing matched: written as an empty array
    check::<ListResponse>(
        json!({"schemas": [LIST_RESPONSE_SCHEMA], "totalResults": 0}),
        json!({"schemas": [LIST_RESPONSE_SCHEMA], "totalResults": 0, "Resources": []}),
    );
    rejects::<ListResponse>(json!({"totalResults": -1, "Resources": []}));
    rejects::<ListResponse>(json!({"totalResults": "many", "Resources": []}));
    rejects::<ListResponse>(json!({"Resources": []}));

    // The constructor writes the strict form.
    let page = ListResponse::new(vec![json!({"id": "a"})], 1, 1);
    assert_eq!(serde_json::to_value(&page).unwrap(), strict);
    // Typed resources work too.
    let typed: ListResponse<scimkit_schema::views::Meta> =
        ListResponse::from_slice(br#"{"totalResults": 1, "Resources": [{"version": "W/\"1\""}]}"#)
            .unwrap()
            .try_map(serde_json::from_value)
            .unwrap();
    assert_eq!(typed.resources[0].version.as_deref(), Some("W/\"1\""));
    assert_eq!(ListResponse::from_slice(b"[]").unwrap_err().status, 400);
}

#[test]
fn search_request_rfc7644_3_4_3_example() {
    round_trip::<SearchRequest>(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "attributes": ["displayName", "userName"],
        "filter": "displayName sw \"smith\"",
        "startIndex": 1,
        "count": 10
    }));
    round_trip::<SearchRequest>(json!({
        "schemas": [SEARCH_REQUEST_SCHEMA],
        "excludedAttributes": ["emails", "phoneNumbers"],
        "sortBy": "name.familyName",
        "sortOrder": "descending"
    }));
}

#[test]
fn search_request_tolerant_in_strict_out() {
    // (input, expected output)
    let cases = [
        // a comma-separated attributes string
        (
            json!({"attributes": "userName, emails.value", "excludedAttributes": "groups"}),
            json!({"schemas": [], "attributes": ["userName", "emails.value"], "excludedAttributes": ["groups"]}),
        ),
        // numbers as strings; startIndex < 1 is 1, negative count is 0 (RFC 7644 §3.4.2.4)
        (
            json!({"startIndex": "0", "count": -5}),
            json!({"schemas": [], "startIndex": 1, "count": 0}),
        ),
        (
            json!({"startIndex": -3, "count": "7"}),
            json!({"schemas": [], "startIndex": 1, "count": 7}),
        ),
        // sortOrder in any case
        (
            json!({"sortBy": "userName", "sortOrder": "Ascending"}),
            json!({"schemas": [], "sortBy": "userName", "sortOrder": "ascending"}),
        ),
        // nulls are absent
        (
            json!({"filter": null, "attributes": null, "count": null}),
            json!({"schemas": []}),
        ),
    ];
    for (input, expected) in cases {
        check::<SearchRequest>(input, expected);
    }
    for bad in [
        json!({"sortOrder": "up"}),
        json!({"count": "ten"}),
        json!({"count": 1.5}),
        json!({"attributes": [1, 2]}),
        json!({"attributes": {"a": 1}}),
    ] {
        rejects::<SearchRequest>(bad);
    }
    let err = SearchRequest::from_slice(br#"{"count": "x"}"#).unwrap_err();
    assert_eq!(
        (err.status, err.scim_type.as_ref().map(|t| t.as_str())),
        (400, Some("invalidSyntax"))
    );
    assert!(
        SearchRequest::new()
            .with_filter("userName eq \"a\"")
            .check()
            .is_ok()
    );
    assert!(SearchRequest::default().check().is_err());
    assert_eq!(
        "DESCENDING".parse::<SortOrder>().unwrap(),
        SortOrder::Descending
    );
}

#[test]
fn bulk_rfc7644_3_7_examples() {
    // RFC 7644 §3.7.2 (abridged data), with failOnErrors and every method.
    round_trip::<BulkRequest>(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "failOnErrors": 1,
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "qwerty",
             "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "Alice"}},
            {"method": "PUT", "path": "/Users/b7c14771-226c-4d05-8860-134711653041",
             "version": "W/\"3694e05e9dff591\"",
             "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                      "id": "b7c14771-226c-4d05-8860-134711653041", "userName": "Bob"}},
            {"method": "PATCH", "path": "/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc",
             "version": "W/\"edac3253e2c0ef2\"",
             "data": {"Operations": [{"op": "remove", "path": "nickName"}]}},
            {"method": "DELETE", "path": "/Users/e9025315-6bea-44e1-899c-1e07454e468b",
             "version": "W/\"0ee8add0a938e1a\""}
        ]
    }));
    // RFC 7644 §3.7.3, a response with success and error entries.
    round_trip::<BulkResponse>(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],
        "Operations": [
            {"location": "https://example.com/v2/Users/92b725cd-9465-4e7d-8c16-01f8e146b87a",
             "method": "POST", "bulkId": "qwerty", "version": "W/\"4weymrEsh5O6cAEK\"",
             "status": "201"},
            {"method": "POST", "bulkId": "qwerty", "status": "400",
             "response": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                          "scimType": "invalidSyntax",
                          "detail": "Request is unparsable, syntactically incorrect, or violates schema.",
                          "status": "400"}}
        ]
    }));
}

#[test]
fn bulk_tolerant_in_strict_out() {
    check::<BulkResponse>(
        json!({"operations": [{"method": "delete", "status": 204}]}),
        json!({"schemas": [], "Operations": [{"method": "DELETE", "status": "204"}]}),
    );
    check::<BulkRequest>(
        json!({"schemas": [BULK_REQUEST_SCHEMA], "failOnErrors": "2",
               "operations": [{"method": "Patch", "path": "/Groups/1", "data": {}}]}),
        json!({"schemas": [BULK_REQUEST_SCHEMA], "failOnErrors": 2,
               "Operations": [{"method": "PATCH", "path": "/Groups/1", "data": {}}]}),
    );
    // An unknown method is kept, for a per-operation error.
    let req: BulkRequest =
        serde_json::from_value(json!({"Operations": [{"method": "GET", "path": "/Users"}]}))
            .unwrap();
    assert_eq!(req.operations[0].method, BulkMethod::Other("GET".into()));
    assert!(req.check().is_err());
    rejects::<BulkResponse>(json!({"Operations": [{"method": "POST", "status": true}]}));
    rejects::<BulkRequest>(json!({"Operations": [{"path": "/Users"}]}));

    let built = BulkRequest::new(vec![
        BulkOperation::new(BulkMethod::Post, "/Users")
            .with_bulk_id("q")
            .with_data(json!({"userName": "a"})),
    ]);
    assert!(built.check().is_ok());
    let resp = BulkResponse::new(vec![
        BulkOperationResponse::new(BulkMethod::Post, 201)
            .with_bulk_id(Some("q".into()))
            .with_location("https://example.com/v2/Users/1")
            .with_version("W/\"1\""),
    ]);
    assert_eq!(resp.operations[0].status_code(), Some(201));
    assert_eq!(
        serde_json::to_value(&resp).unwrap(),
        json!({"schemas": [BULK_RESPONSE_SCHEMA], "Operations": [{
            "location": "https://example.com/v2/Users/1", "method": "POST", "bulkId": "q",
            "version": "W/\"1\"", "status": "201"}]})
    );
}

#[test]
fn service_provider_config_tolerant_in_strict_out() {
    check::<ServiceProviderConfig>(
        json!({"patch": {"supported": "True"}, "bulk": {"supported": false},
               "filter": {"supported": true, "maxResults": "200"}, "x-vendor": 1}),
        json!({"schemas": [], "patch": {"supported": true},
               "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
               "filter": {"supported": true, "maxResults": 200},
               "changePassword": {"supported": false}, "sort": {"supported": false},
               "etag": {"supported": false}, "authenticationSchemes": [], "x-vendor": 1}),
    );
    rejects::<ServiceProviderConfig>(json!({"patch": {"supported": "maybe"}}));
}
