//! `tandem seed --synthetic N` loads N seekers and N/20 jobs through the features' bulk loaders, once, and the
//! rebuilt index finds them.

use std::collections::HashSet;

use tandem::seed::synthetic::{self, synthetic_id, Kind, Outcome, Spec, DEFAULT_SEED, EMAIL_DOMAIN};
use uuid::Uuid;

use crate::helpers::{eventually, Resp, TestApp};
use crate::orgs::create_org;

const PROFILES: u64 = 40;

fn ids(r: &Resp, field: &str) -> HashSet<Uuid> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i[field].as_str().expect("id").parse().expect("uuid"))
        .collect()
}

/// Rows in `table`, which the test database holds only from this load.
async fn rows(app: &TestApp, table: &str) -> i64 {
    app.count(&format!("SELECT count(*) AS n FROM {table}")).await
}

#[tokio::test]
async fn synthetic_data_loads_every_table_once_and_is_found() {
    let app = TestApp::spawn().await;
    synthetic::seed(&app.state, PROFILES).await.expect("synthetic data loads");

    let seekers = PROFILES as i64;
    let jobs = (PROFILES / synthetic::SEEKERS_PER_JOB) as i64;
    let accounts = app.count(&format!("SELECT count(*) AS n FROM users WHERE email LIKE '%@{EMAIL_DOMAIN}'")).await;
    assert_eq!(accounts, seekers);
    assert_eq!(synthetic::count_synthetic_profiles(&app.database_url()).await.expect("count"), PROFILES);
    assert_eq!(rows(&app, "seeker_profiles").await, seekers);
    // The generator's ranges: 4 to 14 skills, 1 to 4 languages, 1 to 4 positions, at least one degree, 1 to 3
    // desired locations per seeker; 3 to 8 skills and 1 or 2 languages per job.
    let skills = rows(&app, "profile_skills").await;
    assert!((4 * seekers..=14 * seekers).contains(&skills), "{skills} profile skills");
    let languages = rows(&app, "profile_languages").await;
    assert!((seekers..=4 * seekers).contains(&languages), "{languages} profile languages");
    let experience = rows(&app, "profile_experience").await;
    assert!((seekers..=4 * seekers).contains(&experience), "{experience} positions");
    assert!(rows(&app, "profile_education").await >= seekers);
    let places = rows(&app, "profile_desired_locations").await;
    assert!((seekers..=3 * seekers).contains(&places), "{places} desired locations");
    assert!(rows(&app, "organizations").await > 0);
    assert_eq!(rows(&app, "jobs").await, jobs);
    let job_skills = rows(&app, "job_skills").await;
    assert!((3 * jobs..=8 * jobs).contains(&job_skills), "{job_skills} job skills");
    let job_languages = rows(&app, "job_languages").await;
    assert!((jobs..=2 * jobs).contains(&job_languages), "{job_languages} job languages");

    match synthetic::load(&app.database_url(), Spec::new(PROFILES)).await.expect("second load") {
        Outcome::AlreadyLoaded { profiles } => assert_eq!(profiles, PROFILES),
        Outcome::Loaded(_) => panic!("synthetic data was loaded twice"),
    }

    // `seed` rebuilt the index; the running server adopts it on its next poll.
    let candidates: HashSet<Uuid> = (0..PROFILES).map(|n| synthetic_id(Kind::Candidate, DEFAULT_SEED, n)).collect();
    let employer = app.employer("Eva").await;
    create_org(&app, &employer, "Eva AB").await;
    eventually("the index to hold every synthetic candidate", || async {
        app.get("/api/v1/candidates?limit=100", employer.t()).await.body["total"] == PROFILES
    })
    .await;
    let found = ids(&app.get("/api/v1/candidates?limit=100", employer.t()).await, "candidate_id");
    assert_eq!(found, candidates);
    let published: HashSet<Uuid> = (0..jobs as u64).map(|n| synthetic_id(Kind::Job, DEFAULT_SEED, n)).collect();
    assert_eq!(ids(&app.get("/api/v1/jobs", None).await, "id"), published);
}
