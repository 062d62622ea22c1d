//! The skills taxonomy: loading, resolution of skill names and ids, and `GET /api/v1/skills` autocomplete.

use serde_json::Value;
use tandem::taxonomy::{resolve, ResolveError};
use tandem::taxonomy::{ResolvedSkill, SkillRef};

use crate::helpers::TestApp;

async fn resolve_refs(app: &TestApp, refs: &[SkillRef]) -> Result<Vec<ResolvedSkill>, ResolveError> {
    let mut conn = app.state.pool.get().await.expect("conn");
    resolve(&mut conn, "skills", refs).await
}

fn named(name: &str) -> SkillRef {
    SkillRef { skill_id: None, name: Some(name.to_owned()) }
}

fn by_id(id: &str) -> SkillRef {
    SkillRef { skill_id: Some(id.to_owned()), name: None }
}

/// The ids of the resolved skills, `None` for free text.
async fn resolved_ids(app: &TestApp, names: &[&str]) -> Vec<Option<String>> {
    let refs: Vec<SkillRef> = names.iter().map(|n| named(n)).collect();
    resolve_refs(app, &refs).await.expect("resolves").into_iter().map(|s| s.skill_id).collect()
}

/// Autocomplete as anyone; asserts 200 and returns the suggestions.
async fn suggest(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/skills?{query}"), None).await;
    assert_eq!(r.status, 200, "{query}: {}", r.text);
    r.body.as_array().expect("a JSON array").clone()
}

fn ids(suggestions: &[Value]) -> Vec<&str> {
    suggestions.iter().map(|s| s["skill_id"].as_str().expect("skill_id")).collect()
}

#[tokio::test]
async fn the_taxonomy_is_loaded_once_from_every_source() {
    let app = TestApp::spawn().await;
    let count = |sql: &'static str| app.count(sql);
    assert_eq!(count("SELECT count(*) AS n FROM skills WHERE source = 'life_science'").await, 62);
    assert_eq!(count("SELECT count(*) AS n FROM skills WHERE source = 'jobtech'").await, 5514);
    assert!(count("SELECT count(*) AS n FROM skills WHERE source = 'esco'").await > 2000);
    assert_eq!(count("SELECT count(*) AS n FROM jobtech_concepts").await, 10216 - 5514);
    assert_eq!(count("SELECT count(*) AS n FROM jobtech_concepts WHERE type = 'municipality'").await, 290);
    assert_eq!(count("SELECT count(*) AS n FROM skill_labels WHERE normalized = ''").await, 0);
    let labels = count("SELECT count(*) AS n FROM skill_labels").await;
    assert_eq!(
        count("SELECT count(*) AS n FROM (SELECT DISTINCT skill_id, normalized, lang FROM skill_labels) d").await,
        labels,
        "no skill has the same label twice in one language"
    );

    // A restart finds the taxonomy there and leaves it alone.
    tandem::taxonomy::load::ensure_loaded(&app.state.pool).await.expect("second load");
    assert_eq!(count("SELECT count(*) AS n FROM skill_labels").await, labels);
}

#[tokio::test]
async fn swedish_and_english_labels_and_synonyms_resolve_to_one_skill() {
    let app = TestApp::spawn().await;
    let names = ["cellodling", "Cell culturing", "cell culture", "CELLKULTUR", "  cell   cultivation "];
    let resolved = resolve_refs(&app, &names.map(named)).await.expect("resolves");
    for skill in resolved {
        assert_eq!(
            skill,
            ResolvedSkill { skill_id: Some("ls-cell-culture".to_owned()), name: "cell culture".to_owned() }
        );
    }
    assert_eq!(
        resolved_ids(&app, &["god tillverkningssed", "GMP", "gmp tillverkning", "GMP-tillverkning"]).await,
        vec![Some("ls-gmp".to_owned()); 4]
    );
}

#[tokio::test]
async fn names_ignore_accents_and_case() {
    let app = TestApp::spawn().await;
    assert_eq!(
        resolved_ids(&app, &["kvalitetssakring", "KVALITETSSÄKRING", "Flodescytometri"]).await,
        vec![Some("ls-qa".to_owned()), Some("ls-qa".to_owned()), Some("ls-flow-cytometry".to_owned())]
    );
    let hits = suggest(&app, "q=kvalitetssakring").await;
    assert_eq!(hits[0]["skill_id"], "ls-qa");
    assert_eq!(hits[0]["matched_label"], "kvalitetssäkring");
    assert_eq!(hits[0]["label"], "kvalitetssäkring");
    assert_eq!(hits[0]["lang"], "sv");
}

#[tokio::test]
async fn a_name_of_several_skills_prefers_the_curated_skill_then_a_preferred_label() {
    let app = TestApp::spawn().await;
    // JobTech has "Kvalitetssäkring" and ESCO "agile project management" and "Swedish" as preferred labels too.
    assert_eq!(
        resolved_ids(&app, &["Kvalitetssäkring", "agile project management", "Swedish"]).await,
        vec![Some("ls-qa".to_owned()), Some("ls-project-management".to_owned()), Some("ls-swedish".to_owned())]
    );
    // Two ESCO skills share "gather data": the one whose preferred label it is wins.
    assert_eq!(
        resolved_ids(&app, &["gather data"]).await,
        vec![Some("esco:0d6714c6-720e-4985-9791-5ab85d28da79".to_owned())]
    );
}

#[tokio::test]
async fn unknown_names_stay_free_text() {
    let app = TestApp::spawn().await;
    let resolved = resolve_refs(&app, &[named("  Underwater basket weaving "), named("cell culture")]).await;
    assert_eq!(
        resolved.expect("resolves"),
        vec![
            ResolvedSkill { skill_id: None, name: "Underwater basket weaving".to_owned() },
            ResolvedSkill { skill_id: Some("ls-cell-culture".to_owned()), name: "cell culture".to_owned() },
        ]
    );
}

