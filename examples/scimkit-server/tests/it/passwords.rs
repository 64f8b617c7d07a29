//! `password` at rest through the server (RFC 7643 §4.1.1): the database
//! files never hold a password in clear; `--password-storage` and the
//! Argon2 flags are honoured; unusable Argon2 parameters stop the start.

use std::process::Command;

use serde_json::json;

use crate::harness::{BIN, Client, Db, Server, add_tenant};

/// Every byte of the SQLite database (main file and WAL).
fn database_bytes(db: &Db) -> Vec<u8> {
    let path = db.sqlite_path().unwrap();
    let mut out = std::fs::read(path).unwrap();
    let wal = format!("{}-wal", path.display());
    out.extend(std::fs::read(wal).unwrap_or_default());
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_are_stored_as_the_policy_says() {
    // (flags, the clear password may be in the database, a hash is)
    let cases: [(&[&str], bool, bool); 3] = [
        (&[], false, true),
        (&["--password-storage", "drop"], false, false),
        (&["--password-storage", "keep"], true, false),
    ];
    for (flags, clear, hashed) in cases {
        let db = Db::sqlite();
        let (tenant, token) = add_tenant(&db, "Contoso");
        let mut args = vec!["--argon2-memory-kib", "8", "--argon2-iterations", "1"];
        args.extend_from_slice(flags);
        let server = Server::start(&db, &args);
        let c = Client::new(server.tenant_url(&tenant), &token);
        let created = c
            .post(
                "/Users",
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                       "userName": "pw@example.com", "password": "Clear-Text-Pw-1"}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        assert!(
            !created.text.contains("Clear-Text-Pw-1"),
            "{}",
            created.text
        );
        let bytes = database_bytes(&db);
        assert_eq!(contains(&bytes, "Clear-Text-Pw-1"), clear, "{flags:?}");
        // The user's document holds the hash (the console's admin
        // credential, in its own table, is an Argon2id hash in every case).
        assert_eq!(
            contains(&bytes, "\"password\":\"$argon2id$v=19$m=8,t=1,p=1$"),
            hashed,
            "{flags:?}"
        );
    }
}

#[test]
fn unusable_argon2_parameters_stop_the_start() {
    let db = Db::sqlite();
    let out = Command::new(BIN)
        .args(["--database-url", &db.url(), "--bind", "127.0.0.1:0"])
        .args(["--argon2-memory-kib", "1"])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("--argon2-memory-kib"), "{err}");
}
