//! Standard Webhooks signatures (the Standard Webhooks specification,
//! "Signature scheme" `v1`): how `scimkit-server` signs each delivery and how
//! a receiver checks one.
//!
//! A delivery carries three headers:
//!
//! | header | value |
//! |---|---|
//! | `webhook-id` | the message id: the same on every retry of one message |
//! | `webhook-timestamp` | the attempt's time, in seconds since the Unix epoch |
//! | `webhook-signature` | `v1,` + base64 of HMAC-SHA256(key, `{id}.{timestamp}.{body}`); several signatures are separated by spaces |
//!
//! The key is the secret's bytes: the secret is written `whsec_` + base64 of
//! [`SECRET_BYTES`] random bytes.
//!
//! ```
//! use scimkit_server::standard_webhooks::{WebhookSecret, DEFAULT_TOLERANCE};
//!
//! let secret = WebhookSecret::generate();
//! let text = secret.to_text(); // what `webhook add` prints, once
//! assert!(text.starts_with("whsec_"));
//!
//! // The sender:
//! let body = br#"{"kind":"deactivated"}"#;
//! let signature = secret.sign("msg_1", 1_700_000_000, body);
//!
//! // The receiver, with the secret it was given:
//! let receiver = WebhookSecret::parse(&text).unwrap();
//! let signed = scimkit_server::standard_webhooks::Signed {
//!     id: "msg_1",
//!     timestamp: "1700000000",
//!     signature: &signature,
//! };
//! assert!(receiver.verify(&signed, body, 1_700_000_010, DEFAULT_TOLERANCE).is_ok());
//! // A changed body, or a message too old, does not verify.
//! assert!(receiver.verify(&signed, b"{}", 1_700_000_010, DEFAULT_TOLERANCE).is_err());
//! assert!(receiver.verify(&signed, body, 1_700_009_999, DEFAULT_TOLERANCE).is_err());
//! ```

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The prefix of a written secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// How many random bytes a new secret has (the specification asks for
/// 24 to 64).
pub const SECRET_BYTES: usize = 32;

/// The fewest key bytes [`WebhookSecret::parse`] accepts.
pub const MIN_SECRET_BYTES: usize = 24;

/// The most key bytes [`WebhookSecret::parse`] accepts.
pub const MAX_SECRET_BYTES: usize = 64;

/// How far a `webhook-timestamp` may be from the receiver's clock, either
/// way, before the message is refused (a replayed old message, or clocks far
/// apart): five minutes, as the specification suggests.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The header names.
pub const HEADER_ID: &str = "webhook-id";
/// The header names.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// The header names.
pub const HEADER_SIGNATURE: &str = "webhook-signature";

/// The most signatures one `webhook-signature` header may list before a
/// receiver refuses it (each is a MAC to check).
pub const MAX_SIGNATURES: usize = 16;

/// A signing secret (an HMAC-SHA256 key). `Debug` does not show it.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
    keyed: Hmac<Sha256>,
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

/// Why a secret's text is unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretError(String);

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SecretError {}

/// The three headers of a delivery, as received.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// `webhook-id`.
    pub id: &'a str,
    /// `webhook-timestamp`.
    pub timestamp: &'a str,
    /// `webhook-signature`.
    pub signature: &'a str,
}

impl<'a> Signed<'a> {
    /// The three headers from a header map, or which one is missing or not
    /// text.
    pub fn from_headers(headers: &'a http::HeaderMap) -> Result<Signed<'a>, VerifyError> {
        let get = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or(VerifyError::MissingHeader(name))
        };
        Ok(Signed {
            id: get(HEADER_ID)?,
            timestamp: get(HEADER_TIMESTAMP)?,
            signature: get(HEADER_SIGNATURE)?,
        })
    }
}

