//! Timestamps in `meta` (RFC 7643 §3.1: xsd:dateTime).

use chrono::{DateTime, SecondsFormat, Utc};

/// Formats an instant as RFC 3339 in UTC with milliseconds (`2026-11-28T17:30:04.123Z`).
pub(crate) fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
