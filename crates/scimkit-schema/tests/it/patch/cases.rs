//! One test per corpus file.

use super::check;

#[test]
fn rfc7644_examples() {
    check("rfc7644.json");
}

#[test]
fn rules() {
    check("rules.json");
}

#[test]
fn errors() {
    check("errors.json");
}

#[test]
fn leniencies() {
    check("leniencies.json");
}

#[test]
fn entra_sequences() {
    check("entra.json");
}

#[test]
fn okta_sequences() {
    check("okta.json");
}
