//! Provisioning events (created, updated, deactivated, deleted, membership
//! changed) written to the log: the server's audit trail. A member list is
//! logged as its count and its first few ids (`--log-member-ids`), so one
//! change to a large group stays one short line.

use async_trait::async_trait;
use scimkit_service::{EventSink, ProvisioningEvent};

/// Logs each event at `info` under the target `scimkit_server::audit`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogSink {
    /// How many member ids a membership event shows.
    pub(crate) member_ids: usize,
}

#[async_trait]
impl EventSink for LogSink {
    async fn publish(&self, event: ProvisioningEvent) {
        tracing::info!(
            target: "scimkit_server::audit",
            tenant = %event.tenant,
            resource_type = event.resource_type,
            id = event.id,
            version = event.version.as_deref().unwrap_or("-"),
            kind = %event.kind.summary(self.member_ids),
            "provisioning event"
        );
    }
}
