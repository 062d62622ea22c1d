//! What free text and totals mean to an employer searching candidates: every word required (in any order),
//! phrases in quotes, no query language, taxonomy synonyms found at query time and named in the explanation,
//! English and Swedish inflections, totals exact up to 10,000 and a lower bound beyond, and changes that become
//! searchable without anyone asking the index to catch up.

use std::collections::HashSet;
use std::time::Duration;

use diesel_async::SimpleAsyncConnection;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{Account, Resp, TestApp};
use crate::search::{recruiter, seeker_with, settle};

const CANDIDATES: &str = "/api/v1/candidates";
/// How long a change may take to show before the freshness test gives up on it.
const FRESH_WITHIN: Duration = Duration::from_secs(5);

/// A searchable profile in Göteborg speaking English; `text` is its summary, `skills` taxonomy ids.
fn profile(headline: &str, text: &str, skills: &[&str]) -> Value {
    json!({
        "full_name": format!("Secret Name {headline}"),
        "headline": headline,
        "summary": text,
        "location": {"city": "Göteborg", "country": "SE"},
        "languages": [{"code": "en", "level": "C1"}],
        "skills": skills.iter().map(|s| json!({"skill_id": s})).collect::<Vec<_>>(),
        "work_permit": "eu_eea_citizen",
        "searchable": true
    })
}

fn ids(r: &Resp) -> HashSet<Uuid> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["candidate_id"].as_str().expect("id").parse().expect("uuid"))
        .collect()
}

/// The candidates free text `q` finds (percent-encoded here, so any character may be tried).
async fn text_search(app: &TestApp, employer: &Account, q: &str) -> Resp {
    let q: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
    app.get(&format!("{CANDIDATES}?q={q}&limit=100"), employer.t()).await
}

async fn found_by(app: &TestApp, employer: &Account, q: &str) -> HashSet<Uuid> {
    ids(&text_search(app, employer, q).await)
}

fn set(ids: &[Uuid]) -> HashSet<Uuid> {
    ids.iter().copied().collect()
}

#[tokio::test]
async fn free_text_requires_every_word_in_any_order() {
    let app = TestApp::spawn().await;
    let employer = recruiter(&app, "Eva").await.0;
    let (_, both) = seeker_with(&app, "Ana", profile("Lab engineer", "Pipette robotics for screening.", &[])).await;
    let (_, robotics) = seeker_with(&app, "Bo", profile("Lab engineer", "Robotics for screening.", &[])).await;
    let (_, pipette) = seeker_with(&app, "Cy", profile("Lab engineer", "Pipette work for screening.", &[])).await;
    settle(&app).await;

    for q in ["pipette robotics", "robotics pipette", "Robotics  PIPETTE"] {
        let r = text_search(&app, &employer, q).await;
        assert_eq!(ids(&r), set(&[both]), "{q:?} needs both words: {}", r.text);
        assert_eq!((&r.body["total"], &r.body["total_exact"]), (&json!(1), &json!(true)), "{q:?}");
    }
    // One word alone still finds everyone who has it.
    assert_eq!(found_by(&app, &employer, "robotics").await, set(&[both, robotics]));
    assert_eq!(found_by(&app, &employer, "pipette").await, set(&[both, pipette]));
    // A word nobody has makes the whole query find nobody.
    assert_eq!(found_by(&app, &employer, "pipette robotics zebrafish").await, set(&[]));
}

