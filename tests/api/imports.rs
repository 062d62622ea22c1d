//! Importing real ads: the three sample files import cleanly and a second time change nothing; imported jobs are
//! found through the skills read from their text and alert once; a withdrawal closes a job; the same job from two
//! boards is one job listing both; a bad ad is reported at its position; the JobStream is followed from where the
//! last run ended; only operators import over HTTP.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};
use tandem::alerts::{AlertSettings, AlertWorkers};
use tandem::config::Config;
use tandem::imports::{Format, ImportSummary, Importer};
use tandem::mail::worker::{MailWorkers, WorkerSettings};

use crate::helpers::{eventually, TestApp};
use crate::smtp::SmtpServer;

const IMPORTS: &str = "/api/v1/admin/imports";

fn sample(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/jobads").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn import(app: &TestApp, format: Format, input: Vec<u8>) -> ImportSummary {
    let mut conn = app.state.pool.get().await.expect("conn");
    let importer = Importer::load(&mut conn).await.expect("importer");
    importer.import(&app.state.pool, format, input, |_| {}).await.expect("import")
}

fn counts(s: &ImportSummary) -> [usize; 6] {
    [s.new, s.updated, s.unchanged, s.withdrawn, s.merged, s.skipped.len()]
}

/// The JobStream sample's ad with its dates moved into the future and a text that names skills, so it is open
/// and searchable.
fn open_ad(id: &str, text: &str) -> Value {
    let mut ads: Vec<Value> = serde_json::from_slice(&sample("jobstream_2024_1_ad.json")).expect("sample");
    let mut ad = ads.remove(0);
    let next_year = chrono::Utc::now().date_naive().succ_opt().expect("date") + chrono::Days::new(365);
    ad["id"] = json!(id);
    ad["application_deadline"] = json!(format!("{next_year}T23:59:59"));
    ad["publication_date"] = json!(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string());
    ad["description"]["text"] = json!(text);
    ad
}

const CELL_TEXT: &str = "Vi söker en forskningsingenjör till vårt labb i Göteborg. Du har erfarenhet av \
    cellodling och flödescytometri och trivs i en GMP-miljö. Du är noggrann och strukturerad.";

