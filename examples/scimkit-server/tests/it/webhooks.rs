//! Webhooks end to end: `webhook add | list | remove`, signed deliveries to
//! a receiver on 127.0.0.1 that is down for a while, a server restart in
//! between, and the delivery limits at their edges.

use std::time::Duration;

use serde_json::{Value, json};

use crate::feed_support::{Mode, Receiver, feed, wait_for};
use crate::harness::{Client, Db, Server, add_member, add_tenant, cli, labelled, user};

/// Fast retries for tests.
const FAST: &[&str] = &[
    "--webhook-backoff-base",
    "50ms",
    "--webhook-backoff-cap",
    "200ms",
    "--webhook-failing-after",
    "3",
    "--webhook-rescan",
    "100ms",
];

/// `webhook add`: the endpoint id and its secret.
fn add_webhook(db: &Db, tenant: &str, url: &str) -> (String, String) {
    let (ok, out, err) = cli(db, &["webhook", "add", "--tenant", tenant, "--url", url]);
    assert!(ok, "webhook add failed: {err}");
    let id = labelled(&out, "Webhook:").unwrap().to_owned();
    let secret = labelled(&out, "Signing secret:").unwrap().to_owned();
    (id, secret)
}

fn webhook_list(db: &Db) -> String {
    let (ok, out, err) = cli(db, &["webhook", "list"]);
    assert!(ok, "webhook list failed: {err}");
    out
}

