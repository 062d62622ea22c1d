//! Equivalent skills across sources: the mapping tables land in the database (on a new one and on an older one that
//! lacks them), and a skill from ESCO meets its JobTech equivalent in every search, in profile matching both ways,
//! and in alerts, with explanations that say so; a narrower or broader skill is a partial match where a skill is
//! not required, and an unrelated skill does not match.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::alerts::World;
use crate::helpers::{Account, Resp, TestApp};
use crate::search::{profile, recruiter, seeker_with, settle};
use crate::smtp::parts;

/// ESCO's "Java (computer programming)".
const ESCO_JAVA: &str = "esco:19a8293b-8e95-4de3-983f-77484079c389";
/// JobTech's "Java Enterprise Edition, programmeringsspråk", which the mapping calls `exact` to ESCO's Java.
const JOBTECH_JAVA_EE: &str = "jobtech:fDfH_ihY_ReT";
const JAVA_EE_LABEL: &str = "Java Enterprise Edition, programmeringsspråk";
/// JobTech's "Java, programmeringsspråk": narrower than ESCO's Java in the mapping, so not the same skill.
const JOBTECH_JAVA: &str = "jobtech:jCsR_WQX_CKD";
const JAVA_LABEL: &str = "Java, programmeringsspråk";
const ESCO_JAVA_LABEL: &str = "Java (computer programming)";

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

#[tokio::test]
async fn the_mapping_links_skills_and_fills_an_older_database_once() {
    let app = TestApp::spawn().await;
    let links = "SELECT count(*) AS n FROM skill_links";
    let swedish_esco = "SELECT count(*) AS n FROM skills WHERE source = 'esco' AND label_sv IS NOT NULL";
    let preferred_sv = "SELECT count(*) AS n FROM skill_labels l JOIN skills s ON s.id = l.skill_id \
                        WHERE s.source = 'esco' AND l.lang = 'sv' AND l.preferred";
    assert_eq!(count(&app, links).await, 2_167 + 13, "the table's links between skills Tandem has, and the curated");
    assert_eq!(count(&app, "SELECT count(*) AS n FROM skill_links WHERE relation = 'exact'").await, 177 + 13);
    assert_eq!(count(&app, swedish_esco).await, 1_894);
    assert_eq!(count(&app, preferred_sv).await, 1_894, "one preferred Swedish label each");
    let java = format!(
        "SELECT count(*) AS n FROM skill_links WHERE skill_id = '{JOBTECH_JAVA}' AND linked_skill_id = '{ESCO_JAVA}' \
         AND relation = 'broad'"
    );
    assert_eq!(count(&app, &java).await, 1, "the README's sample row: ESCO's Java is the broader");
    let java_sv =
        format!("SELECT count(*) AS n FROM skills WHERE id = '{ESCO_JAVA}' AND label_sv = 'Java (datorprogrammering)'");
    assert_eq!(count(&app, &java_sv).await, 1);

    // A database loaded before the mapping existed: no links and no Swedish ESCO labels.
    let mut conn = app.state.pool.get().await.expect("conn");
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut *conn,
        "DELETE FROM skill_links;
         DELETE FROM skill_labels l USING skills s WHERE s.id = l.skill_id AND s.source = 'esco' AND l.lang = 'sv';
         UPDATE skills SET label_sv = NULL WHERE source = 'esco';",
    )
    .await
    .expect("the older database");
    drop(conn);
    let filled = tandem::taxonomy::load::ensure_loaded(&app.state.pool).await.expect("fills").expect("wrote");
    assert_eq!((filled.skills, filled.links, filled.swedish_labels), (0, 2_180, 1_894), "{filled:?}");
    assert_eq!((count(&app, links).await, count(&app, preferred_sv).await), (2_180, 1_894));
    let again = tandem::taxonomy::load::ensure_loaded(&app.state.pool).await.expect("second start");
    assert!(again.is_none(), "nothing left to fill: {again:?}");
    assert_eq!((count(&app, links).await, count(&app, preferred_sv).await), (2_180, 1_894));
}

