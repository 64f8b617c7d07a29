//! The console in a real browser: headless Chromium driven through
//! chromedriver (WebDriver) with fantoccini. Logs in, replays Entra ID's
//! provisioning flows against the server, and checks what the pages show;
//! saves a screenshot of each page into `docs/images/console-*.png`.
//!
//! The tests skip, with a loud message, only when no `chromedriver` is on
//! `PATH` (or named by `SCIMKIT_CHROMEDRIVER`); `.ci/run` installs Debian's
//! `chromium` and `chromium-driver`, so in CI they run.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client as Browser, ClientBuilder, Locator};
use serde_json::json;

use crate::console::{admin_password, start};
use crate::harness::{Client, Db, labelled};
use crate::replay::replay;

/// An executable named `name` on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// chromedriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver, or says loudly why the browser tests skip.
fn driver() -> Option<Driver> {
    let exe = std::env::var_os("SCIMKIT_CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| on_path("chromedriver"));
    let Some(exe) = exe else {
        eprintln!(
            "\n\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!! SKIPPED: the console's browser tests need chromedriver on PATH   !!!\n\
             !!! (Debian: apt-get install chromium chromium-driver; .ci/run does) !!!\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&exe)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    })
}

/// A headless Chromium session of `width` × `height`.
async fn browser(driver: &Driver, width: u32, height: u32) -> Browser {
    let mut options = json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 format!("--window-size={width},{height}"), "--hide-scrollbars",
                 "--force-device-scale-factor=1"],
    });
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Some(p) = on_path(name) {
            options["binary"] = json!(p.display().to_string());
            break;
        }
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("cannot start headless Chromium: {e}"))
}

/// Saves the current page as `docs/images/console-{name}.png`.
async fn shot(b: &Browser, name: &str) {
    let png = b.screenshot().await.unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/images");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("console-{name}.png")), png).unwrap();
}

/// The text of the page's `<main>`.
async fn main_text(b: &Browser) -> String {
    b.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Reloads `url` until its `<main>` holds `needle` (the request log is
/// written behind the answers, in batches), at most 10 s; its text.
async fn wait_for_text(b: &Browser, url: &str, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let text = main_text(b).await;
        if text.contains(needle) || start.elapsed() > Duration::from_secs(10) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        b.goto(url).await.unwrap();
    }
}

/// Clicks the element `css` and waits until the page it loads is there
/// (the old page's root gone stale, the new one's `<main>` found).
async fn click_and_wait(b: &Browser, css: &str) {
    click_on_and_wait(b, Locator::Css(css)).await;
}

/// Clicks the element `what` finds and waits for the page it loads.
async fn click_on_and_wait(b: &Browser, what: Locator<'_>) {
    let old = b.find(Locator::Css("html")).await.unwrap();
    b.find(what).await.unwrap().click().await.unwrap();
    let start = Instant::now();
    while old.tag_name().await.is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "clicking {what:?} loaded no page"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("main"))
        .await
        .unwrap();
}

/// Logs in through the form.
async fn log_in(b: &Browser, origin: &str, password: &str) {
    b.goto(&format!("{origin}/admin")).await.unwrap();
    let field = b.find(Locator::Css("#password")).await.unwrap();
    field.send_keys(password).await.unwrap();
    click_and_wait(b, "main button[type=submit]").await;
}

