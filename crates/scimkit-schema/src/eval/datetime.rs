//! `dateTime` values (RFC 7643 §2.3.5: an `xsd:dateTime`, e.g.
//! `2008-01-23T04:56:22Z`) compared as instants: offsets and fractional
//! seconds are taken into account, so `2011-05-13T06:42:34+02:00` equals
//! `2011-05-13T04:42:34Z`.

use chrono::{DateTime, NaiveDateTime, Utc};

/// Parses an `xsd:dateTime`. RFC 3339 forms (`Z` or `±hh:mm`, any fraction)
/// are read with their offset; a value without an offset (which `xsd:dateTime`
/// allows) is taken as UTC.
pub(crate) fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}
