//! Provisioning events (created, updated, deactivated, deleted, membership
//! changed) written to the log: the server's audit trail.

use async_trait::async_trait;
use scimkit_service::{EventSink, ProvisioningEvent};

/// Logs each event at `info` under the target `scimkit_server::audit`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogSink;

#[async_trait]
impl EventSink for LogSink {
    async fn publish(&self, event: ProvisioningEvent) {
        tracing::info!(
            target: "scimkit_server::audit",
            tenant = %event.tenant,
            resource_type = event.resource_type,
            id = event.id,
            version = event.version.as_deref().unwrap_or("-"),
            kind = ?event.kind,
            "provisioning event"
        );
    }
}
