//! The checker against the real engine: a clean run passes every check and
//! leaves nothing behind; read-only, keep, interruption, timeouts and an
//! endpoint that cannot be tested.

use std::time::Duration;

use scimkit_conformance::check::{self, CheckError, Options, Report, Status, Suite, Target};
use serde_json::Value;

use crate::server::{Fault, TOKEN, start};

/// Runs the checker; requests get a generous budget (the machine may be
/// busy, and `okta.users.create` hashes a password).
pub(crate) async fn run(base: &str, options: &Options) -> Report {
    let target = Target::new(base, TOKEN).unwrap();
    let options = options
        .clone()
        .with_request_timeout(Duration::from_secs(120));
    check::run(&target, &options, &mut |_| {}, std::future::pending())
        .await
        .unwrap()
}

/// `totalResults` of `GET path` on the server, with the right token.
async fn total(base: &str, path: &str) -> u64 {
    let v: Value = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["totalResults"].as_u64().unwrap()
}

fn failures(report: &Report) -> String {
    report
        .outcomes
        .iter()
        .filter_map(|o| match &o.status {
            Status::Failed(f) => Some(format!("{}:\n{}", o.id, f.to_text())),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_server_passes_every_check_and_is_left_clean() {
    let base = start(Fault::None).await;
    let report = run(&base, &Options::default()).await;
    assert_eq!(report.count_failed(), 0, "{}", failures(&report));
    assert_eq!(report.count_skipped(), 0, "{:?}", report.outcomes);
    assert_eq!(report.outcomes.len(), check::catalog().len());
    assert!(report.passed());
    assert!(report.cleanup.left.is_empty(), "{:?}", report.cleanup.left);
    assert!(!report.cleanup.deleted.is_empty());
    assert_eq!(total(&base, "/Users").await, 0);
    assert_eq!(total(&base, "/Groups").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_creates_nothing() {
    let base = start(Fault::None).await;
    let report = run(&base, &Options::default().with_read_only(true)).await;
    assert!(report.passed(), "{}", failures(&report));
    for o in &report.outcomes {
        let info = check::catalog().iter().find(|c| c.id() == o.id).unwrap();
        match &o.status {
            Status::Passed => assert!(!info.creates(), "{}", o.id),
            Status::Skipped(r) => {
                assert!(info.creates(), "{}", o.id);
                assert!(r.contains("--read-only"), "{r}");
            }
            Status::Failed(_) => unreachable!(),
            _ => panic!(),
        }
    }
    assert!(report.count_passed() >= 10);
    assert!(report.cleanup.deleted.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_leaves_what_the_run_created() {
    let base = start(Fault::None).await;
    let options = Options::default()
        .with_keep(true)
        .with_suites([Suite::Okta]);
    let report = run(&base, &options).await;
    assert!(report.passed(), "{}", failures(&report));
    assert!(report.cleanup.kept);
    let filter = format!("/Users?filter=userName%20sw%20%22{}%22", report.prefix);
    assert!(total(&base, &filter).await > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suite_brings_what_it_depends_on() {
    let base = start(Fault::None).await;
    let report = run(&base, &Options::default().with_suites([Suite::Entra])).await;
    assert!(report.passed(), "{}", failures(&report));
    let ids: Vec<&str> = report.outcomes.iter().map(|o| o.id).collect();
    assert!(ids.contains(&"rfc.users.create"), "{ids:?}");
    assert!(ids.contains(&"discovery.spc"), "{ids:?}");
    assert!(!ids.contains(&"okta.lookup"), "{ids:?}");
    assert!(!ids.contains(&"rfc.bulk"), "{ids:?}");
}

/// Interrupted once users exist: the rest is skipped, and cleanup still
/// deletes everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_still_cleans_up() {
    let base = start(Fault::None).await;
    let target = Target::new(&base, TOKEN).unwrap();
    let stop = tokio::sync::Notify::new();
    let mut progress = |p: check::Progress<'_>| {
        if let check::Progress::Finished(o) = p
            && o.id == "rfc.users.get"
        {
            stop.notify_one();
        }
    };
    let report = check::run(&target, &Options::default(), &mut progress, stop.notified())
        .await
        .unwrap();
    assert!(report.interrupted);
    assert!(!report.passed());
    let skipped = report
        .outcomes
        .iter()
        .filter(|o| matches!(&o.status, Status::Skipped(r) if r.contains("interrupted")))
        .count();
    assert!(skipped > 20, "{skipped}");
    assert!(!report.cleanup.deleted.is_empty());
    assert_eq!(total(&base, "/Users").await, 0);
}

/// An overall timeout of zero: the check running when it elapses fails,
/// every later one is skipped, and the run returns (and cleans up).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overall_timeout_stops_the_run() {
    let base = start(Fault::None).await;
    let report = run(&base, &Options::default().with_timeout(Duration::ZERO)).await;
    assert!(report.timed_out);
    assert!(!report.passed());
    assert_eq!(report.count_failed(), 1, "{:#?}", report.outcomes);
    let at = report
        .outcomes
        .iter()
        .position(|o| matches!(o.status, Status::Failed(_)))
        .unwrap();
    let Status::Failed(f) = &report.outcomes[at].status else {
        unreachable!()
    };
    assert!(f.expected.contains("overall timeout"), "{f:?}");
    for o in &report.outcomes[at + 1..] {
        assert!(
            matches!(&o.status, Status::Skipped(r) if r.contains("overall timeout")),
            "{o:?}"
        );
    }
    assert!(report.cleanup.left.is_empty());
}

#[tokio::test]
async fn an_unreachable_endpoint_cannot_be_tested() {
    // A port nothing listens on: bind, note the port, close.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let target = Target::new(&format!("http://127.0.0.1:{port}/scim/v2"), "x").unwrap();
    let err = check::run(
        &target,
        &Options::default(),
        &mut |_| {},
        std::future::pending(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, CheckError::Unreachable { .. }), "{err}");
}

/// A server that accepts and never answers: the request timeout ends it.
#[tokio::test]
async fn a_silent_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let target = Target::new(&format!("http://{addr}/scim/v2"), "x").unwrap();
    let options = Options::default().with_request_timeout(Duration::from_millis(200));
    let err = check::run(&target, &options, &mut |_| {}, std::future::pending())
        .await
        .unwrap_err();
    match err {
        CheckError::Unreachable { detail, .. } => assert!(detail.contains("timed out"), "{detail}"),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_refused_token_cannot_be_tested() {
    let base = start(Fault::None).await;
    let target = Target::new(&base, "wrong-token").unwrap();
    let err = check::run(
        &target,
        &Options::default(),
        &mut |_| {},
        std::future::pending(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, CheckError::Unauthorized { status: 401, .. }),
        "{err}"
    );
}

#[test]
fn targets_are_checked_and_normalised() {
    let t = Target::new("https://scim.example.com/scim/v2/?aadOptscim062020", "t").unwrap();
    assert_eq!(t.base_url(), "https://scim.example.com/scim/v2");
    assert!(format!("{t:?}").contains("<redacted>"));
    assert!(!format!("{t:?}").contains("\"t\""));
    assert!(Target::new("ftp://x/scim", "t").is_err());
    assert!(Target::new("not a url", "t").is_err());
    assert!(Target::new("http://x/scim", " ").is_err());
}

#[test]
fn the_catalog_is_consistent() {
    let all = check::catalog();
    let mut ids: Vec<&str> = all.iter().map(|c| c.id()).collect();
    for (i, c) in all.iter().enumerate() {
        assert!(c.id().starts_with(&format!("{}.", c.suite())), "{}", c.id());
        assert!(!c.cites().is_empty() && !c.title().is_empty(), "{}", c.id());
        for dep in c.depends_on() {
            assert!(
                all[..i].iter().any(|d| d.id() == *dep),
                "{} needs {dep} first",
                c.id()
            );
            let d = all.iter().find(|d| d.id() == *dep).unwrap();
            assert!(
                c.creates() || !d.creates(),
                "read-only {} depends on {dep}",
                c.id()
            );
        }
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "ids are unique");
    for suite in Suite::ALL {
        assert!(
            all.iter().any(|c| c.suite() == suite && !c.creates()),
            "{suite}"
        );
    }
}

/// `max_response_bytes` at the edge: a body of exactly the limit is read, one
/// byte more fails the check that asked for it (and only that one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_response_size_limit_holds_at_the_edge() {
    let base = start(Fault::None).await;
    let size = reqwest::Client::new()
        .get(format!("{base}/Schemas"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    let discovery = Options::default().with_suites([Suite::Discovery]);
    let report = run(&base, &discovery.clone().with_max_response_bytes(size)).await;
    assert!(report.passed(), "{}", failures(&report));
    let report = run(&base, &discovery.with_max_response_bytes(size - 1)).await;
    assert_eq!(report.failed_ids(), ["discovery.schemas"]);
    let Status::Failed(f) = &report.outcomes[2].status else {
        panic!()
    };
    let received = f.received.as_deref().unwrap();
    assert!(
        received.contains(&format!("the response body is over {} bytes", size - 1)),
        "{received}"
    );
}

/// `cleanup_timeout` at the edge: with no time for cleanup, the report lists
/// everything it could not delete instead of hanging or claiming success.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_that_runs_out_of_time_says_what_is_left() {
    let base = start(Fault::None).await;
    let options = Options::default()
        .with_suites([Suite::Okta])
        .with_cleanup_timeout(Duration::ZERO);
    let report = run(&base, &options).await;
    assert!(report.passed(), "{}", failures(&report));
    assert!(
        report.cleanup.deleted.is_empty(),
        "{:?}",
        report.cleanup.deleted
    );
    assert!(!report.cleanup.left.is_empty());
    for left in &report.cleanup.left {
        assert!(left.ends_with("cleanup timed out (0s)"), "{left}");
    }
    let filter = format!("/Users?filter=userName%20sw%20%22{}%22", report.prefix);
    assert!(total(&base, &filter).await > 0);
}
