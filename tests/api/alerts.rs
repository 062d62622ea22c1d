//! Job alerts: managing them (validation, the cap, who may touch whose), instant alerts over a real SMTP server
//! (both parts, the unsubscribe headers, why each job matched, never twice), profile matches, digests (grouping,
//! closed jobs, the `alerts run` path, the schedule), one-click unsubscribe, and delivery across an SMTP outage and
//! a matcher restart.

use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{TimeDelta, Utc};
use serde_json::{json, Value};
use tandem::alerts::digest::{self, DigestReport};
use tandem::alerts::model::Frequency;
use tandem::alerts::{AlertSettings, AlertWorkers};
use tandem::config::Config;
use tandem::mail::worker::{MailWorkers, WorkerSettings};
use tandem::state::AppState;
use uuid::Uuid;

use crate::helpers::{eventually, Account, TestApp};
use crate::orgs::create_org;
use crate::smtp::{parts, quoted_printable, Received, SmtpServer};

const ALERTS: &str = "/api/v1/me/alerts";

/// A running Tandem with an SMTP server, mailer workers sending to it, and the alert matcher (no scheduler:
/// tests send digests themselves).
pub(crate) struct World {
    pub(crate) app: TestApp,
    smtp: SmtpServer,
    mailer: Option<MailWorkers>,
    alerts: Option<AlertWorkers>,
    employer: Account,
    org: Uuid,
}

fn quick_mail() -> WorkerSettings {
    WorkerSettings {
        first_retry: Duration::from_millis(100),
        max_retry: Duration::from_millis(400),
        idle_poll: Duration::from_millis(50),
        smtp_connect_timeout: Duration::from_secs(5),
        smtp_send_timeout: Duration::from_secs(5),
        ..WorkerSettings::default()
    }
}

fn smtp_config(app: &TestApp, port: u16) -> Config {
    Config { smtp_url: Some(SmtpServer::url(port)), ..(*app.state.config).clone() }
}

fn start_matcher(app: &TestApp) -> AlertWorkers {
    AlertWorkers::start_with(
        &app.state,
        AlertSettings { poll: Duration::from_millis(100), scheduler: false, ..AlertSettings::default() },
    )
}

impl World {
    pub(crate) async fn new() -> Self {
        let smtp = SmtpServer::start();
        let port = smtp.port;
        Self::with_smtp(smtp, port).await
    }

    /// Mail goes to `port`, where `smtp` may or may not listen yet.
    async fn with_smtp(smtp: SmtpServer, port: u16) -> Self {
        let app = TestApp::spawn().await;
        let mailer = MailWorkers::start_with(app.state.pool.clone(), &smtp_config(&app, port), 2, quick_mail())
            .expect("mail workers start");
        let alerts = start_matcher(&app);
        let employer = app.employer("Eva Employer").await;
        let org = create_org(&app, &employer, "Västra Pharma").await;
        Self { app, smtp, mailer: Some(mailer), alerts: Some(alerts), employer, org }
    }

    /// The state with mail going to the test's SMTP server: what `tandem alerts run` gets with SMTP_URL set.
    pub(crate) fn smtp_state(&self) -> AppState {
        let config = smtp_config(&self.app, self.smtp.port);
        AppState { config: std::sync::Arc::new(config), ..self.app.state.clone() }
    }

    pub(crate) async fn seeker_with_alert(&self, name: &str, alert: Value) -> (Account, Uuid) {
        let seeker = self.app.seeker(name).await;
        let r = self.app.post(ALERTS, seeker.t(), alert).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.uuid("id");
        (seeker, id)
    }

