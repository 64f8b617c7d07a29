//! An endpoint as stored: a feed `Consumer` named `webhook:{id}` whose data
//! holds the tenant, the URL, the signing secret and the delivery state, so
//! endpoints live in the database with everything else (and every server on
//! it sees them).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The consumer names of webhook endpoints start with this.
pub(crate) const CONSUMER_PREFIX: &str = "webhook:";

/// An endpoint's stored data (the consumer's `data`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Endpoint {
    /// The tenant whose records are sent.
    pub(crate) tenant: String,
    /// Where they are POSTed.
    pub(crate) url: String,
    /// `whsec_…`: the signing secret.
    pub(crate) secret: String,
    /// How delivery goes.
    #[serde(default)]
    pub(crate) state: DeliveryState,
}

/// `ok` or `failing`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Status {
    /// Delivering, or retrying fewer times than `--webhook-failing-after`.
    #[default]
    Ok,
    /// At least `--webhook-failing-after` consecutive attempts failed.
    Failing,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failing => "failing",
        }
    }
}

/// The delivery state `webhook list` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeliveryState {
    /// `ok` or `failing`.
    #[serde(default)]
    pub(crate) status: Status,
    /// Consecutive failed attempts (0 after a success).
    #[serde(default)]
    pub(crate) failures: u32,
    /// What the last failed attempt got, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last_error: Option<String>,
    /// When the last error happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last_error_at: Option<DateTime<Utc>>,
    /// When the next attempt is due, while retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) next_attempt: Option<DateTime<Utc>>,
}

impl Endpoint {
    /// Reads a consumer's data.
    pub(crate) fn from_data(data: &serde_json::Value) -> Result<Endpoint, String> {
        serde_json::from_value(data.clone()).map_err(|e| format!("unreadable endpoint data: {e}"))
    }

    /// The consumer's data.
    pub(crate) fn to_data(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// The consumer name of endpoint `id`.
pub(crate) fn consumer_name(id: &str) -> String {
    format!("{CONSUMER_PREFIX}{id}")
}

/// The endpoint id of a consumer name, if it names an endpoint.
pub(crate) fn endpoint_id(consumer: &str) -> Option<&str> {
    consumer.strip_prefix(CONSUMER_PREFIX)
}

/// Checks an endpoint URL: absolute, `http` or `https`, with a host, no
/// credentials in it (they would show in `webhook list`).
pub(crate) fn check_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| {
        format!("{url:?} is not a URL ({e}); give e.g. https://app.example.com/hooks")
    })?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => {
            return Err(format!(
                "only http:// and https:// webhook URLs are accepted, not {other}:"
            ));
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{url:?} has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "a webhook URL must not hold credentials (user:password@): the deliveries are \
             signed instead"
                .to_owned(),
        );
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "http://127.0.0.1:9000/hook",
            "https://app.example.com/x?y=1",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        let cases = [
            ("ftp://h/x", "not ftp"),
            ("file:///etc/passwd", "not file"),
            ("javascript:alert(1)", "not javascript"),
            ("/relative", "not a URL"),
            ("https://u:p@h/x", "credentials"),
        ];
        for (bad, why) in cases {
            let e = check_url(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn data_round_trips_and_old_data_reads() {
        let e = Endpoint {
            tenant: "t".into(),
            url: "https://h/x".into(),
            secret: "whsec_x".into(),
            state: DeliveryState {
                status: Status::Failing,
                failures: 9,
                last_error: Some("HTTP 503".into()),
                last_error_at: None,
                next_attempt: None,
            },
        };
        assert_eq!(Endpoint::from_data(&e.to_data()).unwrap(), e);
        assert_eq!(e.to_data()["state"]["status"], "failing");
        let bare = serde_json::json!({"tenant": "t", "url": "http://h", "secret": "s"});
        assert_eq!(
            Endpoint::from_data(&bare).unwrap().state,
            DeliveryState::default()
        );
        assert!(Endpoint::from_data(&serde_json::json!({"url": 1})).is_err());
        assert_eq!(endpoint_id(&consumer_name("abc")), Some("abc"));
        assert_eq!(endpoint_id("app:worker"), None);
    }
}
