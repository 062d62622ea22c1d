//! Starting a real Tandem for one test: a fresh database cloned from a migrated template, a temporary index
#![allow(dead_code)] // each test module uses a different part of the harness
//! and mail directory, the server on a free port, and a client with shorthand for the API's calls.

use std::sync::OnceLock;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tandem::alerts::MatcherStatus;
use tandem::app::Application;
use tandem::config::Config;
use tandem::state::AppState;
use tandem::workers::WorkerPlan;
use tempfile::TempDir;
use uuid::Uuid;

/// Where the test databases live; `TEST_DATABASE_SERVER` overrides the local default.
fn server_url() -> String {
    std::env::var("TEST_DATABASE_SERVER").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// The template's name carries a hash of the migrations, the taxonomy data and the loader, so a change to any of
/// them makes a new template.
fn template_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let mut hasher = Sha256::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in ["migrations", "data", "src/taxonomy"] {
            hash_tree(&root.join(dir), &mut hasher);
        }
        let digest = hasher.finalize();
        format!("tandem_test_tpl_{}", &hex(&digest)[..16])
    })
}

fn hash_tree(dir: &std::path::Path, hasher: &mut Sha256) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            hash_tree(&path, hasher);
        } else if let Ok(bytes) = std::fs::read(&path) {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update(&bytes);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn maintenance() -> AsyncPgConnection {
    AsyncPgConnection::establish(&format!("{}/postgres", server_url()))
        .await
        .expect("PostgreSQL must run at TEST_DATABASE_SERVER (default 127.0.0.1:5432)")
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Makes the template once per machine (an advisory lock keeps parallel test processes from racing).
async fn ensure_template() {
    let name = template_name();
    let mut conn = maintenance().await;
    conn.batch_execute("SELECT pg_advisory_lock(727274)").await.expect("lock");
    let exists = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Exists>(&mut conn)
        .await
        .expect("query")
        .exists;
    if !exists {
        let building = format!("{name}_building");
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).await.expect("drop");
        conn.batch_execute(&format!("CREATE DATABASE {building}")).await.expect("create template");
        let url = format!("{}/{building}", server_url());
        let state = AppState::connect(test_config(&url, std::path::Path::new("/nonexistent"))).await.expect("prepare");
        drop(state);
        // Renaming only at the end means a half-built template is never cloned.
        conn.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}")).await.expect("rename");
    }
    conn.batch_execute("SELECT pg_advisory_unlock(727274)").await.expect("unlock");
}

/// The signing key of every test server, so that a token from one is good at another on the same database.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

fn test_config(database_url: &str, dir: &std::path::Path) -> Config {
    let vars = [
        ("DATABASE_URL", database_url.to_owned()),
        ("BIND_ADDR", "127.0.0.1:0".to_owned()),
        ("INDEX_DIR", dir.join("index").to_string_lossy().into_owned()),
        ("MAIL_OUTBOX_DIR", dir.join("mail").to_string_lossy().into_owned()),
        ("JWT_SECRET", TEST_JWT_SECRET.to_owned()),
        ("PUBLIC_BASE_URL", "http://tandem.test".to_owned()),
        // Tests that send mail start their own workers against their own SMTP server.
        ("MAIL_WORKERS", "0".to_owned()),
    ];
    Config::from_lookup(|k| vars.iter().find(|(name, _)| *name == k).map(|(_, v)| v.clone())).expect("config")
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub db_name: String,
    pub dir: TempDir,
    /// What the alert matcher started with the application is doing, if one was.
    pub matcher: Option<std::sync::Arc<MatcherStatus>>,
}

impl TestApp {
    /// A server with the indexer only (`MAIL_WORKERS=0`, no alert workers): tests that need the mailer, the
    /// matcher or the scheduler start them themselves, paced for the test.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_, _| {}).await
    }

    /// A server built the way `serve` builds one, after `adjust` has changed the test configuration and the
    /// workers to run.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config, &mut WorkerPlan)) -> Self {
        ensure_template().await;
        let db_name = format!("tandem_test_{}", Uuid::new_v4().simple());
        let mut conn = maintenance().await;
        conn.batch_execute(&format!("CREATE DATABASE {db_name} TEMPLATE {}", template_name()))
            .await
            .expect("clone template");
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = test_config(&format!("{}/{db_name}", server_url()), dir.path());
        let mut plan = WorkerPlan { alerts: None, ..WorkerPlan::from_config(&config) };
        adjust(&mut config, &mut plan);
        let app = Application::build_with(config, &plan).await.expect("application builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let state = app.state.clone();
        let matcher = app.workers().matcher_status();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { base, client, state, db_name, dir, matcher }
    }

    /// This test's database, for a second server process to share.
    pub fn database_url(&self) -> String {
        format!("{}/{}", server_url(), self.db_name)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Resp::from(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(reqwest::Method::GET, path, token, None).await
    }
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(reqwest::Method::POST, path, token, Some(body)).await
    }
    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(reqwest::Method::PUT, path, token, Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(reqwest::Method::PATCH, path, token, Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(reqwest::Method::DELETE, path, token, None).await
    }

    /// Registers and signs in an account of the given role (`seeker` or `employer`).
    pub async fn account(&self, name: &str, role: &str) -> Account {
        let email = format!(
            "{}-{}@example.org",
            name.to_lowercase().replace(' ', "."),
            &Uuid::new_v4().simple().to_string()[..6]
        );
        let password = "correct horse battery staple".to_owned();
        let r = self
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": email, "password": password, "display_name": name, "role": role}),
            )
            .await;
        assert_eq!(r.status, 201, "register {name}: {}", r.text);
        let user_id = r.uuid("user_id");
        let tokens = self.login(&email, &password).await;
        Account {
            user_id,
            email,
            password,
            token: tokens["access_token"].as_str().expect("token").to_owned(),
            refresh: tokens["refresh_token"].as_str().expect("refresh").to_owned(),
        }
    }

    pub async fn seeker(&self, name: &str) -> Account {
        self.account(name, "seeker").await
    }
    pub async fn employer(&self, name: &str) -> Account {
        self.account(name, "employer").await
    }

    /// An operator, made the way `tandem admin create` makes one, then signed in over HTTP.
    pub async fn admin(&self) -> Account {
        let email = format!("ops-{}@example.org", &Uuid::new_v4().simple().to_string()[..6]);
        let password = "operator password 1".to_owned();
        let user = tandem::auth::service::create_admin(&self.state.pool, &email, "Ops", password.clone())
            .await
            .expect("admin");
        let tokens = self.login(&email, &password).await;
        Account {
            user_id: user.id,
            email,
            password,
            token: tokens["access_token"].as_str().expect("token").to_owned(),
            refresh: tokens["refresh_token"].as_str().expect("refresh").to_owned(),
        }
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        let r = self.post("/api/v1/auth/login", None, json!({"email": email, "password": password})).await;
        assert_eq!(r.status, 200, "login {email}: {}", r.text);
        r.body
    }

    /// Runs SQL against this test's database, for checks that the API cannot make (e.g. nothing changed).
    pub async fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.state.pool.get().await.expect("conn");
        diesel::sql_query(sql).get_result::<N>(&mut conn).await.expect("count query").n
    }
}

