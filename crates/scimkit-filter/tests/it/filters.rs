//! Valid filters: RFC 7644 §3.4.2.2 Figure 2, and the corners of the grammar.

use scimkit_filter::CompValue::{Bool, Null};
use scimkit_filter::CompareOp::*;
use scimkit_filter::{Filter, parse_filter};

use crate::{and, both, check, cmp, n, not, or, p, pr, s, vp};

/// Parsed the same way strictly and leniently.
fn same(input: &str, f: Filter<'static>) {
    let (a, b) = both(Ok(f));
    check(crate::filter, input, a, b);
}

#[test]
fn rfc7644_figure_2() {
    let cases: Vec<(&str, Filter<'static>)> = vec![
        (
            r#"userName eq "bjensen""#,
            cmp("userName", Eq, s("bjensen")),
        ),
        (
            r#"name.familyName co "O'Malley""#,
            cmp("name.familyName", Co, s("O'Malley")),
        ),
        (r#"userName sw "J""#, cmp("userName", Sw, s("J"))),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
            cmp(
                "urn:ietf:params:scim:schemas:core:2.0:User:userName",
                Sw,
                s("J"),
            ),
        ),
        ("title pr", pr("title")),
        (
            r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            cmp("meta.lastModified", Gt, s("2011-05-13T04:42:34Z")),
        ),
        (
            r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
            cmp("meta.lastModified", Ge, s("2011-05-13T04:42:34Z")),
        ),
        (
            r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
            cmp("meta.lastModified", Lt, s("2011-05-13T04:42:34Z")),
        ),
        (
            r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
            cmp("meta.lastModified", Le, s("2011-05-13T04:42:34Z")),
        ),
        (
            r#"title pr and userType eq "Employee""#,
            and([pr("title"), cmp("userType", Eq, s("Employee"))]),
        ),
        (
            r#"title pr or userType eq "Intern""#,
            or([pr("title"), cmp("userType", Eq, s("Intern"))]),
        ),
        (
            r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
            cmp(
                "schemas",
                Eq,
                s("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
            ),
        ),
        (
            r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
            and([
                cmp("userType", Eq, s("Employee")),
                or([
                    cmp("emails", Co, s("example.com")),
                    cmp("emails.value", Co, s("example.org")),
                ]),
            ]),
        ),
        (
            r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
            and([
                cmp("userType", Ne, s("Employee")),
                not(or([
                    cmp("emails", Co, s("example.com")),
                    cmp("emails.value", Co, s("example.org")),
                ])),
            ]),
        ),
        (
            r#"userType eq "Employee" and (emails.type eq "work")"#,
            and([
                cmp("userType", Eq, s("Employee")),
                cmp("emails.type", Eq, s("work")),
            ]),
        ),
        (
            r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
            and([
                cmp("userType", Eq, s("Employee")),
                vp(
                    "emails",
                    and([
                        cmp("type", Eq, s("work")),
                        cmp("value", Co, s("@example.com")),
                    ]),
                ),
            ]),
        ),
        (
            r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
            or([
                vp(
                    "emails",
                    and([
                        cmp("type", Eq, s("work")),
                        cmp("value", Co, s("@example.com")),
                    ]),
                ),
                vp(
                    "ims",
                    and([cmp("type", Eq, s("xmpp")), cmp("value", Co, s("@foo.com"))]),
                ),
            ]),
        ),
    ];
    for (input, f) in cases {
        same(input, f);
    }
}

#[test]
fn operators_keywords_and_literals() {
    let cases: Vec<(&str, Filter<'static>)> = vec![
        // Every operator, in any case.
        ("a eq 1", cmp("a", Eq, n("1"))),
        ("a NE 1", cmp("a", Ne, n("1"))),
        (r#"a Co "x""#, cmp("a", Co, s("x"))),
        (r#"a sW "x""#, cmp("a", Sw, s("x"))),
        (r#"a ew "x""#, cmp("a", Ew, s("x"))),
        ("a GT 1", cmp("a", Gt, n("1"))),
        ("a lt 1", cmp("a", Lt, n("1"))),
        ("a ge 1", cmp("a", Ge, n("1"))),
        ("a le 1", cmp("a", Le, n("1"))),
        ("a PR", pr("a")),
        ("a pr AND b pr", and([pr("a"), pr("b")])),
        ("a pr Or b pr", or([pr("a"), pr("b")])),
        ("NOT (a pr)", not(pr("a"))),
        ("not(a pr)", not(pr("a"))),
        ("Not(a pr)", not(pr("a"))),
        // Literals.
        ("a eq true", cmp("a", Eq, Bool(true))),
        ("a eq false", cmp("a", Eq, Bool(false))),
        ("a eq null", cmp("a", Eq, Null)),
        // JSON numbers.
        ("a eq 0", cmp("a", Eq, n("0"))),
        ("a eq -0", cmp("a", Eq, n("-0"))),
        ("a gt -12.5", cmp("a", Gt, n("-12.5"))),
        ("a lt 1e10", cmp("a", Lt, n("1e10"))),
        ("a lt 2.5E-3", cmp("a", Lt, n("2.5E-3"))),
        ("a lt 6.02e+23", cmp("a", Lt, n("6.02e+23"))),
        (
            "a eq 123456789012345678901234567890",
            cmp("a", Eq, n("123456789012345678901234567890")),
        ),
        // JSON strings with every escape.
        (
            r#"a eq "q\" b\\ s\/ \b\f\n\r\t""#,
            cmp("a", Eq, s("q\" b\\ s/ \u{8}\u{c}\n\r\t")),
        ),
        (r#"a eq "\u00e9\u00E9""#, cmp("a", Eq, s("éé"))),
        (r#"a eq "\ud83d\ude00!""#, cmp("a", Eq, s("😀!"))),
        (r#"a eq "😀 ünïcödé""#, cmp("a", Eq, s("😀 ünïcödé"))),
        (r#"a eq """#, cmp("a", Eq, s(""))),
        (r#"a eq "a]b)c(d[""#, cmp("a", Eq, s("a]b)c(d["))),
        // Names that look like keywords are attributes.
        ("not eq true", cmp("not", Eq, Bool(true))),
        ("and pr", pr("and")),
        (r#"or eq "x""#, cmp("or", Eq, s("x"))),
        ("not pr and and pr", and([pr("not"), pr("and")])),
        ("a pr or or pr", or([pr("a"), pr("or")])),
        (
            "android pr and orange pr",
            and([pr("android"), pr("orange")]),
        ),
        ("notes pr", pr("notes")),
        ("not[a pr]", vp("not", pr("a"))),
        ("pr pr", pr("pr")),
        ("eq eq 1", cmp("eq", Eq, n("1"))),
        // Attribute names.
        ("$ref eq 1", cmp("$ref", Eq, n("1"))),
        (r#"members.$ref eq "x""#, cmp("members.$ref", Eq, s("x"))),
        ("a-b_c9.d-1 pr", pr("a-b_c9.d-1")),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x""#,
            cmp(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
                Eq,
                s("x"),
            ),
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr",
            pr("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"),
        ),
    ];
    for (input, f) in cases {
        same(input, f);
    }
    // The URI ends at the last colon.
    let f = parse_filter(
        "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr",
        &Default::default(),
    )
    .unwrap();
    let Filter::Present(path) = f else { panic!() };
    assert_eq!(
        path.schema.as_deref(),
        Some("urn:ietf:params:scim:schemas:core:2.0:User")
    );
    assert_eq!(
        (&*path.attr, path.sub.as_deref()),
        ("name", Some("givenName"))
    );
}

#[test]
fn precedence_and_flattening() {
    let cases: Vec<(&str, Filter<'static>)> = vec![
        (
            "a pr or b pr and c pr",
            or([pr("a"), and([pr("b"), pr("c")])]),
        ),
        (
            "a pr and b pr or c pr",
            or([and([pr("a"), pr("b")]), pr("c")]),
        ),
        (
            "a pr and (b pr or c pr)",
            and([pr("a"), or([pr("b"), pr("c")])]),
        ),
        ("a pr and (b pr and c pr)", and([pr("a"), pr("b"), pr("c")])),
        ("(a pr and b pr) and c pr", and([pr("a"), pr("b"), pr("c")])),
        (
            "(a pr or b pr) or (c pr or d pr)",
            or([pr("a"), pr("b"), pr("c"), pr("d")]),
        ),
        ("(a pr)", pr("a")),
        ("((((a pr))))", pr("a")),
        ("not (not (a pr))", not(not(pr("a")))),
        ("not ((a pr and b pr))", not(and([pr("a"), pr("b")]))),
        (
            "a pr or b pr or c pr or d pr",
            or([pr("a"), pr("b"), pr("c"), pr("d")]),
        ),
        (
            "a pr and not (b pr) or c pr",
            or([and([pr("a"), not(pr("b"))]), pr("c")]),
        ),
        (
            r#"emails[not (type eq "work") and (value co "x" or value co "y")]"#,
            vp(
                "emails",
                and([
                    not(cmp("type", Eq, s("work"))),
                    or([cmp("value", Co, s("x")), cmp("value", Co, s("y"))]),
                ]),
            ),
        ),
        (
            r#"emails[type eq "work" and (primary eq true and value pr)]"#,
            vp(
                "emails",
                and([
                    cmp("type", Eq, s("work")),
                    cmp("primary", Eq, Bool(true)),
                    pr("value"),
                ]),
            ),
        ),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]"#,
            vp(
                "urn:ietf:params:scim:schemas:core:2.0:User:emails",
                cmp("type", Eq, s("work")),
            ),
        ),
    ];
    for (input, f) in cases {
        same(input, f);
    }
}

#[test]
fn leniencies() {
    use scimkit_filter::Expected::*;
    // (input, strict outcome, lenient outcome)
    type F = scimkit_filter::Filter<'static>;
    let cases: Vec<(&str, crate::Outcome<F>, crate::Outcome<F>)> = vec![
        // extra_spaces
        ("  a pr", Err((0, Filter)), Ok(pr("a"))),
        ("a pr  ", Err((4, End)), Ok(pr("a"))),
        ("a  eq 1", Err((2, Operator)), Ok(cmp("a", Eq, n("1")))),
        ("a eq  1", Err((5, Value)), Ok(cmp("a", Eq, n("1")))),
        (
            "a pr   and  b pr",
            Err((5, LogicalOperator)),
            Ok(and([pr("a"), pr("b")])),
        ),
        ("( a pr )", Err((1, Filter)), Ok(pr("a"))),
        ("(a pr )", Err((5, CloseParen)), Ok(pr("a"))),
        ("not  (a pr)", Err((4, Operator)), Ok(not(pr("a")))),
        (
            r#"emails [ type eq "work" ]"#,
            Err((7, Operator)),
            Ok(vp("emails", cmp("type", Eq, s("work")))),
        ),
        // literal_case
        ("a eq True", Err((5, Value)), Ok(cmp("a", Eq, Bool(true)))),
        ("a eq FALSE", Err((5, Value)), Ok(cmp("a", Eq, Bool(false)))),
        ("a eq NULL", Err((5, Value)), Ok(cmp("a", Eq, Null))),
        // value_path_sub_attr (Entra ID)
        (
            r#"emails[type eq "work"].value eq "x""#,
            Err((22, LogicalOperator)),
            Ok(vp(
                "emails",
                and([cmp("type", Eq, s("work")), cmp("value", Eq, s("x"))]),
            )),
        ),
        (
            r#"emails[type eq "work"].value pr"#,
            Err((22, LogicalOperator)),
            Ok(vp("emails", and([cmp("type", Eq, s("work")), pr("value")]))),
        ),
        (
            r#"emails[type eq "work" and primary eq true].value eq "x" and userName pr"#,
            Err((42, LogicalOperator)),
            Ok(and([
                vp(
                    "emails",
                    and([
                        cmp("type", Eq, s("work")),
                        cmp("primary", Eq, Bool(true)),
                        cmp("value", Eq, s("x")),
                    ]),
                ),
                pr("userName"),
            ])),
        ),
        (
            r#"emails[type eq "a" or type eq "b"].value eq "x""#,
            Err((34, LogicalOperator)),
            Ok(vp(
                "emails",
                and([
                    or([cmp("type", Eq, s("a")), cmp("type", Eq, s("b"))]),
                    cmp("value", Eq, s("x")),
                ]),
            )),
        ),
    ];
    for (input, strict, lenient) in cases {
        check(crate::filter, input, strict, lenient);
    }
    // Each leniency is its own switch.
    use scimkit_filter::ParseOptions as O;
    assert!(parse_filter(" a pr", &O::strict().with_extra_spaces(true)).is_ok());
    assert!(parse_filter("a eq True", &O::strict().with_extra_spaces(true)).is_err());
    assert!(parse_filter("a eq True", &O::strict().with_literal_case(true)).is_ok());
    assert!(parse_filter("a[b pr].c pr", &O::strict().with_literal_case(true)).is_err());
    assert!(parse_filter("a[b pr].c pr", &O::strict().with_value_path_sub_attr(true)).is_ok());
    let _ = p;
}