#[tokio::test]
async fn quoted_words_are_a_phrase_and_nothing_is_a_query_language() {
    let app = TestApp::spawn().await;
    let employer = recruiter(&app, "Eva").await.0;
    let text = "Ten years of cell culture and bioreactor runs, in GMP or research labs.";
    let (_, phrase) = seeker_with(&app, "Ana", profile("Scientist", text, &[])).await;
    let text = "Studied the culture of cell lines and tissue.";
    let (_, apart) = seeker_with(&app, "Bo", profile("Scientist", text, &[])).await;
    settle(&app).await;

    assert_eq!(found_by(&app, &employer, "\"cell culture\"").await, set(&[phrase]));
    assert_eq!(found_by(&app, &employer, "cell culture").await, set(&[phrase, apart]));
    // An unbalanced quote is a plain word boundary, not an error.
    assert_eq!(found_by(&app, &employer, "\"cell culture").await, set(&[phrase, apart]));
    assert_eq!(found_by(&app, &employer, "cell culture\"").await, set(&[phrase, apart]));
    // Operators of a query language are plain text: `-` excludes nothing, `OR` widens nothing.
    for q in ["cell -culture", "+cell +culture", "(cell culture)", "cell* culture~", "culture^ cell"] {
        assert_eq!(found_by(&app, &employer, q).await, set(&[phrase, apart]), "{q:?}");
    }
    // Words joined by punctuation ("cell-culture", "cell:culture") are one word: its parts in that order.
    assert_eq!(found_by(&app, &employer, "cell:culture").await, set(&[phrase]));
    assert_eq!(found_by(&app, &employer, "bioreactor OR tissue").await, set(&[]), "OR is not an operator");
    assert_eq!(found_by(&app, &employer, "bioreactor OR cell").await, set(&[phrase]), "OR is not an operator");
    for q in
        ["\"", "(", ")", ":", "^", "~", "*", "\\", "[", "{", "}", "AND", "OR", "NOT", "-", "+", "!", "a:b:c", "\"\""]
    {
        let r = text_search(&app, &employer, q).await;
        assert_eq!(r.status, 200, "{q:?}: {}", r.text);
    }
}

/// Whether an explanation names the skill `id` (labelled `label`) as what counted.
fn names_skill(explanation: &Value, id: &str, label: &str) -> bool {
    let matched = explanation["matched_skills"].as_array().into_iter().flatten();
    let factors = explanation["other"].as_array().into_iter().flatten();
    matched.into_iter().any(|s| s["skill_id"] == id)
        || factors.into_iter().any(|f| f["detail"].as_str().is_some_and(|d| d.contains(label)))
}

#[tokio::test]
async fn free_text_finds_a_skill_by_its_synonyms_and_swedish_label_and_says_so() {
    let app = TestApp::spawn().await;
    let employer = recruiter(&app, "Eva").await.0;
    // The profile names the skill by taxonomy id only; its labels and synonyms appear nowhere in its text.
    let body = profile("Lab scientist", "Scaffolds and bioprinting.", &["ls-tissue-engineering"]);
    let (_, listed) = seeker_with(&app, "Ana", body).await;
    let (_, other) = seeker_with(&app, "Bo", profile("Lab scientist", "Scaffolds and bioprinting.", &[])).await;
    settle(&app).await;

    // "regenerative medicine" is a synonym of tissue engineering, "vävnadsteknik" its Swedish label.
    for q in ["regenerative medicine", "vävnadsteknik", "tissue engineering", "Regenerativ medicin"] {
        let r = text_search(&app, &employer, q).await;
        assert_eq!(ids(&r), set(&[listed]), "{q:?}: {}", r.text);
        let explanation = &r.body["items"][0]["explanation"];
        assert!(names_skill(explanation, "ls-tissue-engineering", "tissue engineering"), "{q:?}: {explanation}");
    }
    // Text of the profile itself still finds both.
    assert_eq!(found_by(&app, &employer, "bioprinting").await, set(&[listed, other]));
}

#[tokio::test]
async fn swedish_and_english_profiles_are_found_by_inflected_words() {
    let app = TestApp::spawn().await;
    let employer = recruiter(&app, "Eva").await.0;
    let text = "Jag har analyserat proteinerna på laboratoriet i många år och lett valideringen av nya instrument.";
    let (_, swedish) = seeker_with(&app, "Ana", profile("Forskare", text, &[])).await;
    let text = "I cultivated stem cells for organoid studies and trained the new laboratory staff.";
    let (_, english) = seeker_with(&app, "Bo", profile("Researcher", text, &[])).await;
    settle(&app).await;

    assert_eq!(found_by(&app, &employer, "proteiner").await, set(&[swedish]));
    assert_eq!(found_by(&app, &employer, "proteinernas").await, set(&[swedish]));
    assert_eq!(found_by(&app, &employer, "cultivating").await, set(&[english]));
    assert_eq!(found_by(&app, &employer, "organoids").await, set(&[english]));
    assert_eq!(found_by(&app, &employer, "cultivating organoid").await, set(&[english]));
}

