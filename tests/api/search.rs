//! Search and matching: consent, blindness, bilingual synonyms, must-skills, ranking, explanations, freshness,
//! recovery after a lost index or a killed indexer, the reindex swap, and who may search what.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::{json, Value};
use tandem::app::Application;
use uuid::Uuid;

use crate::helpers::{Account, Resp, TestApp};
use crate::orgs::{create_org, Cast};

const CANDIDATES: &str = "/api/v1/candidates";
const SETTLE: Duration = Duration::from_secs(10);

/// Waits until the index reflects everything committed so far.
pub(crate) async fn settle(app: &TestApp) {
    app.state.search.catch_up(&app.state.pool, SETTLE).await.expect("the index catches up");
}

pub(crate) fn profile(headline: &str, skills: &[&str], searchable: bool) -> Value {
    json!({
        "full_name": format!("Secret Name {headline}"),
        "headline": headline,
        "summary": "Eight years at the bench.",
        "location": {"city": "Göteborg", "country": "SE"},
        "languages": [{"code": "en", "level": "C1"}],
        "skills": skills.iter().map(|s| json!({"name": s})).collect::<Vec<_>>(),
        "work_permit": "eu_eea_citizen",
        "searchable": searchable
    })
}

/// Saves a profile for a new seeker; returns the seeker and their candidate id.
pub(crate) async fn seeker_with(app: &TestApp, name: &str, body: Value) -> (Account, Uuid) {
    let seeker = app.seeker(name).await;
    let r = app.put("/api/v1/me/profile", seeker.t(), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let candidate = r.uuid("candidate_id");
    (seeker, candidate)
}

/// An employer who belongs to a new organisation.
pub(crate) async fn recruiter(app: &TestApp, name: &str) -> (Account, Uuid) {
    let employer = app.employer(name).await;
    let org = create_org(app, &employer, &format!("{name} AB")).await;
    (employer, org)
}

fn job_body(org: Uuid, title: &str, skills: Value, status: &str) -> Value {
    json!({
        "organization_id": org,
        "title": title,
        "description": "Join our cell therapy manufacturing team in Gothenburg.",
        "skills": skills,
        "location": {"city": "Göteborg", "country": "SE"},
        "remote": "hybrid",
        "employment_type": "permanent",
        "sector": "pharma",
        "languages": [{"code": "en", "level": "B2"}],
        "status": status
    })
}

async fn post_job(app: &TestApp, token: Option<&str>, body: Value) -> Uuid {
    let r = app.post("/api/v1/jobs", token, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.uuid("id")
}

fn ids(r: &Resp, field: &str) -> Vec<Uuid> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i[field].as_str().expect("id").parse().expect("uuid"))
        .collect()
}

fn skill_ids(list: &Value) -> Vec<&str> {
    list.as_array().expect("skills").iter().map(|s| s["skill_id"].as_str().unwrap_or("")).collect()
}

#[tokio::test]
async fn employers_find_only_searchable_seekers_blind_and_by_any_synonym() {
    let app = TestApp::spawn().await;
    let (employer, _) = recruiter(&app, "Eva").await;
    let (ana_account, ana) = seeker_with(&app, "Ana", profile("Cell biologist", &["cellodling", "GMP"], true)).await;
    let (_, hidden) = seeker_with(&app, "Bo", profile("Cell biologist", &["cell culture"], false)).await;
    let (_, other) = seeker_with(&app, "Cy", profile("Chemist", &["quality control"], true)).await;
    settle(&app).await;

    // English label, Swedish label and an English synonym all find the profile that said "cellodling".
    for query in ["cell%20culture", "cellodling", "cell%20cultivation", "ls-cell-culture"] {
        let r = app.get(&format!("{CANDIDATES}?skills={query}"), employer.t()).await;
        assert_eq!(ids(&r, "candidate_id"), vec![ana], "skills={query}: {}", r.text);
        assert_eq!(r.body["total"], 1);
        let hit = &r.body["items"][0];
        assert_eq!(skill_ids(&hit["explanation"]["matched_skills"]), vec!["ls-cell-culture"]);
        assert!(hit["score"].as_f64().is_some_and(|s| s > 0.0));
    }
    // Blind: nothing that names or reaches the person, however the search is made.
    let all = app.get(CANDIDATES, employer.t()).await;
    let found: HashSet<Uuid> = ids(&all, "candidate_id").into_iter().collect();
    assert_eq!(found, HashSet::from([ana, other]), "never the seeker who is not searchable");
    assert!(!found.contains(&hidden));
    assert!(!all.text.contains("Secret Name") && !all.text.contains(&ana_account.email), "{}", all.text);
    for item in all.body["items"].as_array().expect("items") {
        for field in ["full_name", "email", "phone", "photo", "user_id"] {
            assert!(item.get(field).is_none(), "{field} in {item}");
        }
        for field in ["candidate_id", "headline", "skills", "languages", "location", "available_from", "score"] {
            assert!(item.get(field).is_some(), "{field} missing from {item}");
        }
    }
    // Free text reaches skill labels in either language too.
    let r = app.get(&format!("{CANDIDATES}?q=cellkultur"), employer.t()).await;
    assert_eq!(ids(&r, "candidate_id"), vec![ana]);
    let factor = &r.body["items"][0]["explanation"]["other"][0];
    assert_eq!(factor["factor"], "text");
}

