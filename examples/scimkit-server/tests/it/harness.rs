//! Spawning the server binary, databases per test, an HTTP client.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use sqlx::Connection;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_scimkit-server");

/// Held by the tests that load the machine (concurrent writers, kill -9),
/// so they do not run at once and time each other out on a small machine.
pub(crate) static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A database for one test: a temporary SQLite file, or a fresh PostgreSQL
/// database that is dropped with this value.
pub(crate) enum Db {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn postgres_admin_url() -> String {
    std::env::var("SCIMKIT_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

impl Db {
    pub(crate) fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scimkit.db");
        Db::Sqlite { _dir: dir, path }
    }

    pub(crate) async fn postgres() -> Db {
        let admin_url = postgres_admin_url();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "scimkit_e2e_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut c = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL at {admin_url} (set SCIMKIT_TEST_POSTGRES_URL): {e}")
            });
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
        let url = with_database(&admin_url, &name);
        Db::Postgres {
            admin_url,
            name,
            url,
        }
    }

    pub(crate) fn url(&self) -> String {
        match self {
            Db::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            Db::Postgres { url, .. } => url.clone(),
        }
    }

    pub(crate) fn sqlite_path(&self) -> Option<&PathBuf> {
        match self {
            Db::Sqlite { path, .. } => Some(path),
            Db::Postgres { .. } => None,
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Db::Postgres {
            admin_url, name, ..
        } = self
        {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime: use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .execute(&mut c)
                        .await;
                        let _ = c.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// Runs a one-shot subcommand and returns (success, stdout, stderr).
pub(crate) fn cli(db: &Db, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .arg("--database-url")
        .arg(db.url())
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The value after `label` on its line of `text`.
pub(crate) fn labelled<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(label))
        .map(str::trim)
}

/// `tenant add NAME`: the tenant's id and token.
pub(crate) fn add_tenant(db: &Db, name: &str) -> (String, String) {
    let (ok, out, err) = cli(db, &["tenant", "add", name]);
    assert!(ok, "tenant add failed: {err}");
    let url = labelled(&out, "Tenant URL:").expect("a Tenant URL line");
    let token = labelled(&out, "Secret Token:").expect("a Secret Token line");
    let id = url
        .split("/tenants/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("a tenant id in the URL");
    assert_eq!(token.len(), 64, "a 256-bit token in hex: {token}");
    (id.to_owned(), token.to_owned())
}

/// A running server process, killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) origin: String,
    pub(crate) stdout: String,
    _log_dir: tempfile::TempDir,
}

impl Server {
    pub(crate) fn start(db: &Db, extra: &[&str]) -> Server {
        let level = std::env::var("SCIMKIT_E2E_LOG").unwrap_or_else(|_| "warn".into());
        Server::start_logging(db, extra, &level)
    }

    /// [`Server::start`] with this `RUST_LOG`.
    pub(crate) fn start_logging(db: &Db, extra: &[&str], rust_log: &str) -> Server {
        let log_dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(log_dir.path().join("server.log")).unwrap();
        let mut child = Command::new(BIN)
            .arg("--database-url")
            .arg(db.url())
            .args(["--bind", "127.0.0.1:0"])
            .args(extra)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut seen = String::new();
            let mut lines = BufReader::new(stdout).lines();
            for line in lines.by_ref() {
                let Ok(line) = line else { break };
                seen.push_str(&line);
                seen.push('\n');
                if line.starts_with("Listening on ") {
                    let _ = tx.send(seen.clone());
                    break;
                }
            }
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let mut server = Server {
            child,
            origin: String::new(),
            stdout: String::new(),
            _log_dir: log_dir,
        };
        let seen = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the server did not start: {}", server.log()));
        let origin = labelled(&seen, "Listening on").unwrap().to_owned();
        server.origin = origin;
        server.stdout = seen;
        server
    }

    pub(crate) fn tenant_url(&self, tenant: &str) -> String {
        format!("{}/tenants/{tenant}/scim/v2", self.origin)
    }

    /// The server's log (stderr) so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self._log_dir.path().join("server.log")).unwrap_or_default()
    }

    /// SIGKILL.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for a clean exit.
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

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP client for one tenant.
#[derive(Clone)]
pub(crate) struct Client {
    http: reqwest::Client,
    pub(crate) base: String,
    token: String,
}

/// A response: status, headers, parsed body (`Null` when empty).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) text: String,
    pub(crate) json: serde_json::Value,
}

impl Client {
    pub(crate) fn new(base: String, token: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base,
            token: token.to_owned(),
        }
    }

    /// Sends `method` to `base + path` (the path is sent as written).
    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(serde_json::to_vec(b).unwrap());
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await?;
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
        };
        Ok(Reply {
            status,
            headers,
            text,
            json,
        })
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await.unwrap()
    }

    pub(crate) async fn post(&self, path: &str, body: serde_json::Value) -> Reply {
        self.send("POST", path, Some(&body)).await.unwrap()
    }

    pub(crate) async fn patch(&self, path: &str, body: serde_json::Value) -> Reply {
        self.send("PATCH", path, Some(&body)).await.unwrap()
    }
}

/// A minimal user.
pub(crate) fn user(user_name: &str) -> serde_json::Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "active": true,
    })
}

/// A PATCH adding one member.
pub(crate) fn add_member(id: &str) -> serde_json::Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}],
    })
}

#[test]
fn database_urls_get_their_name_replaced() {
    let cases = [
        (
            "postgres://postgres@127.0.0.1:5432/test",
            "postgres://postgres@127.0.0.1:5432/x",
        ),
        (
            "postgres://u:p@h/test?sslmode=disable",
            "postgres://u:p@h/x?sslmode=disable",
        ),
        ("postgres://h", "postgres://h/x"),
    ];
    for (url, want) in cases {
        assert_eq!(with_database(url, "x"), want, "{url}");
    }
}
