//! `GET /metrics` over HTTP: who may read it, and that it shows what an operator watches — requests and latency by
//! route pattern (never by raw path), index and alert-matcher lag, mail outbox depth, login throttles, pool waits.
//!
//! The recorder is one per process and the tests run many servers in it, so counts are checked as "at least".

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;
use tandem::app::Application;
use tandem::config::Config;
use tandem::mail::worker::{MailWorkers, WorkerSettings};
use uuid::Uuid;

use crate::helpers::{eventually, Resp, TestApp};
use crate::smtp::SmtpServer;

const METRICS_TOKEN: &str = "scrape-token-for-the-metrics-tests";

/// One sample line of the exposition: `name{label="value",...} value`.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

fn parse_sample(line: &str) -> Sample {
    let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value in {line}"));
    let value = value.parse().unwrap_or_else(|_| panic!("bad value in {line}"));
    let Some((name, labels)) = series.split_once('{') else {
        return Sample { name: series.to_owned(), labels: BTreeMap::new(), value };
    };
    let labels = labels.strip_suffix('}').unwrap_or_else(|| panic!("unclosed labels in {line}"));
    Sample { name: name.to_owned(), labels: parse_labels(labels), value }
}

/// `k="v",k2="v2"`, where values may hold commas, braces and escaped quotes.
fn parse_labels(mut rest: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    while let Some((key, after)) = rest.split_once("=\"") {
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => value.extend(chars.next().map(|(_, c)| c)),
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => panic!("unterminated label value in {after}"),
            }
        };
        labels.insert(key.trim_start_matches(',').to_owned(), value);
        rest = &after[end + 1..];
    }
    labels
}

struct Exposition {
    text: String,
    samples: Vec<Sample>,
}

impl Exposition {
    fn from(r: &Resp) -> Self {
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.content_type.starts_with("text/plain; version=0.0.4"), "content type {}", r.content_type);
        let samples =
            r.text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(parse_sample).collect();
        Self { text: r.text.clone(), samples }
    }

    /// The value of the one sample named `name` whose labels include `labels`.
    #[track_caller]
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let found: Vec<&Sample> = self
            .samples
            .iter()
            .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(v)))
            .collect();
        assert_eq!(found.len(), 1, "one {name} {labels:?} expected, found {found:?} in\n{}", self.text);
        found[0].value
    }

    fn has_type(&self, name: &str, kind: &str) -> bool {
        self.text.lines().any(|l| l == format!("# TYPE {name} {kind}"))
    }
}

async fn scrape(app: &TestApp, token: Option<&str>) -> Exposition {
    Exposition::from(&app.get("/metrics", token).await)
}

#[tokio::test]
async fn metrics_are_refused_to_anonymous_callers_and_to_accounts_that_are_not_operators() {
    let app = TestApp::spawn().await;
    app.get("/metrics", None).await.problem(401);
    app.get("/metrics", Some("not-a-token")).await.problem(401);
    let seeker = app.seeker("Sam Seeker").await;
    app.get("/metrics", seeker.t()).await.problem(403);
    let employer = app.employer("Eve Employer").await;
    app.get("/metrics", employer.t()).await.problem(403);

    let operator = app.admin().await;
    let r = app.get("/metrics", operator.t()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.content_type.starts_with("text/plain; version=0.0.4"), "{}", r.content_type);
}

