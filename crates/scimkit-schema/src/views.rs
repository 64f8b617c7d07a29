//! Typed views of SCIM resources (RFC 7643 §3, §4, §8).
//!
//! The engine works on the JSON-backed [`crate::Resource`]; these structs are
//! for users who like types. Each view keeps the members it does not know in
//! `extra` (in order), so converting a resource to a view and back loses nothing.

mod meta;

pub use meta::Meta;
