//! `scimkit filter eval`: the built binary against resource files written to
//! a temporary directory; each case is arguments, expected standard output
//! and exit code.

use std::path::PathBuf;
use std::process::Command;

const USERS: &str = r#"[
  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
               "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
   "id": "u1", "externalId": "JSmith", "userName": "jsmith", "active": true,
   "emails": [{"type": "home", "value": "j@x.example"}, {"type": "work", "value": "jsmith@example.com"}],
   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984"},
   "meta": {"lastModified": "2011-05-13T04:42:34Z"}},
  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
   "id": "g1", "displayName": "Tour Guides", "members": [{"value": "u1"}]},
  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:example:scim:Badge"],
   "id": "u2", "userName": "Alice", "active": false,
   "emails": [{"type": "work", "value": "alice@x.example"}, {"type": "home", "value": "alice@example.com"}],
   "urn:example:scim:Badge": {"level": 3},
   "meta": {"lastModified": "2011-05-13T06:42:35+02:00"}}
]"#;

const BADGE: &str = r#"{"id": "urn:example:scim:Badge", "name": "Badge",
  "attributes": [{"name": "level", "type": "integer", "multiValued": false, "required": false,
                  "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"}]}"#;

const ERR: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","#;

/// Writes the test files once per test process and returns their paths.
fn files() -> (String, String, String) {
    let dir = std::env::temp_dir().join(format!("scimkit-cli-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| -> String {
        let p: PathBuf = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    (
        write("users.json", USERS),
        write("badge.json", BADGE),
        write("object.json", r#"{"id": "not an array"}"#),
    )
}

fn check(args: &[&str], stdout: &str, code: i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_scimkit"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), stdout, "{args:?}");
    assert_eq!(out.status.code(), Some(code), "{args:?}");
}

#[test]
fn filter_eval() {
    let (users, badge, object) = files();
    let r = users.as_str();
    let cases: Vec<(Vec<&str>, String, i32)> = vec![
        (
            vec!["--resources", r, r#"userName eq "JSMITH""#],
            "u1\n".into(),
            0,
        ),
        (
            vec!["--resources", r, r#"externalId eq "jsmith""#],
            "".into(),
            0,
        ),
        (
            vec!["--resources", r, "active eq true or active eq false"],
            "u1\nu2\n".into(),
            0,
        ),
        // one element must satisfy the whole value filter
        (
            vec![
                "--resources",
                r,
                r#"emails[type eq "work" and value ew "@example.com"]"#,
            ],
            "u1\n".into(),
            0,
        ),
        (
            vec!["--resources", r, r#"emails co "@example.com""#],
            "u1\nu2\n".into(),
            0,
        ),
        // dateTimes as instants
        (
            vec![
                "--resources",
                r,
                r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            ],
            "u2\n".into(),
            0,
        ),
        // Groups are evaluated against the Group schema
        (
            vec!["--resources", r, r#"displayName sw "tour""#],
            "g1\n".into(),
            0,
        ),
        (
            vec!["--resources", r, r#"members[value eq "u1"]"#],
            "g1\n".into(),
            0,
        ),
        (
            vec![
                "--resources",
                r,
                r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
            ],
            "u1\n".into(),
            0,
        ),
        // a custom extension schema
        (
            vec![
                "--schema",
                &badge,
                "--resources",
                r,
                "urn:example:scim:Badge:level ge 3",
            ],
            "u2\n".into(),
            0,
        ),
        (
            vec!["--resources", r, "urn:example:scim:Badge:level ge 3"],
            format!(
                "{ERR}\"scimType\":\"invalidFilter\",\"detail\":\"attribute urn:example:scim:Badge:level is not defined for resource type User\"}}\n"
            ),
            1,
        ),
        // type errors name the attribute
        (
            vec!["--resources", r, r#"active eq "yes""#],
            format!(
                "{ERR}\"scimType\":\"invalidFilter\",\"detail\":\"cannot compare attribute active (boolean) with eq \\\"yes\\\": the value must be true or false\"}}\n"
            ),
            1,
        ),
        // strict: the parser's leniencies are off
        (vec!["--resources", r, "active eq True"], "u1\n".into(), 0),
        (
            vec!["--strict", "--resources", r, "active eq True"],
            format!(
                "{ERR}\"scimType\":\"invalidFilter\",\"detail\":\"invalid filter at byte 10: expected a value (true, false, null, a number or a quoted string)\"}}\n"
            ),
            1,
        ),
        (
            vec!["--resources", &object, "id pr"],
            format!(
                "{ERR}\"scimType\":\"invalidSyntax\",\"detail\":\"{object}: expected a JSON array of resources\"}}\n"
            ),
            1,
        ),
    ];
    for (args, stdout, code) in cases {
        let mut full = vec!["filter", "eval"];
        full.extend(args);
        check(&full, &stdout, code);
    }
}

#[test]
fn filter_eval_help_explains_every_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_scimkit"))
        .args(["filter", "eval", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "--strict",
        "--schema <FILE>",
        "--resources <FILE>",
        "<FILTER>",
        "Examples:",
    ] {
        assert!(help.contains(word), "help lacks {word}:\n{help}");
    }
    assert_eq!(out.status.code(), Some(0));
}