#[tokio::test]
async fn must_skills_filters_and_an_unknown_must_skill_matches_nobody() {
    let app = TestApp::spawn().await;
    let (employer, _) = recruiter(&app, "Eva").await;
    let (_, both) =
        seeker_with(&app, "Ana", profile("A", &["cell culture", "good manufacturing practice"], true)).await;
    let (_, one) = seeker_with(&app, "Bo", profile("B", &["cellodling", "flödescytometri"], true)).await;
    settle(&app).await;

    let r = app.get(&format!("{CANDIDATES}?must_skills=GMP,cellodling"), employer.t()).await;
    assert_eq!(ids(&r, "candidate_id"), vec![both]);
    assert_eq!(r.body["items"][0]["explanation"]["missing_skills"], json!([]));
    let matched = skill_ids(&r.body["items"][0]["explanation"]["matched_skills"]);
    assert_eq!(HashSet::<&str>::from_iter(matched), HashSet::from(["ls-gmp", "ls-cell-culture"]));

    // Plain skills rank: both have cell culture, only one has flow cytometry as well.
    let r = app.get(&format!("{CANDIDATES}?skills=cell%20culture,FACS"), employer.t()).await;
    assert_eq!(ids(&r, "candidate_id"), vec![one, both]);
    assert!(r.body["items"][0]["score"].as_f64() > r.body["items"][1]["score"].as_f64());

    let r = app.get(&format!("{CANDIDATES}?must_skills=cell%20culture,zz%20unheard%20of"), employer.t()).await;
    assert_eq!((ids(&r, "candidate_id"), &r.body["total"]), (Vec::<Uuid>::new(), &json!(0)));
    // Bad parameters are each named.
    let r = app
        .get(&format!("{CANDIDATES}?languages=sv:Z9&country=Sweden&work_permit=maybe&limit=500"), employer.t())
        .await;
    let mut fields = r.invalid_fields();
    fields.sort();
    assert_eq!(fields, vec!["country", "languages", "limit", "work_permit"]);
}

