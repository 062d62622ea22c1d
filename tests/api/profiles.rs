//! Seeker profiles: create, replace and read my profile; validation; employers viewing candidates; profile views.

use diesel_async::RunQueryDsl;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{Account, TestApp};

const PROFILE: &str = "/api/v1/me/profile";
const VIEWS: &str = "/api/v1/me/profile-views";

fn full_profile() -> Value {
    json!({
        "full_name": "Ana Lind",
        "headline": "Cell biologist, six years in biologics process development",
        "summary": "I grow cells and scale processes.",
        "location": {"city": "Göteborg", "country": "SE"},
        "desired_locations": [
            {"city": "Mölndal", "region": "Västra Götaland", "country": "SE"},
            {"country": "NO"}
        ],
        "languages": [{"code": "en", "level": "C1"}, {"code": "sv", "level": "B1"}, {"code": "uk", "level": "native"}],
        "skills": [
            {"name": "Zqxv bioreactor whispering", "level": 4, "years": 6.5},
            {"name": "Pipetting"}
        ],
        "experience": [
            {"title": "Scientist", "organization": "BioCo", "start": "2019-03-01", "end": "2025-06-30",
             "description": "Upstream process development."},
            {"title": "Senior scientist", "organization": "CellWorks", "start": "2025-07-01"}
        ],
        "education": [
            {"degree": "MSc", "field": "Biotechnology", "institution": "Kyiv Polytechnic", "year": 2018},
            {"degree": "BSc", "field": "Biology", "institution": "Kyiv University"}
        ],
        "work_permit": "has_permit",
        "available_from": "2026-09-01",
        "open_to_sectors": ["pharma", "medtech"],
        "searchable": true,
        "in_partner_pool": true
    })
}

fn minimal_profile() -> Value {
    json!({
        "full_name": "Bo Berg",
        "headline": "Lab technician",
        "summary": "",
        "location": {"city": "Borås", "country": "SE"},
        "work_permit": "eu_eea_citizen"
    })
}

fn searchable(name: &str) -> Value {
    let mut p = minimal_profile();
    p["full_name"] = json!(name);
    p["searchable"] = json!(true);
    p
}

/// Makes `account` a member of a new organisation by SQL (the organisations endpoints are another feature's);
/// returns the organisation's id.
async fn member_of(app: &TestApp, account: &Account, org_name: &str) -> Uuid {
    let org_id = Uuid::new_v4();
    let mut conn = app.state.pool.get().await.expect("conn");
    diesel::sql_query(
        "INSERT INTO organizations (id, name, sector, city, country) VALUES ($1, $2, 'life science', 'Göteborg', 'SE')",
    )
    .bind::<diesel::sql_types::Uuid, _>(org_id)
    .bind::<diesel::sql_types::Text, _>(org_name)
    .execute(&mut conn)
    .await
    .expect("insert organisation");
    diesel::sql_query("INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, 'recruiter')")
        .bind::<diesel::sql_types::Uuid, _>(org_id)
        .bind::<diesel::sql_types::Uuid, _>(account.user_id)
        .execute(&mut conn)
        .await
        .expect("insert membership");
    org_id
}