/// A published job with these required skills (taxonomy ids); returns its id.
async fn post_job(app: &TestApp, employer: &Account, org: Uuid, title: &str, skill_ids: &[&str]) -> Uuid {
    let skills: Vec<Value> = skill_ids.iter().map(|id| json!({"skill_id": id, "required": true})).collect();
    let body = json!({
        "organization_id": org, "title": title, "description": "Build our lab information systems.",
        "skills": skills, "location": {"city": "Göteborg", "country": "SE"}, "remote": "hybrid",
        "employment_type": "permanent", "sector": "pharma", "status": "published",
        "languages": [{"code": "en", "level": "B2"}]
    });
    let r = app.post("/api/v1/jobs", employer.t(), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.uuid("id")
}

fn items(r: &Resp) -> &Vec<Value> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().expect("items")
}

fn ids(r: &Resp, field: &str) -> Vec<String> {
    items(r).iter().map(|i| i[field].as_str().expect("id").to_owned()).collect()
}

/// The first matched skill of the hit with this id, and the factors of its explanation.
fn explained<'a>(r: &'a Resp, field: &str, id: Uuid) -> (&'a Value, &'a Vec<Value>) {
    let hit = items(r).iter().find(|i| i[field] == json!(id)).expect("the hit");
    (&hit["explanation"]["matched_skills"][0], hit["explanation"]["other"].as_array().expect("factors"))
}

fn says_equivalent(factors: &[Value], asked: &str, met: &str) -> bool {
    factors.iter().any(|f| {
        let detail = f["detail"].as_str().unwrap_or("");
        f["factor"] == "equivalent_skill" && detail.contains(asked) && detail.contains(met)
    })
}

#[tokio::test]
async fn an_esco_skill_and_its_jobtech_equivalent_are_one_skill_in_searches_and_matches() {
    let app = TestApp::spawn().await;
    let (employer, org) = recruiter(&app, "Eva").await;
    let (ada, ada_id) = seeker_with(&app, "Ada", profile("Developer", &["Java (computer programming)"], true)).await;
    let (cia, cia_id) = seeker_with(&app, "Cia", profile("Cell biologist", &["cell culture"], true)).await;
    let job = post_job(&app, &employer, org, "Java developer", &[JOBTECH_JAVA_EE]).await;
    let other = post_job(&app, &employer, org, "Android developer", &[JOBTECH_JAVA]).await;
    settle(&app).await;

    // The seeker's ESCO skill meets the job's JobTech skill, which counts as held: nothing required is missing.
    // The job asking for the narrower JobTech Java comes after it: a partial match, its required skill missing.
    let r = app.get("/api/v1/me/matches", ada.t()).await;
    assert_eq!(ids(&r, "job_id"), vec![job.to_string(), other.to_string()]);
    let (matched, factors) = explained(&r, "job_id", job);
    assert_eq!(matched["skill_id"], ESCO_JAVA, "the explanation names the seeker's own skill");
    assert_eq!(matched["through"], json!({"skill_id": JOBTECH_JAVA_EE, "name": JAVA_EE_LABEL, "relation": "exact"}));
    assert!(says_equivalent(factors, ESCO_JAVA_LABEL, JAVA_EE_LABEL), "{factors:?}");
    assert_eq!(items(&r)[0]["explanation"]["missing_skills"], json!([]));
    let partly = &items(&r)[1]["explanation"];
    assert_eq!(partly["matched_skills"], json!([]));
    assert_eq!(partly["partial_skills"][0]["skill_id"], ESCO_JAVA);
    assert_eq!(
        partly["partial_skills"][0]["through"],
        json!({"skill_id": JOBTECH_JAVA, "name": JAVA_LABEL, "relation": "narrower"})
    );
    assert_eq!(partly["missing_skills"][0]["skill_id"], JOBTECH_JAVA, "a partial match is no required skill");
    let detail = format!("partial: {JAVA_LABEL} is narrower than {ESCO_JAVA_LABEL}");
    assert!(partly["other"].as_array().expect("factors").iter().any(|f| f["detail"] == json!(detail)), "{partly}");
    assert_eq!(items(&app.get("/api/v1/me/matches", cia.t()).await).len(), 0, "an unrelated skill meets no job");

    // Searching jobs by the ESCO id finds the job posted with the JobTech one, then the partial match.
    let r = app.get(&format!("/api/v1/jobs?skills={ESCO_JAVA}"), None).await;
    assert_eq!(ids(&r, "id"), vec![job.to_string(), other.to_string()]);
    assert_eq!(explained(&r, "id", job).0["through"]["skill_id"], JOBTECH_JAVA_EE);
    let scores: Vec<f64> = items(&r).iter().map(|i| i["score"].as_f64().expect("score")).collect();
    assert!(scores[1] < scores[0], "a partial match weighs less: {scores:?}");
    let r = app.get("/api/v1/jobs?skills=ls-cell-culture", None).await;
    assert!(!ids(&r, "id").contains(&job.to_string()), "{}", r.text);

    // An employer searching by the JobTech skill finds the seeker who listed the ESCO one, and only them.
    for query in [format!("skills={JOBTECH_JAVA_EE}"), format!("must_skills={JOBTECH_JAVA_EE}")] {
        let r = app.get(&format!("/api/v1/candidates?{query}"), employer.t()).await;
        assert_eq!(ids(&r, "candidate_id"), vec![ada_id.to_string()], "{query}");
        let (matched, factors) = explained(&r, "candidate_id", ada_id);
        assert_eq!(matched["skill_id"], JOBTECH_JAVA_EE, "the skill the employer asked for");
        assert_eq!(matched["through"]["skill_id"], ESCO_JAVA);
        assert!(says_equivalent(factors, JAVA_EE_LABEL, ESCO_JAVA_LABEL), "{factors:?}");
    }
    // By the narrower JobTech Java, the seeker's broader ESCO skill is a partial match, and no must-have.
    let r = app.get(&format!("/api/v1/candidates?skills={JOBTECH_JAVA}"), employer.t()).await;
    assert_eq!(ids(&r, "candidate_id"), vec![ada_id.to_string()]);
    let partly = &items(&r)[0]["explanation"]["partial_skills"][0];
    assert_eq!((&partly["skill_id"], &partly["through"]["relation"]), (&json!(JOBTECH_JAVA), &json!("broader")));
    let r = app.get(&format!("/api/v1/candidates?must_skills={JOBTECH_JAVA}"), employer.t()).await;
    assert_eq!(items(&r).len(), 0, "{}", r.text);
    let r = app.get(&format!("/api/v1/jobs/{job}/matches"), employer.t()).await;
    assert_eq!(ids(&r, "candidate_id"), vec![ada_id.to_string()]);
    assert!(!ids(&r, "candidate_id").contains(&cia_id.to_string()));
    let r = app.get(&format!("/api/v1/jobs/{other}/matches"), employer.t()).await;
    assert_eq!(items(&r).len(), 0, "a broader ESCO skill is not the narrower JobTech one: {}", r.text);
}