    pub(crate) async fn post_job(&self, title: &str, skills: &[&str], status: &str) -> Uuid {
        let skills: Vec<Value> = skills.iter().map(|s| json!({"name": s, "required": true})).collect();
        let body = json!({
            "organization_id": self.org,
            "title": title,
            "description": "Join our cell therapy manufacturing team.",
            "skills": skills,
            "location": {"city": "Göteborg", "country": "SE"},
            "remote": "hybrid",
            "employment_type": "permanent",
            "sector": "pharma",
            "languages": [{"code": "en", "level": "B2"}],
            "status": status
        });
        let r = self.app.post("/api/v1/jobs", self.employer.t(), body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.uuid("id")
    }

    pub(crate) async fn patch_job(&self, job: Uuid, patch: Value) {
        let r = self.app.patch(&format!("/api/v1/jobs/{job}"), self.employer.t(), patch).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    /// Waits until the matcher has consumed every change so far and the mailer has sent every mail queued.
    pub(crate) async fn settle(&self) {
        let app = &self.app;
        app.alert_matcher_caught_up().await;
        app.mail_sent().await;
    }

    pub(crate) fn mails_to(&self, seeker: &Account) -> Vec<Received> {
        self.smtp.received_for(&seeker.email)
    }

    pub(crate) async fn shutdown(mut self) {
        if let Some(alerts) = self.alerts.take() {
            alerts.shutdown().await;
        }
        if let Some(mailer) = self.mailer.take() {
            mailer.shutdown().await;
        }
    }
}

pub(crate) fn skills_alert(name: &str, skills: &[&str], frequency: &str) -> Value {
    json!({"name": name, "query": {"skills": skills}, "match_profile": false, "frequency": frequency})
}

/// A header value with its RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`) decoded; the space
/// between two encoded words is not part of the text.
fn decoded_header(value: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for token in value.split_whitespace() {
        let word = token.strip_prefix("=?").and_then(|t| t.strip_suffix("?=")).and_then(|t| {
            let mut pieces = t.splitn(3, '?');
            let (_charset, encoding, data) = (pieces.next()?, pieces.next()?, pieces.next()?);
            let bytes = if encoding.eq_ignore_ascii_case("b") {
                base64::engine::general_purpose::STANDARD.decode(data).ok()?
            } else {
                quoted_printable(&data.replace('_', " ")).into_bytes()
            };
            String::from_utf8(bytes).ok()
        });
        if !(out.is_empty() || previous_encoded && word.is_some()) {
            out.push(' ');
        }
        previous_encoded = word.is_some();
        out.push_str(word.as_deref().unwrap_or(token));
    }
    out
}

pub(crate) fn subject(mail: &Received) -> String {
    decoded_header(&mail.header("Subject").expect("a subject"))
}

/// The unsubscribe link a mail's List-Unsubscribe header carries.
fn unsubscribe_link(mail: &Received) -> String {
    let header = mail.header("List-Unsubscribe").expect("List-Unsubscribe");
    header.trim_start_matches('<').trim_end_matches('>').to_owned()
}

/// The path and query of a link under PUBLIC_BASE_URL (http://tandem.test in tests), to call on the test server.
pub(crate) fn local(link: &str) -> String {
    link.strip_prefix("http://tandem.test").expect("a link under PUBLIC_BASE_URL").to_owned()
}

async fn alert_count(app: &TestApp, seeker: &Account) -> i64 {
    app.count(&format!("SELECT count(*) AS n FROM alerts WHERE seeker_id = '{}'", seeker.user_id)).await
}

#[tokio::test]
async fn seekers_create_list_and_delete_their_alerts() {
    let app = TestApp::spawn().await;
    let ada = app.seeker("Ada").await;
    let body = json!({
        "name": "  Cell work in Göteborg ",
        "query": {"q": "cell therapy", "skills": ["cellodling", "ls-gmp"], "sectors": ["pharma"], "country": "se",
                  "city": "Göteborg", "remote": "hybrid"},
        "match_profile": true,
        "frequency": "daily"
    });
    let r = app.post(ALERTS, ada.t(), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.uuid("id");
    assert_eq!(r.body["name"], "Cell work in Göteborg");
    assert_eq!(
        r.body["query"],
        json!({
            "q": "cell therapy",
            "skills": [{"skill_id": "ls-cell-culture", "name": r.body["query"]["skills"][0]["name"]},
                       {"skill_id": "ls-gmp", "name": r.body["query"]["skills"][1]["name"]}],
            "sectors": ["pharma"], "country": "SE", "city": "Göteborg", "remote": "hybrid"
        })
    );
    assert_eq!(r.body["match_profile"], true);
    assert_eq!(r.body["frequency"], "daily");
    assert!(r.body["created_at"].is_string());

    let profile_only = app
        .post(ALERTS, ada.t(), json!({"name": "Fits me", "query": null, "match_profile": true, "frequency": "weekly"}))
        .await;
    assert_eq!(profile_only.status, 201, "{}", profile_only.text);
    assert_eq!(profile_only.body["query"], Value::Null);

    let list = app.get(ALERTS, ada.t()).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let names: Vec<&str> =
        list.body["items"].as_array().expect("items").iter().map(|a| a["name"].as_str().expect("name")).collect();
    assert_eq!(names, vec!["Cell work in Göteborg", "Fits me"]);
    assert_eq!(list.body["items"][0], r.body);
    assert_eq!(list.body["next_cursor"], Value::Null);
    let first = app.get(&format!("{ALERTS}?limit=1"), ada.t()).await;
    assert_eq!(first.body["items"].as_array().map(Vec::len), Some(1));
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = app.get(&format!("{ALERTS}?limit=1&cursor={cursor}"), ada.t()).await;
    assert_eq!(second.body["items"][0]["name"], "Fits me");

    // Another seeker neither sees nor deletes Ada's alerts.
    let bo = app.seeker("Bo").await;
    assert_eq!(app.get(ALERTS, bo.t()).await.body["items"], json!([]));
    app.delete(&format!("{ALERTS}/{id}"), bo.t()).await.problem(404);
    assert_eq!(alert_count(&app, &ada).await, 2);

    let r = app.delete(&format!("{ALERTS}/{id}"), ada.t()).await;
    assert_eq!(r.status, 204, "{}", r.text);
    app.delete(&format!("{ALERTS}/{id}"), ada.t()).await.problem(404);
    app.delete(&format!("{ALERTS}/{}", Uuid::new_v4()), ada.t()).await.problem(404);
    assert_eq!(alert_count(&app, &ada).await, 1);
}

#[tokio::test]
async fn only_seekers_have_alerts() {
    let app = TestApp::spawn().await;
    let employer = app.employer("Eva").await;
    let admin = app.admin().await;
    let body = skills_alert("Cells", &["cell culture"], "instant");
    app.post(ALERTS, None, body.clone()).await.problem(401);
    app.get(ALERTS, None).await.problem(401);
    app.delete(&format!("{ALERTS}/{}", Uuid::new_v4()), None).await.problem(401);
    app.post(ALERTS, Some("forged.token.here"), body.clone()).await.problem(401);
    for account in [&employer, &admin] {
        app.post(ALERTS, account.t(), body.clone()).await.problem(403);
        app.get(ALERTS, account.t()).await.problem(403);
        app.delete(&format!("{ALERTS}/{}", Uuid::new_v4()), account.t()).await.problem(403);
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM alerts").await, 0);
}

#[tokio::test]
async fn invalid_alerts_are_refused_with_the_field_named_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let ada = app.seeker("Ada").await;
    let cases = [
        (json!({"query": {"q": "x"}, "frequency": "daily"}), vec!["name"]),
        (json!({"name": " ", "query": {"q": "x"}, "frequency": "daily"}), vec!["name"]),
        (json!({"name": "n", "query": {"q": "x"}, "frequency": "hourly"}), vec!["frequency"]),
        (json!({"name": "n", "query": {"q": "x"}}), vec!["frequency"]),
        (json!({"name": "n", "query": null, "match_profile": false, "frequency": "daily"}), vec!["query"]),
        (json!({"name": "n", "match_profile": false, "frequency": "daily"}), vec!["query"]),
        (json!({"name": "n", "query": {}, "frequency": "daily"}), vec!["query"]),
        (json!({"name": "n", "query": {"q": "  ", "skills": []}, "frequency": "daily"}), vec!["query"]),
        (
            json!({"name": "n", "query": {"skills": ["XQ-9 no such skill"]}, "frequency": "daily"}),
            vec!["query.skills[0]"],
        ),
        (json!({"name": "n", "query": {"skills": ["ls-gmp", ""]}, "frequency": "daily"}), vec!["query.skills[1]"]),
        (json!({"name": "n", "query": {"country": "Sweden"}, "frequency": "daily"}), vec!["query.country"]),
        (json!({"name": "n", "query": {"remote": "sometimes"}, "frequency": "daily"}), vec!["query.remote"]),
        (json!({"name": "n", "query": {"q": "?!"}, "frequency": "daily"}), vec!["query.q"]),
        (json!({"name": "n", "query": {"q": "x".repeat(201)}, "frequency": "daily"}), vec!["query.q"]),
        (json!({"name": "n", "query": {"sectors": vec!["pharma"; 21]}, "frequency": "daily"}), vec!["query.sectors"]),
        (json!({"name": "n", "query": {"salary": 1}, "frequency": "daily"}), vec!["query.salary"]),
        (json!({"name": "n", "query": {"q": "x"}, "frequency": "daily", "colour": "red"}), vec!["colour"]),
        (json!({"name": "x".repeat(101), "query": {"q": "x"}, "frequency": "daily"}), vec!["name"]),
    ];
    for (body, fields) in cases {
        let r = app.post(ALERTS, ada.t(), body.clone()).await;
        assert_eq!(r.invalid_fields(), fields, "{body}");
    }
    assert_eq!(alert_count(&app, &ada).await, 0);
}

#[tokio::test]
async fn a_seeker_keeps_at_most_twenty_alerts() {
    let app = TestApp::spawn().await;
    let ada = app.seeker("Ada").await;
    let mut first = None;
    for i in 0..20 {
        let r = app
            .post(ALERTS, ada.t(), json!({"name": format!("Alert {i}"), "query": {"q": "cell"}, "frequency": "weekly"}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        first.get_or_insert(r.uuid("id"));
    }
    let r =
        app.post(ALERTS, ada.t(), json!({"name": "One too many", "query": {"q": "cell"}, "frequency": "weekly"})).await;
    assert!(r.problem(409)["detail"].as_str().is_some_and(|d| d.contains("20")), "{}", r.text);
    assert_eq!(alert_count(&app, &ada).await, 20);
    let list = app.get(&format!("{ALERTS}?limit=100"), ada.t()).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(20));

    // The cap is per seeker, and deleting one makes room again.
    let bo = app.seeker("Bo").await;
    assert_eq!(
        app.post(ALERTS, bo.t(), json!({"name": "Mine", "query": {"q": "cell"}, "frequency": "weekly"})).await.status,
        201
    );
    let first = first.expect("an alert");
    assert_eq!(app.delete(&format!("{ALERTS}/{first}"), ada.t()).await.status, 204);
    assert_eq!(
        app.post(ALERTS, ada.t(), json!({"name": "Room again", "query": {"q": "cell"}, "frequency": "weekly"}))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn an_instant_alert_arrives_within_seconds_with_both_parts_and_the_unsubscribe_headers_and_only_once() {
    let world = World::new().await;
    let (ada, alert) = world.seeker_with_alert("Ada", skills_alert("Cell work", &["cell culture"], "instant")).await;
    let (bo, _) = world.seeker_with_alert("Bo", skills_alert("Regulatory", &["regulatory affairs"], "instant")).await;

    let published = Instant::now();
    let job = world.post_job("Cell culture scientist", &["cellodling", "GMP"], "published").await;
    eventually("the alert mail", || async { !world.mails_to(&ada).is_empty() }).await;
    assert!(published.elapsed() < Duration::from_secs(10), "took {:?}", published.elapsed());

    let mail = &world.mails_to(&ada)[0];
    assert_eq!(subject(mail), "Cell culture scientist at Västra Pharma: new for \"Cell work\"");
    let link = unsubscribe_link(mail);
    assert!(link.starts_with("http://tandem.test/api/v1/alerts/unsubscribe?token="), "{link}");
    assert_eq!(mail.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    assert!(mail.header("Content-Type").is_some_and(|t| t.starts_with("multipart/alternative")));
    let (text, html) = parts(mail);
    for part in [&text, &html] {
        assert!(part.contains("Cell culture scientist"), "{part}");
        assert!(part.contains("Västra Pharma, Göteborg, SE (hybrid)"), "{part}");
        assert!(part.contains("Matched skills: cell culture"), "{part}");
        assert!(part.contains(&format!("http://tandem.test/api/v1/jobs/{job}")), "{part}");
        assert!(part.contains("http://tandem.test/api/v1/me/alerts"), "{part}");
    }
    assert!(text.contains(&format!("Unsubscribe from this alert: {link}")), "{text}");
    assert!(html.contains("Unsubscribe from this alert</a>"), "{html}");
    assert!(text.starts_with("Hello Ada,"), "{text}");

    // Editing, closing and reopening the job, or publishing one that fits nobody, sends nothing more.
    world.patch_job(job, json!({"title": "Senior cell culture scientist"})).await;
    world.patch_job(job, json!({"status": "closed"})).await;
    world.patch_job(job, json!({"status": "published"})).await;
    world.post_job("Chemist", &["XQ-9 titration"], "published").await;
    world.post_job("Cell culture draft", &["cell culture"], "draft").await;
    world.settle().await;
    assert_eq!(world.mails_to(&ada).len(), 1);
    assert!(world.mails_to(&bo).is_empty());
    assert_eq!(
        world
            .app
            .count(&format!("SELECT count(*) AS n FROM alert_matches WHERE alert_id = '{alert}' AND status = 'sent'"))
            .await,
        1
    );

    // A second matching job is news.
    world.post_job("Bioprocess engineer", &["cell culture"], "published").await;
    eventually("the second mail", || async { world.mails_to(&ada).len() == 2 }).await;
    assert!(subject(&world.mails_to(&ada)[1]).starts_with("Bioprocess engineer"));
    world.shutdown().await;
}

#[tokio::test]
async fn profile_alerts_follow_the_seekers_own_skills() {
    let world = World::new().await;
    let ada = world.app.seeker("Ada").await;
    let profile = json!({
        "full_name": "Ada Andersson",
        "headline": "Cell biologist",
        "summary": "Eight years at the bench.",
        "location": {"city": "Göteborg", "country": "SE"},
        "languages": [{"code": "en", "level": "C1"}],
        "skills": [{"name": "cell culture"}, {"name": "flow cytometry"}],
        "work_permit": "eu_eea_citizen"
    });
    assert_eq!(world.app.put("/api/v1/me/profile", ada.t(), profile).await.status, 200);
    let alert = json!({"name": "Fits me", "query": null, "match_profile": true, "frequency": "instant"});
    assert_eq!(world.app.post(ALERTS, ada.t(), alert).await.status, 201);
    // With a query too, both must hold.
    let narrow =
        json!({"name": "Fits me in Lund", "query": {"city": "Lund"}, "match_profile": true, "frequency": "instant"});
    assert_eq!(world.app.post(ALERTS, ada.t(), narrow).await.status, 201);

    world.post_job("Regulatory officer", &["regulatory affairs"], "published").await;
    // Ada has one of the two required skills: half is enough.
    world.post_job("Cell therapy scientist", &["cell culture", "GMP"], "published").await;
    world.settle().await;
    let mails = world.mails_to(&ada);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (text, _) = parts(&mails[0]);
    assert!(text.contains("your alert \"Fits me\""), "{text}");
    assert!(text.contains("Cell therapy scientist"), "{text}");
    assert!(text.contains("Matched skills: cell culture"), "{text}");
    assert!(!text.contains("Regulatory"), "{text}");
    world.shutdown().await;
}

#[tokio::test]
async fn a_daily_digest_groups_the_jobs_skips_closed_ones_and_never_repeats_one() {
    let world = World::new().await;
    let (ada, alert) = world.seeker_with_alert("Ada", skills_alert("Daily cells", &["cell culture"], "daily")).await;
    let (bo, _) = world.seeker_with_alert("Bo", skills_alert("Weekly cells", &["cell culture"], "weekly")).await;
    let first = world.post_job("First cell job", &["cell culture"], "published").await;
    let second = world.post_job("Second cell job", &["cell culture"], "published").await;
    let closed = world.post_job("Closed cell job", &["cell culture"], "published").await;
    world.settle().await;
    world.patch_job(closed, json!({"status": "closed"})).await;
    world.settle().await;
    assert!(world.mails_to(&ada).is_empty(), "a daily alert waits for its digest");
    let pending = |alert: Uuid| {
        format!("SELECT count(*) AS n FROM alert_matches WHERE alert_id = '{alert}' AND status = 'pending'")
    };
    assert_eq!(world.app.count(&pending(alert)).await, 2, "the closed job's match is withdrawn");

    // `tandem alerts run --frequency daily`, with mail going to the test's SMTP server.
    let state = world.smtp_state();
    let report = tandem::alerts::run::run(&state, Frequency::Daily).await.expect("digest run");
    assert_eq!((report.queued.mails, report.queued.jobs, report.undelivered), (1, 2, 0));
    world.settle().await;
    let mails = world.mails_to(&ada);
    assert_eq!(mails.len(), 1);
    assert_eq!(subject(&mails[0]), "2 new jobs for \"Daily cells\"");
    assert!(mails[0].header("List-Unsubscribe").is_some());
    assert_eq!(mails[0].header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let (text, html) = parts(&mails[0]);
    for part in [&text, &html] {
        assert!(part.contains("First cell job") && part.contains("Second cell job"), "{part}");
        assert!(!part.contains("Closed cell job"), "{part}");
        assert!(part.contains(&format!("/api/v1/jobs/{first}")) && part.contains(&format!("/api/v1/jobs/{second}")));
    }
    assert!(text.contains("Your daily digest for the alert \"Daily cells\": 2 new jobs."), "{text}");
    assert!(world.mails_to(&bo).is_empty(), "weekly alerts wait for the weekly digest");

    // Reopening the closed job, and a new one, make the next digest; nothing already sent comes again.
    world.patch_job(closed, json!({"status": "published"})).await;
    world.post_job("Third cell job", &["cell culture"], "published").await;
    world.settle().await;
    let report = tandem::alerts::run::run(&state, Frequency::Daily).await.expect("digest run");
    assert_eq!((report.queued.mails, report.queued.jobs), (1, 2));
    world.settle().await;
    let (text, _) = parts(&world.mails_to(&ada)[1]);
    assert!(text.contains("Third cell job") && text.contains("Closed cell job"), "{text}");
    assert!(!text.contains("First cell job") && !text.contains("Second cell job"), "{text}");
    let report = tandem::alerts::run::run(&state, Frequency::Daily).await.expect("digest run");
    assert_eq!(report.queued, DigestReport::default());

    let report = tandem::alerts::run::run(&state, Frequency::Weekly).await.expect("weekly run");
    assert_eq!((report.queued.mails, report.queued.jobs), (1, 4));
    world.settle().await;
    assert_eq!(world.mails_to(&bo).len(), 1);
    assert_eq!(world.mails_to(&ada).len(), 2);
    world.shutdown().await;
}

#[tokio::test]
async fn the_schedule_sends_each_digest_once_per_slot_even_across_restarts() {
    let world = World::new().await;
    let (ada, _) = world.seeker_with_alert("Ada", skills_alert("Daily cells", &["cell culture"], "daily")).await;
    world.post_job("Cell job", &["cell culture"], "published").await;
    world.settle().await;
    let pool = &world.app.state.pool;
    let mailer = tandem::alerts::mailer(&world.app.state);
    let now = Utc::now();

    // The first look only notes where the schedule is; looking again in the same slot does nothing.
    assert!(digest::tick(pool, &mailer, now).await.expect("tick").is_empty());
    assert!(digest::tick(pool, &mailer, now + TimeDelta::minutes(1)).await.expect("tick").is_empty());
    // A day later (as if the server had been down over 07:00) the missed slot goes out, once.
    let later = now + TimeDelta::days(1);
    let sent = digest::tick(pool, &mailer, later).await.expect("tick");
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].0, sent[0].1.mails), (Frequency::Daily, 1));
    assert!(digest::tick(pool, &mailer, later).await.expect("tick").is_empty());
    world.settle().await;
    assert_eq!(world.mails_to(&ada).len(), 1);
    world.shutdown().await;
}

#[tokio::test]
async fn one_click_unsubscribe_needs_no_login_and_stops_the_mail() {
    let world = World::new().await;
    let (ada, alert) =
        world.seeker_with_alert("Ada", skills_alert("Cells <&> more", &["cell culture"], "instant")).await;
    let (bo, _) = world.seeker_with_alert("Bo", skills_alert("Bo's cells", &["cell culture"], "instant")).await;
    world.post_job("Cell job", &["cell culture"], "published").await;
    eventually("the alert mail", || async { world.mails_to(&ada).len() == 1 }).await;
    let link = local(&unsubscribe_link(&world.mails_to(&ada)[0]));
    let app = &world.app;

    let page = app.get(&link, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
    assert!(page.text.contains("Cells &lt;&amp;&gt; more"), "{}", page.text);
    assert!(page.text.contains("<form method=\"post\">"), "{}", page.text);
    assert_eq!(alert_count(app, &ada).await, 1, "opening the link changes nothing");

    // A token for another alert, cut short, or not a token at all, is refused and changes nothing.
    let token = link.split("token=").nth(1).expect("token").to_owned();
    let mut bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&token).expect("base64");
    bytes[0] ^= 0x55;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
    for bad in [forged.as_str(), &token[..token.len() - 3], "nonsense", ""] {
        let path = format!("/api/v1/alerts/unsubscribe?token={bad}");
        app.get(&path, None).await.problem(404);
        app.send(reqwest::Method::POST, &path, None, None).await.problem(404);
    }
    app.get("/api/v1/alerts/unsubscribe", None).await.problem(422);
    assert_eq!(alert_count(app, &ada).await, 1);

    // RFC 8058: a POST with the one-click body, no login, no other field.
    let r = app
        .client
        .post(app.url(&link))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200);
    let body = r.text().await.expect("body");
    assert!(body.contains("You are unsubscribed") && body.contains("Cells &lt;&amp;&gt; more"), "{body}");
    assert_eq!(alert_count(app, &ada).await, 0);
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM alert_matches WHERE alert_id = '{alert}'")).await, 0);
    // Again, or with an empty body: still fine.
    let again = app.send(reqwest::Method::POST, &link, None, None).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert!(app.get(&link, None).await.text.contains("no longer exists"));

    world.post_job("Another cell job", &["cell culture"], "published").await;
    eventually("Bo's second mail", || async { world.mails_to(&bo).len() == 2 }).await;
    world.settle().await;
    assert_eq!(world.mails_to(&ada).len(), 1, "no mail after unsubscribing");
    world.shutdown().await;
}

#[tokio::test]
async fn an_alert_survives_the_mail_server_being_down_and_arrives_once_it_is_back() {
    let port = SmtpServer::free_port();
    // Nothing listens on the port yet: a placeholder server elsewhere stands in until the real one starts.
    let world = World::with_smtp(SmtpServer::start(), port).await;
    let (ada, alert) = world.seeker_with_alert("Ada", skills_alert("Cells", &["cell culture"], "instant")).await;
    world.post_job("Cell job", &["cell culture"], "published").await;
    let app = &world.app;
    eventually("the match to be recorded and the send to fail", || async {
        app.count(&format!(
            "SELECT count(*) AS n FROM mail_outbox WHERE ref_id = '{alert}' AND status = 'pending' AND last_error IS NOT NULL"
        ))
        .await
            == 1
    })
    .await;
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM alert_matches WHERE alert_id = '{alert}'")).await, 1);

    let server = SmtpServer::start_on(port);
    eventually("the mail once the server is back", || async { !server.received_for(&ada.email).is_empty() }).await;
    world.settle().await;
    assert_eq!(server.received_for(&ada.email).len(), 1);
    let (text, _) = parts(&server.received_for(&ada.email)[0]);
    assert!(text.contains("Cell job"), "{text}");
    world.shutdown().await;
}

#[tokio::test]
async fn a_restarted_matcher_that_lost_its_position_repeats_work_but_sends_nothing_twice() {
    let mut world = World::new().await;
    let (ada, alert) = world.seeker_with_alert("Ada", skills_alert("Cells", &["cell culture"], "instant")).await;
    world.post_job("Before the restart", &["cell culture"], "published").await;
    world.settle().await;
    assert_eq!(world.mails_to(&ada).len(), 1);

    world.alerts.take().expect("running").shutdown().await;
    // As if a crash had lost the position after the first batch was recorded: every change is matched again.
    world
        .app
        .count("WITH reset AS (UPDATE outbox_cursors SET position = 0 RETURNING 1) SELECT count(*) AS n FROM reset")
        .await;
    world.post_job("During the restart", &["cell culture"], "published").await;
    world.alerts = Some(start_matcher(&world.app));
    eventually("the job published during the restart", || async { world.mails_to(&ada).len() == 2 }).await;
    world.settle().await;
    let subjects: Vec<String> = world.mails_to(&ada).iter().map(subject).collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(
        subjects[0].starts_with("Before the restart") && subjects[1].starts_with("During the restart"),
        "{subjects:?}"
    );
    let sent = format!("SELECT count(*) AS n FROM alert_matches WHERE alert_id = '{alert}' AND status = 'sent'");
    assert_eq!(world.app.count(&sent).await, 2);
    world.shutdown().await;
}