fn deactivate() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": false}],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_survive_a_down_receiver_and_a_restart() {
    // Not next to the load tests: retries and timeouts here are short.
    let _heavy = crate::harness::HEAVY.lock().await;
    let db = Db::sqlite();
    let (tenant, token) = add_tenant(&db, "Contoso");
    let receiver = Receiver::start(Mode::Down).await;
    let (endpoint, secret) = add_webhook(&db, &tenant, &receiver.url);
    assert!(secret.starts_with("whsec_"), "{secret}");
    receiver.set_secret(&secret);

    let mut server = Server::start(&db, FAST);
    let client = Client::new(server.tenant_url(&tenant), &token);
    let mut users = Vec::new();
    for i in 0..4 {
        let r = client
            .post("/Users", user(&format!("u{i}@example.com")))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        users.push(r.json["id"].as_str().unwrap().to_owned());
    }
    let r = client
        .patch(&format!("/Users/{}", users[0]), deactivate())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Down: retried, then shown failing.
    let listed = std::cell::RefCell::new(String::new());
    wait_for(
        "the endpoint shown failing",
        Duration::from_secs(60),
        || {
            *listed.borrow_mut() = webhook_list(&db);
            listed.borrow().contains("failing")
        },
    )
    .await;
    let listed = listed.into_inner();
    assert!(listed.contains(&endpoint), "{listed}");
    assert!(listed.contains("HTTP 503"), "{listed}");
    assert!(receiver.deliveries().len() >= 3);
    assert!(receiver.accepted().is_empty());

    // A restart while the receiver is still down; more changes after it.
    assert!(server.terminate().success());
    let server = Server::start(&db, FAST);
    let client = Client::new(server.tenant_url(&tenant), &token);
    let group = client
        .post(
            "/Groups",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "g"}),
        )
        .await;
    assert_eq!(group.status, 201, "{}", group.text);
    let gid = group.json["id"].as_str().unwrap().to_owned();
    let r = client
        .patch(&format!("/Groups/{gid}"), add_member(&users[1]))
        .await;
    assert!(r.status < 300, "{}", r.text);
    let r = client
        .send("DELETE", &format!("/Users/{}", users[2]), None)
        .await
        .unwrap();
    assert_eq!(r.status, 204, "{}", r.text);

    // Back up: everything arrives, once accepted, in feed order, signed.
    receiver.set_mode(Mode::Up);
    let want = feed(&db, Some(&tenant), None);
    assert_eq!(want.len(), 8, "{want:?}");
    wait_for("every record delivered", Duration::from_secs(60), || {
        receiver.accepted().len() >= want.len()
    })
    .await;
    let got: Vec<Value> = receiver.accepted().into_iter().map(|d| d.body).collect();
    assert_eq!(got, want, "delivered != the feed");
    for d in receiver.deliveries() {
        assert!(d.verified, "a delivery that does not verify: {d:?}");
        assert_eq!(d.id, format!("msg_{}", d.body["cursor"].as_str().unwrap()));
    }
    let kinds: Vec<&str> = got.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    for k in ["created", "deactivated", "membersAdded", "deleted"] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    wait_for("the endpoint ok again", Duration::from_secs(30), || {
        let l = webhook_list(&db);
        l.contains(" ok") && l.contains(got.last().unwrap()["cursor"].as_str().unwrap())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn add_refuses_other_schemes_unknown_tenants_and_too_many_endpoints() {
    let db = Db::sqlite();
    let (tenant, _) = add_tenant(&db, "Contoso");
    for url in [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "example.com/hook",
    ] {
        let (ok, _, err) = cli(&db, &["webhook", "add", "--tenant", &tenant, "--url", url]);
        assert!(!ok, "{url} accepted");
        assert!(err.contains("http"), "{url}: {err}");
    }
    let (ok, _, err) = cli(
        &db,
        &[
            "webhook",
            "add",
            "--tenant",
            "nope",
            "--url",
            "http://127.0.0.1:1/h",
        ],
    );
    assert!(!ok && err.contains("no tenant"), "{err}");

    // --webhook-max-per-tenant at its edge.
    let limit = ["--webhook-max-per-tenant", "2"];
    for _ in 0..2 {
        let (ok, _, err) = cli(
            &db,
            &[
                &limit[..],
                &[
                    "webhook",
                    "add",
                    "--tenant",
                    &tenant,
                    "--url",
                    "http://127.0.0.1:1/h",
                ],
            ]
            .concat(),
        );
        assert!(ok, "{err}");
    }
    let (ok, _, err) = cli(
        &db,
        &[
            &limit[..],
            &[
                "webhook",
                "add",
                "--tenant",
                &tenant,
                "--url",
                "http://127.0.0.1:1/h",
            ],
        ]
        .concat(),
    );
    assert!(!ok && err.contains("--webhook-max-per-tenant"), "{err}");

    // remove, and list shows no secret.
    let listed = webhook_list(&db);
    assert!(!listed.contains("whsec_"), "{listed}");
    let id = listed
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let (ok, out, _) = cli(&db, &["webhook", "remove", &id]);
    assert!(ok, "{out}");
    assert!(!webhook_list(&db).contains(&id));
    let (ok, _, err) = cli(&db, &["webhook", "remove", &id]);
    assert!(!ok && err.contains("no webhook endpoint"), "{err}");
}

/// `--webhook-timeout`: an endpoint slower than it fails the attempt; the
/// record is retried and arrives once the endpoint is fast.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_endpoint_times_out_and_is_retried() {
    // Not next to the load tests: retries and timeouts here are short.
    let _heavy = crate::harness::HEAVY.lock().await;
    let db = Db::sqlite();
    let (tenant, token) = add_tenant(&db, "Contoso");
    let receiver = Receiver::start(Mode::Slow(Duration::from_secs(3))).await;
    let (_, secret) = add_webhook(&db, &tenant, &receiver.url);
    receiver.set_secret(&secret);
    let args = [FAST, &["--webhook-timeout", "300ms"]].concat();
    let server = Server::start(&db, &args);
    let client = Client::new(server.tenant_url(&tenant), &token);
    assert_eq!(
        client.post("/Users", user("a@example.com")).await.status,
        201
    );
    wait_for("a timed-out attempt", Duration::from_secs(60), || {
        webhook_list(&db).contains("timed out")
    })
    .await;
    receiver.set_mode(Mode::Up);
    wait_for("the record delivered", Duration::from_secs(60), || {
        !receiver.accepted().is_empty()
    })
    .await;
    assert_eq!(receiver.accepted()[0].body["kind"], "created");
}

/// `--webhook-max-body`: a membership change larger than it arrives in
/// parts that each fit, every member once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_large_membership_change_arrives_in_parts_under_the_body_limit() {
    // Not next to the load tests: retries and timeouts here are short.
    let _heavy = crate::harness::HEAVY.lock().await;
    let db = Db::sqlite();
    let (tenant, token) = add_tenant(&db, "Contoso");
    let receiver = Receiver::start(Mode::Up).await;
    let (_, secret) = add_webhook(&db, &tenant, &receiver.url);
    receiver.set_secret(&secret);
    let args = [FAST, &["--webhook-max-body", "1024"]].concat();
    let server = Server::start(&db, &args);
    let client = Client::new(server.tenant_url(&tenant), &token);
    let mut ids = Vec::new();
    for i in 0..60 {
        let r = client
            .post("/Users", user(&format!("m{i}@example.com")))
            .await;
        ids.push(r.json["id"].as_str().unwrap().to_owned());
    }
    let g = client
        .post(
            "/Groups",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "big"}),
        )
        .await;
    let gid = g.json["id"].as_str().unwrap().to_owned();
    let values: Vec<Value> = ids.iter().map(|i| json!({"value": i})).collect();
    let r = client
        .patch(
            &format!("/Groups/{gid}"),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "members", "value": values}],
            }),
        )
        .await;
    assert!(r.status < 300, "{}", r.text);
    wait_for("the membership parts", Duration::from_secs(60), || {
        receiver
            .accepted()
            .iter()
            .any(|d| d.body["kind"] == "membersAdded" && d.body["part"] == d.body["parts"])
    })
    .await;
    let parts: Vec<_> = receiver
        .deliveries()
        .into_iter()
        .filter(|d| d.body["kind"] == "membersAdded")
        .collect();
    assert!(parts.len() > 1, "not split: {}", parts.len());
    let mut members = Vec::new();
    for p in &parts {
        assert!(p.verified);
        assert!(serde_json::to_vec(&p.body).unwrap().len() <= 1024);
        for m in p.body["members"].as_array().unwrap() {
            members.push(m.as_str().unwrap().to_owned());
        }
    }
    let mut want = ids.clone();
    want.sort();
    members.sort();
    assert_eq!(members, want);
}
