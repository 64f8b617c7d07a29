//! The console reads resources through the SCIM engine itself: a second
//! [`ScimService`] on the same store and configuration, whose only caller
//! is the console, as a read-only principal of the tenant in the path. So a
//! console list has exactly the paging, filters and limits of a SCIM list
//! (`count` clamped, `--max-list-scan`), and never writes.
//!
//! This service is never routed: it is reached only through
//! [`Engine::get`], with a random token that lives in this process alone.

use async_trait::async_trait;
use bytes::Bytes;
use scimkit_service::{
    AuthError, AuthRequest, Authenticator, Config, Principal, ScimService, TenantId,
};
use scimkit_sql::SqlStore;
use serde_json::Value;
use subtle::ConstantTimeEq as _;

use crate::tenant_admin::new_token;

/// The console's authenticator: its own token, read-only, any tenant.
struct ConsoleCaller {
    token: String,
}

#[async_trait]
impl Authenticator for ConsoleCaller {
    async fn authenticate(&self, req: &AuthRequest<'_>) -> Result<Principal, AuthError> {
        let presented = req.bearer_token().ok_or(AuthError::Missing)?;
        let tenant = req.path_tenant.ok_or(AuthError::Invalid)?;
        if bool::from(presented.as_bytes().ct_eq(self.token.as_bytes())) {
            Ok(Principal::new(TenantId::new(tenant), "console").read_only())
        } else {
            Err(AuthError::Invalid)
        }
    }
}

/// The read-only engine of the console.
pub(crate) struct Engine {
    service: ScimService,
    token: String,
}

/// An answer of the engine: status and JSON body (`Null` when empty).
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) json: Value,
}

impl Answer {
    /// The SCIM error's `detail`, or the status.
    pub(crate) fn detail(&self) -> String {
        self.json
            .get("detail")
            .and_then(Value::as_str)
            .map_or_else(|| format!("status {}", self.status), str::to_owned)
    }
}

impl Engine {
    pub(crate) fn new(store: SqlStore, config: Config) -> Result<Engine, String> {
        let token = new_token().expose().to_owned();
        let service = ScimService::builder()
            .store(store)
            .authenticator(ConsoleCaller {
                token: token.clone(),
            })
            .config(config)
            .build()
            .map_err(|e| format!("cannot build the console's SCIM service: {e}"))?;
        Ok(Engine { service, token })
    }

    /// `GET /tenants/{tenant}/scim/v2{path}` (`path` already encoded).
    pub(crate) async fn get(&self, tenant: &str, path: &str) -> Answer {
        let uri = format!("/tenants/{}/scim/v2{path}", super::layout::encode(tenant));
        let req = http::Request::builder()
            .method(http::Method::GET)
            .uri(uri)
            .header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", self.token),
            )
            .header(http::header::HOST, "console.invalid")
            .body(Bytes::new());
        let req = match req {
            Ok(r) => r,
            Err(e) => {
                return Answer {
                    status: 400,
                    json: serde_json::json!({ "detail": format!("bad request: {e}") }),
                };
            }
        };
        let resp = self.service.handle(req).await;
        let status = resp.status().as_u16();
        let json = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
        Answer { status, json }
    }
}