#[tokio::test]
async fn filters_on_language_level_place_availability_and_permit() {
    let app = TestApp::spawn().await;
    let (employer, _) = recruiter(&app, "Eva").await;
    let mut a = profile("A", &["cell culture"], true);
    a["languages"] = json!([{"code": "sv", "level": "C1"}]);
    a["available_from"] = json!("2020-01-01");
    let (_, ana) = seeker_with(&app, "Ana", a).await;
    let mut b = profile("B", &["cell culture"], true);
    b["languages"] = json!([{"code": "sv", "level": "A2"}]);
    b["location"] = json!({"city": "Kyiv", "country": "UA"});
    b["desired_locations"] = json!([{"city": "Lund", "country": "SE"}]);
    b["available_from"] = json!("2099-01-01");
    b["work_permit"] = json!("needs_sponsorship");
    let (_, bo) = seeker_with(&app, "Bo", b).await;
    settle(&app).await;

    let search = |query: &'static str| {
        let app = &app;
        let token = employer.token.clone();
        async move { ids(&app.get(&format!("{CANDIDATES}?{query}"), Some(&token)).await, "candidate_id") }
    };
    assert_eq!(search("languages=sv:B2").await, vec![ana]);
    assert_eq!(search("languages=sv").await.len(), 2);
    assert_eq!(search("country=UA").await, vec![bo]);
    assert_eq!(search("city=lund").await, vec![bo], "a desired city counts");
    assert_eq!(search("available_before=2030-01-01").await, vec![ana]);
    assert_eq!(search("work_permit=needs_sponsorship,has_permit").await, vec![bo]);
    let r = app.get(&format!("{CANDIDATES}?languages=sv:B2&city=G%C3%B6teborg"), employer.t()).await;
    let factors = r.body["items"][0]["explanation"]["other"].as_array().expect("other").clone();
    assert!(factors.iter().any(|f| f["factor"] == "language" && f["detail"] == "sv C1"), "{factors:?}");
    assert!(factors.iter().any(|f| f["factor"] == "location"), "{factors:?}");
}

#[tokio::test]
async fn a_jobs_matches_put_candidates_with_every_required_skill_first_and_explain_why() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let skills = json!([
        {"name": "cell culture", "required": true},
        {"name": "GMP", "required": true},
        {"name": "flow cytometry", "required": false}
    ]);
    let job =
        post_job(&app, cast.recruiter.t(), job_body(cast.org, "Cell therapy technician", skills, "published")).await;
    // Complete has both required skills and nothing else; partial lacks GMP but has every extra there is.
    let (_, complete) = seeker_with(&app, "Ana", profile("A", &["cellodling", "god tillverkningssed"], true)).await;
    let mut p = profile("B", &["cell culture", "FACS", "quality control"], true);
    p["languages"] = json!([{"code": "en", "level": "native"}, {"code": "sv", "level": "native"}]);
    let (_, partial) = seeker_with(&app, "Bo", p).await;
    let (_, unrelated) = seeker_with(&app, "Cy", profile("C", &["quality control"], true)).await;
    let (_, hidden) = seeker_with(&app, "Di", profile("D", &["cell culture", "GMP"], false)).await;
    settle(&app).await;

    let r = app.get(&format!("/api/v1/jobs/{job}/matches"), cast.recruiter.t()).await;
    let ranked = ids(&r, "candidate_id");
    assert_eq!(ranked, vec![complete, partial], "{}", r.text);
    assert!(!ranked.contains(&unrelated) && !ranked.contains(&hidden));
    let first = &r.body["items"][0]["explanation"];
    assert_eq!(first["missing_skills"], json!([]));
    let second = &r.body["items"][1]["explanation"];
    assert_eq!(skill_ids(&second["missing_skills"]), vec!["ls-gmp"]);
    assert_eq!(
        HashSet::<&str>::from_iter(skill_ids(&second["matched_skills"])),
        HashSet::from(["ls-cell-culture", "ls-flow-cytometry"])
    );
    let language =
        second["other"].as_array().expect("other").iter().find(|f| f["factor"] == "language").expect("language");
    assert!(language["effect"].as_f64().is_some_and(|e| e > 0.0), "{language}");
    assert!(r.text.find("Secret Name").is_none());
}