#[tokio::test]
async fn the_three_sample_files_import_cleanly_and_a_second_run_changes_nothing() {
    let app = TestApp::spawn().await;
    let cases = [
        (Format::Jobtech, "jobsearch_hits_2_ads.json", [2, 0, 0, 0, 0, 0]),
        (Format::Jobtech, "jobstream_2024_1_ad.json", [1, 0, 0, 0, 0, 0]),
        // Two of the twelve postings are the same jobs on a second board.
        (Format::Jobposting, "jobposting_scraped_2020_sample.json", [10, 0, 0, 0, 2, 0]),
    ];
    for (format, file, first) in cases {
        let summary = import(&app, format, sample(file)).await;
        assert_eq!(counts(&summary), first, "{file}: {summary:?}");
    }
    let jobs = app.count("SELECT count(*) AS n FROM jobs").await;
    let changes = app.count("SELECT count(*) AS n FROM index_outbox").await;
    for (format, file, first) in cases {
        let again = import(&app, format, sample(file)).await;
        let ads = first.iter().sum::<usize>();
        assert_eq!(counts(&again), [0, 0, ads, 0, 0, 0], "{file} again: {again:?}");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs").await, jobs, "no new job");
    assert_eq!(app.count("SELECT count(*) AS n FROM index_outbox").await, changes, "no change queued");
    assert_eq!(jobs, 13);

    // The JobSearch ads' made-up concept ids fall back to their labels; ad 2 has no country, so Sweden.
    let volvo = app.count("SELECT count(*) AS n FROM organizations WHERE org_number = '5560743089'").await;
    assert_eq!(volvo, 1, "the employer became an organisation keyed by its number");
    let no_country =
        app.count("SELECT count(*) AS n FROM jobs WHERE external_id = '23187561' AND country = 'SE'").await;
    assert_eq!(no_country, 1, "a Malmö ad without a country is in Sweden");
    let expired = app.count("SELECT count(*) AS n FROM jobs WHERE source = 'jobtech' AND status = 'closed'").await;
    assert_eq!(expired, 3, "ads whose deadline has passed are imported closed");
}

#[tokio::test]
async fn the_same_job_on_two_boards_is_one_job_that_lists_both() {
    let app = TestApp::spawn().await;
    import(&app, Format::Jobposting, sample("jobposting_scraped_2020_sample.json")).await;
    let merged = app
        .count("SELECT count(*) AS n FROM (SELECT job_id FROM job_sources GROUP BY job_id HAVING count(*) = 2) twice")
        .await;
    assert_eq!(merged, 2);
    // Reopen the merged jobs (their 2020 deadlines have passed) and queue them, so the public API shows them.
    let reopen = "WITH merged AS (SELECT job_id FROM job_sources GROUP BY job_id HAVING count(*) = 2),
                       opened AS (UPDATE jobs SET status = 'published', closes_at = NULL
                                  WHERE id IN (SELECT job_id FROM merged) RETURNING id)
                  INSERT INTO index_outbox (entity, entity_id) SELECT 'job', id FROM opened";
    let mut conn = app.state.pool.get().await.expect("conn");
    diesel_async::RunQueryDsl::execute(diesel::sql_query(reopen), &mut conn).await.expect("reopen");
    eventually("the merged job in search", || async {
        let r = app.get("/api/v1/jobs?q=Barnsjuksköterska", None).await;
        r.body["items"].as_array().is_some_and(|items| !items.is_empty())
    })
    .await;
    let hits = app.get("/api/v1/jobs?q=Barnsjuksköterska", None).await;
    assert_eq!(hits.body["items"].as_array().map(Vec::len), Some(1), "one job, not two: {}", hits.text);
    let job = app.get(&format!("/api/v1/jobs/{}", hits.body["items"][0]["id"].as_str().expect("id")), None).await;
    let boards: Vec<&str> = std::iter::once(job.body["source"]["name"].as_str().unwrap_or_default())
        .chain(job.body["also_at"].as_array().into_iter().flatten().filter_map(|a| a["name"].as_str()))
        .collect();
    assert_eq!(boards.len(), 2, "{}", job.text);
    assert!(boards.contains(&"arbetsformedlingen.se") && boards.contains(&"halsojobb.se"), "{boards:?}");
}

/// Tandem with the alert matcher and mailer, sending to a real SMTP server.
struct Alerting {
    app: TestApp,
    smtp: SmtpServer,
    _mailer: MailWorkers,
    _alerts: AlertWorkers,
}

impl Alerting {
    async fn start() -> Self {
        let smtp = SmtpServer::start();
        let app = TestApp::spawn().await;
        let config = Config { smtp_url: Some(SmtpServer::url(smtp.port)), ..(*app.state.config).clone() };
        let settings = WorkerSettings { idle_poll: Duration::from_millis(50), ..WorkerSettings::default() };
        let mailer = MailWorkers::start_with(app.state.pool.clone(), &config, 2, settings).expect("mail workers");
        let alerts = AlertWorkers::start_with(
            &app.state,
            AlertSettings { poll: Duration::from_millis(100), scheduler: false, ..AlertSettings::default() },
        );
        Self { app, smtp, _mailer: mailer, _alerts: alerts }
    }
}

#[tokio::test]
async fn an_imported_ad_is_found_by_the_skills_in_its_text_alerts_once_and_closes_when_withdrawn() {
    let world = Alerting::start().await;
    let app = &world.app;
    let ada = app.seeker("Ada Seeker").await;
    let alert = json!({"name": "cells", "query": {"skills": ["ls-cell-culture"]}, "match_profile": false,
                       "frequency": "instant"});
    assert_eq!(app.post("/api/v1/me/alerts", ada.t(), alert).await.status, 201);
    let admin = app.admin().await;
    let batch = json!({"source": "jobtech", "ads": [open_ad("900001", CELL_TEXT)]});
    let first = app.post(IMPORTS, admin.t(), batch.clone()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["new"], 1);

    eventually("the imported job found by an extracted skill", || async {
        let r = app.get("/api/v1/jobs?skills=ls-cell-culture", None).await;
        r.body["items"].as_array().is_some_and(|items| items.len() == 1)
    })
    .await;
    let hit = app.get("/api/v1/jobs?skills=ls-cell-culture", None).await;
    let id = hit.body["items"][0]["id"].as_str().expect("id").to_owned();
    let job = app.get(&format!("/api/v1/jobs/{id}"), None).await;
    let cell = job.body["skills"].as_array().into_iter().flatten().find(|s| s["skill_id"] == "ls-cell-culture");
    let cell = cell.unwrap_or_else(|| panic!("cell culture among the skills: {}", job.text));
    assert_eq!(cell["found"], "text");
    assert_eq!(cell["required"], false, "a skill read from the text is never required");
    assert!(cell["snippet"].as_str().is_some_and(|s| s.contains("cellodling")), "{cell}");
    assert_eq!(job.body["source"]["name"], "jobtech");
    assert_eq!(job.body["source"]["external_id"], "900001");

    eventually("the alert mail", || async { !world.smtp.received_for(&ada.email).is_empty() }).await;
    // The same batch again: nothing changes, no second mail.
    let again = app.post(IMPORTS, admin.t(), batch).await;
    assert_eq!(again.body["unchanged"], 1, "{}", again.text);
    app.alert_matcher_caught_up().await;
    app.mail_sent().await;
    assert_eq!(world.smtp.received_for(&ada.email).len(), 1, "alerted once");

    // The board takes the ad down: the job closes and leaves search.
    let mut removed = open_ad("900001", CELL_TEXT);
    removed["removed"] = json!(true);
    removed["timestamp"] = json!(removed["timestamp"].as_i64().expect("timestamp") + 60_000);
    let withdrawal = app.post(IMPORTS, admin.t(), json!({"source": "jobtech", "ads": [removed]})).await;
    assert_eq!(withdrawal.body["withdrawn"], 1, "{}", withdrawal.text);
    assert_eq!(app.get(&format!("/api/v1/jobs/{id}"), None).await.body["status"], "closed");
    eventually("the withdrawn job gone from search", || async {
        let r = app.get("/api/v1/jobs?skills=ls-cell-culture", None).await;
        r.body["items"].as_array().is_some_and(Vec::is_empty)
    })
    .await;
}

#[tokio::test]
async fn a_bad_ad_is_reported_at_its_position_and_the_others_are_imported() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ads = json!([open_ad("900010", CELL_TEXT), {"headline": "no id"}, "not an ad", open_ad("900011", CELL_TEXT)]);
    let r = app.post(IMPORTS, admin.t(), json!({"source": "jobtech", "ads": ads})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["new"], 2);
    let skipped: Vec<u64> =
        r.body["skipped"].as_array().expect("skipped").iter().filter_map(|s| s["position"].as_u64()).collect();
    assert_eq!(skipped, [1, 2], "{}", r.text);
    assert!(r.body["skipped"][0]["reason"].as_str().is_some_and(|s| s.contains("id")), "{}", r.text);
}

