//! # scimkit-server (library part)
//!
//! What receivers of the server's webhooks, and its own tests, share with the
//! server: [`standard_webhooks`], the Standard Webhooks signatures (sign and
//! verify, constant-time, with a timestamp tolerance).
//!
//! ```
//! use scimkit_server::standard_webhooks::{Signed, WebhookSecret, DEFAULT_TOLERANCE};
//!
//! let secret = WebhookSecret::generate();
//! let sig = secret.sign("msg_1", 10, b"{}");
//! let signed = Signed { id: "msg_1", timestamp: "10", signature: &sig };
//! assert!(secret.verify(&signed, b"{}", 10, DEFAULT_TOLERANCE).is_ok());
//! ```

pub mod standard_webhooks;
