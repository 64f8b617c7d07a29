//! Building a [`ScimService`] from a registry, a store, an authenticator,
//! an event sink and a [`Config`].

use std::sync::Arc;

use scimkit_schema::{Registry, RegistryError, Uniqueness};

use super::ScimService;
use crate::context::Inner;
use crate::{Authenticator, ChangeFeed, Config, EventSink, NoopSink, ResourceStore};

/// Why a service could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No store was given.
    #[error("a ScimService needs a store (ScimServiceBuilder::store)")]
    MissingStore,
    /// No authenticator was given.
    #[error("a ScimService needs an authenticator (ScimServiceBuilder::authenticator)")]
    MissingAuthenticator,
    /// The registry could not be rebuilt with the configured uniqueness.
    #[error("registry: {0}")]
    Registry(#[from] RegistryError),
}

/// Builds a [`ScimService`]; see [`ScimService::builder`].
#[derive(Default)]
pub struct ScimServiceBuilder {
    registry: Option<Registry>,
    store: Option<Arc<dyn ResourceStore>>,
    auth: Option<Arc<dyn Authenticator>>,
    events: Option<Arc<dyn EventSink>>,
    feed: Option<Arc<dyn ChangeFeed>>,
    config: Config,
}

impl std::fmt::Debug for ScimServiceBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimServiceBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ScimServiceBuilder {
    /// The resource types and schemas served (default: [`Registry::core`]).
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Where resources are kept (required).
    pub fn store(mut self, store: impl ResourceStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// The store's change feed, for the application to reach through
    /// [`ScimService::feed`] (e.g. the same `Arc` as the store; optional:
    /// the engine writes no records itself).
    pub fn feed(mut self, feed: Arc<dyn ChangeFeed>) -> Self {
        self.feed = Some(feed);
        self
    }

    /// A store shared with other code.
    pub fn shared_store(mut self, store: Arc<dyn ResourceStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Who may call (required).
    pub fn authenticator(mut self, auth: impl Authenticator) -> Self {
        self.auth = Some(Arc::new(auth));
        self
    }

    /// Where provisioning events go (default: dropped).
    pub fn events(mut self, sink: Arc<dyn EventSink>) -> Self {
        self.events = Some(sink);
        self
    }

    /// The configuration (default: [`Config::default`]).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Builds the service.
    pub fn build(self) -> Result<ScimService, BuildError> {
        let registry = self.registry.unwrap_or_else(Registry::core);
        let registry = if self.config.unique_group_display_name {
            with_unique_group_display_name(&registry)?
        } else {
            registry
        };
        Ok(ScimService {
            inner: Arc::new(Inner {
                registry,
                store: self.store.ok_or(BuildError::MissingStore)?,
                auth: self.auth.ok_or(BuildError::MissingAuthenticator)?,
                events: self.events.unwrap_or_else(|| Arc::new(NoopSink)),
                feed: self.feed,
                config: self.config,
            }),
        })
    }
}

/// The registry with the Group schema's `displayName` marked `uniqueness:
/// server`, so stores enforce it and `/Schemas` says so.
fn with_unique_group_display_name(registry: &Registry) -> Result<Registry, RegistryError> {
    let mut out = Registry::new();
    for schema in registry.schemas() {
        let mut s = (**schema).clone();
        if s.id.eq_ignore_ascii_case(scimkit_schema::GROUP_SCHEMA) {
            for a in &mut s.attributes {
                if a.name.eq_ignore_ascii_case("displayName") {
                    a.uniqueness = Uniqueness::Server;
                }
            }
        }
        out.add_schema(s)?;
    }
    for rs in registry.resource_types() {
        out.add_resource_type(rs.resource_type().clone())?;
    }
    Ok(out)
}
