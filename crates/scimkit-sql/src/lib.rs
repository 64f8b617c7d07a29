//! scimkit-sql (docs below are completed with the store).

mod columns;
mod error;
mod explain;
mod ops;
#[cfg(feature = "postgres")]
mod postgres;
mod record;
mod resource_store;
mod sort;
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;
mod tenants;
#[cfg(test)]
mod tests;
mod translate;

pub use error::SqlError;
pub use explain::QueryPlan;
#[cfg(feature = "postgres")]
pub use postgres::PostgresOptions;
#[cfg(feature = "sqlite")]
pub use sqlite::{Durability, SqliteOptions};
pub use store::SqlStore;
pub use tenants::{Tenant, Tenants};
