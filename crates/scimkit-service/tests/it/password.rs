//! `password` at rest (RFC 7643 §4.1.1): an Argon2id PHC string by default,
//! dropped or kept as sent when configured; on POST, PUT, PATCH and Bulk;
//! never returned.

use std::sync::Arc;

use bytes::Bytes;
use scimkit_service::{
    Argon2Params, Config, MemoryStore, PasswordStorage, ResourceStore, ScimService, StaticTokens,
    TenantId, verify_password,
};
use serde_json::{Value, json};

struct Fixture {
    s: ScimService,
    store: Arc<MemoryStore>,
}

fn cheap() -> Argon2Params {
    Argon2Params::new(8, 1, 1).unwrap()
}

fn fixture(storage: PasswordStorage) -> Fixture {
    let store = Arc::new(MemoryStore::new());
    let s = ScimService::builder()
        .shared_store(store.clone())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
        .config(Config::default().with_password_storage(storage))
        .build()
        .unwrap();
    Fixture { s, store }
}

impl Fixture {
    async fn send(&self, method: &str, uri: &str, body: Option<Value>) -> (u16, Value) {
        let req = http::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", "Bearer t")
            .header("content-type", "application/scim+json")
            .body(body.map(|b| Bytes::from(b.to_string())).unwrap_or_default())
            .unwrap();
        let resp = self.s.handle(req).await;
        let status = resp.status().as_u16();
        let text = String::from_utf8_lossy(resp.body()).into_owned();
        // Never returned, in any form.
        assert!(
            !text.to_ascii_lowercase().contains("password") && !text.contains("$argon2"),
            "{method} {uri}: {text}"
        );
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The stored `password` and version of a user.
    async fn stored(&self, id: &str) -> (Option<String>, String) {
        let rs = self.s.registry().resource_type("User").unwrap();
        let r = self
            .store
            .get(&TenantId::default(), rs, id)
            .await
            .unwrap()
            .unwrap();
        let pw = r
            .resource
            .as_map()
            .get("password")
            .map(|v| v.as_str().unwrap().to_owned());
        (pw, r.version)
    }

    async fn create(&self, name: &str, password: &str) -> String {
        let (st, u) = self
            .send(
                "POST",
                "/scim/v2/Users",
                Some(
                    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                            "userName": name, "password": password}),
                ),
            )
            .await;
        assert_eq!(st, 201, "{u}");
        u["id"].as_str().unwrap().to_owned()
    }
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[tokio::test]
async fn policies_on_create() {
    // (policy, what the store holds for "pw1": None, Some(clear) or a hash)
    enum Want {
        Nothing,
        AsSent,
        Hash,
    }
    let cases = [
        (PasswordStorage::Hash(cheap()), Want::Hash),
        (PasswordStorage::Drop, Want::Nothing),
        (PasswordStorage::KeepAsSent, Want::AsSent),
    ];
    for (policy, want) in cases {
        let f = fixture(policy.clone());
        let id = f.create("u", "pw1").await;
        let (stored, _) = f.stored(&id).await;
        match want {
            Want::Nothing => assert_eq!(stored, None, "{policy:?}"),
            Want::AsSent => assert_eq!(stored.as_deref(), Some("pw1"), "{policy:?}"),
            Want::Hash => {
                let h = stored.unwrap();
                assert!(h.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{h}");
                assert!(verify_password(&h, "pw1"));
                assert!(!verify_password(&h, "pw2"));
            }
        }
        // Asked for by name, still never returned (checked in `send`).
        let uri = format!("/scim/v2/Users/{id}");
        for q in ["?attributes=password", "?attributes=password,userName", ""] {
            let (st, _) = f.send("GET", &format!("{uri}{q}"), None).await;
            assert_eq!(st, 200);
        }
        let (st, _) = f
            .send("GET", "/scim/v2/Users?attributes=password", None)
            .await;
        assert_eq!(st, 200);
    }
}

#[test]
fn the_default_policy_hashes_with_the_default_params() {
    assert_eq!(
        Config::default().password_storage,
        PasswordStorage::Hash(Argon2Params::default())
    );
    let p = Argon2Params::default();
    assert_eq!(
        (p.memory_kib(), p.iterations(), p.parallelism()),
        (19 * 1024, 2, 1)
    );
}

#[tokio::test]
async fn writes_hash_only_what_changed() {
    let f = fixture(PasswordStorage::Hash(cheap()));
    let id = f.create("w", "pw1").await;
    let uri = format!("/scim/v2/Users/{id}");
    let (first, v1) = f.stored(&id).await;
    let first = first.unwrap();

    // PATCH of another attribute: the same hash.
    let (st, _) = f
        .send(
            "PATCH",
            &uri,
            Some(patch(
                json!([{"op": "replace", "path": "nickName", "value": "n"}]),
            )),
        )
        .await;
    assert_eq!(st, 200);
    let (h, v2) = f.stored(&id).await;
    assert_eq!(h.as_deref(), Some(first.as_str()));
    assert_ne!(v1, v2);

    // PATCH with the same password: nothing changes, not even the version.
    let same = patch(json!([{"op": "replace", "path": "password", "value": "pw1"}]));
    let (st, _) = f.send("PATCH", &uri, Some(same)).await;
    assert_eq!(st, 200);
    assert_eq!(f.stored(&id).await, (Some(first.clone()), v2.clone()));

    // PUT without password keeps it (writeOnly, RFC 7644 §3.5.1).
    let put = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                     "userName": "w", "nickName": "m"});
    let (st, _) = f.send("PUT", &uri, Some(put)).await;
    assert_eq!(st, 200);
    let (h, v3) = f.stored(&id).await;
    assert_eq!(h.as_deref(), Some(first.as_str()));
    assert_ne!(v2, v3);

    // PUT with a new password: a new hash.
    let put = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                     "userName": "w", "nickName": "m", "password": "pw2"});
    let (st, _) = f.send("PUT", &uri, Some(put)).await;
    assert_eq!(st, 200);
    let (h, _) = f.stored(&id).await;
    let second = h.unwrap();
    assert!(verify_password(&second, "pw2") && !verify_password(&second, "pw1"));

    // PATCH with a new password (Entra's capitalised op): a new hash.
    let new = patch(json!([{"op": "Replace", "path": "password", "value": "pw3"}]));
    let (st, _) = f.send("PATCH", &uri, Some(new)).await;
    assert_eq!(st, 200);
    let (h, _) = f.stored(&id).await;
    assert!(verify_password(&h.unwrap(), "pw3"));

    // PATCH remove: gone.
    let rm = patch(json!([{"op": "remove", "path": "password"}]));
    let (st, _) = f.send("PATCH", &uri, Some(rm)).await;
    assert_eq!(st, 200);
    assert_eq!(f.stored(&id).await.0, None);
}

