//! PATCH paths (RFC 7644 §3.5.2) and attribute paths (RFC 7643 §2.1, RFC 7644 §3.10).

use std::borrow::Cow;

use scimkit_filter::CompareOp::*;
use scimkit_filter::Expected::*;
use scimkit_filter::{AttrPath, Filter, PatchPath, parse_attr_path};

use crate::{Outcome, and, both, check, cmp, p, s};

fn attr(path: &'static str) -> PatchPath<'static> {
    PatchPath::Attr(p(path))
}

fn vpath(path: &'static str, f: Filter<'static>, sub: Option<&'static str>) -> PatchPath<'static> {
    PatchPath::ValuePath {
        path: p(path),
        filter: f,
        sub_attr: sub.map(Cow::Borrowed),
    }
}

const MEMBER: &str = "2819c223-7f76-453a-919d-413861904646";

#[test]
fn rfc7644_patch_paths() {
    let cases: Vec<(&str, PatchPath<'static>)> = vec![
        ("members", attr("members")),
        ("name.familyName", attr("name.familyName")),
        (
            r#"addresses[type eq "work"]"#,
            vpath("addresses", cmp("type", Eq, s("work")), None),
        ),
        (
            r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
            vpath("members", cmp("value", Eq, s(MEMBER)), None),
        ),
        (
            r#"members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName"#,
            vpath("members", cmp("value", Eq, s(MEMBER)), Some("displayName")),
        ),
        (
            r#"emails[type eq "work" and value ew "example.com"]"#,
            vpath(
                "emails",
                and([
                    cmp("type", Eq, s("work")),
                    cmp("value", Ew, s("example.com")),
                ]),
                None,
            ),
        ),
        (
            r#"addresses[type eq "work"].streetAddress"#,
            vpath(
                "addresses",
                cmp("type", Eq, s("work")),
                Some("streetAddress"),
            ),
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            attr("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"),
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            attr("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"),
        ),
        ("members.$ref", attr("members.$ref")),
    ];
    for (input, path) in cases {
        let (a, b) = both(Ok(path));
        check(crate::patch, input, a, b);
    }
}

#[test]
fn patch_path_corners() {
    let cases: Vec<(
        &str,
        Outcome<PatchPath<'static>>,
        Outcome<PatchPath<'static>>,
    )> = vec![
        ("", Err((0, AttrName)), Err((0, AttrName))),
        ("members ", Err((7, End)), Ok(attr("members"))),
        (" members", Err((0, AttrName)), Ok(attr("members"))),
        ("a b", Err((1, End)), Err((2, End))),
        (
            r#"emails [type eq "work"]"#,
            Err((6, End)),
            Ok(vpath("emails", cmp("type", Eq, s("work")), None)),
        ),
        (
            r#"members[value eq "x""#,
            Err((20, CloseBracket)),
            Err((20, CloseBracket)),
        ),
        (
            r#"members[value xx "x"]"#,
            Err((14, Operator)),
            Err((14, Operator)),
        ),
        (
            r#"members[value eq "x"]."#,
            Err((22, SubAttr)),
            Err((22, SubAttr)),
        ),
        (
            r#"members[value eq "x"].a.b"#,
            Err((23, End)),
            Err((23, End)),
        ),
        (r#"members[value eq "x"]x"#, Err((21, End)), Err((21, End))),
        (r#"members[a[b pr]]"#, Err((9, Space)), Err((9, Space))),
        ("members[]", Err((8, Filter)), Err((8, Filter))),
        // A filter, not a path: only the value path form may hold one.
        (r#"members eq "x""#, Err((7, End)), Err((8, End))),
        ("name.", Err((5, SubAttr)), Err((5, SubAttr))),
    ];
    for (input, strict, lenient) in cases {
        check(crate::patch, input, strict, lenient);
    }
}

#[test]
fn attr_paths() {
    let cases: Vec<(&str, Outcome<AttrPath<'static>>, Outcome<AttrPath<'static>>)> = vec![
        ("userName", Ok(p("userName")), Ok(p("userName"))),
        (
            "name.givenName",
            Ok(p("name.givenName")),
            Ok(p("name.givenName")),
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
            Ok(p(
                "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
            )),
            Ok(p(
                "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
            )),
        ),
        ("$ref", Ok(p("$ref")), Ok(p("$ref"))),
        (" userName ", Err((0, AttrName)), Ok(p("userName"))),
        ("", Err((0, AttrName)), Err((0, AttrName))),
        ("name.givenName.x", Err((14, End)), Err((14, End))),
        ("name[type eq 1]", Err((4, End)), Err((4, End))),
        ("9lives", Err((0, AttrName)), Err((0, AttrName))),
        ("urn:x:", Err((6, AttrName)), Err((6, AttrName))),
    ];
    for (input, strict, lenient) in cases {
        check(crate::attr_path, input, strict, lenient);
    }
    let path = parse_attr_path(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(
        path.schema.as_deref(),
        Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
    );
    assert_eq!(&*path.attr, "manager");
    assert_eq!(path.sub.as_deref(), Some("value"));
}
