//! Issue 9, sign-in and text hygiene: control characters refused with 422 naming the field, login that a burst of
//! wrong passwords cannot turn against the service, throttled registration, TRUSTED_PROXIES, password change and
//! signing out everywhere.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tandem::app::Application;
use tandem::config::Config;
use uuid::Uuid;

use crate::helpers::{TestApp, TEST_JWT_SECRET};

const LOGIN: &str = "/api/v1/auth/login";
const REGISTER: &str = "/api/v1/auth/register";
const REFRESH: &str = "/api/v1/auth/refresh";

fn registration(name: &str) -> Value {
    json!({
        "email": format!("{name}-{}@example.org", &Uuid::new_v4().simple().to_string()[..8]),
        "password": "correct horse battery staple",
        "display_name": name,
        "role": "seeker",
    })
}

/// A second server on the test's database with `TRUSTED_PROXIES` set; returns its base URL.
async fn server_trusting(app: &TestApp, proxies: &str) -> String {
    let dir = app.dir.path().join(format!("trusting-{}", Uuid::new_v4().simple()));
    let vars = [
        ("DATABASE_URL", app.database_url()),
        ("BIND_ADDR", "127.0.0.1:0".to_owned()),
        ("INDEX_DIR", dir.join("index").to_string_lossy().into_owned()),
        ("MAIL_OUTBOX_DIR", dir.join("mail").to_string_lossy().into_owned()),
        ("JWT_SECRET", TEST_JWT_SECRET.to_owned()),
        ("MAIL_WORKERS", "0".to_owned()),
        ("TRUSTED_PROXIES", proxies.to_owned()),
    ];
    let config = Config::from_lookup(|k| vars.iter().find(|(name, _)| *name == k).map(|(_, v)| v.clone()))
        .expect("config with TRUSTED_PROXIES");
    let server = Application::build(config).await.expect("second server builds");
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    base
}

/// A registration sent with an `X-Forwarded-For` header, to any server.
async fn register_via(app: &TestApp, base: &str, forwarded_for: &str, name: &str) -> reqwest::Response {
    app.client
        .post(format!("{base}{REGISTER}"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&registration(name))
        .send()
        .await
        .expect("request sent")
}

#[tokio::test]
async fn nul_in_login_email_display_name_or_skills_query_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;

    let r = app.post(LOGIN, None, json!({"email": "ana\u{0}@example.org", "password": "whatever it is"})).await;
    assert_eq!(r.invalid_fields(), ["email"]);

    let mut body = registration("Ana");
    body["display_name"] = json!("Ana\u{0}Lind");
    let r = app.post(REGISTER, None, body.clone()).await;
    assert_eq!(r.invalid_fields(), ["display_name"]);
    let email = body["email"].as_str().expect("email");
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM users WHERE email = '{email}'")).await, 0);

    let r = app.get("/api/v1/skills?q=cell%00culture", None).await;
    assert_eq!(r.invalid_fields(), ["q"]);
    // Carriage return and other controls too; tab and newline are text.
    assert_eq!(app.get("/api/v1/skills?q=cell%0D", None).await.invalid_fields(), ["q"]);
    assert_eq!(app.get("/api/v1/skills?q=cell%09culture%0A", None).await.status, 200);

    // A path segment reaches the database as a token or an id: refused before it does.
    let r = app.get("/api/v1/partner-invitations/abc%00def", None).await;
    assert_eq!(r.invalid_fields(), ["path"]);
    assert_eq!(app.get("/api/v1/skills?q=cell", None).await.status, 200, "the server is still up");
}

