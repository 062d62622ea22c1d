//! Search over HTTP without needless round trips: the in-memory taxonomy follows changes made after start, a
//! removed member loses search at once, and totals say whether they are exact.

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{eventually, Account, Resp, TestApp};
use crate::orgs::{add_member, join_network};
use crate::search::{profile, recruiter, settle};

const CANDIDATES: &str = "/api/v1/candidates";

/// What an operator (or a taxonomy import) does: change the taxonomy in the database, behind the server's back.
async fn operator_sql(app: &TestApp, sql: &str) {
    let mut conn = AsyncPgConnection::establish(&app.database_url()).await.expect("a direct connection");
    conn.batch_execute(sql).await.expect("the taxonomy changes");
}

/// A searchable seeker with these skills; returns their candidate id.
async fn candidate(app: &TestApp, name: &str, skills: &[&str]) -> Uuid {
    let seeker = app.seeker(name).await;
    let r = app.put("/api/v1/me/profile", seeker.t(), profile(name, skills, true)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.uuid("candidate_id")
}

fn candidate_ids(r: &Resp) -> Vec<Uuid> {
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.body["items"].as_array().expect("items");
    items.iter().map(|i| i["candidate_id"].as_str().expect("id").parse().expect("uuid")).collect()
}

/// The (skill id, name) of each skill the first hit matched.
fn matched(r: &Resp) -> Vec<(String, String)> {
    let first = &r.body["items"][0]["explanation"]["matched_skills"];
    let mentions = first.as_array().expect("matched skills");
    mentions
        .iter()
        .map(|m| (m["skill_id"].as_str().unwrap_or("").to_owned(), m["name"].as_str().expect("name").to_owned()))
        .collect()
}

/// Waits until a must-skills search for `name` finds exactly `who`, and returns that answer.
async fn found_by_must_skill(app: &TestApp, employer: &Account, name: &str, who: Uuid) -> Resp {
    let path = format!("{CANDIDATES}?must_skills={}", urlencoding(name));
    eventually(&format!("a search for {name:?} to find the candidate"), || async {
        candidate_ids(&app.get(&path, employer.t()).await) == vec![who]
    })
    .await;
    app.get(&path, employer.t()).await
}

fn urlencoding(text: &str) -> String {
    text.replace(' ', "%20")
}

#[tokio::test]
async fn a_skill_added_to_the_taxonomy_after_start_is_resolved_by_search() {
    let app = TestApp::spawn().await;
    let (employer, _) = recruiter(&app, "Eva").await;
    let path = format!("{CANDIDATES}?must_skills=organoidodling");
    assert_eq!(candidate_ids(&app.get(&path, employer.t()).await), Vec::<Uuid>::new(), "an unknown must-skill");

    operator_sql(
        &app,
        "INSERT INTO skills (id, source, label_en, label_sv) \
             VALUES ('ls-organoid-culture', 'life_science', 'organoid culture', 'organoidodling');
         INSERT INTO skill_labels (skill_id, label, normalized, lang, preferred) VALUES
             ('ls-organoid-culture', 'organoid culture', 'organoid culture', 'en', true),
             ('ls-organoid-culture', 'organoidodling', 'organoidodling', 'sv', true);",
    )
    .await;
    // The profile resolves its skills in the database, so it already knows the new skill.
    let ada = candidate(&app, "Ada", &["Organoid culture"]).await;
    settle(&app).await;

    let r = found_by_must_skill(&app, &employer, "Organoidödling", ada).await;
    assert_eq!(matched(&r), vec![("ls-organoid-culture".to_owned(), "organoid culture".to_owned())]);
    let r = app.get("/api/v1/jobs?skills=ls-organoid-culture", None).await;
    assert_eq!(r.status, 200, "the new id is a skill id, not an unknown name: {}", r.text);
}

#[tokio::test]
async fn a_renamed_skill_is_resolved_by_its_new_name() {
    let app = TestApp::spawn().await;
    let (employer, _) = recruiter(&app, "Eva").await;
    let bo = candidate(&app, "Bo", &["cell culture"]).await;
    settle(&app).await;

    operator_sql(
        &app,
        "UPDATE skills SET label_en = 'cell propagation' WHERE id = 'ls-cell-culture';
         UPDATE skill_labels SET label = 'cell propagation', normalized = 'cell propagation'
             WHERE skill_id = 'ls-cell-culture' AND normalized = 'cell culture';",
    )
    .await;

    let r = found_by_must_skill(&app, &employer, "Cell-Propagation", bo).await;
    assert_eq!(matched(&r), vec![("ls-cell-culture".to_owned(), "cell propagation".to_owned())]);
}

#[tokio::test]
async fn a_member_removed_from_their_organisation_cannot_search_candidates_from_the_next_request() {
    let app = TestApp::spawn().await;
    let (admin, org) = recruiter(&app, "Anna").await;
    let rolf = app.employer("Rolf").await;
    add_member(&app, org, &admin, &rolf, "recruiter", false).await;
    join_network(&app, org, &admin, &app.admin().await).await;
    let pool_search = format!("{CANDIDATES}?partner_pool=true");
    assert_eq!(app.get(CANDIDATES, rolf.t()).await.status, 200);
    assert_eq!(app.get(&pool_search, rolf.t()).await.status, 200, "a network member may search the pool");

    let r = app.delete(&format!("/api/v1/organizations/{org}/members/{}", rolf.user_id), admin.t()).await;
    assert_eq!(r.status, 204, "{}", r.text);
    app.get(CANDIDATES, rolf.t()).await.problem(403);
    app.get(&pool_search, rolf.t()).await.problem(403);
    assert_eq!(app.get(CANDIDATES, admin.t()).await.status, 200, "the admin stays a member");
}

#[tokio::test]
async fn every_search_page_says_its_total_is_exact_and_pages_by_it() {
    let app = TestApp::spawn().await;
    let (employer, org) = recruiter(&app, "Eva").await;
    let seekers = [candidate(&app, "Ada", &["cell culture"]).await, candidate(&app, "Bo", &["cell culture"]).await];
    let seeker = app.seeker("Cia").await;
    let r = app.put("/api/v1/me/profile", seeker.t(), profile("Cia", &["cell culture"], true)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let job = json!({
        "organization_id": org, "title": "Cell culture scientist", "description": "Cell therapy manufacturing.",
        "skills": [{"name": "cell culture", "required": true}], "location": {"city": "Göteborg", "country": "SE"},
        "remote": "hybrid", "employment_type": "permanent", "sector": "pharma", "status": "published",
        "languages": [{"code": "en", "level": "B2"}]
    });
    let r = app.post("/api/v1/jobs", employer.t(), job).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let job = r.uuid("id");
    settle(&app).await;

    let pages = [
        (format!("{CANDIDATES}?skills=cell%20culture&limit=2"), employer.t(), 3),
        (format!("/api/v1/jobs/{job}/matches?limit=2"), employer.t(), 3),
        ("/api/v1/jobs?skills=cell%20culture&limit=2".to_owned(), None, 1),
        ("/api/v1/me/matches?limit=2".to_owned(), seeker.t(), 1),
    ];
    for (path, token, total) in pages {
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.body["total"], total, "{path}");
        assert_eq!(r.body["total_exact"], true, "{path}");
        assert_eq!(r.body["next_cursor"].is_string(), total > 2, "{path}: a next page only while one exists");
    }
    assert!(seekers.iter().all(|s| !s.is_nil()));
}

#[tokio::test]
async fn the_contract_documents_total_exact_and_the_busy_answer() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api-docs/openapi.json", None).await.body;
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let pages: Vec<&String> = schemas.keys().filter(|name| name.starts_with("SearchPage")).collect();
    assert!(!pages.is_empty(), "search pages are schemas: {:?}", schemas.keys().collect::<Vec<_>>());
    for name in pages {
        let page = &schemas[name];
        assert_eq!(page["properties"]["total_exact"]["type"], "boolean", "{name}");
        let required = page["required"].as_array().expect("required");
        assert!(required.iter().any(|f| f == "total_exact"), "{name}");
        let described = page["properties"]["total"]["description"].as_str().unwrap_or_default();
        assert!(described.contains("10,000") && described.contains("lower bound"), "{name}: {described}");
    }
    let busy = &doc["paths"]["/api/v1/candidates"]["get"]["responses"]["503"]["description"];
    assert!(busy.as_str().is_some_and(|d| d.contains("too many searches")), "{busy}");
}
