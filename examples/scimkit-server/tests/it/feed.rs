//! The change feed through the binary: `events` (formats, `--after`,
//! `--follow`, a closed pipe), `kill -9` under concurrent writes (every
//! acknowledged write has exactly one record, a resuming reader sees no
//! gap), and two server processes on one PostgreSQL followed live.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use serde_json::{Value, json};

use crate::feed_support::{Follower, feed, wait_for};
use crate::harness::{BIN, Client, Db, Server, add_tenant, user};

/// One acknowledged write: (resource id, kind, version).
type Acked = (String, String, String);

/// `W/"3"` -> `3`.
fn version_of(r: &Value) -> String {
    r["meta"]["version"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("W/")
        .trim_matches('"')
        .to_owned()
}

fn patch_active(active: bool) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": active}],
    })
}

fn patch_name(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "displayName", "value": name}],
    })
}

/// One client's writes: create a user, rename it, deactivate it, reactivate
/// it, with random pauses; each 2xx recorded. Stops at the first transport
/// error (the server is gone) or after `rounds`.
async fn writer(c: Client, tag: String, rounds: usize, acked: Arc<Mutex<Vec<Acked>>>) {
    for n in 0..rounds {
        let pause = rand::thread_rng().gen_range(0..4);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let Ok(r) = c
            .send(
                "POST",
                "/Users",
                Some(&user(&format!("{tag}n{n}@example.com"))),
            )
            .await
        else {
            return;
        };
        // A 503 (the machine is busy) is not acknowledged: nothing to check.
        if r.status == 503 {
            continue;
        }
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json["id"].as_str().unwrap().to_owned();
        acked
            .lock()
            .unwrap()
            .push((id.clone(), "created".into(), version_of(&r.json)));
        let steps = [
            ("updated", patch_name(&format!("{tag} {n}"))),
            ("deactivated", patch_active(false)),
            ("reactivated", patch_active(true)),
        ];
        for (kind, body) in steps {
            let Ok(r) = c.send("PATCH", &format!("/Users/{id}"), Some(&body)).await else {
                return;
            };
            if r.status == 503 {
                break;
            }
            assert_eq!(r.status, 200, "{}", r.text);
            acked
                .lock()
                .unwrap()
                .push((id.clone(), kind.into(), version_of(&r.json)));
        }
    }
}

/// Every acknowledged write has exactly one record of its kind and
/// version; each resource's records are in version order; records of
/// unknown resources are at most the creates in flight.
fn check_records(records: &[Value], acked: &[Acked], in_flight: usize) {
    let mut by_write: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    let mut versions: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in records {
        let id = r["id"].as_str().unwrap().to_owned();
        let v = r["version"].as_str().unwrap_or_default().to_owned();
        by_write.entry((id.clone(), v.clone())).or_default().push(r);
        versions.entry(id).or_default().push(v.parse().unwrap_or(0));
    }
    for (id, kind, version) in acked {
        let found = by_write
            .get(&(id.clone(), version.clone()))
            .unwrap_or_else(|| panic!("no record of acknowledged {kind} {id} v{version}"));
        assert_eq!(
            found.len(),
            1,
            "{} records of {kind} {id} v{version}",
            found.len()
        );
        assert_eq!(found[0]["kind"], kind.as_str(), "{id} v{version}");
    }
    for (id, vs) in &versions {
        assert!(
            vs.windows(2).all(|w| w[0] < w[1]),
            "{id} out of version order: {vs:?}"
        );
    }
    let known: std::collections::BTreeSet<&str> = acked.iter().map(|a| a.0.as_str()).collect();
    let unknown: Vec<&Value> = records
        .iter()
        .filter(|r| !known.contains(r["id"].as_str().unwrap()))
        .collect();
    assert!(
        unknown.len() <= in_flight && unknown.iter().all(|r| r["kind"] == "created"),
        "records of writes nobody made: {unknown:?}"
    );
    let cursors: Vec<&str> = records
        .iter()
        .map(|r| r["cursor"].as_str().unwrap())
        .collect();
    assert!(
        cursors.windows(2).all(|w| w[0] < w[1]),
        "cursors not increasing"
    );
}