/// Adds `n` searchable seekers with skill `skill_id` straight in SQL, with their outbox rows, in one
/// transaction; the first `also` of them have `also_skill` as well.
async fn bulk_seekers(app: &TestApp, n: usize, skill_id: &str, also: usize, also_skill: &str) {
    let mut conn = app.state.pool.get().await.expect("conn");
    conn.batch_execute(&format!(
        "BEGIN;
         CREATE TEMP TABLE bulk ON COMMIT DROP AS
             SELECT gen_random_uuid() AS id, gen_random_uuid() AS cid, g AS n FROM generate_series(1, {n}) g;
         INSERT INTO users (id, email, password_hash, display_name, role)
             SELECT id, 'bulk-' || id || '@example.org', 'x', 'Bulk', 'seeker' FROM bulk;
         INSERT INTO seeker_profiles (user_id, candidate_id, full_name, headline, summary, city, country, work_permit,
                                      searchable)
             SELECT id, cid, 'Bulk', 'Bulk seeker ' || n, 'cells', 'Göteborg', 'SE', 'has_permit', true FROM bulk;
         INSERT INTO profile_skills (seeker_id, position, skill_id, name)
             SELECT id, 0, '{skill_id}', '{skill_id}' FROM bulk;
         INSERT INTO profile_skills (seeker_id, position, skill_id, name)
             SELECT id, 1, '{also_skill}', '{also_skill}' FROM bulk WHERE n <= {also};
         INSERT INTO index_outbox (entity, entity_id) SELECT 'candidate', cid FROM bulk;
         COMMIT;"
    ))
    .await
    .expect("bulk seekers");
}

#[tokio::test]
async fn totals_are_exact_up_to_ten_thousand_and_a_lower_bound_beyond() {
    let app = TestApp::spawn().await;
    let employer = recruiter(&app, "Eva").await.0;
    bulk_seekers(&app, 10_050, "ls-aseptic", 37, "ls-cleanroom").await;
    settle(&app).await;

    let r = app.get(&format!("{CANDIDATES}?skills=ls-aseptic"), employer.t()).await;
    assert_eq!(ids(&r).len(), 20);
    assert_eq!((&r.body["total"], &r.body["total_exact"]), (&json!(10_000), &json!(false)), "{}", r.text);
    let cursor = r.body["next_cursor"].as_str().expect("a next page beyond the bound");
    let next = app.get(&format!("{CANDIDATES}?skills=ls-aseptic&cursor={cursor}"), employer.t()).await;
    assert_eq!(next.status, 200, "{}", next.text);
    let page = ids(&next);
    assert_eq!(page.len(), 20);
    assert!(page.is_disjoint(&ids(&r)), "the second page repeats the first");
    assert!(next.body["next_cursor"].is_string());

    let r = app.get(&format!("{CANDIDATES}?skills=ls-cleanroom&limit=10"), employer.t()).await;
    assert_eq!((&r.body["total"], &r.body["total_exact"]), (&json!(37), &json!(true)), "{}", r.text);
    assert!(r.body["next_cursor"].is_string());
}

