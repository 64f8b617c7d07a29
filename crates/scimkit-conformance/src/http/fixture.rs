//! The services under test: a memory store with one seeded user (`me`),
//! tokens for tenants `a` and `b`.

use serde_json::json;

use scimkit_service::{
    Config, MeRef, MemoryStore, ResourceStore, ScimService, StaticTokens, TenantId,
};

/// Full access to tenant `a`.
pub const TOKEN_A: &str = "conformance-token-a";
/// Full access to tenant `b`.
pub const TOKEN_B: &str = "conformance-token-b";
/// Read-only access to tenant `a`.
pub const TOKEN_READ_ONLY: &str = "conformance-token-a-read-only";
/// Tenant `a`, with `/Me` mapped to the seeded user `me`.
pub const TOKEN_ME: &str = "conformance-token-a-me";

/// A service over a fresh memory store with `config`.
pub async fn service(config: Config) -> ScimService {
    let store = MemoryStore::new();
    let registry = scimkit_schema::Registry::core();
    let users = registry.resource_type("User").expect("User");
    let me = scimkit_schema::Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "me",
        "active": true
    }))
    .expect("resource");
    let a = TenantId::new("a");
    let me = store.create(&a, users, me).await.expect("seed");
    let auth = StaticTokens::new()
        .with_token(a.clone(), TOKEN_A)
        .with_token(TenantId::new("b"), TOKEN_B)
        .with_read_only_token(a.clone(), TOKEN_READ_ONLY)
        .with_token(a, TOKEN_ME)
        .with_me(TOKEN_ME, MeRef::new("User", me.id));
    ScimService::builder()
        .registry(registry)
        .store(store)
        .authenticator(auth)
        .config(config)
        .build()
        .expect("service")
}

/// A minimal User body.
pub(super) fn user(user_name: &str) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "active": true
    })
}

/// A minimal Group body.
pub(super) fn group(display_name: &str) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": display_name
    })
}

/// A PatchOp body.
pub(super) fn patch(ops: serde_json::Value) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": ops
    })
}