/// Why a delivery does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// A header is missing (or not visible ASCII).
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not a whole number of seconds.
    BadTimestamp,
    /// The timestamp is further from now than the tolerance.
    OutsideTolerance,
    /// More than [`MAX_SIGNATURES`] signatures.
    TooManySignatures,
    /// No `v1` signature in the header matches.
    NoMatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingHeader(h) => write!(f, "missing header {h}"),
            VerifyError::BadTimestamp => f.write_str("webhook-timestamp is not unix seconds"),
            VerifyError::OutsideTolerance => {
                f.write_str("webhook-timestamp is too far from the current time")
            }
            VerifyError::TooManySignatures => f.write_str("too many signatures"),
            VerifyError::NoMatch => f.write_str("no signature matches"),
        }
    }
}

impl std::error::Error for VerifyError {}

impl WebhookSecret {
    /// A new secret of [`SECRET_BYTES`] bytes from the operating system's
    /// generator.
    pub fn generate() -> WebhookSecret {
        let mut key = vec![0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        // Every length between the bounds is a valid HMAC key.
        match WebhookSecret::from_key(key) {
            Ok(s) => s,
            Err(_) => WebhookSecret::generate(),
        }
    }

    fn from_key(key: Vec<u8>) -> Result<WebhookSecret, SecretError> {
        if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&key.len()) {
            return Err(SecretError(format!(
                "a webhook secret has {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes, not {}",
                key.len()
            )));
        }
        let keyed = Hmac::<Sha256>::new_from_slice(&key)
            .map_err(|_| SecretError("not a usable HMAC key".into()))?;
        Ok(WebhookSecret { key, keyed })
    }

    /// Reads a secret written as `whsec_` + base64 (the prefix may be left
    /// out); the key must be [`MIN_SECRET_BYTES`] to [`MAX_SECRET_BYTES`]
    /// bytes.
    pub fn parse(text: &str) -> Result<WebhookSecret, SecretError> {
        let b64 = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .unwrap_or(text.trim());
        let key = STANDARD
            .decode(b64)
            .map_err(|_| SecretError("a webhook secret is whsec_ followed by base64".into()))?;
        WebhookSecret::from_key(key)
    }

