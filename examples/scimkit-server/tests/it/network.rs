//! The server on the network: URLs it hands out whatever `Host` a client
//! sends, raw quotes in query strings (Entra ID's SCIM Validator) and the
//! serve-loop flags, over real sockets.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::{Client, Db, Server, labelled, user};

/// A started server and the tenant it created on first start.
fn start(extra: &[&str]) -> (Db, Server, String, String) {
    let db = Db::sqlite();
    let server = Server::start(&db, extra);
    let url = labelled(&server.stdout, "Tenant URL:").unwrap().to_owned();
    let token = labelled(&server.stdout, "Secret Token:")
        .unwrap()
        .to_owned();
    let path = url
        .split_once("/tenants/")
        .map(|(_, rest)| format!("/tenants/{rest}"))
        .unwrap();
    (db, server, path, token)
}

/// Sends `request` on a new connection; returns the whole response text
/// (the server answers `Connection: close` requests, then closes).
async fn raw(server: &Server, request: String) -> String {
    let addr = server.origin.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn post_user(path: &str, token: &str, host: &str, user_name: &str) -> String {
    let body = user(user_name).to_string();
    format!(
        "POST {path}/Users HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-Host: forwarded.example\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/scim+json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Issue 11 row 14: without `--base-url`, `Host: evil.example` was
/// reflected into `Location` and `meta.location`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locations_never_come_from_an_untrusted_host_header() {
    // (flags, the origin Location must start with; "" is the bound origin)
    let cases: &[(&[&str], &str)] = &[
        (&[], ""),
        (
            &["--base-url", "https://scim.example.com"],
            "https://scim.example.com",
        ),
        (&["--trust-host-header"], "http://evil.example"),
        (&["--trust-forwarded-headers"], "http://forwarded.example"),
    ];
    for (i, (flags, want)) in cases.iter().enumerate() {
        let (_db, server, path, token) = start(flags);
        let want = if want.is_empty() {
            server.origin.as_str()
        } else {
            want
        };
        let resp = raw(
            &server,
            post_user(&path, &token, "evil.example", &format!("u{i}")),
        )
        .await;
        assert!(resp.starts_with("HTTP/1.1 201"), "{flags:?}: {resp}");
        let location = resp
            .lines()
            .find_map(|l| l.strip_prefix("location: "))
            .unwrap_or_else(|| panic!("{flags:?}: no Location in {resp}"));
        assert!(
            location.starts_with(&format!("{want}{path}/Users/")),
            "{flags:?}: Location {location}, want under {want}"
        );
        let body = &resp[resp.find("\r\n\r\n").unwrap() + 4..];
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["meta"]["location"], location, "{flags:?}");
    }
}

/// Issue 12: the validator's request reached the server as an empty `400`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_entra_validators_raw_quotes_are_served() {
    let (_db, server, path, token) = start(&[]);
    let client = Client::new(format!("{}{path}", server.origin), &token);
    assert_eq!(
        client
            .post("/Users", user("dale.mohr@romaguera.uk"))
            .await
            .status,
        201
    );
    let resp = raw(
        &server,
        format!(
            "GET {path}/Users?filter=userName+eq+\"dale.mohr%40romaguera.uk\" HTTP/1.1\r\n\
             Host: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"totalResults\":1"), "{resp}");
}

/// `--header-timeout`: a head trickling in one line every 100 ms is cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_timeout_flag_cuts_a_trickling_head() {
    let (_db, server, path, _token) = start(&["--header-timeout", "300ms"]);
    let addr = server.origin.trim_start_matches("http://");
    let s = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let started = Instant::now();
    wr.write_all(format!("GET {path}/Users HTTP/1.1\r\n").as_bytes())
        .await
        .unwrap();
    let trickle = tokio::spawn(async move {
        for i in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if wr
                .write_all(format!("X-{i}: v\r\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let mut b = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(3), rd.read(&mut b)).await;
    assert!(matches!(n, Ok(Ok(0)) | Ok(Err(_))), "still open: {n:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    trickle.abort();
}

#[test]
fn serve_flags_are_checked() {
    let cases: &[(&[&str], bool)] = &[
        (
            &["--header-timeout", "10s", "--body-timeout", "500ms"],
            true,
        ),
        (&["--request-timeout", "2m", "--idle-timeout", "90s"], true),
        (&["--max-connections", "10", "--trust-host-header"], true),
        (
            &["--trust-forwarded-headers", "--write-timeout", "5s"],
            true,
        ),
        (&["--header-timeout", "10"], false),
        (&["--idle-timeout", "0s"], false),
        (&["--max-connections", "0"], false),
    ];
    for (args, ok) in cases {
        let out = std::process::Command::new(crate::harness::BIN)
            .args(*args)
            .arg("--help")
            .output()
            .unwrap();
        assert_eq!(out.status.success(), *ok, "{args:?}");
    }
}

/// Head-first admission holds with `--log-bodies` too: the access log
/// records the body as the engine read it, so an unauthenticated request
/// that declares a 1,000,000-byte body and sends none gets `401` at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_bodies_keeps_head_first_admission() {
    for extra in [&[][..], &["--log-bodies"][..]] {
        let (_db, server, path, _token) = start(extra);
        let head = format!(
            "POST {path}/Users HTTP/1.1\r\nHost: x\r\nContent-Type: application/scim+json\r\n\
             Content-Length: 1000000\r\n\r\n"
        );
        let addr = server.origin.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(head.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("{extra:?}: no answer while the body is withheld"))
            .unwrap();
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(text.starts_with("HTTP/1.1 401"), "{extra:?}: {text}");
    }
}
