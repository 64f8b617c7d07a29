//! Invalid filters: the byte offset of the offending spot, what was expected
//! there, and the SCIM `scimType`.

use scimkit_filter::Expected::{self, *};
use scimkit_filter::{ParseOptions, parse_attr_path, parse_filter, parse_patch_path};

use crate::{both, check};

#[test]
fn invalid_filters() {
    let cases: Vec<(&str, usize, Expected)> = vec![
        ("", 0, Filter),
        ("userName", 8, Operator),
        ("userName eq", 11, Value),
        ("userName eq ", 12, Value),
        ("userName eq\"x\"", 11, Space),
        (r#"userName xx "a""#, 9, Operator),
        (r#"userName equals "a""#, 9, Operator),
        ("userName eq bjensen", 12, Value),
        (r#"userName eq "abc"#, 12, CloseQuote),
        (r#"userName eq "abc\"#, 12, CloseQuote),
        (r#"a eq "x\q""#, 7, Escape),
        (r#"a eq "\ud800""#, 6, Escape),
        (r#"a eq "\ud800\u0041""#, 6, Escape),
        (r#"a eq "\udc00""#, 6, Escape),
        (r#"a eq "ok\u12""#, 8, Escape),
        ("a eq \"tab\there\"", 9, Escape),
        ("a eq 01", 6, Number),
        ("a eq 1.", 7, Number),
        ("a eq -", 6, Number),
        ("a eq 1e", 7, Number),
        ("a eq 1e+", 8, Number),
        ("a eq +1", 5, Value),
        ("a eq .5", 5, Value),
        ("a eq 1-2", 6, Number),
        ("a eq tru", 5, Value),
        ("a eq 'x'", 5, Value),
        ("a pr and", 8, Filter),
        ("a pr and ", 9, Filter),
        ("a pr and(b pr)", 8, Space),
        ("a pr xor b pr", 5, LogicalOperator),
        ("a pr)", 4, LogicalOperator),
        ("a eq \"x\"y", 8, LogicalOperator),
        ("(a pr", 5, CloseParen),
        ("(a pr]", 5, CloseParen),
        ("()", 1, Filter),
        ("not (", 5, Filter),
        ("not (a pr", 9, CloseParen),
        (r#"emails[type eq "work""#, 21, CloseBracket),
        (r#"emails[type eq "work")"#, 21, CloseBracket),
        ("emails[]", 7, Filter),
        ("emails[a[b pr]]", 8, Space),
        ("1abc eq 1", 0, Filter),
        ("a.b.c eq 1", 3, Space),
        ("name. eq 1", 5, SubAttr),
        ("a:b eq 1", 0, AttrName),
        (":a eq 1", 0, Filter),
        ("$refs eq 1", 0, AttrName),
        ("a! eq 1", 1, Space),
    ];
    for (input, offset, expected) in cases {
        let (a, b) = both(Err((offset, expected)));
        check(crate::filter, input, a, b);
        let e = parse_filter(input, &ParseOptions::default()).unwrap_err();
        assert_eq!(e.scim_type(), "invalidFilter");
    }
}

#[test]
fn scim_types_and_rendering() {
    let o = ParseOptions::default();
    // Filters: invalidFilter.
    assert_eq!(
        parse_filter("a eq", &o).unwrap_err().scim_type(),
        "invalidFilter"
    );
    // Paths: invalidPath; the filter inside a PATCH path's brackets: invalidFilter
    // (RFC 7644 §3.12, Table 9: "PATCH (Path Filter)").
    assert_eq!(
        parse_patch_path("a.", &o).unwrap_err().scim_type(),
        "invalidPath"
    );
    assert_eq!(
        parse_patch_path("a[b pr", &o).unwrap_err().scim_type(),
        "invalidPath"
    );
    assert_eq!(
        parse_patch_path("a[b xx 1]", &o).unwrap_err().scim_type(),
        "invalidFilter"
    );
    assert_eq!(
        parse_attr_path("a b", &o).unwrap_err().scim_type(),
        "invalidPath"
    );

    let input = "userName eq";
    let e = parse_filter(input, &ParseOptions::strict()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid filter at byte 11: expected a value (true, false, null, a number or a quoted string)"
    );
    assert_eq!(
        e.render(input),
        "invalid filter at byte 11: expected a value (true, false, null, a number or a quoted string)\n  userName eq\n             ^"
    );
    let input = r#"name.givenName zz "x""#;
    let e = parse_filter(input, &o).unwrap_err();
    assert!(
        e.render(input)
            .ends_with("\n  name.givenName zz \"x\"\n                 ^")
    );
}
