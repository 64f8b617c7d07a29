//! The checker is itself checked: with one fault planted in an otherwise
//! correct server, the run fails exactly the checks that test that
//! behaviour, and no other (those depending on them are skipped, not failed).

use scimkit_conformance::check::{Options, Status};

use crate::checker::run;
use crate::server::{Fault, start};

/// Each fault and the checks it must fail.
const FAULTS: &[(Fault, &[&str])] = &[
    (
        Fault::EmptyListIs404,
        &["rfc.list.empty", "entra.test_connection", "okta.lookup"],
    ),
    (
        Fault::CaseSensitiveOps,
        &[
            "entra.patch.capitalised_ops",
            "entra.patch.active_string",
            "entra.patch.address_filter",
            "entra.patch.manager_string",
            "entra.groups.add_member",
            "entra.groups.remove_member",
        ],
    ),
    (Fault::NoLocation, &["rfc.users.location"]),
    (Fault::TotalIsPageSize, &["rfc.list.paging", "okta.paging"]),
    (
        Fault::RemoveByValueWipesAll,
        &["entra.groups.remove_member"],
    ),
    (
        Fault::ActiveAsString,
        &[
            "entra.patch.active_string",
            "okta.users.deactivate",
            "okta.patch.active",
        ],
    ),
    (
        Fault::MembersDespiteExcluded,
        &["entra.groups.exclude_members"],
    ),
    (
        Fault::UnknownAttributeIs500,
        &["rfc.filter.unknown_attribute"],
    ),
    (Fault::PlainJsonContentType, &["rfc.media_type"]),
    (Fault::AttributesIgnored, &["rfc.projection.attributes"]),
    (Fault::DeleteIs200, &["rfc.users.delete"]),
    (Fault::NoEtag, &["rfc.etag"]),
    (Fault::BulkNotAdvertised, &[]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_fails_exactly_its_checks() {
    let mut wrong = Vec::new();
    for (fault, want) in FAULTS {
        let base = start(*fault).await;
        let report = run(&base, &Options::default()).await;
        let mut got = report.failed_ids();
        got.sort_unstable();
        let mut want = want.to_vec();
        want.sort_unstable();
        if got != want {
            wrong.push(format!("{fault:?}: failed {got:?}, expected {want:?}"));
        }
        // Every failure says what was sent, what came back, what was
        // expected and why.
        for o in &report.outcomes {
            if let Status::Failed(f) = &o.status {
                assert!(
                    f.sent.is_some() && f.received.is_some(),
                    "{fault:?} {}: {f:?}",
                    o.id
                );
                assert!(
                    !f.expected.is_empty() && !f.why.is_empty(),
                    "{fault:?} {}",
                    o.id
                );
            }
        }
        assert!(
            report.cleanup.left.is_empty(),
            "{fault:?}: {:?}",
            report.cleanup.left
        );
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// Bulk not advertised: `rfc.bulk` is skipped, with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unadvertised_feature_is_skipped_with_the_reason() {
    let base = start(Fault::BulkNotAdvertised).await;
    let report = run(&base, &Options::default()).await;
    let bulk = report.outcomes.iter().find(|o| o.id == "rfc.bulk").unwrap();
    match &bulk.status {
        Status::Skipped(r) => assert!(r.contains("bulk is not advertised"), "{r}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(report.count_skipped(), 1);
}

/// A failure shows what was sent and what came back, and cites its source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_says_what_was_sent_received_expected_and_why() {
    let base = start(Fault::EmptyListIs404).await;
    let report = run(&base, &Options::default()).await;
    let o = report
        .outcomes
        .iter()
        .find(|o| o.id == "entra.test_connection")
        .unwrap();
    let Status::Failed(f) = &o.status else {
        panic!("{:?}", o.status)
    };
    let sent = f.sent.as_deref().unwrap();
    assert!(sent.starts_with("GET http://127.0.0.1:"), "{sent}");
    assert!(sent.contains("/Users?filter=userName+eq+%22"), "{sent}");
    assert!(
        f.received.as_deref().unwrap().starts_with("HTTP 404"),
        "{f:?}"
    );
    assert!(f.expected.contains("HTTP 200"), "{f:?}");
    assert!(f.why.contains("Microsoft Learn"), "{f:?}");
    // The JUnit report carries it too.
    let xml = report.to_junit();
    assert!(
        xml.contains("<testcase classname=\"entra\" name=\"entra.test_connection\""),
        "{xml}"
    );
    assert!(xml.contains("<failure message="), "{xml}");
    let json = report.to_json();
    assert_eq!(json["passed"], false);
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "entra.test_connection" && c["status"] == "failed")
    );
}
