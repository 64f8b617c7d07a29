//! `scimkit check` arguments and the endpoints it cannot test: every case
//! exits 2 with a message that says what is wrong. (Runs against real
//! servers are in examples/scimkit-server/tests/it/check.rs.)

use std::process::Command;

/// Runs `scimkit check ARGS` without SCIMKIT_TOKEN in the environment;
/// returns the exit code and standard error.
fn check(args: &[&str], token_env: Option<&str>) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scimkit"));
    cmd.arg("check").args(args).env_remove("SCIMKIT_TOKEN");
    if let Some(t) = token_env {
        cmd.env("SCIMKIT_TOKEN", t);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn bad_arguments_exit_2_with_a_clear_message() {
    let url = "http://127.0.0.1:9/scim/v2";
    let cases: &[(&[&str], &str)] = &[
        (&[url], "--token <TOKEN>"),
        (
            &[url, "--token", "t", "--suite", "nope"],
            "invalid value 'nope' for '--suite <SUITES>'",
        ),
        (
            &[url, "--token", "t", "--format", "xml"],
            "invalid value 'xml' for '--format <FORMAT>'",
        ),
        (
            &[url, "--token", "t", "--timeout", "0"],
            "invalid value '0' for '--timeout <SECS>'",
        ),
        (
            &[url, "--token", "t", "--request-timeout", "601"],
            "--request-timeout <SECS>",
        ),
        (&["--token", "t"], "<TENANT_URL>"),
        (
            &["ftp://example.com/scim", "--token", "t"],
            "expected an http:// or https:// URL",
        ),
        (&["not a url", "--token", "t"], "invalid base URL"),
    ];
    for (args, needle) in cases {
        let (code, _, err) = check(args, None);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn an_unreachable_endpoint_exits_2() {
    let url = format!("http://127.0.0.1:{}/scim/v2", closed_port());
    for format in ["text", "json", "junit"] {
        let (code, out, err) = check(&[&url, "--format", format], Some("from-the-env"));
        assert_eq!(code, Some(2), "{format}: {err}");
        assert!(err.contains("is unreachable"), "{format}: {err}");
        assert!(out.is_empty(), "{format}: {out}");
        // The token never shows.
        assert!(!err.contains("from-the-env"), "{err}");
    }
}

#[test]
fn help_names_the_flags_and_exit_codes() {
    let (code, out, _) = check(&["--help"], None);
    assert_eq!(code, Some(0));
    for needle in [
        "--token",
        "SCIMKIT_TOKEN",
        "--suite",
        "--format",
        "--read-only",
        "--keep",
        "--timeout",
        "--request-timeout",
        "Exit codes: 0",
        "2 the endpoint could not be tested",
    ] {
        assert!(out.contains(needle), "help lacks {needle}:\n{out}");
    }
}
