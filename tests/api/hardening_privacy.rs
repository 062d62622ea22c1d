//! Secrets, privacy in logs and links (issue 9): links signed by a server without `JWT_SECRET` survive restarts
//! and agree across nodes, placeholder secrets are refused, the access log shows no token, invitations are bound
//! to the invited address, revocable and limited, and erasing an account needs its password and leaves every
//! organisation with an admin.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use tandem::app::Application;
use tandem::config::Config;
use tandem::state::AppState;
use uuid::Uuid;

use crate::helpers::{invitation_token, Account, TestApp};
use crate::orgs::{add_member, create_org};

const INVITE: &str = "/api/v1/me/partner/invitations";
const PUBLIC_BASE: &str = "http://tandem.test";

fn profile() -> Value {
    json!({
        "full_name": "Ana Lima", "headline": "Cell biologist", "summary": "GMP production.",
        "location": {"city": "Göteborg", "country": "SE"}, "desired_locations": [],
        "languages": [{"code": "en", "level": "C1"}], "skills": [{"name": "cell culture", "level": 4}],
        "experience": [], "education": [], "work_permit": "has_permit", "open_to_sectors": [],
        "searchable": true
    })
}

async fn seeker_with_profile(app: &TestApp, name: &str) -> Account {
    let seeker = app.seeker(name).await;
    let r = app.put("/api/v1/me/profile", seeker.t(), profile()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    seeker
}

/// A configuration for another node on the test's database, without `JWT_SECRET`.
fn config_without_secret(app: &TestApp, dir: &Path) -> Config {
    let vars = [
        ("DATABASE_URL", app.database_url()),
        ("BIND_ADDR", "127.0.0.1:0".to_owned()),
        ("INDEX_DIR", dir.join("index").to_string_lossy().into_owned()),
        ("MAIL_OUTBOX_DIR", dir.join("mail").to_string_lossy().into_owned()),
        ("PUBLIC_BASE_URL", PUBLIC_BASE.to_owned()),
        ("MAIL_WORKERS", "0".to_owned()),
    ];
    Config::from_lookup(|k| vars.iter().find(|(name, _)| *name == k).map(|(_, v)| v.clone())).expect("config")
}

/// A node serving on the test's database without `JWT_SECRET`; returns its base URL.
async fn node_without_secret(app: &TestApp, dir: &Path) -> String {
    let node = Application::build(config_without_secret(app, dir)).await.expect("node builds");
    let base = format!("http://127.0.0.1:{}", node.port());
    tokio::spawn(node.run_until_stopped());
    base
}

/// The unsubscribe link an alert mail from a server without `JWT_SECRET` carries, made as that server makes it
/// (the server's keys are gone when this returns: the next node starts from the configuration and database only).
async fn link_from_a_server_without_secret(app: &TestApp, alert_id: Uuid) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = AppState::connect(config_without_secret(app, dir.path())).await.expect("state");
    let link = tandem::alerts::mailer(&state).unsubscribe_url(alert_id);
    link.strip_prefix(PUBLIC_BASE).expect("link under PUBLIC_BASE_URL").to_owned()
}

async fn alert_of(app: &TestApp, seeker: &Account) -> Uuid {
    let alert =
        json!({"name": "Cells", "query": {"skills": ["cell culture"]}, "match_profile": false, "frequency": "daily"});
    let r = app.post("/api/v1/me/alerts", seeker.t(), alert).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.uuid("id")
}

