//! What the default projection of a resource type leaves out (RFC 7643 §2.2
//! `returned: never` and `returned: request`), computed once per
//! [`crate::ResourceSchema`] when it is built.

use serde_json::Value;

use crate::{AttributeDef, Resource, Returned, common_attributes, get_ci};

/// The attributes of one resource type that the default projection leaves
/// out, as `(extension URI, attribute, sub-attribute)` paths. Read it from
/// [`crate::ResourceSchema::hidden_by_default`].
///
/// A resource that holds none of them is its own default projection, so a
/// server may serialise it as stored instead of projecting a copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultHidden {
    paths: Vec<(Option<String>, String, Option<String>)>,
}

fn hides(a: &AttributeDef) -> bool {
    matches!(a.returned, Returned::Never | Returned::Request)
}

impl DefaultHidden {
    /// The hidden attributes of the common attributes, `base` and `extensions`.
    pub(crate) fn of<'a>(
        base: &[AttributeDef],
        extensions: impl IntoIterator<Item = (&'a str, &'a [AttributeDef])>,
    ) -> DefaultHidden {
        let mut paths = Vec::new();
        let mut add = |ext: Option<&str>, attrs: &[AttributeDef]| {
            for a in attrs {
                if hides(a) {
                    paths.push((ext.map(str::to_owned), a.name.clone(), None));
                }
                for sub in a.sub_attributes.iter().filter(|s| hides(s)) {
                    paths.push((
                        ext.map(str::to_owned),
                        a.name.clone(),
                        Some(sub.name.clone()),
                    ));
                }
            }
        };
        add(None, common_attributes());
        add(None, base);
        for (uri, attrs) in extensions {
            add(Some(uri), attrs);
        }
        DefaultHidden { paths }
    }

    /// Whether the type hides nothing by default.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Whether `r` holds any attribute the default projection leaves out
    /// (names compared case-insensitively).
    pub fn present_in(&self, r: &Resource) -> bool {
        let root = r.as_map();
        self.paths.iter().any(|(ext, name, sub)| {
            let container = match ext {
                None => Some(root),
                Some(uri) => get_ci(root, uri).and_then(|(_, v)| v.as_object()),
            };
            let Some(value) = container.and_then(|c| get_ci(c, name)).map(|(_, v)| v) else {
                return false;
            };
            match sub {
                None => true,
                Some(sub) => match value {
                    Value::Object(o) => get_ci(o, sub).is_some(),
                    Value::Array(items) => items
                        .iter()
                        .filter_map(Value::as_object)
                        .any(|o| get_ci(o, sub).is_some()),
                    _ => false,
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{Registry, Resource};

    fn check(type_name: &str, body: serde_json::Value, hidden: bool) {
        let registry = Registry::core();
        let rs = registry.resource_type(type_name).unwrap();
        let r = Resource::from_value(body.clone()).unwrap();
        assert_eq!(rs.hidden_by_default().present_in(&r), hidden, "{body}");
    }

    #[test]
    fn hidden_attributes_are_found_case_insensitively() {
        let user = "urn:ietf:params:scim:schemas:core:2.0:User";
        for (body, hidden) in [
            (json!({"schemas": [user], "userName": "b"}), false),
            (
                json!({"schemas": [user], "userName": "b", "password": "x"}),
                true,
            ),
            (
                json!({"schemas": [user], "userName": "b", "PASSWORD": "x"}),
                true,
            ),
            (
                json!({"schemas": [user], "name": {"givenName": "B"}}),
                false,
            ),
        ] {
            check("User", body, hidden);
        }
        let group = "urn:ietf:params:scim:schemas:core:2.0:Group";
        check(
            "Group",
            json!({"schemas": [group], "displayName": "g"}),
            false,
        );
    }

    #[test]
    fn computed_once_with_the_schema() {
        let registry = Registry::core();
        let users = registry.resource_type("User").unwrap();
        assert!(!users.hidden_by_default().is_empty());
        let again = registry.resource_type("User").unwrap();
        assert!(std::ptr::eq(
            users.hidden_by_default(),
            again.hidden_by_default()
        ));
    }
}
