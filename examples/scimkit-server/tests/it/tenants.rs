//! Tenants: first start, the `tenant` subcommands, and a token opening only
//! its own tenant's URL.

use std::time::Duration;

use crate::harness::{Client, Db, Server, add_tenant, cli, labelled, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_creates_a_tenant_and_prints_its_credentials() {
    let db = Db::sqlite();
    let server = Server::start(&db, &["--base-url", "https://scim.example.com/"]);
    let url = labelled(&server.stdout, "Tenant URL:")
        .expect("a Tenant URL line")
        .to_owned();
    let token = labelled(&server.stdout, "Secret Token:")
        .expect("a Secret Token line")
        .to_owned();
    let id = url
        .strip_prefix("https://scim.example.com/tenants/")
        .and_then(|r| r.strip_suffix("/scim/v2"))
        .unwrap_or_else(|| panic!("Tenant URL under --base-url: {url}"));
    assert!(server.stdout.contains("Provisioning"), "{}", server.stdout);

    let client = Client::new(server.tenant_url(id), &token);
    let created = client.post("/Users", user("first@example.com")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let location = created.headers["location"].to_str().unwrap();
    assert!(
        location.starts_with(&url),
        "Location {location} under the public URL {url}"
    );

    // A restart does not create another tenant, nor print a token.
    drop(server);
    let again = Server::start(&db, &[]);
    assert!(!again.stdout.contains("Secret Token"), "{}", again.stdout);
    let (ok, list, _) = cli(&db, &["tenant", "list"]);
    assert!(ok);
    assert!(list.contains(id) && !list.contains(&token), "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_opens_only_its_own_tenant() {
    let db = Db::sqlite();
    let (a, token_a) = add_tenant(&db, "Contoso");
    let (b, token_b) = add_tenant(&db, "Fabrikam");
    let server = Server::start(&db, &[]);
    let a_ok = Client::new(server.tenant_url(&a), &token_a);
    let a_with_b = Client::new(server.tenant_url(&a), &token_b);
    let b_ok = Client::new(server.tenant_url(&b), &token_b);
    let nobody = Client::new(server.tenant_url("no-such-tenant"), &token_a);
    let no_token = Client::new(server.tenant_url(&a), "");

    assert_eq!(
        a_ok.post("/Users", user("same@example.com")).await.status,
        201
    );
    // Tenants are isolated: the same userName is free in b, and b sees nothing of a.
    assert_eq!(
        b_ok.post("/Users", user("same@example.com")).await.status,
        201
    );
    let listed = b_ok.get("/Users").await;
    assert_eq!(listed.json["totalResults"], 1, "{}", listed.text);

    for (who, client) in [
        ("b's token on a", &a_with_b),
        ("unknown tenant", &nobody),
        ("no token", &no_token),
    ] {
        let r = client.get("/Users").await;
        assert_eq!(r.status, 401, "{who}: {}", r.text);
        assert!(r.headers.contains_key("www-authenticate"), "{who}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_and_removed_tokens_stop_working_promptly() {
    let db = Db::sqlite();
    let (id, old) = add_tenant(&db, "Contoso");
    let server = Server::start(&db, &[]);
    let before = Client::new(server.tenant_url(&id), &old);
    assert_eq!(before.get("/Users").await.status, 200);

    // Plain rotation: the old token stops as soon as the command returns.
    let (ok, out, err) = cli(&db, &["tenant", "rotate-token", &id]);
    assert!(ok, "{err}");
    let new = labelled(&out, "Secret Token:").unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(before.get("/Users").await.status, 401);
    let after = Client::new(server.tenant_url(&id), &new);
    assert_eq!(after.get("/Users").await.status, 200);

    // With --keep-old-for, both work (until then).
    let (ok, out, err) = cli(
        &db,
        &["tenant", "rotate-token", &id, "--keep-old-for", "1h"],
    );
    assert!(ok, "{err}");
    assert!(out.contains("keeps working until"), "{out}");
    let newest = labelled(&out, "Secret Token:").unwrap().to_owned();
    let newest = Client::new(server.tenant_url(&id), &newest);
    assert_eq!(after.get("/Users").await.status, 200, "the kept old token");
    assert_eq!(newest.get("/Users").await.status, 200);
    let (ok, _, err) = cli(
        &db,
        &[
            "tenant",
            "rotate-token",
            &id,
            "--keep-old-for",
            "1 fortnight",
        ],
    );
    assert!(!ok && err.contains("not a duration"), "{err}");

    // Removal: the next request with the token is refused.
    let (ok, _, err) = cli(&db, &["tenant", "remove", &id]);
    assert!(ok, "{err}");
    assert_eq!(newest.get("/Users").await.status, 401);
    assert_eq!(after.get("/Users").await.status, 401);
    let (ok, list, _) = cli(&db, &["tenant", "list"]);
    assert!(ok && !list.contains(&id), "{list}");
    let (ok, _, err) = cli(&db, &["tenant", "remove", &id]);
    assert!(!ok && err.contains("no tenant"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_shuts_down_cleanly_and_keeps_writes() {
    let db = Db::sqlite();
    let (id, token) = add_tenant(&db, "Contoso");
    let mut server = Server::start(&db, &[]);
    let client = Client::new(server.tenant_url(&id), &token);
    let created = client.post("/Users", user("kept@example.com")).await;
    assert_eq!(created.status, 201);
    let status = server.terminate();
    assert!(status.success(), "exit {status:?}: {}", server.log());
    let wal = db.sqlite_path().unwrap().with_extension("db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "the WAL is checkpointed on shutdown");

    let server = Server::start(&db, &[]);
    let client = Client::new(server.tenant_url(&id), &token);
    let id = created.json["id"].as_str().unwrap();
    assert_eq!(client.get(&format!("/Users/{id}")).await.status, 200);
}

/// Rows of tenant `id` left in any table.
async fn rows_of(db: &Db, id: &str) -> i64 {
    use sqlx::Connection as _;
    let tables = [
        "resources",
        "resource_emails",
        "group_members",
        "unique_values",
    ];
    let mut total = 0i64;
    match db.sqlite_path() {
        Some(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            for t in tables {
                let (n,): (i64,) =
                    sqlx::query_as(&format!("SELECT count(*) FROM {t} WHERE tenant_id = ?"))
                        .bind(id)
                        .fetch_one(&mut c)
                        .await
                        .unwrap();
                total += n;
            }
            let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM tenants WHERE id = ?")
                .bind(id)
                .fetch_one(&mut c)
                .await
                .unwrap();
            total + n
        }
        None => {
            let mut c = sqlx::PgConnection::connect(&db.url()).await.unwrap();
            for t in tables {
                let (n,): (i64,) =
                    sqlx::query_as(&format!("SELECT count(*) FROM {t} WHERE tenant_id = $1"))
                        .bind(id)
                        .fetch_one(&mut c)
                        .await
                        .unwrap();
                total += n;
            }
            let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM tenants WHERE id = $1")
                .bind(id)
                .fetch_one(&mut c)
                .await
                .unwrap();
            total + n
        }
    }
}

/// How many creates the racing writer attempts at most.
const RACING_CREATES: usize = 300;

/// `tenant remove` while a client creates users as fast as it can: once
/// the command has returned, the token gets 401 and no row of the tenant
/// is left, whichever way the race went.
async fn removal_races_writes(db: Db) {
    let (id, token) = add_tenant(&db, "Doomed");
    let server = Server::start(&db, &[]);
    let client = Client::new(server.tenant_url(&id), &token);
    // Something in every table: e-mails, unique userName, a member row.
    let u = client.post("/Users", user("first@example.com")).await;
    assert_eq!(u.status, 201, "{}", u.text);
    let uid = u.json["id"].as_str().unwrap().to_owned();
    let g = client
        .post(
            "/Groups",
            serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Doomed", "members": [{"value": uid}]}),
        )
        .await;
    assert_eq!(g.status, 201, "{}", g.text);

    let writer = {
        let client = client.clone();
        tokio::spawn(async move {
            let mut created = 0;
            for i in 0..RACING_CREATES {
                let r = client
                    .post("/Users", user(&format!("race{i}@example.com")))
                    .await;
                match r.status {
                    201 => created += 1,
                    401 => break,
                    s => panic!("a racing create got {s}: {}", r.text),
                }
            }
            created
        })
    };
    // Let some creates land first.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let url = db.url();
    let removed = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_scimkit-server"))
            .args(["--database-url", &url, "tenant", "remove", &id])
            .env("RUST_LOG", "warn")
            .output()
            .map(|o| {
                (
                    o.status.success(),
                    String::from_utf8_lossy(&o.stderr).into_owned(),
                    id,
                )
            })
    })
    .await
    .unwrap()
    .unwrap();
    let (ok, err, id) = removed;
    assert!(ok, "{err}");
    // The command has returned: the very next request is refused.
    let r = client.post("/Users", user("after@example.com")).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(client.get("/Users").await.status, 401);
    let created = writer.await.unwrap();
    assert!(created > 0, "no create landed before the removal");
    assert_eq!(
        rows_of(&db, &id).await,
        0,
        "rows of the removed tenant remain"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_racing_writes_leaves_nothing_sqlite() {
    removal_races_writes(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_racing_writes_leaves_nothing_postgres() {
    removal_races_writes(Db::postgres().await).await;
}