#[tokio::test]
async fn alerts_fire_for_the_equivalent_skill_and_not_for_unrelated_ones() {
    let world = World::new().await;
    let app = &world.app;
    let ada = app.seeker("Ada").await;
    let r = app.put("/api/v1/me/profile", ada.t(), profile("Developer", &["Java (computer programming)"], false)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let fits_me = json!({"name": "Fits me", "query": null, "match_profile": true, "frequency": "instant"});
    assert_eq!(app.post("/api/v1/me/alerts", ada.t(), fits_me).await.status, 201);
    let (bo, _) = world
        .seeker_with_alert(
            "Bo",
            json!({"name": "Java", "query": {"skills": [ESCO_JAVA]}, "match_profile": false, "frequency": "instant"}),
        )
        .await;
    let (cia, _) = world
        .seeker_with_alert("Cia", json!({"name": "Cells", "query": {"skills": ["cell culture"]}, "match_profile": false, "frequency": "instant"}))
        .await;

    world.post_job("Java developer", &[JAVA_EE_LABEL], "published").await;
    world.settle().await;
    for seeker in [&ada, &bo] {
        let mails = world.mails_to(seeker);
        assert_eq!(mails.len(), 1, "{}: {mails:?}", seeker.email);
        let (text, _) = parts(&mails[0]);
        assert!(text.contains("Java developer"), "{text}");
        assert!(text.contains(&format!("Matched skills: {JAVA_EE_LABEL}")), "{text}");
    }
    assert!(world.mails_to(&cia).is_empty(), "an unrelated skill: {:?}", world.mails_to(&cia));
    world.shutdown().await;
}