#[tokio::test]
async fn an_operator_sees_requests_and_latency_by_route_pattern_never_by_the_ids_or_tokens_in_the_path() {
    let app = TestApp::spawn().await;
    let operator = app.admin().await;
    let job_id = Uuid::new_v4();
    app.get(&format!("/api/v1/jobs/{job_id}"), None).await.problem(404);
    let invitation_token = format!("secret{}", Uuid::new_v4().simple());
    app.get(&format!("/api/v1/partner-invitations/{invitation_token}"), None).await;
    let nowhere = Uuid::new_v4();
    app.get(&format!("/no/such/{nowhere}"), None).await.problem(404);

    let m = scrape(&app, operator.t()).await;
    let job = [("route", "/api/v1/jobs/{id}"), ("method", "GET"), ("status", "4xx")];
    assert!(m.value("tandem_http_requests_total", &job) >= 1.0);
    assert!(m.has_type("tandem_http_request_duration_seconds", "histogram"), "{}", m.text);
    assert!(m.value("tandem_http_request_duration_seconds_count", &job) >= 1.0);
    let within_30s = [("route", "/api/v1/jobs/{id}"), ("method", "GET"), ("status", "4xx"), ("le", "30")];
    assert!(m.value("tandem_http_request_duration_seconds_bucket", &within_30s) >= 1.0);
    let invitation = [("route", "/api/v1/partner-invitations/{token}"), ("method", "GET")];
    assert!(m.samples.iter().any(|s| s.name == "tandem_http_requests_total"
        && invitation.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(v))));
    assert!(
        m.value("tandem_http_requests_total", &[("route", "unmatched"), ("method", "GET"), ("status", "4xx")]) >= 1.0
    );
    for concrete in [job_id.to_string(), invitation_token, nowhere.to_string()] {
        assert!(!m.text.contains(&concrete), "{concrete} became a label:\n{}", m.text);
    }
    // The operator's own sign-in waited for a pooled connection; the pool is described as it is now.
    assert!(m.value("tandem_db_pool_wait_seconds_count", &[]) >= 1.0);
    assert!(m.value("tandem_db_pool_connections", &[("state", "max")]) >= 1.0);
    assert!(m.value("tandem_db_pool_connections", &[("state", "waiting")]) >= 0.0);
}

