//! The smallest SCIM 2.0 server on actix-web.
//!
//! ```text
//! SCIM_TOKEN=s3cret cargo run -p actix-minimal
//! curl -H 'Authorization: Bearer s3cret' http://127.0.0.1:8080/scim/v2/ServiceProviderConfig
//! ```

use actix_web::{App, HttpServer};
use scimkit::{Config, MemoryStore, Profile, ScimService, StaticTokens, TenantId};

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("SCIM_TOKEN")
        .map_err(|_| "set SCIM_TOKEN to the bearer token clients must send")?;
    let addr = std::env::var("SCIM_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let service = ScimService::builder()
        .store(MemoryStore::new())
        .authenticator(StaticTokens::new().with_token(TenantId::default(), token))
        .config(
            Config::default()
                .with_base_path("/scim/v2")
                // What Entra ID and Okta both send (`docs/COMPATIBILITY.md`);
                // `scimkit check` passes every suite against it.
                .with_profile(Profile::Interoperable),
        )
        .build()?;
    println!("SCIM at http://{addr}/scim/v2");
    HttpServer::new(move || App::new().service(scimkit::actix::scope("/scim/v2", service.clone())))
        .bind(&addr)?
        .run()
        .await?;
    Ok(())
}
