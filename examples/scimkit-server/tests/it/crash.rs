//! `kill -9` during a write load on SQLite: after a restart on the same
//! file, every acknowledged create is there and the database is intact.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::Connection;

use crate::harness::{Client, Db, Server, add_tenant, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9() {
    let _heavy = crate::harness::HEAVY.lock().await;
    let db = Db::sqlite();
    let (id, token) = add_tenant(&db, "Contoso");
    let mut server = Server::start(&db, &[]);
    let client = Client::new(server.tenant_url(&id), &token);
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..8 {
        let (c, acked) = (client.clone(), acked.clone());
        tasks.spawn(async move {
            for n in 0.. {
                match c
                    .send(
                        "POST",
                        "/Users",
                        Some(&user(&format!("w{w}n{n}@example.com"))),
                    )
                    .await
                {
                    Ok(r) if r.status == 201 => {
                        acked
                            .lock()
                            .unwrap()
                            .push(r.json["id"].as_str().unwrap().to_owned());
                    }
                    Ok(r) => panic!("unexpected {}: {}", r.status, r.text),
                    Err(_) => break, // the server is gone
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill(); // SIGKILL, mid-load
    while tasks.join_next().await.is_some() {}
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "only {} writes before the kill",
        acked.len()
    );

    // The file opens cleanly.
    let path = db.sqlite_path().unwrap().display().to_string();
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    c.close().await.unwrap();

    let server = Server::start(&db, &[]);
    let client = Client::new(server.tenant_url(&id), &token);
    let mut missing = Vec::new();
    for uid in &acked {
        if client.get(&format!("/Users/{uid}")).await.status != 200 {
            missing.push(uid.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged creates lost",
        missing.len(),
        acked.len()
    );
}