#[tokio::test]
async fn an_unsubscribe_link_from_a_server_without_jwt_secret_works_after_a_restart_and_on_a_second_node() {
    let app = TestApp::spawn().await;
    let ana = seeker_with_profile(&app, "Ana").await;
    let alert_id = alert_of(&app, &ana).await;
    let link = link_from_a_server_without_secret(&app, alert_id).await;

    let (dir_a, dir_b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    let restarted = node_without_secret(&app, dir_a.path()).await;
    let second = node_without_secret(&app, dir_b.path()).await;
    for base in [&restarted, &second] {
        let r = app.client.get(format!("{base}{link}")).send().await.expect("unsubscribe page");
        assert_eq!(r.status(), 200, "the mailed link still works at {base}");
        assert!(r.text().await.expect("page").contains("Cells"), "the page names the alert");
    }
    // The nodes also agree on access tokens: one signed in at one node is good at the other.
    let r = app
        .client
        .post(format!("{restarted}/api/v1/auth/login"))
        .json(&json!({"email": ana.email, "password": ana.password}))
        .send()
        .await
        .expect("login");
    let tokens: Value = r.json().await.expect("tokens");
    let access = tokens["access_token"].as_str().expect("access token");
    let me = app.client.get(format!("{second}/api/v1/me")).bearer_auth(access).send().await.expect("me");
    assert_eq!(me.status(), 200);

    let r = app.client.post(format!("{second}{link}")).body("List-Unsubscribe=One-Click").send().await.expect("post");
    assert_eq!(r.status(), 200);
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM alerts WHERE id = '{alert_id}'")).await, 0);
}

#[tokio::test]
async fn placeholder_and_weak_jwt_secrets_are_refused_and_docker_compose_ships_none() {
    let with_secret = |secret: &str| {
        let secret = secret.to_owned();
        Config::from_lookup(move |k| (k == "JWT_SECRET").then(|| secret.clone()))
    };
    for weak in [
        "change-me-change-me-change-me-change-me",
        "changeme-please-0123456789-abcdefghij",
        "secretsecretsecretsecretsecretsecret",
        &"x".repeat(48),
        "too-short",
    ] {
        let err = with_secret(weak).expect_err(weak).to_string();
        assert!(err.contains("JWT_SECRET"), "{err}");
    }
    let placeholder = with_secret("change-me-change-me-change-me-change-me").expect_err("placeholder").to_string();
    assert!(placeholder.contains("placeholder"), "{placeholder}");
    assert!(with_secret("k3Jd9QpZ2mVx7RtL0wYh5NcB8sGf1EuA6oTi").is_ok());

    let compose = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docker-compose.yml"))
        .expect("docker-compose.yml");
    assert!(compose.contains("JWT_SECRET: ${JWT_SECRET:?"), "the secret comes from the environment:\n{compose}");
    assert!(!compose.to_lowercase().contains("change-me"), "{compose}");
}

async fn invite(app: &TestApp, inviter: &Account, email: &str) -> (Uuid, String) {
    let r = app.post(INVITE, inviter.t(), json!({ "email": email })).await;
    assert_eq!(r.status, 201, "{}", r.text);
    (r.uuid("id"), invitation_token(app, email).await)
}

#[tokio::test]
async fn only_the_invited_address_can_accept_an_invitation() {
    let app = TestApp::spawn().await;
    let tove = seeker_with_profile(&app, "Tove").await;
    let pim = seeker_with_profile(&app, "Pim").await;
    let eve = seeker_with_profile(&app, "Eve").await;
    let (_, token) = invite(&app, &tove, &pim.email).await;
    let accept = format!("/api/v1/partner-invitations/{token}/accept");

    let refused = app.post(&accept, eve.t(), json!({})).await;
    let problem = refused.problem(403);
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("another email address")), "{problem}");
    assert_eq!(app.count("SELECT count(*) AS n FROM partner_links").await, 0);
    assert_eq!(app.get("/api/v1/me/profile", eve.t()).await.body["partner"], Value::Null);

    let r = app.post(&accept, pim.t(), json!({})).await;
    assert_eq!(r.status, 200, "the link still works for the invited address: {}", r.text);
    assert_eq!(app.get("/api/v1/me/profile", pim.t()).await.body["partner"]["display_name"], "Tove");
}