async fn kill_9_under_load(db: Db) {
    let _heavy = crate::harness::HEAVY.lock().await;
    let (tenant, token) = add_tenant(&db, "Contoso");
    let mut server = Server::start(&db, &[]);
    let mut follower = Follower::start(&db, &["--tenant", &tenant]);
    let client = Client::new(server.tenant_url(&tenant), &token);
    let acked = Arc::new(Mutex::new(Vec::new()));
    let workers = 8;
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..workers {
        tasks.spawn(writer(
            client.clone(),
            format!("w{w}"),
            10_000,
            acked.clone(),
        ));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill(); // SIGKILL, mid-load
    while let Some(t) = tasks.join_next().await {
        t.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "only {} writes before the kill",
        acked.len()
    );

    // Restart; a few more writes.
    let server = Server::start(&db, &[]);
    let client = Client::new(server.tenant_url(&tenant), &token);
    let more = Arc::new(Mutex::new(Vec::new()));
    writer(client, "after".into(), 2, more.clone()).await;
    let acked: Vec<Acked> = acked
        .into_iter()
        .chain(more.lock().unwrap().clone())
        .collect();

    let all = feed(&db, Some(&tenant), None);
    check_records(&all, &acked, workers);

    // The follower, stopped wherever it was, resumes from its last cursor:
    // what it saw and what it reads then is the feed, no gap, nothing new.
    assert!(follower.terminate().success());
    let seen = follower.records();
    let last = seen
        .last()
        .map(|r| r["cursor"].as_str().unwrap().to_owned());
    let rest = feed(&db, Some(&tenant), last.as_deref());
    let resumed: Vec<Value> = seen.into_iter().chain(rest).collect();
    assert_eq!(resumed, all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_have_one_record_each_after_kill_9_sqlite() {
    kill_9_under_load(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_have_one_record_each_after_kill_9_postgres() {
    kill_9_under_load(Db::postgres().await).await;
}

/// Two processes write to one PostgreSQL database at once (many clients on
/// each, random pauses) while `events --follow` follows: what it printed is
/// exactly the feed, nothing skipped, nothing invented.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_follower_misses_nothing_while_two_processes_write_to_postgres() {
    let _heavy = crate::harness::HEAVY.lock().await;
    let db = Db::postgres().await;
    let (tenant, token) = add_tenant(&db, "Contoso");
    let one = Server::start(&db, &[]);
    let two = Server::start(&db, &[]);
    let mut follower = Follower::start(&db, &["--tenant", &tenant]);
    let clients = [
        Client::new(one.tenant_url(&tenant), &token),
        Client::new(two.tenant_url(&tenant), &token),
    ];
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..16 {
        tasks.spawn(writer(
            clients[w % 2].clone(),
            format!("p{w}"),
            6,
            acked.clone(),
        ));
    }
    while let Some(t) = tasks.join_next().await {
        t.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 16 * 6, "{} acknowledged writes", acked.len());
    // A record becomes readable once no transaction that could commit a
    // lower cursor is still open: wait for the tail.
    let mut all = Vec::new();
    let start = std::time::Instant::now();
    while all.len() < acked.len() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the feed has {} records of {} acknowledged writes",
            all.len(),
            acked.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        all = feed(&db, Some(&tenant), None);
    }
    check_records(&all, &acked, 0);
    wait_for("the follower to catch up", Duration::from_secs(60), || {
        follower.lines.lock().unwrap().len() >= all.len()
    })
    .await;
    assert!(follower.terminate().success());
    assert_eq!(follower.records(), all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_prints_text_and_jsonl_and_resumes_after_a_cursor() {
    let db = Db::sqlite();
    let (tenant, token) = add_tenant(&db, "Contoso");
    let (other, other_token) = add_tenant(&db, "Fabrikam");
    let server = Server::start(&db, &[]);
    let client = Client::new(server.tenant_url(&tenant), &token);
    let r = client.post("/Users", user("a@example.com")).await;
    let id = r.json["id"].as_str().unwrap().to_owned();
    client
        .patch(&format!("/Users/{id}"), patch_active(false))
        .await;
    client
        .send("DELETE", &format!("/Users/{id}"), None)
        .await
        .unwrap();
    Client::new(server.tenant_url(&other), &other_token)
        .post("/Users", user("b@example.com"))
        .await;

    let mine = feed(&db, Some(&tenant), None);
    let kinds: Vec<&str> = mine.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "deactivated", "deleted"]);
    assert_eq!(mine[0]["tenant"], tenant.as_str());
    assert_eq!(mine[0]["resourceType"], "User");
    assert_eq!(mine[0]["id"], id.as_str());
    assert!(mine[2]["version"].is_null());
    assert_eq!(mine[1]["changedAttributes"], json!(["active"]));
    assert!(mine[0]["occurredAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(feed(&db, None, None).len(), 4);
    let after = feed(&db, Some(&tenant), mine[0]["cursor"].as_str());
    assert_eq!(after, mine[1..]);

    let (ok, text, err) = crate::harness::cli(&db, &["events", "--tenant", &tenant]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].contains(&format!("User/{id}")) && lines[1].contains("deactivated"),
        "{text}"
    );

    // --feed-page at its edge: one record a read, the same output.
    let (ok, paged, err) =
        crate::harness::cli(&db, &["--feed-page", "1", "events", "--tenant", &tenant]);
    assert!(ok, "{err}");
    assert_eq!(paged, text);

    let (ok, _, err) = crate::harness::cli(&db, &["events", "--after", "bad\ncursor"]);
    assert!(!ok && err.contains("--after"), "{err}");
}

/// `--follow` prints records as they commit, ends on SIGTERM with success,
/// and a reader that closes the pipe ends it quietly.
/// `--feed-keep-resources`: records carry the resource after the change.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn records_keep_resources_when_asked() {
    let db = Db::sqlite();
    let (tenant, token) = add_tenant(&db, "Contoso");
    let server = Server::start(&db, &["--feed-keep-resources"]);
    let client = Client::new(server.tenant_url(&tenant), &token);
    client.post("/Users", user("kept@example.com")).await;
    let records = feed(&db, Some(&tenant), None);
    assert_eq!(records[0]["resource"]["userName"], "kept@example.com");
    drop(server);
    let server = Server::start(&db, &[]);
    let client = Client::new(server.tenant_url(&tenant), &token);
    client.post("/Users", user("plain@example.com")).await;
    let records = feed(&db, Some(&tenant), None);
    assert!(records[1].get("resource").is_none(), "{}", records[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_follow_streams_and_ends_cleanly() {
    let db = Db::sqlite();
    let (tenant, token) = add_tenant(&db, "Contoso");
    let server = Server::start(&db, &[]);
    let client = Client::new(server.tenant_url(&tenant), &token);
    let mut follower = Follower::start(&db, &[]);
    client.post("/Users", user("a@example.com")).await;
    wait_for("the first record", Duration::from_secs(30), || {
        !follower.lines.lock().unwrap().is_empty()
    })
    .await;
    client.post("/Users", user("b@example.com")).await;
    wait_for("the second record", Duration::from_secs(30), || {
        follower.lines.lock().unwrap().len() == 2
    })
    .await;
    assert!(follower.terminate().success());

    // A reader that goes away after one line.
    let mut child = Command::new(BIN)
        .arg("--database-url")
        .arg(db.url())
        .args(["events", "--follow", "--format", "text"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().contains("created"));
    drop(lines); // the pipe closes
    client.post("/Users", user("c@example.com")).await;
    client.post("/Users", user("d@example.com")).await;
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panic"), "{err}");
}
