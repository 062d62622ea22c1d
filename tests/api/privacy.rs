//! Export of everything held about me, and erasure of my account.

use serde_json::json;

use crate::helpers::TestApp;
use crate::orgs::{create_org, join_network};

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

    let r = app.send(reqwest::Method::DELETE, "/api/v1/me", ana.t(), Some(json!({"password": ana.password}))).await;
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

/// The invitation token, as the link in the queued email carries it.
async fn invitation_token(app: &TestApp, email: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Body {
        #[diesel(sql_type = diesel::sql_types::Text)]
        body_text: String,
    }
    use diesel_async::RunQueryDsl;
    let mut conn = app.state.pool.get().await.expect("conn");
    let body = diesel::sql_query("SELECT body_text FROM mail_outbox WHERE kind = 'invitation' AND recipient = $1")
        .bind::<diesel::sql_types::Text, _>(email)
        .get_result::<Body>(&mut conn)
        .await
        .expect("invitation mail")
        .body_text;
    let prefix = "/api/v1/partner-invitations/";
    let start = body.find(prefix).expect("link") + prefix.len();
    body[start..].split_whitespace().next().expect("token").to_owned()
}

#[tokio::test]
async fn export_holds_my_alerts_partner_link_invitations_recruitments_and_referrals() {
    let app = TestApp::spawn().await;
    let operator = app.admin().await;
    let eva = app.employer("Eva").await;
    let cellcure = create_org(&app, &eva, "CellCure AB").await;
    join_network(&app, cellcure, &eva, &operator).await;
    let bo_hr = app.employer("Bo HR").await;
    let gota = create_org(&app, &bo_hr, "Göta Biotech").await;
    join_network(&app, gota, &bo_hr, &operator).await;

    let ana = app.seeker("Ana").await;
    let ana_profile = app.put("/api/v1/me/profile", ana.t(), profile(true)).await;
    let kim = app.seeker("Kim").await;
    let mut kim_body = profile(true);
    kim_body["full_name"] = json!("Kim Lind");
    kim_body["in_partner_pool"] = json!(true);
    let r = app.put("/api/v1/me/profile", kim.t(), kim_body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let alert =
        json!({"name": "Cells", "query": {"skills": ["cell culture"]}, "match_profile": false, "frequency": "daily"});
    assert_eq!(app.post("/api/v1/me/alerts", ana.t(), alert).await.status, 201);
    assert_eq!(app.post("/api/v1/me/partner/invitations", ana.t(), json!({"email": kim.email})).await.status, 201);
    let token = invitation_token(&app, &kim.email).await;
    let r = app.post(&format!("/api/v1/partner-invitations/{token}/accept"), kim.t(), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let candidate = ana_profile.uuid("candidate_id");
    let r = app
        .post(&format!("/api/v1/organizations/{cellcure}/recruits"), eva.t(), json!({"candidate_id": candidate}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app.post(&format!("/api/v1/me/recruitments/{}/confirm", r.uuid("id")), ana.t(), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let kim_candidate = app.get("/api/v1/me/profile", kim.t()).await.uuid("candidate_id");
    let referral = json!({"candidate_id": kim_candidate, "to_organization_id": gota, "note": "A chemist for you"});
    let r = app.post("/api/v1/referrals", eva.t(), referral).await;
    assert_eq!(r.status, 201, "{}", r.text);

    let mine = app.get("/api/v1/me/export", ana.t()).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.body["alerts"][0]["name"], "Cells");
    assert_eq!(mine.body["partner"]["display_name"], "Kim");
    assert!(mine.body["partner"]["linked_at"].is_string());
    assert_eq!(mine.body["partner_invitations_sent"][0]["email"], kim.email);
    assert!(mine.body["partner_invitations_sent"][0]["accepted_at"].is_string());
    assert_eq!(mine.body["recruitments"][0]["organization"]["name"], "CellCure AB");
    assert_eq!(mine.body["recruitments"][0]["status"], "confirmed");
    assert!(!mine.text.contains(&token), "the invitation token is never exported");

    let theirs = app.get("/api/v1/me/export", kim.t()).await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    assert_eq!(theirs.body["partner_invitations_accepted"][0]["inviter_name"], "Ana");
    assert_eq!(theirs.body["referrals"][0]["note"], "A chemist for you");
    assert_eq!(theirs.body["referrals"][0]["to_organization"]["name"], "Göta Biotech");
    assert_eq!(theirs.body["partner_settings"], json!({"accept_referrals": true, "partner_job_alerts": true}));
}