async fn put_ok(app: &TestApp, who: &Account, body: Value) -> Value {
    let r = app.put(PROFILE, who.t(), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn candidate_path(candidate_id: &Value) -> String {
    format!("/api/v1/candidates/{}", candidate_id.as_str().expect("candidate_id"))
}

async fn outbox_rows(app: &TestApp) -> i64 {
    app.count("SELECT count(*) AS n FROM index_outbox WHERE entity = 'candidate'").await
}

#[tokio::test]
async fn profile_round_trips_with_every_field() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let saved = put_ok(&app, &ana, full_profile()).await;

    let sent = full_profile();
    for field in [
        "full_name",
        "headline",
        "summary",
        "location",
        "work_permit",
        "available_from",
        "open_to_sectors",
        "searchable",
        "in_partner_pool",
    ] {
        assert_eq!(saved[field], sent[field], "{field}");
    }
    assert_eq!(saved["languages"], sent["languages"]);
    assert_eq!(
        saved["desired_locations"],
        json!([
            {"city": "Mölndal", "region": "Västra Götaland", "country": "SE"},
            {"city": null, "region": null, "country": "NO"}
        ])
    );
    assert_eq!(
        saved["skills"],
        json!([
            {"skill_id": null, "name": "Zqxv bioreactor whispering", "level": 4, "years": 6.5},
            {"skill_id": saved["skills"][1]["skill_id"], "name": saved["skills"][1]["name"], "level": null, "years": null}
        ])
    );
    assert_eq!(
        saved["experience"],
        json!([
            {"title": "Scientist", "organization": "BioCo", "start": "2019-03-01", "end": "2025-06-30",
             "description": "Upstream process development."},
            {"title": "Senior scientist", "organization": "CellWorks", "start": "2025-07-01", "end": null,
             "description": null}
        ])
    );
    assert_eq!(
        saved["education"],
        json!([
            {"degree": "MSc", "field": "Biotechnology", "institution": "Kyiv Polytechnic", "year": 2018},
            {"degree": "BSc", "field": "Biology", "institution": "Kyiv University", "year": null}
        ])
    );
    assert_eq!(saved["partner"], Value::Null);
    assert!(saved["candidate_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()).is_some(), "{saved}");
    assert!(saved["updated_at"].as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).is_some());

    let read = app.get(PROFILE, ana.t()).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body, saved);
}

#[tokio::test]
async fn a_new_profile_is_private_and_lists_default_to_empty() {
    let app = TestApp::spawn().await;
    let bo = app.seeker("Bo").await;
    let saved = put_ok(&app, &bo, minimal_profile()).await;
    assert_eq!(saved["searchable"], false);
    assert_eq!(saved["in_partner_pool"], false);
    for list in ["desired_locations", "languages", "skills", "experience", "education", "open_to_sectors"] {
        assert_eq!(saved[list], json!([]), "{list}");
    }
    assert_eq!(saved["available_from"], Value::Null);
    assert_eq!(saved["partner"], Value::Null);
}

#[tokio::test]
async fn no_profile_before_the_first_put() {
    let app = TestApp::spawn().await;
    let bo = app.seeker("Bo").await;
    app.get(PROFILE, bo.t()).await.problem(404);
    let views = app.get(VIEWS, bo.t()).await;
    assert_eq!(views.status, 200, "{}", views.text);
    assert_eq!(views.body, json!({"items": [], "next_cursor": null}));
}

#[tokio::test]
async fn replacing_keeps_the_candidate_id_and_drops_old_entries() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let first = put_ok(&app, &ana, full_profile()).await;
    assert_eq!(outbox_rows(&app).await, 1);

    let second = put_ok(&app, &ana, minimal_profile()).await;
    assert_eq!(second["candidate_id"], first["candidate_id"]);
    assert_eq!(second["full_name"], "Bo Berg");
    assert_eq!(second["skills"], json!([]));
    assert_eq!(second["available_from"], Value::Null);
    assert_eq!(second["searchable"], false, "a replace without searchable makes the profile private again");
    assert!(second["updated_at"].as_str() > first["updated_at"].as_str());
    for table in
        ["profile_skills", "profile_languages", "profile_experience", "profile_education", "profile_desired_locations"]
    {
        assert_eq!(app.count(&format!("SELECT count(*) AS n FROM {table}")).await, 0, "{table}");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM seeker_profiles").await, 1);

    let mut third = full_profile();
    third["skills"] = json!([{"name": "Flow cytometry zzq", "level": 2}]);
    let third = put_ok(&app, &ana, third).await;
    assert_eq!(third["candidate_id"], first["candidate_id"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM profile_skills").await, 1);
    assert_eq!(third["skills"], json!([{"skill_id": null, "name": "Flow cytometry zzq", "level": 2, "years": null}]));
    assert_eq!(outbox_rows(&app).await, 3, "one index outbox row per save");
    let candidate: Uuid = first["candidate_id"].as_str().expect("id").parse().expect("uuid");
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM index_outbox WHERE entity_id = '{candidate}'")).await, 3);

    let other = app.seeker("Other").await;
    let theirs = put_ok(&app, &other, minimal_profile()).await;
    assert_ne!(theirs["candidate_id"], first["candidate_id"]);
}

#[tokio::test]
async fn invalid_values_are_each_named_and_change_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let before = put_ok(&app, &ana, full_profile()).await;
    let outbox_before = outbox_rows(&app).await;

    let mut bad = full_profile();
    bad["full_name"] = json!("   ");
    bad["headline"] = json!("x".repeat(201));
    bad["location"]["country"] = json!("Sweden");
    bad["desired_locations"] = json!([{"country": "se"}, {"country": "XX"}]);
    bad["languages"] = json!([
        {"code": "sv", "level": "C1"},
        {"code": "sv", "level": "B1"},
        {"code": "swe", "level": "fluent"}
    ]);
    bad["skills"] = json!([
        {"name": "Pipetting zzq", "level": 0},
        {"name": "Blotting zzq", "level": 6, "years": 71},
        {"name": "Plating zzq", "years": -1},
        {"level": 3}
    ]);
    bad["experience"] = json!([
        {"title": "Scientist", "organization": "BioCo", "start": "2020-05-01", "end": "2019-01-01"},
        {"title": "", "organization": "BioCo", "start": "01/05/2020"}
    ]);
    bad["education"] = json!([{"degree": "MSc", "field": "Biology", "institution": " ", "year": 1850}]);
    bad["work_permit"] = json!("tourist");
    bad["available_from"] = json!("2026-02-30");
    bad["open_to_sectors"] = json!(["pharma", "Pharma"]);
    let r = app.put(PROFILE, ana.t(), bad).await;
    let mut fields = r.invalid_fields();
    fields.sort();
    let mut expected = vec![
        "full_name",
        "headline",
        "location.country",
        "desired_locations[0].country",
        "desired_locations[1].country",
        "languages[1].code",
        "languages[2].code",
        "languages[2].level",
        "skills[0].level",
        "skills[1].level",
        "skills[1].years",
        "skills[2].years",
        "skills[3]",
        "experience[0].end",
        "experience[1].title",
        "experience[1].start",
        "education[0].institution",
        "education[0].year",
        "work_permit",
        "available_from",
        "open_to_sectors[1]",
    ];
    expected.sort_unstable();
    assert_eq!(fields, expected);
    assert!(r.body["errors"].as_array().expect("errors").iter().all(|e| e["message"].is_string()));

    let after = app.get(PROFILE, ana.t()).await;
    assert_eq!(after.body, before, "the previous profile is intact");
    assert_eq!(outbox_rows(&app).await, outbox_before);
}

#[tokio::test]
async fn the_same_skill_twice_and_unknown_skill_ids_are_refused() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let mut body = minimal_profile();
    body["skills"] = json!([{"name": "Zqxv blotting"}, {"name": "Pipetting zzq"}, {"name": " zqxv BLOTTING "}]);
    assert_eq!(app.put(PROFILE, ana.t(), body).await.invalid_fields(), vec!["skills[2]"]);

    let mut body = minimal_profile();
    body["skills"] = json!([{"skill_id": "no-such-skill-zzq"}]);
    assert_eq!(app.put(PROFILE, ana.t(), body).await.invalid_fields(), vec!["skills[0].skill_id"]);

    let mut body = minimal_profile();
    body["skills"] = Value::Array((0..101).map(|i| json!({"name": format!("skill zzq {i}")})).collect());
    assert_eq!(app.put(PROFILE, ana.t(), body).await.invalid_fields(), vec!["skills"]);

    app.get(PROFILE, ana.t()).await.problem(404);
    assert_eq!(app.count("SELECT count(*) AS n FROM seeker_profiles").await, 0);
    assert_eq!(outbox_rows(&app).await, 0);
}

#[tokio::test]
async fn unknown_fields_and_wrong_types_are_refused() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let mut body = minimal_profile();
    body["photo_url"] = json!("http://example.org/me.jpg");
    assert_eq!(app.put(PROFILE, ana.t(), body).await.invalid_fields(), vec!["photo_url"]);

    let mut body = minimal_profile();
    body["skills"] = json!([{"name": "Pipetting zzq", "stars": 5}]);
    assert_eq!(app.put(PROFILE, ana.t(), body).await.invalid_fields(), vec!["skills[0].stars"]);

    let mut body = minimal_profile();
    body["partner"] = json!({"candidate_id": Uuid::new_v4(), "display_name": "X"});
    assert_eq!(app.put(PROFILE, ana.t(), body).await.invalid_fields(), vec!["partner"], "partner is read-only");

    let mut body = minimal_profile();
    body["searchable"] = json!("yes");
    assert_eq!(app.put(PROFILE, ana.t(), body).await.invalid_fields(), vec!["searchable"]);

    let mut body = minimal_profile();
    body.as_object_mut().expect("object").remove("location");
    assert_eq!(app.put(PROFILE, ana.t(), body).await.invalid_fields(), vec!["location"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM seeker_profiles").await, 0);
}

#[tokio::test]
async fn a_nonsense_skill_name_is_kept_as_free_text() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let mut body = minimal_profile();
    body["skills"] = json!([{"name": "  Qwzx flurbing  ", "level": 1}]);
    let saved = put_ok(&app, &ana, body).await;
    assert_eq!(saved["skills"], json!([{"skill_id": null, "name": "Qwzx flurbing", "level": 1, "years": null}]));
}

/// Needs the taxonomy data (data/), where "cellodling" is a Swedish label of `ls-cell-culture`.
#[tokio::test]
async fn a_swedish_skill_name_resolves_to_the_taxonomy_skill() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let mut body = minimal_profile();
    body["skills"] = json!([{"name": "cellodling", "level": 5, "years": 8}]);
    let saved = put_ok(&app, &ana, body).await;
    assert_eq!(saved["skills"][0]["skill_id"], "ls-cell-culture", "{}", saved["skills"]);
    assert_eq!(saved["skills"][0]["level"], 5);
    assert_eq!(saved["skills"][0]["years"], 8.0);
}

