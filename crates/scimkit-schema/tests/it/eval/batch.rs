//! `matches_flat` and `select_flat` on the `FlatResource`s of resources
//! accept exactly the resources `matches` accepts, in order, whatever the key order of each resource (position hints may be
//! wrong) and however the batches fall.

use scimkit_filter::parse_filter;
use scimkit_schema::eval::{CompiledFilter, FlatResource};
use scimkit_schema::{Compat, Resource};
use serde_json::{Map, Value};

use super::{fixture, users};

const FIXTURES: [&str; 6] = ["jsmith", "intern", "split", "empty", "unicode", "custom"];

/// `n` resources cycling through the fixtures; every third has its keys
/// (and its e-mails' keys) in reverse order.
fn resources(n: usize) -> Vec<Resource> {
    (0..n)
        .map(|i| {
            let r = fixture(FIXTURES[i % FIXTURES.len()]);
            if i % 3 == 0 {
                Resource::from_map(reversed(r.into_map()))
            } else {
                r
            }
        })
        .collect()
}

fn reversed(m: Map<String, Value>) -> Map<String, Value> {
    m.into_iter()
        .rev()
        .map(|(k, v)| {
            let v = match v {
                Value::Object(o) => Value::Object(reversed(o)),
                Value::Array(a) => Value::Array(
                    a.into_iter()
                        .map(|e| match e {
                            Value::Object(o) => Value::Object(reversed(o)),
                            e => e,
                        })
                        .collect(),
                ),
                v => v,
            };
            (k, v)
        })
        .collect()
}

#[test]
fn select_flat_equals_matches() {
    let rs = users();
    let compat = Compat::default();
    let filters = [
        r#"userName sw "j""#,
        r#"emails[type eq "work" and value co "@example.com"]"#,
        r#"emails co "other" and not (title pr)"#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr"#,
        r#"meta.lastModified ge "2011-05-13T04:42:34Z" or tags eq "red""#,
        r#"name[familyName sw "ö"] or name.givenName eq "john""#,
        r#"level gt 1 or active eq false"#,
        r#"title ne "Tour Guide""#,
    ];
    for n in [0, 1, 15, 16, 17, 100] {
        let all = resources(n);
        let flats: Vec<FlatResource> = all.iter().map(FlatResource::new).collect();
        for text in filters {
            let f = parse_filter(text, &compat.parse).unwrap();
            let c = CompiledFilter::new(&f, &rs, &compat).unwrap();
            let want: Vec<usize> = (0..n).filter(|i| c.matches(&all[*i])).collect();
            let flat: Vec<usize> = (0..n).filter(|i| c.matches_flat(&flats[*i])).collect();
            assert_eq!(flat, want, "{text} over {n} flat");
            let selected: Vec<usize> = c
                .select_flat(&flats)
                .map(|r| flats.iter().position(|x| std::ptr::eq(x, r)).unwrap())
                .collect();
            assert_eq!(selected, want, "{text} over {n} select_flat");
            if n == 100 {
                assert!(!want.is_empty() && want.len() < n, "{text}: {}", want.len());
            }
        }
    }
}
