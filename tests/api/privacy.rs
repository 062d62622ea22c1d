//! Export of everything held about me, and erasure of my account.

use serde_json::json;

use crate::helpers::TestApp;

fn profile(searchable: bool) -> serde_json::Value {
    json!({
        "full_name": "Ana Lima", "headline": "Cell biologist", "summary": "GMP production.",
        "location": {"city": "Göteborg", "country": "SE"}, "desired_locations": [],
        "languages": [{"code": "en", "level": "C1"}], "skills": [{"name": "cell culture", "level": 4}],
        "experience": [], "education": [], "work_permit": "has_permit", "open_to_sectors": [],
        "searchable": searchable
    })
}

#[tokio::test]
async fn export_holds_my_account_profile_views_and_sessions_but_no_secrets() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let put = app.put("/api/v1/me/profile", ana.t(), profile(true)).await;
    assert_eq!(put.status, 200, "{}", put.text);
    let eva = app.employer("Eva").await;
    let org = app
        .post(
            "/api/v1/organizations",
            eva.t(),
            json!({"name": "CellCure AB", "sector": "life_science", "location": {"city": "Göteborg", "country": "SE"}}),
        )
        .await;
    assert_eq!(org.status, 201, "{}", org.text);
    let view =
        app.get(&format!("/api/v1/candidates/{}", put.body["candidate_id"].as_str().expect("id")), eva.t()).await;
    assert_eq!(view.status, 200, "{}", view.text);

    let export = app.get("/api/v1/me/export", ana.t()).await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert_eq!(export.body["account"]["email"], ana.email);
    assert_eq!(export.body["profile"]["full_name"], "Ana Lima");
    assert_eq!(export.body["profile_views"][0]["organization_name"], "CellCure AB");
    assert!(!export.body["sessions"].as_array().expect("sessions").is_empty());
    assert!(!export.text.contains("argon2") && !export.text.contains(&ana.refresh), "no password hash or token");
}

#[tokio::test]
async fn erasing_my_account_removes_my_rows_and_signs_me_out() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let put = app.put("/api/v1/me/profile", ana.t(), profile(true)).await;
    let candidate = put.body["candidate_id"].as_str().expect("candidate id").to_owned();
    let bo = app.seeker("Bo").await;

    let r = app.delete("/api/v1/me", ana.t()).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM users WHERE email = '{}'", ana.email)).await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM seeker_profiles").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM profile_skills").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM refresh_tokens WHERE user_id IN (SELECT id FROM users)").await,
        1,
        "Bo's session stays"
    );
    // The search index learns of the erasure through the outbox.
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM index_outbox WHERE entity_id = '{candidate}'")).await, 2);
    app.post("/api/v1/auth/login", None, json!({"email": ana.email, "password": ana.password})).await.problem(401);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": ana.refresh})).await.problem(401);
    app.get("/api/v1/me/export", ana.t()).await.problem(404);
    assert_eq!(app.get("/api/v1/me", bo.t()).await.status, 200);
}
