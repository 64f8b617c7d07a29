//! Runs the built `scimkit` binary: every case is arguments, expected
//! standard output and exit code, behind one `check()` helper.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn check(args: &[&str], stdout: &str, code: i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_scimkit"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), stdout, "{args:?}");
    assert_eq!(out.status.code(), Some(code), "{args:?}");
}

const ERR: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","#;

#[test]
fn filter_parse() {
    let cases: Vec<(Vec<&str>, String, i32)> = vec![
        (
            vec!["filter", "parse", r#"userName  EQ "bjensen""#],
            "userName eq \"bjensen\"\n".into(),
            0,
        ),
        (
            vec!["filter", "parse", "a pr and (b pr and (c pr or d pr))"],
            "a pr and b pr and (c pr or d pr)\n".into(),
            0,
        ),
        (
            vec![
                "filter",
                "parse",
                "--json",
                r#"emails[type eq "work"].value eq "x""#,
            ],
            concat!(
                r#"{"valuePath":{"attr":"emails"},"filter":{"and":["#,
                r#"{"cmp":"eq","path":{"attr":"type"},"value":"work"},"#,
                r#"{"cmp":"eq","path":{"attr":"value"},"value":"x"}]}}"#,
                "\n"
            )
            .into(),
            0,
        ),
        (
            vec!["filter", "parse", "userName eq"],
            format!(
                "{ERR}\"scimType\":\"invalidFilter\",\"detail\":\"invalid filter at byte 11: expected a value (true, false, null, a number or a quoted string)\"}}\n"
            ),
            1,
        ),
        (
            vec!["filter", "parse", "--strict", "active eq True"],
            format!(
                "{ERR}\"scimType\":\"invalidFilter\",\"detail\":\"invalid filter at byte 10: expected a value (true, false, null, a number or a quoted string)\"}}\n"
            ),
            1,
        ),
        (
            vec!["filter", "parse", "active eq True"],
            "active eq true\n".into(),
            0,
        ),
    ];
    for (args, stdout, code) in cases {
        check(&args, &stdout, code);
    }
}

#[test]
fn path_parse() {
    let cases: Vec<(Vec<&str>, String, i32)> = vec![
        (vec!["path", "parse", "name.familyName"], "name.familyName\n".into(), 0),
        (
            vec!["path", "parse", "--json", "--strict", r#"members[value eq "2819c223"].displayName"#],
            concat!(
                r#"{"valuePath":{"attr":"members"},"filter":{"cmp":"eq","path":{"attr":"value"},"value":"2819c223"},"subAttr":"displayName"}"#,
                "\n"
            )
            .into(),
            0,
        ),
        (
            vec!["path", "parse", "--json", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"],
            concat!(
                r#"{"attr":"manager","sub":"value","schema":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}"#,
                "\n"
            )
            .into(),
            0,
        ),
        (
            vec!["path", "parse", "name."],
            format!(
                "{ERR}\"scimType\":\"invalidPath\",\"detail\":\"invalid PATCH path at byte 5: expected a sub-attribute name\"}}\n"
            ),
            1,
        ),
    ];
    for (args, stdout, code) in cases {
        check(&args, &stdout, code);
    }
}

#[test]
fn help_explains_every_flag() {
    for args in [["filter", "parse", "--help"], ["path", "parse", "--help"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_scimkit"))
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0));
        for needle in ["--json", "--strict", "Examples:", "exits with 1"] {
            assert!(
                text.contains(needle),
                "{args:?} help lacks {needle}:\n{text}"
            );
        }
    }
    // Usage errors are clap's: exit code 2.
    let out = Command::new(env!("CARGO_BIN_EXE_scimkit"))
        .args(["filter", "parse"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

mod check;
mod eval;
mod parity;
mod patch;
