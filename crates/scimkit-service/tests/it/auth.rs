//! `StaticTokens`: tenants by token and by path, hashes, redaction.

use http::{HeaderMap, Method};
use scimkit_service::{
    AuthError, AuthRequest, Authenticator, Secret, StaticTokens, TenantId, TokenHash,
};

async fn check(
    auth: &StaticTokens,
    header: Option<&str>,
    path_tenant: Option<&str>,
    want: Result<&str, AuthError>,
) {
    let mut h = HeaderMap::new();
    if let Some(v) = header {
        h.insert("authorization", v.parse().unwrap());
    }
    let got = auth
        .authenticate(&AuthRequest::new(&Method::GET, &h, path_tenant))
        .await
        .map(|p| p.tenant.as_str().to_owned());
    assert_eq!(got, want.map(str::to_owned), "{header:?} {path_tenant:?}");
}

#[tokio::test]
async fn tokens_choose_tenants() {
    let auth = StaticTokens::new()
        .with_token(TenantId::new("a"), "tok-a")
        .with_token_hash(
            TenantId::new("b"),
            TokenHash::from_hex(&TokenHash::of("tok-b").to_hex()).unwrap(),
        );
    check(&auth, Some("Bearer tok-a"), None, Ok("a")).await;
    check(&auth, Some("bearer tok-b"), None, Ok("b")).await;
    check(&auth, Some("Bearer tok-a"), Some("a"), Ok("a")).await;
    check(
        &auth,
        Some("Bearer tok-a"),
        Some("b"),
        Err(AuthError::Invalid),
    )
    .await;
    check(&auth, Some("Bearer tok-c"), None, Err(AuthError::Invalid)).await;
    check(&auth, Some("Basic dG9rLWE="), None, Err(AuthError::Missing)).await;
    check(&auth, Some("Bearer "), None, Err(AuthError::Missing)).await;
    check(&auth, None, None, Err(AuthError::Missing)).await;
}

#[test]
fn secrets_are_redacted_and_hashes_parse() {
    assert_eq!(
        format!("{:?}", Secret::new("hunter2")),
        "Secret(<redacted>)"
    );
    let h = TokenHash::of("abc");
    assert_eq!(
        h.to_hex(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(TokenHash::from_hex(&h.to_hex()), Some(h));
    assert_eq!(TokenHash::from_hex("abc"), None);
    assert_eq!(TokenHash::from_hex(&"zz".repeat(32)), None);
}