#[tokio::test]
async fn index_lag_alert_matcher_lag_and_the_mail_outbox_by_status_are_read_from_the_database() {
    let app = TestApp::spawn().await;
    let operator = app.admin().await;
    let before = scrape(&app, operator.t()).await;
    assert_eq!(before.value("tandem_mail_outbox_mails", &[("status", "pending")]), 0.0);
    assert_eq!(before.value("tandem_database_up", &[]), 1.0);

    // A saved profile is one index change; a partner invitation queues one mail (no mail workers run in tests).
    let seeker = app.seeker("Ines Inviter").await;
    let profile = json!({
        "full_name": "Ines Inviter", "headline": "Bioinformatician", "summary": "Pipelines.",
        "location": {"city": "Göteborg", "country": "SE"}, "work_permit": "has_permit", "searchable": true,
    });
    let r = app.put("/api/v1/me/profile", seeker.t(), profile).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.post("/api/v1/me/partner/invitations", seeker.t(), json!({"email": "partner@example.org"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    app.state.search.catch_up(&app.state.pool, Duration::from_secs(20)).await.expect("index catches up");

    let after = scrape(&app, operator.t()).await;
    assert_eq!(after.value("tandem_mail_outbox_mails", &[("status", "pending")]), 1.0);
    assert_eq!(after.value("tandem_mail_outbox_mails", &[("status", "failed")]), 0.0);
    let head = after.value("tandem_index_outbox_position", &[]);
    assert!(head >= 1.0, "{}", after.text);
    assert_eq!(after.value("tandem_index_applied_position", &[]), head);
    assert_eq!(after.value("tandem_index_lag_changes", &[]), 0.0);
    // No alert matcher runs in this test, so every change since the start is still to be matched.
    assert_eq!(after.value("tandem_alert_matcher_lag_changes", &[]), head);
}

#[tokio::test]
async fn a_mail_the_smtp_server_refuses_is_counted_as_a_failure_and_shown_as_failed_in_the_outbox() {
    let app = TestApp::spawn().await;
    let operator = app.admin().await;
    let smtp = SmtpServer::start();
    smtp.reject_content_for("refused@example.org");
    let seeker = app.seeker("Rita Refused").await;
    let profile = json!({
        "full_name": "Rita Refused", "headline": "Chemist", "summary": "Assays.",
        "location": {"city": "Göteborg", "country": "SE"}, "work_permit": "has_permit",
    });
    assert_eq!(app.put("/api/v1/me/profile", seeker.t(), profile).await.status, 200);
    let r = app.post("/api/v1/me/partner/invitations", seeker.t(), json!({"email": "refused@example.org"})).await;
    assert_eq!(r.status, 201, "{}", r.text);

    let config = Config { smtp_url: Some(SmtpServer::url(smtp.port)), ..(*app.state.config).clone() };
    let settings = WorkerSettings { idle_poll: Duration::from_millis(50), ..WorkerSettings::default() };
    let mailer = MailWorkers::start_with(app.state.pool.clone(), &config, 1, settings).expect("mail workers");
    eventually("the refusal to be recorded", || async {
        app.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'failed'").await == 1
    })
    .await;
    mailer.shutdown().await;

    let m = scrape(&app, operator.t()).await;
    assert!(m.value("tandem_mail_send_failures_total", &[("reason", "rejected")]) >= 1.0, "{}", m.text);
    assert_eq!(m.value("tandem_mail_outbox_mails", &[("status", "failed")]), 1.0);
    assert_eq!(m.value("tandem_mail_outbox_mails", &[("status", "pending")]), 0.0);
}

#[tokio::test]
async fn logins_refused_for_too_many_failures_are_counted() {
    let app = TestApp::spawn().await;
    let operator = app.admin().await;
    let victim = app.seeker("Tess Throttled").await;
    let mut throttled = false;
    for _ in 0..12 {
        let r =
            app.post("/api/v1/auth/login", None, json!({"email": victim.email, "password": "wrong password"})).await;
        if r.status == 429 {
            throttled = true;
            break;
        }
        r.problem(401);
    }
    assert!(throttled, "12 wrong passwords were never throttled");
    let m = scrape(&app, operator.t()).await;
    assert!(m.value("tandem_login_throttled_total", &[]) >= 1.0, "{}", m.text);
    assert!(m.has_type("tandem_mail_send_failures_total", "counter"), "{}", m.text);
}

#[tokio::test]
async fn a_scraper_reads_metrics_with_the_metrics_token_and_nothing_else_works_in_its_place() {
    let app = TestApp::spawn().await;
    let dir = app.dir.path().join("scraped");
    let config = Config {
        metrics_token: Some(METRICS_TOKEN.to_owned()),
        index_dir: dir.join("index"),
        ..(*app.state.config).clone()
    };
    let server = Application::build(config).await.expect("server builds");
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    let get = |token: Option<&'static str>| {
        let mut request = app.client.get(format!("{base}/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };

    let health = app.client.get(format!("{base}/healthz")).send().await.expect("healthz");
    assert_eq!(health.status(), 200);
    let r = get(Some(METRICS_TOKEN)).await.expect("scrape");
    assert_eq!(r.status(), 200);
    let text = r.text().await.expect("body");
    assert!(text.contains("# TYPE tandem_http_requests_total counter"), "{text}");
    assert!(text.contains(r#"route="/healthz""#), "{text}");

    let wrong = get(Some("scrape-token-for-the-metrics-test")).await.expect("scrape");
    assert_eq!(wrong.status(), 401);
    assert_eq!(get(None).await.expect("scrape").status(), 401);
    // The token opens /metrics only, not the API.
    let me = app.client.get(format!("{base}/api/v1/me")).bearer_auth(METRICS_TOKEN).send().await.expect("me");
    assert_eq!(me.status(), 401);
}

#[test]
fn a_short_metrics_token_is_refused_at_start() {
    let vars = [("METRICS_TOKEN", "short")];
    let err = Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned()))
        .expect_err("a 5-character token is refused");
    assert!(err.to_string().contains("METRICS_TOKEN"), "{err}");
}
