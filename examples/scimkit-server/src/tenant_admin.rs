//! `tenant add | list | remove | rotate-token`, and the tenant created on
//! first start.
//!
//! A Secret Token is 256 random bits from the operating system's generator,
//! written as 64 hexadecimal digits. Only its SHA-256 digest is stored: with
//! that much entropy a fast hash is safe (there is no dictionary to try), so
//! no slow password KDF is needed. The token is printed once and cannot be
//! recovered; rotate it if it is lost.

use std::fmt::Write as _;

use rand::RngCore;
use rand::rngs::OsRng;
use scimkit_service::{Secret, TokenHash};
use scimkit_sql::{SqlStore, Tenant};

/// A new Secret Token.
pub(crate) fn new_token() -> Secret {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let mut s = String::with_capacity(64);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    Secret::new(s)
}

/// The Tenant URL of tenant `id` under `origin`.
pub(crate) fn tenant_url(origin: &str, id: &str) -> String {
    format!("{origin}/tenants/{id}/scim/v2")
}

/// Adds a tenant and returns it with its token.
pub(crate) async fn add(store: &SqlStore, name: &str) -> Result<(Tenant, Secret), String> {
    let id = uuid::Uuid::new_v4().to_string();
    let token = new_token();
    let tenant = store
        .tenants()
        .add(&id, name, &TokenHash::of(token.expose()))
        .await
        .map_err(|e| format!("cannot add tenant {name:?}: {e}"))?;
    Ok((tenant, token))
}

/// The two values an admin pastes into the IdP, clearly labelled.
pub(crate) fn credentials_block(origin: &str, tenant: &Tenant, token: &Secret) -> String {
    format!(
        "Tenant:        {name} (id {id})\n\
         Tenant URL:    {url}\n\
         Secret Token:  {token}\n\
         \n\
         Paste both into your identity provider: in Microsoft Entra ID, open the enterprise \
         application > Provisioning > Admin Credentials, enter them as Tenant URL and Secret \
         Token, and press Test Connection (in Okta: the app's Provisioning > Integration tab, \
         SCIM connector base URL and HTTP Header bearer token).\n\
         The token is shown only this once; if it is lost, run `scimkit-server tenant rotate-token {id}`.\n",
        name = tenant.name,
        id = tenant.id,
        url = tenant_url(origin, &tenant.id),
        token = token.expose(),
    )
}

/// `tenant list` output.
pub(crate) fn list_text(origin: &str, tenants: &[Tenant]) -> String {
    if tenants.is_empty() {
        return "No tenants. Add one with `scimkit-server tenant add NAME`.\n".to_owned();
    }
    let mut out = String::new();
    for t in tenants {
        let _ = writeln!(
            out,
            "{id}  {name}\n    Tenant URL: {url}\n    created {created}, token set {rotated}",
            id = t.id,
            name = t.name,
            url = tenant_url(origin, &t.id),
            created = t.created.format("%Y-%m-%d %H:%M:%S UTC"),
            rotated = t.token_rotated.format("%Y-%m-%d %H:%M:%S UTC"),
        );
    }
    out
}

/// `tenant rotate-token ID [--keep-old-for DURATION]`: the new token, and
/// until when the old one is still accepted.
pub(crate) async fn rotate(
    store: &SqlStore,
    id: &str,
    keep_old_for: Option<std::time::Duration>,
) -> Result<(Secret, Option<chrono::DateTime<chrono::Utc>>), String> {
    let token = new_token();
    let until = match keep_old_for {
        Some(d) => Some(
            chrono::Duration::from_std(d)
                .ok()
                .and_then(|d| chrono::Utc::now().checked_add_signed(d))
                .ok_or_else(|| format!("--keep-old-for {d:?} is too long"))?,
        ),
        None => None,
    };
    let found = store
        .tenants()
        .rotate_token(id, &TokenHash::of(token.expose()), until)
        .await
        .map_err(|e| format!("cannot rotate the token of tenant {id}: {e}"))?;
    if found {
        Ok((token, until))
    } else {
        Err(format!(
            "no tenant with id {id} (see `scimkit-server tenant list`)"
        ))
    }
}