#[tokio::test]
async fn only_seekers_have_profiles() {
    let app = TestApp::spawn().await;
    let employer = app.employer("Erik").await;
    let admin = app.admin().await;
    for who in [&employer, &admin] {
        app.put(PROFILE, who.t(), minimal_profile()).await.problem(403);
        app.get(PROFILE, who.t()).await.problem(403);
        app.get(VIEWS, who.t()).await.problem(403);
    }
    app.put(PROFILE, None, minimal_profile()).await.problem(401);
    app.get(PROFILE, None).await.problem(401);
    app.get(VIEWS, None).await.problem(401);
    assert_eq!(app.count("SELECT count(*) AS n FROM seeker_profiles").await, 0);
}

#[tokio::test]
async fn a_member_employer_sees_the_full_profile_and_the_seeker_sees_the_view() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let saved = put_ok(&app, &ana, full_profile()).await;
    let erik = app.employer("Erik").await;
    let org = member_of(&app, &erik, "Sahlgrenska Biotech AB").await;

    let r = app.get(&candidate_path(&saved["candidate_id"]), erik.t()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["full_name"], "Ana Lind");
    assert_eq!(r.body["email"], ana.email.as_str());
    assert_eq!(r.body["candidate_id"], saved["candidate_id"]);
    assert_eq!(r.body["skills"], saved["skills"]);
    assert_eq!(r.body["experience"], saved["experience"]);

    let views = app.get(VIEWS, ana.t()).await;
    assert_eq!(views.status, 200, "{}", views.text);
    let items = views.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["organization_id"], org.to_string());
    assert_eq!(items[0]["organization_name"], "Sahlgrenska Biotech AB");
    assert!(items[0]["viewed_at"].is_string());
    assert!(!views.text.contains(&erik.user_id.to_string()), "the individual viewer is never shown");
    assert!(!views.text.contains(&erik.email), "the individual viewer is never shown");
    assert_eq!(views.body["next_cursor"], Value::Null);

    let other = app.seeker("Other").await;
    assert_eq!(app.get(VIEWS, other.t()).await.body["items"], json!([]), "views are the viewed seeker's own");
}

