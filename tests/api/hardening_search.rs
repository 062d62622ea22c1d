//! User text is only text: free text never reaches other fields or crashes the server, input limits are checked
//! before any other work and published in the OpenAPI document, and the partner pool shows whom it should to whom
//! it should (and no one its flag).

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{pool_partner, Account, Resp, TestApp};
use crate::orgs::{create_org, join_network};

const CANDIDATES: &str = "/api/v1/candidates";
const JOBS: &str = "/api/v1/jobs";
const PROFILE: &str = "/api/v1/me/profile";
/// The generous bound within which a refused or odd request must be answered.
const PROMPTLY: Duration = Duration::from_secs(1);

async fn settle(app: &TestApp) {
    app.state.search.catch_up(&app.state.pool, Duration::from_secs(20)).await.expect("the index catches up");
}

fn profile(name: &str, headline: &str, searchable: bool, in_partner_pool: bool) -> Value {
    json!({
        "full_name": name,
        "headline": headline,
        "summary": "Eight years at the bench.",
        "location": {"city": "Göteborg", "country": "SE"},
        "skills": [{"name": "cell culture"}],
        "work_permit": "eu_eea_citizen",
        "searchable": searchable,
        "in_partner_pool": in_partner_pool,
    })
}

async fn seeker_with(app: &TestApp, name: &str, body: Value) -> (Account, Uuid) {
    let seeker = app.seeker(name).await;
    let r = app.put(PROFILE, seeker.t(), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let candidate = r.uuid("candidate_id");
    (seeker, candidate)
}

/// An employer who is a member (admin) of a new organisation.
async fn employer_with_org(app: &TestApp, name: &str, org: &str) -> (Account, Uuid) {
    let employer = app.employer(name).await;
    let org = create_org(app, &employer, org).await;
    (employer, org)
}

fn candidate_ids(r: &Resp) -> Vec<Uuid> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["candidate_id"].as_str().and_then(|s| s.parse().ok()).expect("candidate_id"))
        .collect()
}

/// A talent recruited by a network organisation, and the talent's partner who opted in to the pool with
/// `partner_searchable` as their ordinary search setting. Returns a network member, the partner and the partner's
/// candidate id.
async fn network_and_pool_member(app: &TestApp, partner_searchable: bool) -> (Account, Account, Uuid) {
    let operator = app.admin().await;
    let (eva, network_org) = employer_with_org(app, "Eva Network", "Västra Pharma").await;
    join_network(app, network_org, &eva, &operator).await;
    let (tove, tove_id) =
        seeker_with(app, "Tove Talent", profile("Tove Talent", "Process engineer", true, false)).await;
    let (pim, pim_id) =
        seeker_with(app, "Pim Partner", profile("Pim Partner", "Molecular biologist", partner_searchable, true)).await;
    pool_partner(app, &tove, tove_id, &pim, network_org, &eva).await;
    settle(app).await;
    (eva, pim, pim_id)
}