    /// The secret as written: `whsec_` + base64.
    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.key))
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` value of a message: `v1,` + base64 of
    /// HMAC-SHA256 over `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self
            .mac(id, &timestamp.to_string(), body)
            .finalize()
            .into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }

    /// Checks a delivery: its timestamp is within `tolerance` of `now` (unix
    /// seconds) and one of its `v1` signatures is this secret's over the body
    /// (compared in constant time).
    pub fn verify(
        &self,
        signed: &Signed<'_>,
        body: &[u8],
        now: i64,
        tolerance: Duration,
    ) -> Result<(), VerifyError> {
        let ts: i64 = signed
            .timestamp
            .trim()
            .parse()
            .map_err(|_| VerifyError::BadTimestamp)?;
        let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
        if now.abs_diff(ts) > tolerance.unsigned_abs() {
            return Err(VerifyError::OutsideTolerance);
        }
        let candidates: Vec<&str> = signed.signature.split_ascii_whitespace().collect();
        if candidates.len() > MAX_SIGNATURES {
            return Err(VerifyError::TooManySignatures);
        }
        let ts = ts.to_string();
        for candidate in candidates {
            let Some(b64) = candidate.strip_prefix("v1,") else {
                continue;
            };
            let Ok(tag) = STANDARD.decode(b64) else {
                continue;
            };
            if self.mac(signed.id, &ts, body).verify_slice(&tag).is_ok() {
                return Ok(());
            }
        }
        Err(VerifyError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The example of the Standard Webhooks specification's reference
    /// libraries: this secret, id, timestamp and body give this signature.
    #[test]
    fn reference_vector() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let sig = secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let signed = Signed {
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: "1614265330",
            signature: &sig,
        };
        assert_eq!(
            secret.verify(&signed, body, 1_614_265_330, DEFAULT_TOLERANCE),
            Ok(())
        );
    }

    #[test]
    fn secrets_round_trip_and_bad_ones_are_refused() {
        let s = WebhookSecret::generate();
        let text = s.to_text();
        assert!(text.starts_with(SECRET_PREFIX));
        assert_eq!(WebhookSecret::parse(&text).unwrap().key, s.key);
        assert!(!format!("{s:?}").contains(&text[6..]));
        for bad in [
            "",
            "whsec_",
            "whsec_!!!",
            "whsec_AAAA",
            &format!("whsec_{}", STANDARD.encode([0u8; 65])),
        ] {
            assert!(WebhookSecret::parse(bad).is_err(), "{bad}");
        }
        // The edges of the key length.
        assert!(WebhookSecret::parse(&STANDARD.encode([1u8; MIN_SECRET_BYTES])).is_ok());
        assert!(WebhookSecret::parse(&STANDARD.encode([1u8; MIN_SECRET_BYTES - 1])).is_err());
        assert!(WebhookSecret::parse(&STANDARD.encode([1u8; MAX_SECRET_BYTES])).is_ok());
    }

    #[test]
    fn verification_checks_body_id_time_and_secret() {
        let s = WebhookSecret::generate();
        let other = WebhookSecret::generate();
        let sig = s.sign("m1", 1000, b"body");
        let ok = Signed {
            id: "m1",
            timestamp: "1000",
            signature: &sig,
        };
        let tol = Duration::from_secs(300);
        assert_eq!(s.verify(&ok, b"body", 1000, tol), Ok(()));
        // The edge of the tolerance, both ways.
        assert_eq!(s.verify(&ok, b"body", 1300, tol), Ok(()));
        assert_eq!(s.verify(&ok, b"body", 700, tol), Ok(()));
        assert_eq!(
            s.verify(&ok, b"body", 1301, tol),
            Err(VerifyError::OutsideTolerance)
        );
        assert_eq!(
            s.verify(&ok, b"body", 699, tol),
            Err(VerifyError::OutsideTolerance)
        );
        assert_eq!(s.verify(&ok, b"bodx", 1000, tol), Err(VerifyError::NoMatch));
        assert_eq!(
            other.verify(&ok, b"body", 1000, tol),
            Err(VerifyError::NoMatch)
        );
        let wrong_id = Signed { id: "m2", ..ok };
        assert_eq!(
            s.verify(&wrong_id, b"body", 1000, tol),
            Err(VerifyError::NoMatch)
        );
        let bad_ts = Signed {
            timestamp: "x",
            ..ok
        };
        assert_eq!(
            s.verify(&bad_ts, b"body", 1000, tol),
            Err(VerifyError::BadTimestamp)
        );
        // Several signatures (a rotation): one match is enough.
        let both = format!("v1,AAAA {sig} v2,zzz");
        let rotated = Signed {
            signature: &both,
            ..ok
        };
        assert_eq!(s.verify(&rotated, b"body", 1000, tol), Ok(()));
        let many = vec![sig.as_str(); MAX_SIGNATURES + 1].join(" ");
        let flood = Signed {
            signature: &many,
            ..ok
        };
        assert_eq!(
            s.verify(&flood, b"body", 1000, tol),
            Err(VerifyError::TooManySignatures)
        );
    }

    #[test]
    fn headers_are_read_from_a_header_map() {
        let mut h = http::HeaderMap::new();
        h.insert(HEADER_ID, "m".parse().unwrap());
        h.insert(HEADER_TIMESTAMP, "1".parse().unwrap());
        assert_eq!(
            Signed::from_headers(&h).err(),
            Some(VerifyError::MissingHeader(HEADER_SIGNATURE))
        );
        h.insert(HEADER_SIGNATURE, "v1,x".parse().unwrap());
        assert_eq!(Signed::from_headers(&h).unwrap().id, "m");
    }
}
