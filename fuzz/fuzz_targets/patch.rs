//! Applies arbitrary bytes, read as a PATCH request body (RFC 7644 §3.5.2),
//! to a full User and to a Group, under every profile, the way the engine
//! does: parse, check, apply, then validate the result; and through
//! `patch::run`, the pipeline the engine and the CLI share, which must agree.
//!
//! Nothing may panic. A failed request must leave the resource exactly as it
//! was (all operations or none); a request that succeeds must give a
//! resource that still serialises, and an unchanged outcome must mean an
//! unchanged resource.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scimkit_schema::messages::PatchOp;
use scimkit_schema::validate::{RequestKind, validate};
use scimkit_schema::patch::PatchLimits;
use scimkit_schema::{Profile, Registry, Resource, patch};

struct Fixture {
    registry: Registry,
    user: Resource,
    group: Resource,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let user = serde_json::json!({
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
            ],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "externalId": "bjensen",
            "userName": "bjensen@example.com",
            "name": {"givenName": "Barbara", "familyName": "Jensen", "formatted": "Ms. Barbara J Jensen III"},
            "displayName": "Babs Jensen",
            "preferredLanguage": "en-US",
            "active": true,
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "addresses": [{"type": "work", "country": "US", "locality": "Hollywood"}],
            "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
            "roles": [{"value": "admin"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "employeeNumber": "701984",
                "department": "Tour Operations",
                "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}
            }
        });
        let group = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
            "displayName": "Tour Guides",
            "members": [
                {"value": "2819c223-7f76-453a-919d-413861904646", "type": "User"},
                {"value": "902c246b-6245-4190-8e05-00816be7344a", "type": "User"}
            ]
        });
        Fixture {
            registry: Registry::core(),
            user: Resource::from_value(user).unwrap_or_else(|e| panic!("fixture user: {e}")),
            group: Resource::from_value(group).unwrap_or_else(|e| panic!("fixture group: {e}")),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(op) = PatchOp::from_slice(data) else {
        return;
    };
    let f = fixture();
    for (name, original) in [("User", &f.user), ("Group", &f.group)] {
        let Some(rs) = f.registry.resource_type(name) else {
            panic!("no {name} in the core registry");
        };
        for profile in [Profile::Strict, Profile::Interoperable, Profile::Entra, Profile::Okta] {
            let compat = profile.compat();
            // The engine's pipeline (budgets, apply, validate), as the server
            // and `scimkit patch apply` run it.
            let piped = patch::run(original, &op, rs, &compat, &PatchLimits::default());
            let mut next = original.clone();
            match patch::apply(&mut next, &op, rs, &compat) {
                Err(e) => {
                    assert_eq!(&next, original, "a failed PATCH changed the resource");
                    let Err(p) = piped else {
                        panic!("apply failed ({e}) but the pipeline succeeded");
                    };
                    assert_eq!(p.detail, e.detail, "the pipeline failed differently");
                }
                Ok(outcome) => {
                    if !outcome.changed {
                        assert_eq!(&next, original, "an unchanged outcome changed the resource");
                        assert!(piped.is_ok(), "an unchanged PATCH failed in the pipeline");
                        continue;
                    }
                    let kind = RequestKind::PatchResult { original };
                    match (validate(&mut next, rs, kind, &compat), piped) {
                        (Ok(()), Ok(p)) => {
                            assert_eq!(p.resource, next, "the pipeline gave another resource");
                            let _ = serde_json::to_vec(&next).unwrap_or_else(|e| {
                                panic!("a patched resource does not serialise: {e}")
                            });
                        }
                        (Err(a), Err(b)) => assert_eq!(a.detail, b.detail),
                        (a, b) => panic!("validate {a:?} but the pipeline {:?}", b.map(|_| ())),
                    }
                }
            }
        }
    }
});
