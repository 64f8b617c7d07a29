//! `FlatResource` against `Resource`: generated users (keys in any order and
//! case, values of every JSON type, nulls, non-ASCII text, numbers past
//! `i64`) and generated filters over every attribute type; `matches`,
//! `matches_flat` and `select_flat` must agree on every pair.

use proptest::prelude::*;
use scimkit_filter::parse_filter;
use scimkit_schema::eval::{CompiledFilter, FlatResource};
use scimkit_schema::{Compat, Resource};
use serde_json::{Map, Value, json};

use super::{CORNER, users};

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A string from a small alphabet that makes comparisons hit: ASCII in
/// both cases, a character whose lowercase is longer (`İ`), and `ß`.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "A", "b", "@x.org", "@X.ORG", "İ", "ß", "ö", "Ö", " ",
        ]),
        0..5,
    )
    .prop_map(|parts| parts.concat())
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-3i64..4).prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        (-3.0f64..4.0).prop_map(|f| json!((f * 2.0).round() / 2.0)),
    ]
}

/// Any value, a little nested.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        text().prop_map(Value::from),
        Just(json!("2011-05-13T04:42:34Z")),
        Just(json!("2011-05-13T06:42:34.5+02:00")),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::vec(
                (prop::sample::select(vec!["value", "type", "Value"]), inner),
                0..3
            )
            .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

fn email() -> impl Strategy<Value = Value> {
    (
        prop::option::of(text()),
        prop::option::of(prop::sample::select(vec!["work", "WORK", "home"])),
        prop::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(|(value, kind, primary, reversed)| {
            let mut pairs: Vec<(&str, Value)> = Vec::new();
            if let Some(v) = value {
                pairs.push(("value", v.into()));
            }
            if let Some(k) = kind {
                pairs.push((if reversed { "Type" } else { "type" }, k.into()));
            }
            if let Some(p) = primary {
                pairs.push(("primary", p.into()));
            }
            if reversed {
                pairs.reverse();
            }
            Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        })
}

/// A user: typed attributes (sometimes of the wrong JSON type), an
/// enterprise and a corner extension, keys shuffled and sometimes in other case.
fn user() -> impl Strategy<Value = Resource> {
    let attrs = (
        prop::option::of(text()),
        prop::option::of(prop_oneof![
            any::<bool>().prop_map(Value::from),
            any_value()
        ]),
        prop::option::of(prop::collection::vec(email(), 0..4)),
        prop::option::of((prop::option::of(text()), prop::option::of(text()))),
        prop::option::of((number(), number(), any::<bool>(), text(), any_value())),
        prop::option::of(prop::collection::vec(text(), 0..3)),
        prop::option::of(text()),
        any::<bool>(),
        any::<u8>(),
    );
    attrs.prop_map(|(name, active, emails, full, corner, tags, manager, upper, order)| {
        let mut m: Vec<(String, Value)> = vec![(
            "schemas".into(),
            json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT, CORNER]),
        )];
        let key = |k: &str| if upper { k.to_uppercase() } else { k.to_owned() };
        if let Some(n) = name {
            m.push((key("userName"), n.into()));
        }
        if let Some(a) = active {
            m.push(("active".into(), a));
        }
        if let Some(e) = emails {
            m.push(("emails".into(), e.into()));
        }
        if let Some((given, family)) = full {
            m.push(("name".into(), json!({"givenName": given, "familyName": family})));
        }
        if let Some((level, score, flag, code, since)) = corner {
            m.push((
                key(CORNER),
                json!({"level": level, "score": score, "flag": flag, "code": code, "since": since, "tags": tags}),
            ));
        }
        if let Some(id) = manager {
            m.push((ENT.into(), json!({"manager": {"value": id}, "department": "Sales"})));
        }
        let n = m.len();
        m.rotate_left(usize::from(order) % n);
        if order % 2 == 1 {
            m.reverse();
        }
        Resource::from_map(m.into_iter().collect::<Map<String, Value>>())
    })
}

/// Filters over every attribute type, in value paths and extensions too.
const FILTERS: &[&str] = &[
    r#"userName eq "a""#,
    r#"userName co "İ""#,
    r#"userName sw "A" and not (userName ew "b")"#,
    r#"userName gt "a" or userName le "ß""#,
    r#"userName pr"#,
    r#"userName eq null"#,
    r#"active eq true"#,
    r#"active ne false"#,
    r#"emails[type eq "work" and value ew "@x.org"]"#,
    r#"emails[not (primary eq true)]"#,
    r#"emails[value pr] or emails co "ö""#,
    r#"emails.value sw "a""#,
    r#"emails.type eq "work" and emails.primary eq true"#,
    r#"name.givenName eq "ö" or name.familyName lt "b""#,
    r#"name pr"#,
    r#"level gt 0 or score le 1.5"#,
    r#"level eq 18446744073709551615 or big eq -9223372036854775808"#,
    r#"score ge -1"#,
    r#"flag eq false"#,
    r#"code eq "A" or code co "ß""#,
    r#"since gt "2011-05-13T04:00:00Z""#,
    r#"since eq "2011-05-13T04:42:34+00:00""#,
    r#"tags eq "a" or tags sw "Ö""#,
    r#"tags pr and not (tags eq "b")"#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "a""#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr"#,
    r#"manager eq "A" and department eq "Sales""#,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn flat_and_json_agree(people in prop::collection::vec(user(), 1..40)) {
        let rs = users();
        let compat = Compat::default();
        let flats: Vec<FlatResource> = people.iter().map(FlatResource::new).collect();
        for text in FILTERS {
            let f = parse_filter(text, &compat.parse).unwrap();
            let c = CompiledFilter::new(&f, &rs, &compat).unwrap();
            let want: Vec<usize> = (0..people.len()).filter(|i| c.matches(&people[*i])).collect();
            let flat: Vec<usize> = (0..people.len()).filter(|i| c.matches_flat(&flats[*i])).collect();
            prop_assert_eq!(&flat, &want, "{} matches_flat", text);
            let selected: Vec<usize> = c
                .select_flat(&flats)
                .map(|r| flats.iter().position(|x| std::ptr::eq(x, r)).unwrap())
                .collect();
            prop_assert_eq!(&selected, &want, "{} select_flat", text);
        }
    }
}

/// The generator makes users that every filter above matches sometimes and
/// misses sometimes (so the agreement above is not over empty answers).
#[test]
fn every_filter_both_matches_and_misses_generated_users() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let people: Vec<Resource> = (0..400)
        .map(|_| user().new_tree(&mut runner).unwrap().current())
        .collect();
    let rs = users();
    let compat = Compat::default();
    for text in FILTERS {
        let f = parse_filter(text, &compat.parse).unwrap();
        let c = CompiledFilter::new(&f, &rs, &compat).unwrap();
        let n = people.iter().filter(|p| c.matches(p)).count();
        assert!(n > 0 && n < people.len(), "{text}: {n} of {}", people.len());
    }
}
