//! `tandem seed --demo` loads a data set a new user can sign in to and explore, once.

use crate::helpers::TestApp;

#[tokio::test]
async fn demo_data_loads_once_and_its_accounts_work() {
    let app = TestApp::spawn().await;
    let summary = tandem::seed::demo::load(&app.state).await.expect("demo loads").expect("first load");
    assert_eq!(summary.seekers.len(), 12);
    assert!(tandem::seed::demo::load(&app.state).await.expect("second run").is_none(), "loading twice is a no-op");

    let employer = app.login("eva.berg@cellcure.example", &summary.password).await;
    let token = employer["access_token"].as_str();
    let me = app.get("/api/v1/me", token).await;
    assert_eq!(me.body["organizations"][0]["name"], "CellCure Göteborg AB");
    assert_eq!(me.body["organizations"][0]["in_network"], true);

    let seeker = app.login("priya.nair@example.org", &summary.password).await;
    let profile = app.get("/api/v1/me/profile", seeker["access_token"].as_str()).await;
    assert_eq!(profile.status, 200);
    let skills: Vec<&str> =
        profile.body["skills"].as_array().expect("skills").iter().filter_map(|s| s["skill_id"].as_str()).collect();
    assert!(skills.contains(&"ls-cell-culture") && skills.contains(&"ls-flow-cytometry"), "{skills:?}");

    let partner = app.login("arjun.nair@example.org", &summary.password).await;
    let partner_profile = app.get("/api/v1/me/profile", partner["access_token"].as_str()).await;
    assert_eq!(partner_profile.body["partner"]["display_name"], "Priya", "the demo partner pair is linked");

    let operator = app.login("ops@tandem.example", &summary.password).await;
    let pending = app.get("/api/v1/admin/network-requests", operator["access_token"].as_str()).await;
    assert_eq!(pending.status, 200);
    assert_eq!(pending.body["items"], serde_json::json!([]), "the demo's network requests are approved");
}