#[tokio::test]
async fn private_and_unknown_profiles_are_not_found_and_not_recorded() {
    let app = TestApp::spawn().await;
    let bo = app.seeker("Bo").await;
    let private = put_ok(&app, &bo, minimal_profile()).await;
    let erik = app.employer("Erik").await;
    member_of(&app, &erik, "BioCo").await;

    app.get(&candidate_path(&private["candidate_id"]), erik.t()).await.problem(404);
    app.get(&format!("/api/v1/candidates/{}", Uuid::new_v4()), erik.t()).await.problem(404);
    app.get("/api/v1/candidates/not-a-uuid", erik.t()).await.problem(404);
    // The user id is not the candidate id.
    app.get(&format!("/api/v1/candidates/{}", bo.user_id), erik.t()).await.problem(404);
    assert_eq!(app.count("SELECT count(*) AS n FROM profile_views").await, 0);
    assert_eq!(app.get(VIEWS, bo.t()).await.body["items"], json!([]));

    // Turning searchable off again hides a profile that was visible.
    let ana = app.seeker("Ana").await;
    let visible = put_ok(&app, &ana, searchable("Ana Lind")).await;
    assert_eq!(app.get(&candidate_path(&visible["candidate_id"]), erik.t()).await.status, 200);
    put_ok(&app, &ana, minimal_profile()).await;
    app.get(&candidate_path(&visible["candidate_id"]), erik.t()).await.problem(404);
    assert_eq!(app.count("SELECT count(*) AS n FROM profile_views").await, 1);
}

