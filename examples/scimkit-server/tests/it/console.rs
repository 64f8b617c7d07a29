//! The console's security over plain HTTP (the browser tests in
//! `console_browser.rs` show the pages): the admin password printed once
//! and reset, wrong passwords, login rate limits at their edge, cookie
//! flags, forged form posts, session expiry and the session bound, the form
//! body limit.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::harness::{Db, Server, cli, labelled};

/// Cheap Argon2 parameters for the admin password (a debug build hashes
/// the defaults slowly).
pub(crate) const CHEAP: [&str; 4] = ["--argon2-memory-kib", "8", "--argon2-iterations", "1"];

/// [`Server::start`] with [`CHEAP`] hashing.
pub(crate) fn start(db: &Db, extra: &[&str]) -> Server {
    let mut args: Vec<&str> = CHEAP.to_vec();
    args.extend_from_slice(extra);
    Server::start(db, &args)
}

/// A console client that keeps its cookies by hand and follows no redirect.
pub(crate) struct Admin {
    http: reqwest::Client,
    origin: String,
    cookies: Vec<(String, String)>,
}

/// What a console request answered.
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) location: String,
    pub(crate) set_cookies: Vec<String>,
    pub(crate) text: String,
}

/// The value of the first `name="csrf" value="…"` of a page.
pub(crate) fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    let end = html[start..].find('"').unwrap();
    html[start..start + end].to_owned()
}

/// The admin password a first start printed.
pub(crate) fn admin_password(stdout: &str) -> String {
    labelled(stdout, "Admin password:")
        .expect("an Admin password line")
        .to_owned()
}

impl Admin {
    pub(crate) fn new(server: &Server) -> Admin {
        Admin {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            origin: server.origin.clone(),
            cookies: Vec::new(),
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let header: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let req = if header.is_empty() {
            req
        } else {
            req.header(COOKIE, header.join("; "))
        };
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        let text = resp.text().await.unwrap();
        Page {
            status,
            location,
            set_cookies,
            text,
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.origin));
        self.send(req).await
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.http.post(format!("{}{path}", self.origin)).form(form);
        self.send(req).await
    }

    /// Opens the login form and posts `password`.
    pub(crate) async fn login(&mut self, password: &str) -> Page {
        let form = self.get("/admin/login").await;
        assert_eq!(form.status, 200);
        let csrf = csrf_of(&form.text);
        self.post("/admin/login", &[("csrf", &csrf), ("password", password)])
            .await
    }