#[tokio::test]
async fn who_may_search_candidates_and_see_a_jobs_matches() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let skills = json!([{"name": "cell culture", "required": true}]);
    let published = post_job(&app, cast.admin.t(), job_body(cast.org, "Published", skills.clone(), "published")).await;
    let draft = post_job(&app, cast.admin.t(), job_body(cast.org, "Draft", skills, "draft")).await;
    seeker_with(&app, "Ana", profile("A", &["cell culture"], true)).await;
    settle(&app).await;

    app.get(CANDIDATES, None).await.problem(401);
    app.get(CANDIDATES, cast.seeker.t()).await.problem(403);
    app.get(CANDIDATES, cast.lone_employer.t()).await.problem(403);
    app.get(CANDIDATES, cast.operator.t()).await.problem(403);
    for member in [&cast.admin, &cast.recruiter, &cast.other_admin] {
        assert_eq!(app.get(CANDIDATES, member.t()).await.status, 200);
    }

    for job in [published, draft] {
        let path = format!("/api/v1/jobs/{job}/matches");
        app.get(&path, None).await.problem(401);
        assert_eq!(ids(&app.get(&path, cast.recruiter.t()).await, "candidate_id").len(), 1);
        let outsiders = [&cast.other_admin, &cast.lone_employer, &cast.seeker, &cast.operator];
        for outsider in outsiders {
            let expected = if job == draft { 404 } else { 403 };
            app.get(&path, outsider.t()).await.problem(expected);
        }
    }
    app.get(&format!("/api/v1/jobs/{}/matches", Uuid::new_v4()), cast.admin.t()).await.problem(404);
    app.get("/api/v1/jobs/not-a-uuid/matches", cast.admin.t()).await.problem(404);

    app.get("/api/v1/me/matches", None).await.problem(401);
    app.get("/api/v1/me/matches", cast.admin.t()).await.problem(403);
    assert_eq!(app.get("/api/v1/me/matches", cast.seeker.t()).await.body["items"], json!([]), "no profile, no matches");
}