#[tokio::test]
async fn bulk_hashes_too() {
    let f = fixture(PasswordStorage::Hash(cheap()));
    let id = f.create("b", "pw0").await;
    let bulk = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "n", "data": {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "bulk", "password": "pw-post"}},
            {"method": "PATCH", "path": format!("/Users/{id}"), "data": patch(json!([
                {"op": "replace", "path": "password", "value": "pw-patch"}]))},
        ]
    });
    let (st, resp) = f.send("POST", "/scim/v2/Bulk", Some(bulk)).await;
    assert_eq!(st, 200);
    let created = resp["Operations"][0]["location"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (h, _) = f.stored(&created).await;
    let h = h.unwrap();
    assert!(
        h.starts_with("$argon2id$") && verify_password(&h, "pw-post"),
        "{h}"
    );
    let (h, _) = f.stored(&id).await;
    assert!(verify_password(&h.unwrap(), "pw-patch"));
}

#[tokio::test]
async fn drop_purges_a_value_stored_under_another_policy() {
    let keep = fixture(PasswordStorage::KeepAsSent);
    let id = keep.create("d", "pw1").await;
    let dropping = Fixture {
        s: ScimService::builder()
            .shared_store(keep.store.clone())
            .authenticator(StaticTokens::new().with_token(TenantId::default(), "t"))
            .config(Config::default().with_password_storage(PasswordStorage::Drop))
            .build()
            .unwrap(),
        store: keep.store.clone(),
    };
    let nick = patch(json!([{"op": "replace", "path": "nickName", "value": "n"}]));
    let (st, _) = dropping
        .send("PATCH", &format!("/scim/v2/Users/{id}"), Some(nick))
        .await;
    assert_eq!(st, 200);
    assert_eq!(dropping.stored(&id).await.0, None);
}