impl TestApp {
    /// Waits until the alert matcher has consumed every index change so far.
    pub async fn alert_matcher_caught_up(&self) {
        eventually("the matcher to catch up", || async {
            self.count(
                "SELECT count(*) AS n FROM index_outbox
                 WHERE seq > (SELECT position FROM outbox_cursors WHERE name = 'alerts')",
            )
            .await
                == 0
        })
        .await;
    }

    /// Waits until the mailer has sent every mail queued so far.
    pub async fn mail_sent(&self) {
        eventually("the mailer to send everything", || async {
            self.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'pending'").await == 0
        })
        .await;
    }
}

/// Waits up to 20 s for `check` to hold.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let name = self.db_name.clone();
        // The test's runtime is busy unwinding; a small runtime of our own drops the database.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                let mut conn = maintenance().await;
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            });
        })
        .join();
    }
}

pub struct Account {
    pub user_id: Uuid,
    pub email: String,
    pub password: String,
    pub token: String,
    pub refresh: String,
}

impl Account {
    pub fn t(&self) -> Option<&str> {
        Some(&self.token)
    }
}

pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    async fn from(r: reqwest::Response) -> Self {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let text = r.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self { status, content_type, headers, text, body }
    }

    pub fn uuid(&self, field: &str) -> Uuid {
        self.body[field].as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{field} in {}", self.text))
    }

    /// Asserts a problem+json answer with this status; returns the problem for further checks.
    #[track_caller]
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "expected {status}, got {}: {}", self.status, self.text);
        assert_eq!(self.content_type, "application/problem+json", "content type of {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string() && self.body["type"].is_string() && self.body["detail"].is_string());
        &self.body
    }

    /// The fields a 422 names.
    #[track_caller]
    pub fn invalid_fields(&self) -> Vec<String> {
        let p = self.problem(422);
        p["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().expect("field").to_owned()).collect()
    }
}

/// The token in a partner invitation link (`http://tandem.test/api/v1/partner-invitations/<token>`) in `text`.
pub fn invitation_token_in(text: &str) -> String {
    let prefix = "http://tandem.test/api/v1/partner-invitations/";
    let start = text.find(prefix).unwrap_or_else(|| panic!("no invitation link in {text}")) + prefix.len();
    text[start..].split_whitespace().next().expect("token").to_owned()
}

/// The token of the latest partner invitation queued for `email`, as the link in the email carries it.
pub async fn invitation_token(app: &TestApp, email: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Body {
        #[diesel(sql_type = diesel::sql_types::Text)]
        body_text: String,
    }
    let mut conn = app.state.pool.get().await.expect("conn");
    let mail = diesel::sql_query(
        "SELECT body_text FROM mail_outbox WHERE kind = 'invitation' AND recipient = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind::<diesel::sql_types::Text, _>(email)
    .get_result::<Body>(&mut conn)
    .await
    .expect("an invitation email is queued");
    invitation_token_in(&mail.body_text)
}

/// Puts `partner` in the partner pool (if their profile opted in): `talent` invites them and they accept, `member`
/// reports that `org` recruited the talent (candidate `talent_candidate`), and the talent confirms. Returns the
/// recruitment's id.
pub async fn pool_partner(
    app: &TestApp,
    talent: &Account,
    talent_candidate: Uuid,
    partner: &Account,
    org: Uuid,
    member: &Account,
) -> Uuid {
    let r = app.post("/api/v1/me/partner/invitations", talent.t(), json!({ "email": partner.email })).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let token = invitation_token(app, &partner.email).await;
    let r = app.post(&format!("/api/v1/partner-invitations/{token}/accept"), partner.t(), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post(&format!("/api/v1/organizations/{org}/recruits"), member.t(), json!({ "candidate_id": talent_candidate }))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.uuid("id");
    let r = app.post(&format!("/api/v1/me/recruitments/{id}/confirm"), talent.t(), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}