#[tokio::test]
async fn ids_resolve_to_their_label_and_unknown_ids_are_refused() {
    let app = TestApp::spawn().await;
    let resolved = resolve_refs(&app, &[by_id("ls-gmp"), by_id("jobtech:11L4_Q2Z_8tM")]).await.expect("resolves");
    assert_eq!(resolved[0].name, "good manufacturing practice");
    assert_eq!(resolved[1].name, "Kylteknik");

    let refs = [by_id("ls-gmp"), by_id("esco:no-such-skill"), SkillRef::default(), named("   ")];
    match resolve_refs(&app, &refs).await {
        Err(ResolveError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, vec!["skills[1].skill_id", "skills[2]", "skills[3]"]);
        }
        other => panic!("expected invalid references, got {other:?}"),
    }
}

#[tokio::test]
async fn autocomplete_completes_prefixes_of_labels_and_of_words_in_both_languages() {
    let app = TestApp::spawn().await;
    let hits = suggest(&app, "q=cellod").await;
    assert_eq!(hits[0]["skill_id"], "ls-cell-culture");
    assert_eq!(hits[0]["matched_label"], "cellodling");
    assert_eq!(hits[0]["label"], "cellodling");
    assert_eq!(hits[0]["lang"], "sv");

    let hits = suggest(&app, "q=Cell%20cult").await;
    assert_eq!(hits[0]["skill_id"], "ls-cell-culture");
    assert_eq!(hits[0]["label"], "cell culture");
    assert_eq!(hits[0]["lang"], "en");

    // "cytometry" is the second word of "flow cytometry".
    assert!(ids(&suggest(&app, "q=cytomet").await).contains(&"ls-flow-cytometry"));
    // A Swedish synonym, found by the start of its second word.
    let hits = suggest(&app, "q=tillverkn").await;
    let gmp = hits.iter().find(|h| h["skill_id"] == "ls-gmp").expect("GMP suggested");
    assert_eq!(gmp["lang"], "sv");
    assert_eq!(gmp["label"], "god tillverkningssed");
}

#[tokio::test]
async fn autocomplete_ranks_exact_then_curated_prefixes_with_one_entry_per_skill() {
    let app = TestApp::spawn().await;
    let hits = suggest(&app, "q=cell&limit=50").await;
    let found = ids(&hits);
    let unique: std::collections::HashSet<&&str> = found.iter().collect();
    assert_eq!(unique.len(), found.len(), "one entry per skill: {found:?}");
    let curated = found.iter().take_while(|id| id.starts_with("ls-")).count();
    assert!(curated >= 3, "life-science skills come first: {found:?}");
    assert!(found[curated..].iter().all(|id| !id.starts_with("ls-")), "{found:?}");
    assert!(found.contains(&"ls-cell-culture") && found.contains(&"ls-cell-therapy"));

    // An exact match comes before longer labels that start the same way.
    let hits = suggest(&app, "q=QA").await;
    assert_eq!(hits[0]["skill_id"], "ls-qa");
    assert_eq!(hits[0]["matched_label"], "QA");
    assert_eq!(hits[0]["label"], "quality assurance");

    assert_eq!(suggest(&app, "q=cell&limit=2").await.len(), 2);
    assert_eq!(suggest(&app, "q=cell").await.len(), 10);
}

#[tokio::test]
async fn autocomplete_tolerates_a_typo() {
    let app = TestApp::spawn().await;
    assert_eq!(ids(&suggest(&app, "q=cel%20cultre").await).first(), Some(&"ls-cell-culture"));
    assert!(ids(&suggest(&app, "q=flow%20cytometri").await).contains(&"ls-flow-cytometry"));
    let hits = suggest(&app, "q=kvalitetsakring").await;
    assert_eq!(hits[0]["skill_id"], "ls-qa");
    assert_eq!(hits[0]["lang"], "sv");
    assert!(suggest(&app, "q=xqzvvkwj").await.is_empty());
}

#[tokio::test]
async fn autocomplete_is_open_to_everyone() {
    let app = TestApp::spawn().await;
    let seeker = app.seeker("Ana").await;
    let employer = app.employer("Bo").await;
    let admin = app.admin().await;
    for token in [None, seeker.t(), employer.t(), admin.t()] {
        let r = app.get("/api/v1/skills?q=gmp", token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body[0]["skill_id"], "ls-gmp");
    }
}

#[tokio::test]
async fn autocomplete_refuses_a_missing_or_bad_query_and_limit() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("", "q"),
        ("q=", "q"),
        ("q=%20%20", "q"),
        ("q=-", "q"),
        (&format!("q={}", "a".repeat(101)), "q"),
        ("q=cell&limit=0", "limit"),
        ("q=cell&limit=51", "limit"),
        ("q=cell&limit=ten", "limit"),
    ] {
        let r = app.get(&format!("/api/v1/skills?{query}"), None).await;
        assert_eq!(r.invalid_fields(), vec![field], "{query}");
    }
    // Exactly 100 characters is still a query.
    assert_eq!(app.get(&format!("/api/v1/skills?q={}", "a".repeat(100)), None).await.status, 200);
}

#[tokio::test]
async fn autocomplete_is_documented_with_its_parameters() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    let operation = &doc.body["paths"]["/api/v1/skills"]["get"];
    let params: Vec<(&str, bool)> = operation["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| (p["name"].as_str().expect("name"), p["required"].as_bool().unwrap_or(false)))
        .collect();
    assert_eq!(params, vec![("q", true), ("limit", false)]);
    assert!(operation["responses"]["200"].is_object() && operation["responses"]["422"].is_object());
}
