//! Digests at their cap: the best jobs listed and the rest behind a link only the alert's owner may follow,
//! nothing sent twice, and a job matched after a digest in the next one.

use std::collections::HashSet;

use futures_util::stream::{self, StreamExt};
use serde_json::json;
use tandem::alerts::digest::{DigestReport, DIGEST_JOBS};
use tandem::alerts::model::Frequency;
use uuid::Uuid;

use crate::alerts::{local, skills_alert, subject, World};
use crate::helpers::{Account, TestApp};
use crate::orgs::create_org;
use crate::smtp::parts;

/// Publishes `n` jobs titled `title 1`..`title n` asking for `skills`, a few at a time.
async fn post_jobs(world: &World, title: &str, skills: &[&str], n: usize) -> Vec<Uuid> {
    stream::iter(1..=n)
        .map(|i| async move { world.post_job(&format!("{title} {i}"), skills, "published").await })
        .buffer_unordered(8)
        .collect()
        .await
}

/// Every job id `path` lists for `seeker`, following `next_cursor` to the end.
async fn every_page(world: &World, seeker: &Account, path: &str) -> Vec<Uuid> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = match &cursor {
            Some(c) => format!("{path}?limit=100&cursor={c}"),
            None => format!("{path}?limit=100"),
        };
        let r = world.app.get(&page, seeker.t()).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for item in r.body["items"].as_array().expect("items") {
            assert!(item["title"].as_str().is_some_and(|t| t.to_lowercase().contains("cell job")), "{item}");
            ids.push(item["job_id"].as_str().and_then(|id| id.parse().ok()).expect("a job id"));
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn a_digest_of_500_jobs_lists_the_best_20_and_links_its_owner_to_the_rest() {
    let world = World::new().await;
    let alert = skills_alert("Cells", &["cell culture", "GMP"], "daily");
    let (ada, alert) = world.seeker_with_alert("Ada", alert).await;
    // Twenty jobs meet both of the alert's skills, the others one: the twenty are the best.
    let others = post_jobs(&world, "Cell job", &["cell culture"], 480).await;
    let best = post_jobs(&world, "Best cell job", &["cell culture", "GMP"], DIGEST_JOBS).await;
    world.settle().await;

    let state = world.smtp_state();
    let report = tandem::alerts::run::run(&state, Frequency::Daily).await.expect("digest run");
    assert_eq!((report.queued.mails, report.queued.jobs, report.undelivered), (1, DIGEST_JOBS, 0));
    world.settle().await;
    let mails = world.mails_to(&ada);
    assert_eq!(mails.len(), 1);
    assert_eq!(subject(&mails[0]), "500 new jobs for \"Cells\"");
    let link = format!("http://tandem.test/api/v1/me/alerts/{alert}/jobs");
    let (text, html) = parts(&mails[0]);
    for part in [&text, &html] {
        assert!(best.iter().all(|job| part.contains(&format!("/api/v1/jobs/{job}"))), "{part}");
        assert!(!others.iter().any(|job| part.contains(&job.to_string())), "{part}");
        assert!(part.contains("and 480 more") && part.contains(&link), "{part}");
    }
    assert!(text.contains("Your daily digest for the alert \"Cells\": 500 new jobs."), "{text}");
    assert!(text.contains(&format!("... and 480 more: {link}")), "{text}");

    // The link lists every job the alert matched to its owner; to anyone else the alert does not exist.
    let listed = every_page(&world, &ada, &local(&link)).await;
    let listed: HashSet<Uuid> = listed.into_iter().collect();
    assert_eq!(listed.len(), 500);
    assert!(best.iter().chain(&others).all(|job| listed.contains(job)));
    let bo = world.app.seeker("Bo").await;
    assert_eq!(world.app.get(&local(&link), bo.t()).await.status, 404);
    assert_eq!(world.app.get(&local(&link), None).await.status, 401);

    // Run again: nothing is sent twice, not even a listed job closed and reopened since. A job matched after the
    // digest goes in the next one, alone.
    let report = tandem::alerts::run::run(&state, Frequency::Daily).await.expect("digest run");
    assert_eq!(report.queued, DigestReport::default());
    world.patch_job(best[0], json!({"status": "closed"})).await;
    world.settle().await;
    world.patch_job(best[0], json!({"status": "published"})).await;
    let late = world.post_job("Late cell job", &["cell culture"], "published").await;
    world.settle().await;
    let report = tandem::alerts::run::run(&state, Frequency::Daily).await.expect("digest run");
    assert_eq!((report.queued.mails, report.queued.jobs), (1, 1));
    world.settle().await;
    let mails = world.mails_to(&ada);
    assert_eq!(mails.len(), 2);
    assert_eq!(subject(&mails[1]), "Late cell job at Västra Pharma: new for \"Cells\"");
    let (text, _) = parts(&mails[1]);
    assert!(text.contains(&format!("/api/v1/jobs/{late}")) && !text.contains("more:"), "{text}");
    assert!(!best.iter().chain(&others).any(|job| text.contains(&job.to_string())), "{text}");
    world.shutdown().await;
}

/// Not a test: times queuing a daily digest for many seekers, set up directly in SQL. Run with
/// `DIGEST_SEEKERS=100000 DIGEST_NEW_JOBS=2500 DIGEST_MATCHES=25 cargo test --release --test api
/// alerts_digest::time -- --ignored --nocapture` (the defaults: 1 % of the jobs per alert; the permissive synthetic
/// alert set matches 4.6 %, 115).
#[tokio::test]
#[ignore = "a measurement, not a test: run it by name"]
async fn time_queuing_a_daily_digest() {
    use diesel_async::SimpleAsyncConnection;
    let setting = |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (seekers, jobs) = (setting("DIGEST_SEEKERS", 100_000), setting("DIGEST_NEW_JOBS", 2_500));
    let per_alert = setting("DIGEST_MATCHES", 25);
    // No mailer workers: the mails stay queued, as only queuing is timed.
    let app = TestApp::spawn_with(|_, plan| plan.mail_workers = 0).await;
    let ada = app.seeker("Ada").await;
    let r = app.post("/api/v1/me/alerts", ada.t(), skills_alert("Cells", &["cell culture"], "daily")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let alert = r.uuid("id");
    let employer = app.employer("Eva").await;
    let org = create_org(&app, &employer, "Västra Pharma").await;
    let body = json!({"organization_id": org, "title": "Cell job 1", "description": "Cell therapy.",
        "skills": [{"name": "cell culture", "required": true}], "location": {"city": "Göteborg", "country": "SE"},
        "remote": "hybrid", "employment_type": "permanent", "sector": "pharma", "languages": [], "status": "published"});
    let r = app.post("/api/v1/jobs", employer.t(), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let job = r.uuid("id");
    let mut conn = app.state.pool.get().await.expect("conn");
    let started = std::time::Instant::now();
    conn.batch_execute(&format!(
        "SET statement_timeout = 0;
         WITH seekers AS (
             INSERT INTO users (id, email, password_hash, display_name, role)
             SELECT gen_random_uuid(), 'seeker-' || n || '@digest.test', 'not a hash', 'Seeker ' || n, 'seeker'
             FROM generate_series(1, {seekers}) n RETURNING id)
         INSERT INTO alerts (id, seeker_id, name, query, match_profile, frequency, kind)
         SELECT gen_random_uuid(), s.id, a.name, a.query, a.match_profile, a.frequency, a.kind
         FROM seekers s CROSS JOIN alerts a WHERE a.id = '{alert}';
         INSERT INTO jobs SELECT (jsonb_populate_record(NULL::jobs,
                 to_jsonb(j) || jsonb_build_object('id', gen_random_uuid(), 'title', 'Cell job ' || n))).*
         FROM jobs j CROSS JOIN generate_series(2, {jobs}) n WHERE j.id = '{job}';
         WITH new_jobs AS (SELECT array_agg(id) AS ids, count(*) AS n FROM jobs)
         INSERT INTO alert_matches (alert_id, job_id, matched_skills, status)
         SELECT a.id, j.ids[1 + abs(hashtext(a.id::text || g)) % j.n],
                '[{{\"skill_id\": \"ls-cell-culture\", \"name\": \"cell culture\"}}]', 'pending'
         FROM alerts a CROSS JOIN new_jobs j CROSS JOIN generate_series(1, {per_alert}) g
         WHERE a.frequency = 'daily'
         ON CONFLICT DO NOTHING;
         ANALYZE;"
    ))
    .await
    .expect("setup");
    let matches = app.count("SELECT count(*) AS n FROM alert_matches WHERE status = 'pending'").await;
    eprintln!("{seekers} seekers, {jobs} jobs, {matches} matches set up in {:.1} s", started.elapsed().as_secs_f64());
    drop(conn);
    let mailer = tandem::alerts::mailer(&app.state);
    let started = std::time::Instant::now();
    let report = tandem::alerts::digest::send_due(&app.state.pool, &mailer, Frequency::Daily).await.expect("run");
    let elapsed = started.elapsed().as_secs_f64();
    let bytes =
        app.count("SELECT sum(octet_length(body_text) + octet_length(body_html))::bigint AS n FROM mail_outbox").await;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status.lines().find(|l| l.starts_with("VmHWM")).unwrap_or("VmHWM unknown").to_owned();
    eprintln!(
        "digest queued: {} mails listing {} jobs in {elapsed:.1} s ({:.0} mails/s); bodies {} MiB; test process {peak}",
        report.mails,
        report.jobs,
        report.mails as f64 / elapsed,
        bytes / (1 << 20)
    );
}
