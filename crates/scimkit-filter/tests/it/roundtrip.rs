//! Property: the canonical form of any valid tree parses back to the same
//! tree, strictly and leniently.

use std::borrow::Cow;

use proptest::prelude::*;
use scimkit_filter::{
    AttrPath, CompValue, CompareOp, Filter, Number, ParseOptions, PatchPath, parse_filter,
    parse_patch_path,
};

fn attr_name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
        1 => Just("$ref".to_owned()),
        1 => prop::sample::select(vec!["not", "and", "or", "pr", "eq", "true", "null"])
            .prop_map(str::to_owned),
    ]
}

fn schema() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.2,
        prop::sample::select(vec![
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "urn:example:a.b:c-d",
            "https://example.com/schemas/x",
        ])
        .prop_map(str::to_owned),
    )
}

fn attr_path() -> impl Strategy<Value = AttrPath<'static>> {
    (schema(), attr_name(), prop::option::of(attr_name())).prop_map(|(schema, attr, sub)| {
        AttrPath {
            schema: schema.map(Cow::Owned),
            attr: Cow::Owned(attr),
            sub: sub.map(Cow::Owned),
        }
    })
}

fn comp_value() -> impl Strategy<Value = CompValue<'static>> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,3})?"
            .prop_map(|s| CompValue::Number(Number::new(s).unwrap())),
        any::<String>().prop_map(|s| CompValue::String(Cow::Owned(s))),
        "[\\\\\"\\x00-\\x1f\\u{7f}-\\u{10ffff}a-z]{0,12}"
            .prop_map(|s| CompValue::String(Cow::Owned(s))),
    ]
}

fn leaf() -> impl Strategy<Value = Filter<'static>> {
    prop_oneof![
        (
            attr_path(),
            prop::sample::select(CompareOp::ALL.to_vec()),
            comp_value()
        )
            .prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
        attr_path().prop_map(Filter::Present),
    ]
}

fn combine(inner: BoxedStrategy<Filter<'static>>) -> impl Strategy<Value = Filter<'static>> {
    prop_oneof![
        prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
        prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::Or),
        inner.prop_map(|f| Filter::Not(Box::new(f))),
    ]
}

/// A filter without value paths (what may stand inside brackets).
fn val_filter() -> impl Strategy<Value = Filter<'static>> {
    leaf().prop_recursive(3, 16, 3, |inner| combine(inner.boxed()))
}

fn filter() -> impl Strategy<Value = Filter<'static>> {
    let value_path = (attr_path(), val_filter()).prop_map(|(path, f)| Filter::ValuePath {
        path,
        filter: Box::new(normalize(f)),
    });
    prop_oneof![leaf(), value_path]
        .prop_recursive(3, 24, 3, |inner| combine(inner.boxed()))
        .prop_map(normalize)
}

/// Flattens directly nested same-operator nodes, as the parser does.
fn normalize(f: Filter<'static>) -> Filter<'static> {
    match f {
        Filter::And(v) => Filter::And(flatten(v, true)),
        Filter::Or(v) => Filter::Or(flatten(v, false)),
        Filter::Not(f) => Filter::Not(Box::new(normalize(*f))),
        Filter::ValuePath { path, filter } => Filter::ValuePath {
            path,
            filter: Box::new(normalize(*filter)),
        },
        f => f,
    }
}

fn flatten(v: Vec<Filter<'static>>, and: bool) -> Vec<Filter<'static>> {
    let mut out = Vec::new();
    for f in v.into_iter().map(normalize) {
        match f {
            Filter::And(inner) if and => out.extend(inner),
            Filter::Or(inner) if !and => out.extend(inner),
            f => out.push(f),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn filter_display_parses_back(f in filter()) {
        let text = f.to_string();
        for o in [ParseOptions::strict(), ParseOptions::lenient()] {
            let back = parse_filter(&text, &o);
            prop_assert_eq!(back.as_ref(), Ok(&f), "{}", text);
        }
    }

    #[test]
    fn patch_path_display_parses_back(
        path in attr_path(),
        f in val_filter(),
        sub in prop::option::of(attr_name()),
        plain in any::<bool>(),
    ) {
        let p = if plain {
            PatchPath::Attr(path)
        } else {
            PatchPath::ValuePath { path, filter: normalize(f), sub_attr: sub.map(Cow::Owned) }
        };
        let text = p.to_string();
        for o in [ParseOptions::strict(), ParseOptions::lenient()] {
            let back = parse_patch_path(&text, &o);
            prop_assert_eq!(back.as_ref(), Ok(&p), "{}", text);
        }
    }
}
