//! Filter evaluation (RFC 7644 §3.4.2.2) and `sortBy` ordering (§3.4.2.3):
//! tables of filter, user fixture (`tests/data/eval/users.json`) and
//! expected outcome, behind one `check()` helper.

mod batch;
mod flat;
mod rules;
mod sort;

use std::sync::Arc;

use scimkit_filter::parse_filter;
use scimkit_schema::eval::{CompiledFilter, FlatResource, matches};
use scimkit_schema::{Compat, Profile, Registry, Resource, ResourceSchema};
use serde_json::Value;

/// The custom extension with an attribute of every type.
pub(crate) const CORNER: &str = "urn:example:params:scim:schemas:extension:corner:2.0:User";

/// What a case expects.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Want {
    /// The filter matches.
    Yes,
    /// The filter does not match.
    No,
    /// `400 invalidFilter` with a detail containing this text.
    Err(&'static str),
}

/// The core registry with the corner extension attached to User.
pub(crate) fn users() -> Arc<ResourceSchema> {
    let mut r = Registry::core();
    let schema: Value =
        serde_json::from_str(include_str!("../data/eval/corner_schema.json")).unwrap();
    r.add_schema_json(&schema).unwrap();
    r.add_extension("User", CORNER, false).unwrap();
    r.resource_type("User").unwrap().clone()
}

/// The user fixture called `name`.
pub(crate) fn fixture(name: &str) -> Resource {
    let all: Value = serde_json::from_str(include_str!("../data/eval/users.json")).unwrap();
    let v = all.get(name).unwrap_or_else(|| panic!("no fixture {name}"));
    Resource::from_value(v.clone()).unwrap()
}

/// Evaluates `filter` on fixture `user` with `compat`, through every entry
/// point (`matches`, a `CompiledFilter` on the resource and on its
/// `FlatResource`), and compares with `want`.
pub(crate) fn check_with(compat: &Compat, filter: &str, user: &str, want: Want) {
    let rs = users();
    let parsed = parse_filter(filter, &compat.parse)
        .unwrap_or_else(|e| panic!("{filter}: does not parse: {e}"));
    let resource = fixture(user);
    let got = matches(&parsed, &resource, &rs, compat);
    let compiled = CompiledFilter::new(&parsed, &rs, compat).map(|c| c.matches(&resource));
    assert_eq!(
        got, compiled,
        "{filter} on {user}: matches and CompiledFilter disagree"
    );
    let flat = FlatResource::new(&resource);
    let on_flat = CompiledFilter::new(&parsed, &rs, compat).map(|c| c.matches_flat(&flat));
    assert_eq!(
        got, on_flat,
        "{filter} on {user}: the resource and its FlatResource disagree"
    );
    match (want, got) {
        (Want::Yes, Ok(true)) | (Want::No, Ok(false)) => {}
        (Want::Err(words), Err(e)) => {
            assert_eq!(e.status, 400, "{filter}: {e}");
            assert_eq!(
                e.scim_type.as_ref().map(|t| t.as_str()),
                Some("invalidFilter"),
                "{filter}: {e}"
            );
            assert!(
                e.detail.contains(words),
                "{filter}: detail {:?} lacks {words:?}",
                e.detail
            );
        }
        (want, got) => panic!("{filter} on {user}: want {want:?}, got {got:?}"),
    }
}

/// [`check_with`] under the default (interoperable) profile.
pub(crate) fn check(filter: &str, user: &str, want: Want) {
    check_with(&Profile::Interoperable.compat(), filter, user, want);
}

/// Runs a table of `(filter, user, want)`.
pub(crate) fn run(cases: &[(&str, &str, Want)]) {
    for (filter, user, want) in cases {
        check(filter, user, *want);
    }
}