#[tokio::test]
async fn the_inviter_lists_and_revokes_pending_invitations_and_a_revoked_link_is_gone() {
    let app = TestApp::spawn().await;
    let tove = seeker_with_profile(&app, "Tove").await;
    let pim = seeker_with_profile(&app, "Pim").await;
    let (id, token) = invite(&app, &tove, &pim.email).await;

    let listed = app.get(INVITE, tove.t()).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1), "{}", listed.text);
    assert_eq!(listed.body[0]["id"], id.to_string());
    assert_eq!(listed.body[0]["email"], pim.email);

    // Nobody else can revoke it.
    app.delete(&format!("{INVITE}/{id}"), pim.t()).await.problem(404);
    assert_eq!(app.get(&format!("/api/v1/partner-invitations/{token}"), None).await.status, 200);

    assert_eq!(app.delete(&format!("{INVITE}/{id}"), tove.t()).await.status, 204);
    assert_eq!(app.delete(&format!("{INVITE}/{id}"), tove.t()).await.status, 204, "revoking twice is no error");
    app.get(&format!("/api/v1/partner-invitations/{token}"), None).await.problem(410);
    app.post(&format!("/api/v1/partner-invitations/{token}/accept"), pim.t(), json!({})).await.problem(410);
    assert_eq!(app.count("SELECT count(*) AS n FROM partner_links").await, 0);
    assert_eq!(app.get(INVITE, tove.t()).await.body, json!([]));
}

#[tokio::test]
async fn a_fourth_pending_invitation_is_refused_until_one_is_revoked() {
    let app = TestApp::spawn().await;
    let tove = seeker_with_profile(&app, "Tove").await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(invite(&app, &tove, &format!("partner{n}@example.org")).await.0);
    }
    let refused = app.post(INVITE, tove.t(), json!({"email": "partner4@example.org"})).await;
    let problem = refused.problem(409);
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("3 pending invitations")), "{problem}");
    assert_eq!(app.count("SELECT count(*) AS n FROM partner_invitations").await, 3);
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_outbox WHERE recipient = 'partner4@example.org'").await, 0);

    assert_eq!(app.delete(&format!("{INVITE}/{}", ids[0]), tove.t()).await.status, 204);
    assert_eq!(app.post(INVITE, tove.t(), json!({"email": "partner4@example.org"})).await.status, 201);
}

async fn erase(app: &TestApp, who: &Account, body: Value) -> crate::helpers::Resp {
    app.send(reqwest::Method::DELETE, "/api/v1/me", who.t(), Some(body)).await
}

#[tokio::test]
async fn erasing_my_account_needs_my_password() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;

    let missing = app.delete("/api/v1/me", ana.t()).await;
    missing.problem(422);
    assert_eq!(missing.invalid_fields(), ["password"]);
    assert_eq!(erase(&app, &ana, json!({})).await.invalid_fields(), ["password"]);
    erase(&app, &ana, json!({"password": "not my password"})).await.problem(403);
    assert_eq!(app.get("/api/v1/me", ana.t()).await.status, 200, "the account still works");
    app.login(&ana.email, &ana.password).await;

    assert_eq!(erase(&app, &ana, json!({"password": ana.password})).await.status, 204);
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM users WHERE id = '{}'", ana.user_id)).await, 0);
}