#[tokio::test]
async fn five_thousand_open_parentheses_neither_crash_nor_stall_the_server() {
    let app = TestApp::spawn().await;
    let (employer, _) = employer_with_org(&app, "Eva", "Västra Pharma").await;
    seeker_with(&app, "Ana", profile("Ana", "Cell biologist", true, false)).await;
    settle(&app).await;

    let started = Instant::now();
    let r = app.get(&format!("{JOBS}?q={}", "(".repeat(5000)), None).await;
    assert!(started.elapsed() < PROMPTLY, "answered in {:?}", started.elapsed());
    assert_eq!(r.invalid_fields(), vec!["q"], "beyond 256 characters");
    assert_eq!(app.get("/healthz", None).await.status, 200, "the server is still there");

    // Within the limit, syntax is just text with no words in it: nothing matches, nothing breaks.
    let parens = "(".repeat(256);
    let r = app.get(&format!("{JOBS}?q={}", urlencode(&parens)), None).await;
    assert_eq!((r.status, r.body["total"].as_u64()), (200, Some(0)), "{}", r.text);
    let r = app.get(&format!("{CANDIDATES}?q={}", urlencode(&parens)), employer.t()).await;
    assert_eq!(candidate_ids(&r), Vec::<Uuid>::new());
    let r = app.get(&format!("{CANDIDATES}?skills={}", urlencode(&parens)), employer.t()).await;
    assert!([200, 422].contains(&r.status), "{}", r.text);
    // Words still find what they should.
    let r = app.get(&format!("{CANDIDATES}?q={}", urlencode("(cell AND biologist")), employer.t()).await;
    assert_eq!(candidate_ids(&r).len(), 1, "{}", r.text);
    assert_eq!(app.get("/healthz", None).await.status, 200);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn job(org: Uuid, skills: Value) -> Value {
    json!({
        "organization_id": org,
        "title": "Cell therapy process engineer",
        "description": "Scale up our viral vector process.",
        "skills": skills,
        "location": {"city": "Göteborg", "country": "SE"},
        "remote": "hybrid",
        "employment_type": "permanent",
        "sector": "pharma",
        "languages": [],
        "status": "published"
    })
}

#[tokio::test]
async fn a_job_with_twenty_thousand_skills_is_refused_at_once_while_others_are_served() {
    let app = TestApp::spawn().await;
    let (employer, org) = employer_with_org(&app, "Eva", "Västra Pharma").await;
    let skills: Vec<Value> =
        (0..20_000).map(|i| json!({"name": format!("made-up skill {i:05}"), "required": false})).collect();
    let body = job(org, Value::Array(skills));
    assert!(body.to_string().len() > 800_000, "a body of about 870 KB");

    let started = Instant::now();
    let (refused, other) = tokio::join!(app.post(JOBS, employer.t(), body), async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let r = app.get("/api/v1/skills?q=cell", None).await;
        (r, started.elapsed())
    });
    let refused_after = started.elapsed();
    assert_eq!(refused.invalid_fields(), vec!["skills"]);
    assert!(refused.text.contains("at most 50"), "{}", refused.text);
    assert!(refused_after < PROMPTLY, "refused after {refused_after:?}");
    assert_eq!(other.0.status, 200, "another client is served meanwhile: {}", other.0.text);
    assert!(other.1 < PROMPTLY, "another client waited {:?}", other.1);
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs").await, 0, "nothing was stored");

    // The same through PATCH, and fifty skills named twice are refused once each, not compared pairwise.
    let fifty: Vec<Value> =
        (0..50).map(|i| json!({"name": format!("made-up skill {}", i % 25), "required": false})).collect();
    let r = app.post(JOBS, employer.t(), job(org, Value::Array(fifty))).await;
    let fields = r.invalid_fields();
    assert_eq!(fields.len(), 25, "{fields:?}");
    assert_eq!(fields[0], "skills[25]");
    let r = app.post(JOBS, employer.t(), job(org, json!([{"name": "cell culture", "required": true}]))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let too_many: Vec<Value> = (0..51).map(|i| json!({"name": format!("s{i}"), "required": false})).collect();
    let r = app.patch(&format!("{JOBS}/{}", r.uuid("id")), employer.t(), json!({"skills": too_many})).await;
    assert_eq!(r.invalid_fields(), vec!["skills"]);
}

#[tokio::test]
async fn every_limit_of_the_contract_is_a_422_naming_its_field() {
    let app = TestApp::spawn().await;
    let (employer, org) = employer_with_org(&app, "Eva", "Västra Pharma").await;
    let seeker = app.seeker("Ana").await;

    // Job bodies: title, description.
    let mut body = job(org, json!([]));
    body["title"] = json!("t".repeat(201));
    assert_eq!(app.post(JOBS, employer.t(), body).await.invalid_fields(), vec!["title"]);
    let mut body = job(org, json!([]));
    body["description"] = json!("d".repeat(20_001));
    assert_eq!(app.post(JOBS, employer.t(), body).await.invalid_fields(), vec!["description"]);

    // Profiles: skills, experience, education.
    let base = profile("Ana", "Cell biologist", true, false);
    let mut body = base.clone();
    body["skills"] = (0..101).map(|i| json!({"name": format!("s{i}")})).collect();
    assert_eq!(app.put(PROFILE, seeker.t(), body).await.invalid_fields(), vec!["skills"]);
    let mut body = base.clone();
    body["experience"] = (0..51).map(|_| json!({"title": "t", "organization": "o", "start": "2020-01-01"})).collect();
    assert_eq!(app.put(PROFILE, seeker.t(), body).await.invalid_fields(), vec!["experience"]);
    let mut body = base.clone();
    body["education"] = (0..51).map(|_| json!({"degree": "MSc", "field": "Biology", "institution": "GU"})).collect();
    assert_eq!(app.put(PROFILE, seeker.t(), body).await.invalid_fields(), vec!["education"]);
    let mut body = base.clone();
    body["summary"] = json!("s".repeat(20_001));
    assert_eq!(app.put(PROFILE, seeker.t(), body).await.invalid_fields(), vec!["summary"]);
    let mut body = base.clone();
    body["full_name"] = json!("n".repeat(201));
    assert_eq!(app.put(PROFILE, seeker.t(), body).await.invalid_fields(), vec!["full_name"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM seeker_profiles").await, 0, "nothing was stored");

    // Alerts, organisations, referrals.
    let alert = json!({"name": "Pharma", "query": {"q": "q".repeat(257)}, "frequency": "daily"});
    assert_eq!(app.post("/api/v1/me/alerts", seeker.t(), alert).await.invalid_fields(), vec!["query.q"]);
    let skills: Vec<String> = (0..21).map(|i| format!("s{i}")).collect();
    let alert = json!({"name": "Pharma", "query": {"skills": skills}, "frequency": "daily"});
    assert_eq!(app.post("/api/v1/me/alerts", seeker.t(), alert).await.invalid_fields(), vec!["query.skills"]);
    let r = app.patch(&format!("/api/v1/organizations/{org}"), employer.t(), json!({"name": "n".repeat(201)})).await;
    assert_eq!(r.invalid_fields(), vec!["name"]);
    let referral = json!({"candidate_id": Uuid::new_v4(), "to_organization_id": org, "note": "n".repeat(20_001)});
    assert_eq!(app.post("/api/v1/referrals", employer.t(), referral).await.invalid_fields(), vec!["note"]);

    // Query strings: q, limit, and the number of skills named.
    let long_q = "q".repeat(257);
    assert_eq!(app.get(&format!("{JOBS}?q={long_q}"), None).await.invalid_fields(), vec!["q"]);
    assert_eq!(app.get(&format!("{CANDIDATES}?q={long_q}"), employer.t()).await.invalid_fields(), vec!["q"]);
    assert_eq!(app.get(&format!("{JOBS}?limit=101"), None).await.invalid_fields(), vec!["limit"]);
    let names = (0..51).map(|i| format!("s{i}")).collect::<Vec<_>>().join(",");
    assert_eq!(app.get(&format!("{JOBS}?skills={names}"), None).await.invalid_fields(), vec!["skills"]);
    let r = app.get(&format!("{CANDIDATES}?must_skills={names}"), employer.t()).await;
    assert_eq!(r.invalid_fields(), vec!["must_skills"]);
    // Exactly at the limits is fine.
    assert_eq!(app.get(&format!("{JOBS}?q={}&limit=100", "q".repeat(256)), None).await.status, 200);
}

#[tokio::test]
async fn free_text_cannot_reach_the_partner_pool_and_employers_never_see_the_pool_flag() {
    let app = TestApp::spawn().await;
    let (_, _, pim) = network_and_pool_member(&app, true).await;
    // An organisation outside the HR network.
    let (outsider, _) = employer_with_org(&app, "Olle Outsider", "Lone Biotech").await;

    assert!(candidate_ids(&app.get(CANDIDATES, outsider.t()).await).contains(&pim), "Pim is searchable");
    app.get(&format!("{CANDIDATES}?partner_pool=true"), outsider.t()).await.problem(403);
    for q in ["partner_pool:true", "partner_pool:true kind:candidate", "+partner_pool:true", "partner_pool:\"true\""] {
        let r = app.get(&format!("{CANDIDATES}?q={}", urlencode(q)), outsider.t()).await;
        assert_eq!(candidate_ids(&r), Vec::<Uuid>::new(), "{q} is words nobody wrote");
    }

    let r = app.get(&format!("{CANDIDATES}/{pim}"), outsider.t()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for flag in ["in_partner_pool", "searchable", "partner"] {
        assert!(r.body.get(flag).is_none(), "{flag} in {}", r.text);
    }
}

#[tokio::test]
async fn a_pool_member_who_is_not_searchable_is_found_by_the_network_only_in_pool_searches() {
    let app = TestApp::spawn().await;
    let (eva, pim_account, pim) = network_and_pool_member(&app, false).await;
    let (outsider, _) = employer_with_org(&app, "Olle Outsider", "Lone Biotech").await;

    let r = app.get(&format!("{CANDIDATES}?partner_pool=true"), eva.t()).await;
    assert_eq!(candidate_ids(&r), vec![pim], "in_partner_pool is the consent to be seen by the network");
    let r = app.get(&format!("{CANDIDATES}?partner_pool=true&q=molecular"), eva.t()).await;
    assert_eq!(candidate_ids(&r), vec![pim]);
    for who in [&eva, &outsider] {
        let r = app.get(&format!("{CANDIDATES}?q=molecular"), who.t()).await;
        assert!(!candidate_ids(&r).contains(&pim), "not searchable, so not in ordinary searches");
    }
    assert_eq!(app.get(&format!("{CANDIDATES}/{pim}"), eva.t()).await.status, 200, "the network may open the profile");
    app.get(&format!("{CANDIDATES}/{pim}"), outsider.t()).await.problem(404);

    // Found in the pool, so another network member can be referred to: searchable or not.
    let operator = app.admin().await;
    let (bo, other_org) = employer_with_org(&app, "Bo Network", "Göta Biotech").await;
    join_network(&app, other_org, &bo, &operator).await;
    let referral = json!({"candidate_id": pim, "to_organization_id": other_org, "note": "Molecular biology."});
    let r = app.post("/api/v1/referrals", eva.t(), referral).await;
    assert_eq!(r.status, 201, "{}", r.text);

    assert!(app.state.search.document_ids("candidate").expect("ids").contains(&pim), "the pool member is indexed");

    // Leaving the pool holds at once, and the index lets go of the profile.
    let r = app.put(PROFILE, pim_account.t(), profile("Pim Partner", "Molecular biologist", false, false)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(candidate_ids(&app.get(&format!("{CANDIDATES}?partner_pool=true"), eva.t()).await), Vec::<Uuid>::new());
    settle(&app).await;
    assert!(!app.state.search.document_ids("candidate").expect("ids").contains(&pim));
}

#[tokio::test]
async fn the_openapi_document_publishes_the_limits() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api-docs/openapi.json", None).await.body;
    let schema = |name: &str| doc["components"]["schemas"][name]["properties"].clone();
    let job = schema("CreateJob");
    assert_eq!(job["title"]["maxLength"], 200);
    assert_eq!(job["description"]["maxLength"], 20_000);
    assert_eq!(job["skills"]["maxItems"], 50);
    assert_eq!(schema("JobPatch")["skills"]["maxItems"], 50);
    let profile = schema("ProfileRequest");
    assert_eq!(profile["skills"]["maxItems"], 100);
    assert_eq!(profile["experience"]["maxItems"], 50);
    assert_eq!(profile["education"]["maxItems"], 50);
    assert_eq!(profile["full_name"]["maxLength"], 200);
    let param = |path: &str, name: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} has parameters"))
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {path}"))["schema"]
            .clone()
    };
    for path in [JOBS, CANDIDATES] {
        assert_eq!(param(path, "q")["maxLength"], 256, "{path}");
        assert_eq!(param(path, "limit")["maximum"].as_f64(), Some(100.0), "{path}");
    }
}