#[tokio::test]
async fn only_operators_import_and_a_malformed_batch_changes_nothing() {
    let app = TestApp::spawn().await;
    let employer = app.employer("Eva Employer").await;
    let batch = json!({"source": "jobtech", "ads": [open_ad("900020", CELL_TEXT)]});
    assert_eq!(app.post(IMPORTS, None, batch.clone()).await.status, 401);
    assert_eq!(app.post(IMPORTS, employer.t(), batch).await.status, 403);
    let admin = app.admin().await;
    let unknown = app.post(IMPORTS, admin.t(), json!({"source": "monster", "ads": []})).await;
    assert_eq!(unknown.status, 422, "{}", unknown.text);
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs").await, 0);
}

/// A JobStream stand-in on a local port: answers `/v2/stream` with the given ads and remembers each `date` asked
/// for.
struct FakeJobStream {
    url: String,
    asked: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl FakeJobStream {
    async fn start(ads: Value) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = asked.clone();
        let body = ads.to_string();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = vec![0u8; 8192];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&request[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or_default().to_owned();
                log.lock().expect("log").push(path.clone());
                let (status, body) = if path.starts_with("/v2/stream?date=") {
                    ("200 OK", body.clone())
                } else {
                    ("404 Not Found", String::new())
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            }
        });
        Self { url, asked }
    }
}

#[tokio::test]
async fn the_jobstream_is_followed_from_where_the_last_run_ended() {
    let app = TestApp::spawn().await;
    let mut removed = open_ad("900030", CELL_TEXT);
    removed["removed"] = json!(true);
    removed["timestamp"] = json!(removed["timestamp"].as_i64().expect("timestamp") + 60_000);
    let feed = FakeJobStream::start(json!([open_ad("900030", CELL_TEXT), open_ad("900031", CELL_TEXT)])).await;
    let mut conn = app.state.pool.get().await.expect("conn");
    let importer = Importer::load(&mut conn).await.expect("importer");
    drop(conn);
    let since = "2026-01-02T03:04:05Z".parse().expect("time");
    let first = tandem::imports::stream::follow(&app.state.pool, &importer, &feed.url, Some(since), |_| {}).await;
    let first = first.expect("first run");
    assert_eq!((first.summary.new, first.summary.skipped.len()), (2, 0));
    let second = tandem::imports::stream::follow(&app.state.pool, &importer, &feed.url, None, |_| {}).await;
    assert_eq!(second.expect("second run").summary.unchanged, 2);
    let asked = feed.asked.lock().expect("log").clone();
    assert_eq!(asked[0], "/v2/stream?date=2026-01-02T04:04:05", "Swedish local time");
    assert_ne!(asked[1], asked[0], "the second run starts where the first ended");
    let stale = FakeJobStream::start(json!([removed])).await;
    let third = tandem::imports::stream::follow(&app.state.pool, &importer, &stale.url, None, |_| {}).await;
    assert_eq!(third.expect("third run").summary.withdrawn, 1);
}

#[tokio::test]
async fn a_stream_window_read_twice_changes_nothing_even_when_it_holds_an_ad_and_its_withdrawal() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut ad = open_ad("900040", CELL_TEXT);
    ad["timestamp"] = json!(1_800_000_000_000_i64);
    let mut removed = ad.clone();
    removed["removed"] = json!(true);
    removed["timestamp"] = json!(1_800_000_060_000_i64);
    let window = json!({"source": "jobtech", "ads": [ad, removed]});
    let first = app.post(IMPORTS, admin.t(), window.clone()).await;
    assert_eq!((first.body["new"].clone(), first.body["withdrawn"].clone()), (json!(1), json!(1)), "{}", first.text);
    let changes = app.count("SELECT count(*) AS n FROM index_outbox").await;
    let again = app.post(IMPORTS, admin.t(), window).await;
    assert_eq!(again.body["unchanged"], 2, "the older event does not reopen the job: {}", again.text);
    assert_eq!(app.count("SELECT count(*) AS n FROM index_outbox").await, changes);
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs WHERE status = 'closed'").await, 1);
}