#[tokio::test]
async fn only_organisation_members_may_view_candidates() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let saved = put_ok(&app, &ana, searchable("Ana Lind")).await;
    let path = candidate_path(&saved["candidate_id"]);
    let lone_employer = app.employer("Lone").await;
    let other_seeker = app.seeker("Bo").await;
    let admin = app.admin().await;

    for who in [&lone_employer, &other_seeker, &ana, &admin] {
        app.get(&path, who.t()).await.problem(403);
    }
    app.get(&path, None).await.problem(401);
    // An org-less employer learns nothing from unknown ids either.
    app.get(&format!("/api/v1/candidates/{}", Uuid::new_v4()), lone_employer.t()).await.problem(403);
    assert_eq!(app.count("SELECT count(*) AS n FROM profile_views").await, 0);
}

#[tokio::test]
async fn the_viewing_organisation_must_be_one_of_the_callers() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let saved = put_ok(&app, &ana, searchable("Ana Lind")).await;
    let path = candidate_path(&saved["candidate_id"]);
    let erik = app.employer("Erik").await;
    let first = member_of(&app, &erik, "First Org").await;
    let second = member_of(&app, &erik, "Second Org").await;
    let stranger = app.employer("Stranger").await;
    let strangers_org = member_of(&app, &stranger, "Stranger Org").await;

    app.get(&format!("{path}?organization_id={strangers_org}"), erik.t()).await.problem(403);
    app.get(&format!("{path}?organization_id={}", Uuid::new_v4()), erik.t()).await.problem(403);
    assert_eq!(app.get(&format!("{path}?organization_id=nope"), erik.t()).await.invalid_fields(), vec!["query"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM profile_views").await, 0);

    assert_eq!(app.get(&format!("{path}?organization_id={second}"), erik.t()).await.status, 200);
    assert_eq!(app.get(&path, erik.t()).await.status, 200);
    let views = app.get(VIEWS, ana.t()).await;
    let names: Vec<&str> = views.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["organization_name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec!["First Org", "Second Org"], "newest first; the oldest membership by default");
    assert_eq!(views.body["items"][0]["organization_id"], first.to_string());
}

#[tokio::test]
async fn profile_views_are_paginated_newest_first() {
    let app = TestApp::spawn().await;
    let ana = app.seeker("Ana").await;
    let saved = put_ok(&app, &ana, searchable("Ana Lind")).await;
    let path = candidate_path(&saved["candidate_id"]);
    let mut orgs = Vec::new();
    for i in 0..5 {
        let employer = app.employer(&format!("Employer {i}")).await;
        member_of(&app, &employer, &format!("Org {i}")).await;
        assert_eq!(app.get(&path, employer.t()).await.status, 200);
        orgs.push(format!("Org {i}"));
    }
    orgs.reverse();

    let mut seen = Vec::new();
    let mut url = format!("{VIEWS}?limit=2");
    loop {
        let page = app.get(&url, ana.t()).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let items = page.body["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|v| v["organization_name"].as_str().expect("name").to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => url = format!("{VIEWS}?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, orgs);

    assert_eq!(app.get(&format!("{VIEWS}?limit=0"), ana.t()).await.invalid_fields(), vec!["limit"]);
    assert_eq!(app.get(&format!("{VIEWS}?cursor=garbage"), ana.t()).await.invalid_fields(), vec!["cursor"]);
}
