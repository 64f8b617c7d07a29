//! `scimkit check` (the real binary) against the real servers: scimkit-server
//! on SQLite and on PostgreSQL, and the axum and actix-web minimal examples.
//! Every check passes; the reports parse (JSON, JUnit XML); an endpoint that
//! cannot be tested exits 2.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::harness::{BIN, Db, Server, add_tenant};

/// The directory cargo put this test's `scimkit-server` in (`target/debug`).
fn bin_dir() -> PathBuf {
    PathBuf::from(BIN).parent().unwrap().to_path_buf()
}

/// Builds `scimkit` and the two minimal examples (once per test binary)
/// into the same target directory, and returns the path of `name`.
fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = bin_dir();
        let profile = dir.file_name().unwrap().to_string_lossy().into_owned();
        let target_dir = dir.parent().unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut cmd = Command::new(cargo);
        cmd.args([
            "build",
            "-p",
            "scimkit-cli",
            "-p",
            "axum-minimal",
            "-p",
            "actix-minimal",
        ])
        .arg("--target-dir")
        .arg(target_dir);
        if profile == "release" {
            cmd.arg("--release");
        }
        let status = cmd.status().unwrap();
        assert!(status.success(), "building the binaries failed");
    });
    let path = bin_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// Runs `scimkit check URL` with the token in SCIMKIT_TOKEN.
fn check(url: &str, token: &str, args: &[&str]) -> Output {
    Command::new(binary("scimkit"))
        .arg("check")
        .arg(url)
        .args(args)
        .env("SCIMKIT_TOKEN", token)
        .output()
        .unwrap()
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// The JUnit report parses, and holds one `<testcase>` per check with no
/// `<failure>`.
fn assert_junit_passes(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut cases, mut failures, mut suites) = (0, 0, 0);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    b"testsuite" => suites += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(suites, 4, "{xml}");
    assert_eq!(failures, 0, "{xml}");
    assert_eq!(cases, scimkit_conformance::check::catalog().len(), "{xml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_against_the_server_on_sqlite() {
    let db = Db::sqlite();
    let (tenant, token) = add_tenant(&db, "Check");
    let server = Server::start(&db, &[]);
    let out = check(&server.tenant_url(&tenant), &token, &["--format", "junit"]);
    let xml = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{xml}\n{}", text(&out.stderr));
    assert_junit_passes(&xml);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_against_the_server_on_postgres() {
    let db = Db::postgres().await;
    let (tenant, token) = add_tenant(&db, "Check");
    let server = Server::start(&db, &[]);
    let out = check(&server.tenant_url(&tenant), &token, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["passed"], true, "{report:#}");
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(report["summary"]["skipped"], 0);
    assert_eq!(report["cleanup"]["left"], serde_json::json!([]));
    // Everything the run created is gone.
    let c = crate::harness::Client::new(server.tenant_url(&tenant), &token);
    assert_eq!(c.get("/Users").await.json["totalResults"], 0);
    assert_eq!(c.get("/Groups").await.json["totalResults"], 0);
}

/// A minimal example binary, on a free port, with `token`.
struct Example {
    child: Child,
    base: String,
}

impl Example {
    fn start(name: &str, token: &str) -> Example {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(binary(name))
            .env("SCIM_TOKEN", token)
            .env("SCIM_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let line = BufReader::new(stdout).lines().next().unwrap().unwrap();
        let base = line.strip_prefix("SCIM at ").unwrap().trim().to_owned();
        // The line is printed before the listener accepts; wait until it does.
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..200 {
            if std::net::TcpStream::connect(&addr).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Example { child, base }
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn check_passes_against_the_axum_and_actix_examples() {
    for name in ["axum-minimal", "actix-minimal"] {
        let example = Example::start(name, "s3cret");
        let out = check(&example.base, "s3cret", &[]);
        let report = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}:\n{report}\n{}",
            text(&out.stderr)
        );
        assert!(
            report.contains(" passed, 0 failed, 0 skipped"),
            "{name}:\n{report}"
        );
        assert!(!report.contains("FAIL "), "{name}:\n{report}");
    }
}

#[test]
fn an_endpoint_that_cannot_be_tested_exits_2() {
    let example = Example::start("axum-minimal", "s3cret");
    // A refused token.
    let out = check(&example.base, "wrong", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("refused the token: HTTP 401"),
        "{}",
        text(&out.stderr)
    );
    // Nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = check(&format!("http://127.0.0.1:{port}/scim/v2"), "x", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unreachable"),
        "{}",
        text(&out.stderr)
    );
}