/// Searches until `done` holds for the candidates found, for up to [`FRESH_WITHIN`].
async fn eventually_found(app: &TestApp, path: &str, employer: &Account, done: impl Fn(&HashSet<Uuid>) -> bool) {
    let deadline = tokio::time::Instant::now() + FRESH_WITHIN;
    loop {
        let found = ids(&app.get(path, employer.t()).await);
        if done(&found) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{path}: not searchable yet, found {found:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn changes_become_searchable_by_themselves_and_an_opt_out_holds_at_once() {
    let app = TestApp::spawn().await;
    let employer = recruiter(&app, "Eva").await.0;
    let (seeker, candidate) = seeker_with(&app, "Ana", profile("Scientist", "Bench work.", &["ls-aseptic"])).await;
    let aseptic = format!("{CANDIDATES}?skills=ls-aseptic");
    let cleanroom = format!("{CANDIDATES}?skills=ls-cleanroom");
    // No catch-up is asked for: the running indexer picks the change up by itself.
    eventually_found(&app, &aseptic, &employer, |found| found.contains(&candidate)).await;

    let r = app.put("/api/v1/me/profile", seeker.t(), profile("Scientist", "Bench work.", &["ls-cleanroom"])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    eventually_found(&app, &cleanroom, &employer, |found| found.contains(&candidate)).await;
    eventually_found(&app, &aseptic, &employer, |found| !found.contains(&candidate)).await;

    let mut hidden = profile("Scientist", "Bench work.", &["ls-cleanroom"]);
    hidden["searchable"] = json!(false);
    let r = app.put("/api/v1/me/profile", seeker.t(), hidden).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The very next search: consent holds before the index has caught up.
    assert_eq!(ids(&app.get(&cleanroom, employer.t()).await), set(&[]));
    assert_eq!(found_by(&app, &employer, "bench").await, set(&[]));
}

#[tokio::test]
async fn filters_and_must_skills_still_hold_with_free_text_and_explanations_name_the_skills() {
    let app = TestApp::spawn().await;
    let employer = recruiter(&app, "Eva").await.0;
    let text = "Pipette robotics for screening.";
    let (_, fits) = seeker_with(&app, "Ana", {
        let mut p = profile("Engineer", text, &["ls-gmp", "ls-aseptic"]);
        p["languages"] = json!([{"code": "sv", "level": "C1"}]);
        p
    })
    .await;
    // Each of these misses exactly one condition.
    let (_, low_swedish) = seeker_with(&app, "Bo", {
        let mut p = profile("Engineer", text, &["ls-gmp", "ls-aseptic"]);
        p["languages"] = json!([{"code": "sv", "level": "A2"}]);
        p
    })
    .await;
    let (_, abroad) = seeker_with(&app, "Cy", {
        let mut p = profile("Engineer", text, &["ls-gmp", "ls-aseptic"]);
        p["languages"] = json!([{"code": "sv", "level": "C1"}]);
        p["location"] = json!({"city": "Oslo", "country": "NO"});
        p
    })
    .await;
    let (_, no_gmp) = seeker_with(&app, "Di", {
        let mut p = profile("Engineer", text, &["ls-aseptic"]);
        p["languages"] = json!([{"code": "sv", "level": "C1"}]);
        p
    })
    .await;
    settle(&app).await;

    let all = found_by(&app, &employer, "pipette robotics").await;
    assert_eq!(all, set(&[fits, low_swedish, abroad, no_gmp]));
    let path = format!("{CANDIDATES}?q=pipette%20robotics&country=SE&languages=sv:B2&must_skills=GMP&skills=cleanroom");
    let r = app.get(&path, employer.t()).await;
    assert_eq!(ids(&r), set(&[fits]), "{}", r.text);
    assert_eq!((&r.body["total"], &r.body["total_exact"]), (&json!(1), &json!(true)));
    let explanation = &r.body["items"][0]["explanation"];
    let matched: Vec<&str> = explanation["matched_skills"]
        .as_array()
        .expect("matched")
        .iter()
        .filter_map(|s| s["skill_id"].as_str())
        .collect();
    assert!(matched.contains(&"ls-gmp"), "{explanation}");
    assert!(!matched.contains(&"ls-cleanroom"), "a skill the candidate lacks is not matched: {explanation}");
    assert_eq!(explanation["missing_skills"], json!([]), "every must-skill is there: {explanation}");
}