fn load(name: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/tests/data/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_in_a_browser() {
    let Some(driver) = driver() else { return };
    let db = Db::sqlite();
    let server = start(&db, &[]);
    let origin = server.origin.clone();
    let password = admin_password(&server.stdout);
    let token = labelled(&server.stdout, "Secret Token:")
        .unwrap()
        .to_owned();
    let tenant_url = labelled(&server.stdout, "Tenant URL:").unwrap().to_owned();
    let tenant = tenant_url
        .split("/tenants/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let b = browser(&driver, 1100, 760).await;

    // Wrong password refused; the login page.
    log_in(&b, &origin, "not-the-password").await;
    assert!(main_text(&b).await.contains("Wrong password"));
    shot(&b, "login").await;

    // Log in; see the tenant.
    log_in(&b, &origin, &password).await;
    assert!(
        b.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/admin/tenants")
    );
    let text = main_text(&b).await;
    assert!(
        text.contains("default") && text.contains(&tenant_url),
        "{text}"
    );

    // Replay Entra ID's default flow (up to its deletes, so users and a
    // group stay) against the tenant.
    let steps = load("entra_default");
    let cut = steps.iter().position(|s| s["method"] == "DELETE").unwrap();
    let client = Client::new(tenant_url.clone(), &token);
    replay(&client, &steps[..cut]).await.unwrap();

    // Users and groups appear.
    b.goto(&format!("{origin}/admin/tenants/{tenant}/users"))
        .await
        .unwrap();
    let text = main_text(&b).await;
    for name in [
        "AdeleV@contoso.example",
        "MeganB@contoso.example",
        "AlexW@contoso.example",
    ] {
        assert!(text.contains(name), "{name} in {text}");
    }
    shot(&b, "users").await;
    // A SCIM filter narrows the list.
    let f = b.find(Locator::Css("#filter")).await.unwrap();
    f.send_keys("userName sw \"Megan\"").await.unwrap();
    click_and_wait(&b, "form.search button").await;
    let text = main_text(&b).await;
    assert!(
        text.contains("MeganB@") && !text.contains("AlexW@"),
        "{text}"
    );

    b.goto(&format!("{origin}/admin/tenants/{tenant}/groups"))
        .await
        .unwrap();
    assert!(main_text(&b).await.contains("Contoso Retail EMEA"));
    shot(&b, "groups").await;
    click_on_and_wait(&b, Locator::LinkText("Contoso Retail EMEA")).await;
    let text = main_text(&b).await;
    assert!(text.contains("Members (2)"), "{text}");
    shot(&b, "group").await;
    click_and_wait(&b, "#member-list a").await;
    let text = main_text(&b).await;
    assert!(
        text.contains("User AdeleV@contoso.example") || text.contains("User AlexW@contoso.example"),
        "a member's page: {text}"
    );

    // A user and its history.
    b.goto(&format!("{origin}/admin/tenants/{tenant}/users"))
        .await
        .unwrap();
    click_on_and_wait(&b, Locator::LinkText("AdeleV@contoso.example")).await;
    let text = main_text(&b).await;
    assert!(text.contains("User AdeleV@contoso.example"), "{text}");
    assert!(
        text.contains("\"userName\": \"AdeleV@contoso.example\""),
        "{text}"
    );
    // Its history from the change feed: created, updated, disabled and
    // enabled again (the replay's PATCHes).
    let history = b
        .find(Locator::Css("table.history"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for kind in ["created", "updated", "deactivated", "reactivated"] {
        assert!(history.contains(kind), "{kind} in the history: {history}");
    }
    shot(&b, "user").await;

    // A failed request with a leniency on the way: Entra's "False" string
    // for a boolean (bool_strings), on a userName that is taken (409).
    let dup = client
        .post(
            "/Users",
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "AdeleV@contoso.example",
                "active": "False",
            }),
        )
        .await;
    assert_eq!(dup.status, 409, "{}", dup.text);

    failed_request_in_the_log(&b, &origin, &tenant).await;

    // Rotate the token: the new one is shown once, the old one is refused.
    b.goto(&format!("{origin}/admin/tenants")).await.unwrap();
    click_and_wait(&b, "button[aria-label^='Rotate the token of default']").await;
    let new_token = b
        .find(Locator::Css("#secret-token"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(new_token.len(), 64, "{new_token}");
    shot(&b, "tenants").await;
    assert_eq!(client.get("/Users").await.status, 401, "the old token");
    let fresh = Client::new(tenant_url.clone(), &new_token);
    assert_eq!(fresh.get("/Users").await.status, 200, "the new token");
    b.goto(&format!("{origin}/admin/tenants")).await.unwrap();
    assert!(
        b.find(Locator::Css("#secret-token")).await.is_err(),
        "the token is shown only once"
    );

    // The phone layout.
    let phone = browser(&driver, 390, 800).await;
    log_in(&phone, &origin, &password).await;
    phone
        .goto(&format!("{origin}/admin/tenants/{tenant}/users"))
        .await
        .unwrap();
    assert!(main_text(&phone).await.contains("AdeleV@contoso.example"));
    shot(&phone, "phone").await;
    phone.close().await.unwrap();

    // Log out.
    click_and_wait(&b, "header button.link").await;
    b.goto(&format!("{origin}/admin/tenants")).await.unwrap();
    assert!(
        b.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/admin/login")
    );
    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refused_in_the_browser() {
    let Some(driver) = driver() else { return };
    let db = Db::sqlite();
    let server = start(&db, &["--admin-session-ttl", "1s"]);
    let password = admin_password(&server.stdout);
    let b = browser(&driver, 1100, 760).await;
    log_in(&b, &server.origin, &password).await;
    assert!(main_text(&b).await.contains("Tenants"));
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    b.goto(&format!("{}/admin/tenants", server.origin))
        .await
        .unwrap();
    assert!(
        b.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/admin/login")
    );
    assert!(main_text(&b).await.contains("Your session has expired"));
    b.close().await.unwrap();
}

/// The failed request of [`the_console_in_a_browser`] in the provisioning
/// log (with its reason and the switch that fired, under the log's
/// filters) and in the tenant's summary.
async fn failed_request_in_the_log(b: &Browser, origin: &str, tenant: &str) {
    let b = b.clone();
    // Find it in the provisioning log, filtered by status and switch.
    b.goto(&format!("{origin}/admin/tenants/{tenant}/log"))
        .await
        .unwrap();
    let text = wait_for_text(&b, &format!("{origin}/admin/tenants/{tenant}/log"), "409").await;
    assert!(text.contains("POST"), "{text}");
    shot(&b, "log").await;
    for option in [
        "#status option[value='failed']",
        "#switch option[value='bool_strings']",
    ] {
        b.find(Locator::Css(option))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    click_and_wait(&b, "form.search button").await;
    let rows = b.find_all(Locator::Css("tr.entry")).await.unwrap();
    assert!(!rows.is_empty(), "{}", main_text(&b).await);
    let first = rows[0].text().await.unwrap();
    for want in ["POST", "409", "uniqueness", "bool_strings"] {
        assert!(
            first.contains(want),
            "{want} in the failed request's row: {first}"
        );
    }
    for row in &rows {
        let t = row.text().await.unwrap();
        assert!(
            t.contains("bool_strings"),
            "only rows where the switch fired: {t}"
        );
    }

    // The summary: the last request, the failures of the last hour, the
    // most frequent errors.
    b.goto(&format!("{origin}/admin/tenants/{tenant}"))
        .await
        .unwrap();
    let text = main_text(&b).await;
    assert!(text.contains("POST /tenants/"), "the last request: {text}");
    let failures = b
        .find(Locator::Css("#failures-last-hour"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!failures.starts_with("0 "), "{failures}");
    assert!(
        text.contains("Most frequent errors") && text.contains("uniqueness"),
        "{text}"
    );
    shot(&b, "summary").await;
}