#[tokio::test]
async fn a_control_character_in_a_nested_body_field_is_named_by_its_path() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let profile = json!({
        "full_name": "Ana Lind",
        "headline": "Cell biologist\twith tabs\nand lines",
        "summary": "",
        "location": {"city": "Göteborg", "country": "SE"},
        "work_permit": "has_permit",
        "experience": [
            {"title": "Scientist", "organization": "BioCo", "start": "2019-03-01"},
            {"title": "Senior \u{1b}[31mscientist", "organization": "CellWorks", "start": "2025-07-01"}
        ],
    });
    let r = app.put("/api/v1/me/profile", ana.t(), profile.clone()).await;
    assert_eq!(r.invalid_fields(), ["experience[1].title"]);
    assert_eq!(app.get("/api/v1/me/profile", ana.t()).await.status, 404, "nothing was saved");

    let mut clean = profile;
    clean["experience"][1]["title"] = json!("Senior scientist");
    assert_eq!(app.put("/api/v1/me/profile", ana.t(), clean).await.status, 200, "tab and newline are fine");
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_counts_at_most_ten_and_the_service_keeps_answering() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;

    let burst: Vec<_> =
        (0..40).map(|_| app.post(LOGIN, None, json!({"email": ana.email, "password": "not the password"}))).collect();
    let meanwhile = async {
        let mut slowest = Duration::ZERO;
        for _ in 0..5 {
            let started = Instant::now();
            assert_eq!(app.get("/api/v1/skills?q=cell", None).await.status, 200);
            slowest = slowest.max(started.elapsed());
        }
        slowest
    };
    let (answers, slowest) = tokio::join!(futures_util::future::join_all(burst), meanwhile);

    let with = |status: u16| answers.iter().filter(|r| r.status == status).count();
    assert!(answers.iter().all(|r| [401, 429, 503].contains(&r.status)), "only 401, 429 or 503");
    assert!(with(401) <= 10, "at most ten wrong passwords are tried, not {}", with(401));
    assert!(with(429) >= 20, "the rest are throttled, not tried: {} got 429", with(429));
    assert!(answers.iter().filter(|r| r.status == 429).all(|r| r.headers.contains_key("retry-after")));
    let counted = app
        .count(&format!("SELECT count(*) AS n FROM login_failures WHERE email = '{}'", ana.email.to_lowercase()))
        .await;
    assert!(counted <= 10, "{counted} failures recorded");
    assert!(slowest < Duration::from_secs(2), "other clients waited {slowest:?}");

    if with(401) == 10 {
        let r = app.post(LOGIN, None, json!({"email": ana.email, "password": ana.password})).await;
        r.problem(429);
    }
    // Another account at the same address still signs in.
    let bo = app.seeker("Bo").await;
    assert_eq!(app.post(LOGIN, None, json!({"email": bo.email, "password": bo.password})).await.status, 200);
}