#[tokio::test]
async fn the_last_admin_names_a_successor_before_erasing_and_a_lone_organisation_is_closed() {
    let app = TestApp::spawn().await;
    let eva = app.employer("Eva").await;
    let cellcure = create_org(&app, &eva, "CellCure AB").await;
    let bo = app.employer("Bo").await;
    add_member(&app, cellcure, &eva, &bo, "recruiter", false).await;
    let outsider = app.employer("Olle").await;

    let refused = erase(&app, &eva, json!({"password": eva.password})).await;
    let problem = refused.problem(409);
    let detail = problem["detail"].as_str().expect("detail");
    assert!(detail.contains("CellCure AB") && detail.contains(&cellcure.to_string()), "{detail}");
    assert_eq!(app.get("/api/v1/me", eva.t()).await.status, 200, "the account still works");
    let not_member = erase(&app, &eva, json!({"password": eva.password, "successor_user_id": outsider.user_id})).await;
    assert_eq!(not_member.invalid_fields(), ["successor_user_id"]);
    assert_eq!(app.get("/api/v1/me", eva.t()).await.status, 200);

    let r = erase(&app, &eva, json!({"password": eva.password, "successor_user_id": bo.user_id})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let members = app.get(&format!("/api/v1/organizations/{cellcure}/members"), bo.t()).await;
    assert_eq!(members.status, 200, "{}", members.text);
    let bo_row = members.body["items"]
        .as_array()
        .or(members.body.as_array())
        .and_then(|items| items.iter().find(|m| m["user_id"] == bo.user_id.to_string()).cloned())
        .unwrap_or_else(|| panic!("Bo among {}", members.text));
    assert_eq!(bo_row["role"], "admin", "the successor is the admin now");

    // An organisation nobody else belongs to is closed with its account, jobs and all.
    let solo = app.employer("Sara Solo").await;
    let lonely = create_org(&app, &solo, "Lonely Labs").await;
    assert_eq!(erase(&app, &solo, json!({"password": solo.password})).await.status, 204);
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM organizations WHERE id = '{lonely}'")).await, 0);
}

/// `tandem serve` as a child process without `JWT_SECRET`, its log (stdout and stderr) in a file.
struct Served {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Served {
    fn start(app: &TestApp, dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let log = dir.join("serve.log");
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_tandem"))
            .arg("serve")
            // Away from the crate's directory, so that no `.env` there adds to the configuration.
            .current_dir(dir)
            .env_remove("JWT_SECRET")
            .env("DATABASE_URL", app.database_url())
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("INDEX_DIR", dir.join("index"))
            .env("MAIL_OUTBOX_DIR", dir.join("mail"))
            .env("MAIL_WORKERS", "0")
            .env("PUBLIC_BASE_URL", PUBLIC_BASE)
            .env("RUST_LOG", "info")
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("tandem serve starts");
        Self { child, base: format!("http://127.0.0.1:{port}"), log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits up to 60 s (a debug build on a loaded machine) for `check` to hold, showing the log if it never does.
    async fn wait_for<F, Fut>(&mut self, what: &str, mut check: F)
    where
        F: FnMut(String) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while !check(self.base.clone()).await {
            let exited = self.child.try_wait().expect("child status");
            assert!(exited.is_none(), "tandem serve exited ({exited:?}): {}", self.log());
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}; log:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_access_log_of_a_real_server_shows_no_token() {
    let app = TestApp::spawn().await;
    let ana = seeker_with_profile(&app, "Ana").await;
    let alert_id = alert_of(&app, &ana).await;
    let link = link_from_a_server_without_secret(&app, alert_id).await;
    let token = link.split("token=").nth(1).expect("token").to_owned();
    let tove = seeker_with_profile(&app, "Tove").await;

    let dir = tempfile::tempdir().expect("tempdir");
    let mut served = Served::start(&app, dir.path());
    let client = app.client.clone();
    served
        .wait_for("tandem serve to answer", |base| {
            let client = client.clone();
            async move { client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .await;

    // A separate process, started after the link was made, without JWT_SECRET: the link works there too.
    let page = client.get(format!("{}{link}", served.base)).send().await.expect("unsubscribe page");
    assert_eq!(page.status(), 200, "log:\n{}", served.log());
    // Tove signs in there and invites Ana; Ana opens the link.
    let signed_in: Value = client
        .post(format!("{}/api/v1/auth/login", served.base))
        .json(&json!({"email": tove.email, "password": tove.password}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("tokens");
    let sent = client
        .post(format!("{}{INVITE}", served.base))
        .bearer_auth(signed_in["access_token"].as_str().expect("access token"))
        .json(&json!({"email": ana.email}))
        .send()
        .await
        .expect("invite");
    assert_eq!(sent.status(), 201);
    let invitation = invitation_token(&app, &ana.email).await;
    let shown = client.get(format!("{}/api/v1/partner-invitations/{invitation}", served.base)).send().await;
    assert_eq!(shown.expect("invitation").status(), 200);
    let search = format!("{}/api/v1/jobs?q={}&limit=5", served.base, ana.email.replace('@', "%40"));
    client.get(search).send().await.expect("search");

    served
        .wait_for("the access log lines", |_| {
            let log = served_log(dir.path());
            async move { log.contains("/api/v1/partner-invitations/[redacted]") && log.contains("/api/v1/jobs?") }
        })
        .await;
    let log = served.log();
    assert!(log.contains("/api/v1/alerts/unsubscribe?token=[redacted]"), "{log}");
    for secret in [token.as_str(), invitation.as_str(), ana.email.as_str(), &ana.email.replace('@', "%40")] {
        assert!(!log.contains(secret), "the log shows {secret}:\n{log}");
    }
}

fn served_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default()
}
