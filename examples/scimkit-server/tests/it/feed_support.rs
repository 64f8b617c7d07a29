//! What the feed and webhook tests share: reading the feed through the
//! binary, a follower process, a webhook receiver, waiting for a condition.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use scimkit_server::standard_webhooks::{DEFAULT_TOLERANCE, Signed, WebhookSecret};
use serde_json::Value;

use crate::harness::{BIN, Db, cli};

/// The feed as `events --format jsonl` prints it (of one tenant, or all).
pub(crate) fn feed(db: &Db, tenant: Option<&str>, after: Option<&str>) -> Vec<Value> {
    let mut args = vec!["events", "--format", "jsonl"];
    if let Some(t) = tenant {
        args.extend(["--tenant", t]);
    }
    if let Some(a) = after {
        args.extend(["--after", a]);
    }
    let (ok, out, err) = cli(db, &args);
    assert!(ok, "events failed: {err}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Polls `check` every 50 ms until it holds; panics with `what` after
/// `limit` (a safety net against a hang, not a performance bound).
pub(crate) async fn wait_for(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `events --follow --format jsonl` running as its own process, its lines
/// collected.
pub(crate) struct Follower {
    child: Child,
    pub(crate) lines: Arc<Mutex<Vec<String>>>,
}

impl Follower {
    pub(crate) fn start(db: &Db, extra: &[&str]) -> Follower {
        let mut child = Command::new(BIN)
            .arg("--database-url")
            .arg(db.url())
            .args(["events", "--follow", "--format", "jsonl"])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        Follower { child, lines }
    }

    pub(crate) fn records(&self) -> Vec<Value> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// SIGTERM, then the exit status.
    pub(crate) fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One delivery as received.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) id: String,
    pub(crate) body: Value,
    /// Did its signature verify (with the secret given to the receiver)?
    pub(crate) verified: bool,
    /// Was it answered 2xx?
    pub(crate) accepted: bool,
}

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Down,
    Up,
    /// Answers after this long (to trip the attempt timeout).
    Slow(Duration),
}

/// A webhook receiver on 127.0.0.1 (axum).
#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    state: Arc<ReceiverState>,
}

struct ReceiverState {
    mode: Mutex<Mode>,
    secret: Mutex<Option<WebhookSecret>>,
    got: Mutex<Vec<Delivery>>,
}

impl Receiver {
    pub(crate) async fn start(mode: Mode) -> Receiver {
        let state = Arc::new(ReceiverState {
            mode: Mutex::new(mode),
            secret: Mutex::new(None),
            got: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, state }
    }

    pub(crate) fn set_secret(&self, secret: &str) {
        *self.state.secret.lock().unwrap() = Some(WebhookSecret::parse(secret).unwrap());
    }

    pub(crate) fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.state.got.lock().unwrap().clone()
    }

    /// The bodies answered 2xx, first delivery of each message id only.
    pub(crate) fn accepted(&self) -> Vec<Delivery> {
        let mut seen = std::collections::BTreeSet::new();
        self.deliveries()
            .into_iter()
            .filter(|d| d.accepted && seen.insert(d.id.clone()))
            .collect()
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let mode = *state.mode.lock().unwrap();
    if let Mode::Slow(d) = mode {
        tokio::time::sleep(d).await;
    }
    let now = chrono::Utc::now().timestamp();
    let verified = match (
        state.secret.lock().unwrap().as_ref(),
        Signed::from_headers(&headers),
    ) {
        (Some(secret), Ok(signed)) => secret
            .verify(&signed, &body, now, DEFAULT_TOLERANCE)
            .is_ok(),
        _ => false,
    };
    let json_type =
        headers.get("content-type").and_then(|v| v.to_str().ok()) == Some("application/json");
    let accepted = mode == Mode::Up;
    state.got.lock().unwrap().push(Delivery {
        id: headers
            .get("webhook-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        verified: verified && json_type,
        accepted,
    });
    if accepted {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}