    /// Forgets the session cookie (keeps the others).
    pub(crate) fn session(&self) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == "scimkit_admin")
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn set_session(&mut self, id: &str) {
        self.cookies.retain(|(k, _)| k != "scimkit_admin");
        self.cookies.push(("scimkit_admin".into(), id.into()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_password_is_printed_once_refuses_wrong_ones_and_reset_logs_out() {
    let db = Db::sqlite();
    let mut server = start(&db, &["--base-url", "https://scim.example.com"]);
    let password = admin_password(&server.stdout);
    assert!(
        server.stdout.contains("https://scim.example.com/admin"),
        "{}",
        server.stdout
    );
    // Behind --base-url https, the cookie is Secure; reqwest sends it anyway over http.
    let mut admin = Admin::new(&server);
    assert_eq!(admin.get("/admin/tenants").await.location, "/admin/login");
    let wrong = admin.login("not-the-password").await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("Wrong password"));
    assert!(admin.session().is_none());
    let ok = admin.login(&password).await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location, "/admin/tenants");
    let cookie = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("scimkit_admin="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/admin", "Secure"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    let page = admin.get("/admin/tenants").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("default"));

    // A restart prints no password; the session survives it.
    server.terminate();
    let server = start(&db, &["--base-url", "https://scim.example.com"]);
    assert!(
        !server.stdout.contains("Admin password"),
        "{}",
        server.stdout
    );
    admin.origin = server.origin.clone();
    assert_eq!(admin.get("/admin/tenants").await.status, 200);

    // reset-password: a new password, the old one and every session refused.
    let (ok, out, err) = cli(
        &db,
        &[
            "admin",
            "reset-password",
            CHEAP[0],
            CHEAP[1],
            CHEAP[2],
            CHEAP[3],
        ],
    );
    assert!(ok, "{err}");
    let new = admin_password(&out);
    assert_ne!(new, password);
    assert_eq!(admin.get("/admin/tenants").await.location, "/admin/login");
    assert_eq!(admin.login(&password).await.status, 401);
    assert_eq!(admin.login(&new).await.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_attempts_are_limited_per_address() {
    let db = Db::sqlite();
    let server = start(&db, &["--admin-login-attempts", "3"]);
    let password = admin_password(&server.stdout);
    let mut admin = Admin::new(&server);
    for _ in 0..3 {
        assert_eq!(admin.login("wrong").await.status, 401);
    }
    let limited = admin.login(&password).await;
    assert_eq!(limited.status, 429, "the 4th attempt in a minute");
    assert!(limited.text.contains("Too many login attempts"));
    assert!(admin.session().is_none(), "even the right password waits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_attempts_are_limited_in_all() {
    let db = Db::sqlite();
    let server = start(
        &db,
        &[
            "--admin-login-attempts",
            "100",
            "--admin-login-attempts-global",
            "2",
        ],
    );
    let password = admin_password(&server.stdout);
    let mut admin = Admin::new(&server);
    assert_eq!(admin.login("wrong").await.status, 401);
    assert_eq!(admin.login(&password).await.status, 303);
    assert_eq!(
        admin.login(&password).await.status,
        429,
        "the 3rd attempt in all"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_posts_are_refused() {
    let db = Db::sqlite();
    let server = start(&db, &[]);
    let password = admin_password(&server.stdout);
    let mut admin = Admin::new(&server);
    assert_eq!(admin.login(&password).await.status, 303);
    let page = admin.get("/admin/tenants").await;
    let csrf = csrf_of(&page.text);

    // No token, a wrong token, a token of the right length but wrong.
    let wrong = "0".repeat(csrf.len());
    for form in [
        vec![("name", "Forged")],
        vec![("name", "Forged"), ("csrf", "nope")],
        vec![("name", "Forged"), ("csrf", wrong.as_str())],
    ] {
        let r = admin.post("/admin/tenants", &form).await;
        assert_eq!(r.status, 403, "{form:?}");
    }
    // Without a session, with the right token: sent to log in.
    let mut stranger = Admin::new(&server);
    let r = stranger
        .post("/admin/tenants", &[("name", "Forged"), ("csrf", &csrf)])
        .await;
    assert_eq!(
        (r.status.as_u16(), r.location.as_str()),
        (303, "/admin/login")
    );
    // The login form's own token.
    let r = stranger
        .post(
            "/admin/login",
            &[("csrf", "made-up"), ("password", &password)],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(stranger.session().is_none());
    // A forged logout or removal does nothing.
    let tenants = admin.get("/admin/tenants").await.text;
    assert!(!tenants.contains("Forged"), "no tenant was added");
    assert_eq!(
        admin.post("/admin/logout", &[("csrf", "x")]).await.status,
        403
    );
    assert_eq!(
        admin.get("/admin/tenants").await.status,
        200,
        "still logged in"
    );

    // The real form works.
    let r = admin
        .post("/admin/tenants", &[("name", "Fabrikam"), ("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("Fabrikam") && r.text.contains("secret-token"));
    assert_eq!(
        admin.post("/admin/logout", &[("csrf", &csrf)]).await.status,
        303
    );
    assert_eq!(admin.get("/admin/tenants").await.location, "/admin/login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_and_are_bounded() {
    let db = Db::sqlite();
    let server = start(
        &db,
        &["--admin-session-ttl", "1s", "--admin-max-sessions", "2"],
    );
    let password = admin_password(&server.stdout);
    let mut first = Admin::new(&server);
    assert_eq!(first.login(&password).await.status, 303);
    assert_eq!(first.get("/admin/tenants").await.status, 200);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let r = first.get("/admin/tenants").await;
    assert_eq!(r.location, "/admin/login?expired=1");
    assert!(
        first
            .get(&r.location)
            .await
            .text
            .contains("session has expired")
    );
    drop(server);

    // The bound: a third login closes the oldest session.
    let server = start(&db, &["--admin-max-sessions", "2"]);
    let mut a = Admin::new(&server);
    let mut b = Admin::new(&server);
    let mut c = Admin::new(&server);
    for x in [&mut a, &mut b, &mut c] {
        assert_eq!(x.login(&password).await.status, 303);
    }
    assert_eq!(a.get("/admin/tenants").await.location, "/admin/login");
    assert_eq!(b.get("/admin/tenants").await.status, 200);
    assert_eq!(c.get("/admin/tenants").await.status, 200);
    // A made-up session id opens nothing.
    a.set_session(&"ab".repeat(32));
    assert_eq!(a.get("/admin/tenants").await.location, "/admin/login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_bodies_are_bounded() {
    let db = Db::sqlite();
    let server = start(&db, &["--admin-max-form-bytes", "1024"]);
    let password = admin_password(&server.stdout);
    let mut admin = Admin::new(&server);
    assert_eq!(admin.login(&password).await.status, 303);
    let csrf = csrf_of(&admin.get("/admin/tenants").await.text);
    let fits = "x".repeat(100);
    let r = admin
        .post("/admin/tenants", &[("csrf", &csrf), ("name", &fits)])
        .await;
    assert_eq!(r.status, 200);
    let big = "x".repeat(1024);
    let r = admin
        .post("/admin/tenants", &[("csrf", &csrf), ("name", &big)])
        .await;
    assert_eq!(r.status, 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_listed_in_pages() {
    let db = Db::sqlite();
    let server = start(&db, &[]);
    let password = admin_password(&server.stdout);
    let mut admin = Admin::new(&server);
    assert_eq!(admin.login(&password).await.status, 303);
    let csrf = csrf_of(&admin.get("/admin/tenants").await.text);
    // "default" and 100 more: one more than a page.
    for i in 0..100 {
        let name = format!("Customer {i:03}");
        let r = admin
            .post("/admin/tenants", &[("csrf", &csrf), ("name", &name)])
            .await;
        assert_eq!(r.status, 200);
    }
    let first = admin.get("/admin/tenants").await.text;
    assert!(first.contains("default") && first.contains("Customer 098"));
    assert!(!first.contains("Customer 099"), "101 tenants, pages of 100");
    assert!(
        first.contains("/admin/tenants?start=100"),
        "a link to the next page"
    );
    let second = admin.get("/admin/tenants?start=100").await.text;
    assert!(second.contains("Customer 099") && !second.contains("Customer 098"));
}
