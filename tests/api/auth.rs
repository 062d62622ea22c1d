//! Accounts: register, login, refresh rotation and reuse, logout, throttling, /me.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn register_login_and_me() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "Ana.Lind@Example.org", "password": "long enough pw", "display_name": "Ana Lind", "role": "seeker"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["email"], "ana.lind@example.org");
    assert_eq!(r.body["role"], "seeker");

    let tokens = app.login("ANA.LIND@example.org", "long enough pw").await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let me = app.get("/api/v1/me", tokens["access_token"].as_str()).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["display_name"], "Ana Lind");
    assert_eq!(me.body["organizations"], json!([]));
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_and_admin_role_cannot_be_chosen() {
    let app = TestApp::spawn().await;
    let body = json!({"email": "a@example.org", "password": "long enough pw", "display_name": "A", "role": "employer"});
    assert_eq!(app.post("/api/v1/auth/register", None, body.clone()).await.status, 201);
    let mut again = body.clone();
    again["email"] = json!("A@EXAMPLE.org");
    app.post("/api/v1/auth/register", None, again).await.problem(409);
    let mut admin = body;
    admin["email"] = json!("b@example.org");
    admin["role"] = json!("admin");
    assert_eq!(app.post("/api/v1/auth/register", None, admin).await.invalid_fields(), vec!["role"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM users").await, 1);
}

#[tokio::test]
async fn invalid_registration_names_each_field() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "nope", "password": "short", "display_name": " ", "role": "seeker"}),
        )
        .await;
    let mut fields = r.invalid_fields();
    fields.sort();
    assert_eq!(fields, vec!["display_name", "email", "password"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM users").await, 0);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let wrong = app.post("/api/v1/auth/login", None, json!({"email": ana.email, "password": "not the password"})).await;
    let unknown = app
        .post("/api/v1/auth/login", None, json!({"email": "nobody@example.org", "password": "not the password"}))
        .await;
    assert_eq!(wrong.problem(401)["detail"], unknown.problem(401)["detail"]);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let first = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": ana.refresh})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let second_token = first.body["refresh_token"].as_str().expect("new token").to_owned();
    assert_ne!(second_token, ana.refresh);
    assert!(app.get("/api/v1/me", first.body["access_token"].as_str()).await.status == 200);

    // Replaying the old token is theft or a bug: it fails and the newer token of the family dies with it.
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": ana.refresh})).await.problem(401);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": second_token})).await.problem(401);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let other_login = app.login(&ana.email, &ana.password).await;
    let r = app.post("/api/v1/auth/logout", ana.t(), json!({"refresh_token": ana.refresh})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": ana.refresh})).await.problem(401);
    // Another login (another family) is untouched.
    let r = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": other_login["refresh_token"]})).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn eleventh_failure_for_one_email_is_throttled_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    for _ in 0..10 {
        app.post("/api/v1/auth/login", None, json!({"email": ana.email, "password": "wrong password"}))
            .await
            .problem(401);
    }
    let r = app.post("/api/v1/auth/login", None, json!({"email": ana.email, "password": ana.password})).await;
    r.problem(429);
    let retry: u64 = r.headers["retry-after"].to_str().expect("header").parse().expect("seconds");
    assert!(retry > 0 && retry <= 900);
    // Another account from the same address is not locked out by Ana's failures.
    let bo = app.seeker("Bo").await;
    assert_eq!(
        app.post("/api/v1/auth/login", None, json!({"email": bo.email, "password": bo.password})).await.status,
        200
    );
}

#[tokio::test]
async fn bad_tokens_get_401() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/me", None).await.problem(401);
    app.get("/api/v1/me", Some("not.a.jwt")).await.problem(401);
    let r = app.client.get(app.url("/api/v1/me")).header("Authorization", "Basic YTpi").send().await.expect("send");
    assert_eq!(r.status(), 401);
}