#[tokio::test]
async fn registrations_from_one_address_are_throttled_with_retry_after() {
    let app = TestApp::spawn().await;
    for n in 0..20 {
        let r = app.post(REGISTER, None, registration(&format!("user{n}"))).await;
        assert_eq!(r.status, 201, "registration {n}: {}", r.text);
    }
    let body = registration("one-too-many");
    let r = app.post(REGISTER, None, body.clone()).await;
    r.problem(429);
    let retry: u64 = r.headers["retry-after"].to_str().expect("header").parse().expect("seconds");
    assert!(retry > 0 && retry <= 3600, "Retry-After {retry}");
    let email = body["email"].as_str().expect("email");
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM users WHERE email = '{email}'")).await, 0);
    // Invalid registrations are refused before they count.
    let mut bad = registration("bad");
    bad["password"] = json!("short");
    assert_eq!(app.post(REGISTER, None, bad).await.invalid_fields(), ["password"]);
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_without_trusted_proxies_and_honoured_with_them() {
    let app = TestApp::spawn().await;
    // Without TRUSTED_PROXIES a client cannot escape the per-address throttle by making up addresses.
    for n in 0..20 {
        let r = register_via(&app, &app.base, &format!("198.51.100.{n}"), &format!("spoof{n}")).await;
        assert_eq!(r.status(), 201, "registration {n}");
    }
    assert_eq!(register_via(&app, &app.base, "198.51.100.99", "spoof-last").await.status(), 429);

    // Behind a trusted proxy (here: this test, at 127.0.0.1) the forwarded address is the client.
    let trusting = server_trusting(&app, "10.0.0.0/8, 127.0.0.1").await;
    let r = register_via(&app, &trusting, "203.0.113.7, 10.1.2.3", "forwarded").await;
    assert_eq!(r.status(), 201, "a new client behind the proxy: {}", r.text().await.unwrap_or_default());
    let r = app.client.post(format!("{trusting}{REGISTER}")).json(&registration("direct")).send().await.expect("sent");
    assert_eq!(r.status(), 429, "without the header the peer (127.0.0.1) is the client, and it is throttled");

    // Failed logins are recorded against the forwarded client address on the trusting server only.
    let wrong = json!({"email": "nobody@example.org", "password": "not the password"});
    for base in [&app.base, &trusting] {
        let r = app
            .client
            .post(format!("{base}{LOGIN}"))
            .header("X-Forwarded-For", "203.0.113.50")
            .json(&wrong)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 401);
    }
    let from = |addr: &str| format!("SELECT count(*) AS n FROM login_failures WHERE client_addr = '{addr}'");
    assert_eq!(app.count(&from("203.0.113.50")).await, 1);
    assert_eq!(app.count(&from("127.0.0.1")).await, 1);

    // A forwarded value that is not an address is refused, not stored.
    let r = app
        .client
        .post(format!("{trusting}{LOGIN}"))
        .header("X-Forwarded-For", "203.0.113.50, not-an-address")
        .json(&wrong)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn changing_the_password_signs_out_other_sessions_and_keeps_this_one() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let other = app.login(&ana.email, &ana.password).await;
    let new_password = "a much better passphrase";

    let r = app
        .post(
            "/api/v1/me/password",
            ana.t(),
            json!({"current_password": "not my password", "new_password": new_password}),
        )
        .await;
    r.problem(403);
    let r = app
        .post("/api/v1/me/password", ana.t(), json!({"current_password": ana.password, "new_password": "short"}))
        .await;
    assert_eq!(r.invalid_fields(), ["new_password"]);
    app.login(&ana.email, &ana.password).await; // nothing changed yet

    let r = app
        .post("/api/v1/me/password", ana.t(), json!({"current_password": ana.password, "new_password": new_password}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);

    app.post(REFRESH, None, json!({"refresh_token": other["refresh_token"]})).await.problem(401);
    let mine = app.post(REFRESH, None, json!({"refresh_token": ana.refresh})).await;
    assert_eq!(mine.status, 200, "the session that changed the password stays: {}", mine.text);
    assert_eq!(app.get("/api/v1/me", mine.body["access_token"].as_str()).await.status, 200);

    app.post(LOGIN, None, json!({"email": ana.email, "password": ana.password})).await.problem(401);
    app.login(&ana.email, new_password).await;
}

#[tokio::test]
async fn logout_everywhere_revokes_every_session() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let other = app.login(&ana.email, &ana.password).await;
    let bo = app.seeker("Bo").await;

    app.post("/api/v1/auth/logout-everywhere", None, json!({})).await.problem(401);
    let r = app.post("/api/v1/auth/logout-everywhere", ana.t(), json!({})).await;
    assert_eq!(r.status, 204, "{}", r.text);

    app.post(REFRESH, None, json!({"refresh_token": ana.refresh})).await.problem(401);
    app.post(REFRESH, None, json!({"refresh_token": other["refresh_token"]})).await.problem(401);
    assert_eq!(app.post(REFRESH, None, json!({"refresh_token": bo.refresh})).await.status, 200, "others untouched");
    app.login(&ana.email, &ana.password).await;
}

#[tokio::test]
async fn partner_invitations_and_referrals_are_throttled_per_user() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let eva = app.employer("Eva").await;
    for n in 0..10 {
        let r =
            app.post("/api/v1/me/partner/invitations", ana.t(), json!({"email": format!("p{n}@example.org")})).await;
        assert_ne!(r.status, 429, "invitation {n}: {}", r.text);
    }
    let r = app.post("/api/v1/me/partner/invitations", ana.t(), json!({"email": "p10@example.org"})).await;
    r.problem(429);
    assert!(r.headers.contains_key("retry-after"));

    let referral = json!({"candidate_id": Uuid::new_v4(), "to_organization_id": Uuid::new_v4(), "note": "a fit"});
    for n in 0..30 {
        let r = app.post("/api/v1/referrals", eva.t(), referral.clone()).await;
        assert_ne!(r.status, 429, "referral {n}: {}", r.text);
    }
    app.post("/api/v1/referrals", eva.t(), referral).await.problem(429);
    // Per user: another seeker may still invite.
    let bo = app.seeker("Bo").await;
    let r = app.post("/api/v1/me/partner/invitations", bo.t(), json!({"email": "partner@example.org"})).await;
    assert_ne!(r.status, 429, "{}", r.text);
}