#[tokio::test]
async fn job_search_shows_only_open_published_jobs_in_either_language() {
    let app = TestApp::spawn().await;
    let (employer, org) = recruiter(&app, "Eva").await;
    let skills = json!([{"name": "cellodling", "required": true}]);
    let mut sv = job_body(org, "Laboratorieingenjör", skills.clone(), "published");
    sv["description"] = json!("Du kommer att arbeta med analyser av proteiner i vårt labb.");
    sv["remote"] = json!("no");
    let sv_job = post_job(&app, employer.t(), sv).await;
    let mut en = job_body(org, "Bioinformatician", json!([{"name": "Python", "required": false}]), "published");
    en["sector"] = json!("medtech");
    en["location"] = json!({"city": "Oslo", "country": "NO"});
    en["remote"] = json!("full");
    let en_job = post_job(&app, employer.t(), en).await;
    let draft = post_job(&app, employer.t(), job_body(org, "Secret draft", skills.clone(), "draft")).await;
    let closing = post_job(&app, employer.t(), job_body(org, "Closing", skills, "published")).await;
    let r = app.patch(&format!("/api/v1/jobs/{closing}"), employer.t(), json!({"status": "closed"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    settle(&app).await;

    let all = app.get("/api/v1/jobs", None).await;
    assert_eq!(ids(&all, "id"), vec![en_job, sv_job], "newest first, no draft, nothing closed");
    assert!(all.body["items"][0].get("score").is_none());
    assert_eq!(all.body["items"][0]["organization"]["name"], "Eva AB");
    assert!(!all.text.contains(&draft.to_string()));

    let search = |query: &'static str| {
        let app = &app;
        async move { ids(&app.get(&format!("/api/v1/jobs?{query}"), None).await, "id") }
    };
    assert_eq!(search("q=proteinerna").await, vec![sv_job], "Swedish stemming");
    assert_eq!(search("q=bioinformaticians").await, vec![en_job], "English stemming");
    assert_eq!(search("skills=cell%20culture").await, vec![sv_job], "an English synonym finds a Swedish skill");
    assert_eq!(search("country=NO").await, vec![en_job]);
    assert_eq!(search("city=goteborg").await, vec![sv_job]);
    assert_eq!(search("remote=full,hybrid").await, vec![en_job]);
    assert_eq!(search("sector=pharma").await, vec![sv_job]);
    assert_eq!(search("published_after=2999-01-01").await, Vec::<Uuid>::new());
    let r = app.get("/api/v1/jobs?skills=cellkultur", None).await;
    assert_eq!(skill_ids(&r.body["items"][0]["explanation"]["matched_skills"]), vec!["ls-cell-culture"]);
    assert!(r.body["items"][0]["score"].as_f64().is_some());
    let r = app.get("/api/v1/jobs?remote=sometimes&published_after=last%20week", None).await;
    let mut fields = r.invalid_fields();
    fields.sort();
    assert_eq!(fields, vec!["published_after", "remote"]);
}

#[tokio::test]
async fn a_seeker_sees_jobs_ranked_for_their_profile() {
    let app = TestApp::spawn().await;
    let (employer, org) = recruiter(&app, "Eva").await;
    let fits = post_job(
        &app,
        employer.t(),
        job_body(org, "Fits", json!([{"name": "cell culture", "required": true}]), "published"),
    )
    .await;
    let lacks = post_job(
        &app,
        employer.t(),
        job_body(
            org,
            "Lacks",
            json!([{"name": "cell culture", "required": true}, {"name": "GMP", "required": true}, {"name": "FACS", "required": false}]),
            "published",
        ),
    )
    .await;
    post_job(
        &app,
        employer.t(),
        job_body(org, "Unrelated", json!([{"name": "regulatory affairs", "required": true}]), "published"),
    )
    .await;
    // A seeker who is not searchable still gets matches for their own profile.
    let (seeker, _) = seeker_with(&app, "Ana", profile("A", &["cellodling", "flow cytometry"], false)).await;
    settle(&app).await;

    let r = app.get("/api/v1/me/matches", seeker.t()).await;
    assert_eq!(ids(&r, "job_id"), vec![fits, lacks], "{}", r.text);
    let lacking = &r.body["items"][1];
    assert_eq!(lacking["title"], "Lacks");
    assert_eq!(skill_ids(&lacking["explanation"]["missing_skills"]), vec!["ls-gmp"]);
    assert_eq!(lacking["explanation"]["matched_skills"].as_array().map(Vec::len), Some(2));
    assert_eq!(r.body["items"][0]["organization"]["name"], "Eva AB");
    let limited = app.get("/api/v1/me/matches?limit=1", seeker.t()).await;
    assert_eq!(ids(&limited, "job_id"), vec![fits]);
    let cursor = limited.body["next_cursor"].as_str().expect("a next page");
    let next = app.get(&format!("/api/v1/me/matches?limit=1&cursor={cursor}"), seeker.t()).await;
    assert_eq!(ids(&next, "job_id"), vec![lacks]);
    assert_eq!(next.body["next_cursor"], Value::Null);
}

/// Polls a search until `done` holds; returns how long it took.
async fn time_until(app: &TestApp, path: &str, token: Option<&str>, done: impl Fn(&[Uuid]) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let found = ids(&app.get(path, token).await, "candidate_id");
        if done(&found) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(2), "not within 2 s: {path}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn profile_changes_and_opt_outs_show_in_search_within_two_seconds() {
    let app = TestApp::spawn().await;
    let (employer, _) = recruiter(&app, "Eva").await;
    let (seeker, candidate) = seeker_with(&app, "Ana", profile("A", &["quality control"], false)).await;
    let path = format!("{CANDIDATES}?skills=cell%20culture");
    let mut latencies = Vec::new();
    for round in 0..5 {
        let r = app.put("/api/v1/me/profile", seeker.t(), profile("A", &["cellodling"], true)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        latencies.push(time_until(&app, &path, employer.t(), |found| found == [candidate]).await);
        let r = app.put("/api/v1/me/profile", seeker.t(), profile("A", &["cellodling"], false)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        // Results are checked against consent as they are served, so an opt-out holds from the next request.
        assert_eq!(ids(&app.get(&path, employer.t()).await, "candidate_id"), Vec::<Uuid>::new(), "round {round}");
        // And the index itself lets go of the profile within the same bound.
        let started = Instant::now();
        while app.state.search.document_ids("candidate").expect("ids").contains(&candidate) {
            assert!(started.elapsed() < Duration::from_secs(2), "round {round}: still indexed");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    latencies.sort();
    eprintln!("profile change to search: {latencies:?}");
}

/// Adds `n` seekers straight in SQL with their outbox rows, one transaction; every third is not searchable.
async fn bulk_seekers(app: &TestApp, n: usize) {
    let mut conn = app.state.pool.get().await.expect("conn");
    conn.batch_execute(&format!(
        "BEGIN;
         CREATE TEMP TABLE bulk ON COMMIT DROP AS
             SELECT gen_random_uuid() AS id, gen_random_uuid() AS cid, g AS n FROM generate_series(1, {n}) g;
         INSERT INTO users (id, email, password_hash, display_name, role)
             SELECT id, 'bulk-' || id || '@example.org', 'x', 'Bulk', 'seeker' FROM bulk;
         INSERT INTO seeker_profiles (user_id, candidate_id, full_name, headline, summary, city, country, work_permit,
                                      searchable)
             SELECT id, cid, 'Bulk', 'Bulk seeker ' || n, 'cells', 'Göteborg', 'SE', 'has_permit', n % 3 <> 0 FROM bulk;
         INSERT INTO profile_skills (seeker_id, position, skill_id, name)
             SELECT id, 0, 'ls-cell-culture', 'cell culture' FROM bulk;
         INSERT INTO index_outbox (entity, entity_id) SELECT 'candidate', cid FROM bulk;
         COMMIT;"
    ))
    .await
    .expect("bulk seekers");
}

/// Flips `searchable` for about a quarter of the seekers, with outbox rows.
async fn toggle_some(app: &TestApp, salt: u32) {
    let mut conn = app.state.pool.get().await.expect("conn");
    diesel::sql_query(
        "WITH t AS (UPDATE seeker_profiles SET searchable = NOT searchable, updated_at = now()
                    WHERE abs(hashtext(candidate_id::text || $1)) % 4 = 0 RETURNING candidate_id)
         INSERT INTO index_outbox (entity, entity_id) SELECT 'candidate', candidate_id FROM t",
    )
    .bind::<diesel::sql_types::Text, _>(salt.to_string())
    .execute(&mut conn)
    .await
    .expect("toggle");
}

async fn searchable_in_db(app: &TestApp) -> HashSet<Uuid> {
    let mut conn = app.state.pool.get().await.expect("conn");
    tandem::search::searchable_candidate_ids(&mut conn).await.expect("ids")
}

/// Starts a second server on the same database with its index in `dir`, and waits until it has caught up.
async fn server_on(app: &TestApp, dir: &std::path::Path) -> Application {
    let mut config = (*app.state.config).clone();
    config.index_dir = dir.to_owned();
    let server = Application::build(config).await.expect("server builds");
    server.state.search.catch_up(&server.state.pool, SETTLE).await.expect("catches up");
    server
}

#[tokio::test]
async fn a_lost_index_is_rebuilt_and_a_killed_indexer_resumes_where_it_stopped() {
    let app = TestApp::spawn().await;
    bulk_seekers(&app, 300).await;
    toggle_some(&app, 1).await;

    // Deleted: the next start rebuilds from PostgreSQL.
    let dir = app.dir.path().join("second-index");
    let server = server_on(&app, &dir).await;
    assert_eq!(server.state.search.document_ids("candidate").expect("ids"), searchable_in_db(&app).await);
    drop(server);
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::remove_dir_all(&dir).expect("delete the index");
    let server = server_on(&app, &dir).await;
    assert_eq!(server.state.search.document_ids("candidate").expect("ids"), searchable_in_db(&app).await);
    drop(server);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Damaged: a garbled commit record is rebuilt as well.
    let generation = std::fs::read_to_string(dir.join("CURRENT")).expect("current generation");
    std::fs::write(dir.join(generation.trim()).join("meta.json"), "{ not json").expect("garble");
    let server = server_on(&app, &dir).await;
    assert_eq!(server.state.search.document_ids("candidate").expect("ids"), searchable_in_db(&app).await);
    assert_ne!(std::fs::read_to_string(dir.join("CURRENT")).expect("current"), generation);
    drop(server);

    // Killed mid-run: a real `tandem serve` indexes while changes pour in, and is killed without warning.
    let killed = app.dir.path().join("killed-index");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("serve")
        .env("DATABASE_URL", &app.state.config.database_url)
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("INDEX_DIR", &killed)
        .env("MAIL_OUTBOX_DIR", app.dir.path().join("child-mail"))
        .env("JWT_SECRET", "test-secret-test-secret-test-secret!")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("tandem serve starts");
    let started = Instant::now();
    while !killed.join("CURRENT").exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "the child never built its index");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for round in 0..20u32 {
        bulk_seekers(&app, 100).await;
        toggle_some(&app, round + 2).await;
        if round == 10 {
            child.kill().expect("kill");
        }
    }
    child.wait().expect("reaped");
    let generation = std::fs::read_to_string(killed.join("CURRENT")).expect("current generation");
    let server = server_on(&app, &killed).await;
    let expected = searchable_in_db(&app).await;
    assert!(expected.len() > 1000, "{} searchable", expected.len());
    assert_eq!(server.state.search.document_ids("candidate").expect("ids"), expected);
    let after = std::fs::read_to_string(killed.join("CURRENT")).expect("current generation");
    assert_eq!(after, generation, "it resumed from its last commit rather than rebuilding");
}

#[tokio::test]
async fn reindex_swaps_in_a_fresh_index_that_the_running_server_adopts() {
    let app = TestApp::spawn().await;
    let (employer, _) = recruiter(&app, "Eva").await;
    bulk_seekers(&app, 200).await;
    settle(&app).await;
    let index_dir = app.state.config.index_dir.clone();
    let generations = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
            .count()
    };
    assert_eq!(generations(&index_dir), 1);

    let url = app.state.config.database_url.clone();
    let dir = index_dir.clone();
    let reindexed = tokio::task::spawn_blocking(move || tandem::search::rebuild::reindex(&url, &dir, &mut |_, _| {}))
        .await
        .expect("joined")
        .expect("reindexed");
    assert_eq!(reindexed.rebuilt.candidates as usize, searchable_in_db(&app).await.len());
    drop(reindexed);

    // The server switches to the new generation, drops the old one, and goes on indexing into the new one.
    let started = Instant::now();
    while generations(&index_dir) != 1 {
        assert!(started.elapsed() < Duration::from_secs(3), "the server did not adopt the new index");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, ana) = seeker_with(&app, "Ana", profile("Flow specialist", &["flow cytometry"], true)).await;
    settle(&app).await;
    let r = app.get(&format!("{CANDIDATES}?skills=FACS"), employer.t()).await;
    assert_eq!(ids(&r, "candidate_id"), vec![ana]);
    assert_eq!(app.state.search.document_ids("candidate").expect("ids"), searchable_in_db(&app).await);
}

#[tokio::test]
async fn search_answers_503_while_there_is_no_index() {
    let app = TestApp::spawn().await;
    let (employer, _) = recruiter(&app, "Eva").await;
    // An index directory that cannot be created: the indexer keeps trying, searches say "try again".
    let blocker = app.dir.path().join("a-file");
    std::fs::write(&blocker, "not a directory").expect("file");
    let mut config = (*app.state.config).clone();
    config.index_dir = blocker.join("index");
    let server = Application::build(config).await.expect("server builds");
    let base = format!("http://127.0.0.1:{}", server.port());
    let state = server.state.clone();
    tokio::spawn(server.run_until_stopped());
    let client = reqwest::Client::new();
    for path in ["/api/v1/jobs", "/readyz"] {
        let r = client.get(format!("{base}{path}")).send().await.expect("sent");
        assert_eq!(r.status().as_u16(), 503);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    let r = client.get(format!("{base}{CANDIDATES}")).bearer_auth(&employer.token).send().await.expect("sent");
    assert_eq!(r.status().as_u16(), 503);
    assert!(!state.search.is_available());
    assert_eq!(app.get("/readyz", None).await.status, 200, "the healthy server is ready");
}

#[tokio::test]
async fn the_openapi_document_describes_the_search_endpoints() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api-docs/openapi.json", None).await.body;
    let params = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} has parameters"))
            .iter()
            .map(|p| p["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let candidate_params = params("/api/v1/candidates");
    for name in [
        "q",
        "skills",
        "must_skills",
        "languages",
        "country",
        "city",
        "available_before",
        "work_permit",
        "limit",
        "cursor",
    ] {
        assert!(candidate_params.contains(&name.to_owned()), "{name} in {candidate_params:?}");
    }
    let job_params = params("/api/v1/jobs");
    for name in ["q", "skills", "sector", "country", "city", "remote", "published_after", "limit", "cursor"] {
        assert!(job_params.contains(&name.to_owned()), "{name} in {job_params:?}");
    }
    assert!(params("/api/v1/jobs/{id}/matches").contains(&"id".to_owned()));
    assert!(doc["paths"]["/api/v1/me/matches"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/jobs"]["post"].is_object(), "merging kept the jobs feature's POST");
}
