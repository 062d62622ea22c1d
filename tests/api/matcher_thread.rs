//! The alert matcher never blocks an async worker: while it holds a slow percolator load (a blocking pause inside
//! the load, as a large load is), `/healthz` and a job search answer at once, and matching completes after it.
//!
//! The requests go out from the runtime the application was started on, the one a matcher running as an async
//! task would hold: there, neither the load's start nor the requests could be seen before the pause ended.

use std::time::{Duration, Instant};

use serde_json::json;
use tandem::alerts::AlertSettings;

use crate::helpers::{eventually, TestApp};
use crate::orgs::create_org;

/// Far longer than the requests take, so the load is sure to be still in progress after them.
const LOAD_PAUSE: Duration = Duration::from_secs(5);
/// The longest a request may take while the load goes on.
const BOUND: Duration = Duration::from_millis(50);
/// Requests per endpoint; the median is held to the bound, so one hiccup of a loaded machine does not fail it.
const ROUNDS: usize = 7;

/// The median time `path` takes to answer 200.
async fn median_latency(app: &TestApp, path: &str) -> Duration {
    let mut took = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let asked = Instant::now();
        let r = app.get(path, None).await;
        took.push(asked.elapsed());
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
    took.sort();
    took[ROUNDS / 2]
}

#[tokio::test]
async fn requests_answer_at_once_while_the_alert_matcher_loads_its_saved_searches() {
    let app = TestApp::spawn_with(|config, plan| {
        config.percolator_load_pause = Some(LOAD_PAUSE);
        plan.alerts =
            Some(AlertSettings { poll: Duration::from_millis(100), scheduler: false, ..AlertSettings::default() });
    })
    .await;
    let status = app.matcher.clone().expect("the application runs the alert matcher");
    eventually("the percolator load to begin", || async { status.loading() }).await;

    let healthz = median_latency(&app, "/healthz").await;
    let search = median_latency(&app, "/api/v1/jobs?q=cell").await;
    let since = status.loading_since().expect("the load goes on after the requests");
    assert_eq!(status.loads(), 0, "no load has finished");
    // Only a load that stalls no thread the requests need lets them finish inside its blocking pause.
    assert!(since.elapsed() < LOAD_PAUSE, "the requests were made while the load was held in its pause");
    assert!(healthz < BOUND, "/healthz took {healthz:?} (median) while the matcher loaded");
    assert!(search < BOUND, "a job search took {search:?} (median) while the matcher loaded");

    // Matching goes on once the load is over.
    let seeker = app.seeker("Ada").await;
    let alert = json!({"name": "Cells", "query": {"skills": ["ls-cell-culture"]}, "match_profile": false, "frequency": "instant"});
    let r = app.post("/api/v1/me/alerts", seeker.t(), alert).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let employer = app.employer("Eva").await;
    let org = create_org(&app, &employer, "Eva AB").await;
    let job = json!({
        "organization_id": org,
        "title": "Cell culture lead",
        "description": "Join our cell therapy manufacturing team in Gothenburg.",
        "skills": [{"skill_id": "ls-cell-culture", "required": true}],
        "location": {"city": "Göteborg", "country": "SE"},
        "remote": "hybrid",
        "employment_type": "permanent",
        "sector": "pharma",
        "languages": [{"code": "en", "level": "B2"}],
        "status": "published"
    });
    let r = app.post("/api/v1/jobs", employer.t(), job).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let job_id = r.uuid("id");
    app.alert_matcher_caught_up().await;
    assert_eq!(status.loads(), 1, "the load finished once");
    let matched = app.count(&format!("SELECT count(*) AS n FROM alert_matches WHERE job_id = '{job_id}'")).await;
    assert_eq!(matched, 1, "the job is matched to the alert after the load");
}
