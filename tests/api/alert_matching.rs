//! What the in-memory alert matcher must get right as seekers and alerts change while it runs: a profile alert
//! follows the seeker's skills as they edit their profile, a deleted alert stops (and does not hold up anyone
//! else's), and a saved search's country and city are criteria a job elsewhere does not meet.

use std::time::Duration;

use serde_json::{json, Value};
use tandem::alerts::{AlertSettings, AlertWorkers};
use tandem::config::Config;
use tandem::mail::worker::{MailWorkers, WorkerSettings};
use uuid::Uuid;

use crate::helpers::{eventually, Account, TestApp};
use crate::orgs::create_org;
use crate::smtp::{parts, SmtpServer};

const ALERTS: &str = "/api/v1/me/alerts";

/// Tandem with the alert matcher, mailer workers and a real SMTP server.
struct Running {
    app: TestApp,
    smtp: SmtpServer,
    mailer: Option<MailWorkers>,
    alerts: Option<AlertWorkers>,
    employer: Account,
    org: Uuid,
}

impl Running {
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
        let employer = app.employer("Eva Employer").await;
        let org = create_org(&app, &employer, "Västra Pharma").await;
        Self { app, smtp, mailer: Some(mailer), alerts: Some(alerts), employer, org }
    }

    async fn alert(&self, seeker: &Account, alert: Value) -> Uuid {
        let r = self.app.post(ALERTS, seeker.t(), alert).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.uuid("id")
    }

    async fn post_job(&self, title: &str, skills: &[&str], city: &str, country: &str) -> Uuid {
        let skills: Vec<Value> = skills.iter().map(|s| json!({"name": s, "required": true})).collect();
        let body = json!({
            "organization_id": self.org,
            "title": title,
            "description": "Join our manufacturing team.",
            "skills": skills,
            "location": {"city": city, "country": country},
            "remote": "no",
            "employment_type": "permanent",
            "sector": "pharma",
            "languages": [{"code": "en", "level": "B2"}],
            "status": "published"
        });
        let r = self.app.post("/api/v1/jobs", self.employer.t(), body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.uuid("id")
    }

    async fn settle(&self) {
        self.app.alert_matcher_caught_up().await;
        self.app.mail_sent().await;
    }

    /// The plain-text parts of the mails the seeker received, oldest first.
    fn texts(&self, seeker: &Account) -> Vec<String> {
        self.smtp.received_for(&seeker.email).iter().map(|m| parts(m).0).collect()
    }

    async fn shutdown(mut self) {
        if let Some(alerts) = self.alerts.take() {
            alerts.shutdown().await;
        }
        if let Some(mailer) = self.mailer.take() {
            mailer.shutdown().await;
        }
    }
}

fn profile(skills: &[&str]) -> Value {
    let skills: Vec<Value> = skills.iter().map(|s| json!({"name": s})).collect();
    json!({
        "full_name": "Ada Andersson",
        "headline": "Cell biologist",
        "summary": "Eight years at the bench.",
        "location": {"city": "Göteborg", "country": "SE"},
        "languages": [{"code": "en", "level": "C1"}],
        "skills": skills,
        "work_permit": "eu_eea_citizen"
    })
}

#[tokio::test]
async fn a_profile_alert_fires_once_the_seeker_adds_the_skill_without_a_restart() {
    let world = Running::start().await;
    let ada = world.app.seeker("Ada").await;
    assert_eq!(world.app.put("/api/v1/me/profile", ada.t(), profile(&["flow cytometry"])).await.status, 200);
    world.alert(&ada, json!({"name": "Fits me", "query": null, "match_profile": true, "frequency": "instant"})).await;
    world.post_job("Cell culture technician", &["cell culture"], "Göteborg", "SE").await;
    world.settle().await;
    assert!(world.texts(&ada).is_empty(), "Ada's profile lacked the skill: {:?}", world.texts(&ada));

    let r = world.app.put("/api/v1/me/profile", ada.t(), profile(&["flow cytometry", "cell culture"])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    world.post_job("Cell culture lead", &["cell culture"], "Göteborg", "SE").await;
    world.settle().await;
    let texts = world.texts(&ada);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("Cell culture lead"), "{}", texts[0]);
    assert!(texts[0].contains("Matched skills: cell culture"), "{}", texts[0]);

    // Taking the skill out again stops the alert for new jobs.
    assert_eq!(world.app.put("/api/v1/me/profile", ada.t(), profile(&["flow cytometry"])).await.status, 200);
    world.post_job("Cell culture manager", &["cell culture"], "Göteborg", "SE").await;
    world.settle().await;
    assert_eq!(world.texts(&ada).len(), 1, "{:?}", world.texts(&ada));
    world.shutdown().await;
}

#[tokio::test]
async fn a_deleted_alert_no_longer_fires_and_holds_up_no_one_elses() {
    let world = Running::start().await;
    let cells = |frequency: &str| json!({"name": "Cells", "query": {"skills": ["cell culture"]}, "match_profile": false, "frequency": frequency});
    let ada = world.app.seeker("Ada").await;
    let instant = world.alert(&ada, cells("instant")).await;
    let daily = world.alert(&ada, cells("daily")).await;
    let bo = world.app.seeker("Bo").await;
    world.alert(&bo, cells("instant")).await;
    world.post_job("Cell job", &["cell culture"], "Göteborg", "SE").await;
    eventually("Ada's first mail", || async { world.texts(&ada).len() == 1 }).await;

    for alert in [instant, daily] {
        assert_eq!(world.app.delete(&format!("{ALERTS}/{alert}"), ada.t()).await.status, 204);
    }
    world.post_job("Another cell job", &["cell culture"], "Göteborg", "SE").await;
    eventually("Bo's second mail", || async { world.texts(&bo).len() == 2 }).await;
    world.settle().await;
    assert_eq!(world.texts(&ada).len(), 1, "no mail after deleting the alert");
    let pending = world.app.count(&format!("SELECT count(*) AS n FROM alert_matches WHERE alert_id = '{daily}'")).await;
    assert_eq!(pending, 0, "nothing waits for the deleted daily alert's digest");
    world.shutdown().await;
}

#[tokio::test]
async fn a_saved_search_for_sweden_ignores_a_job_in_another_country_or_city() {
    let world = Running::start().await;
    let ada = world.app.seeker("Ada").await;
    let query = json!({"skills": ["cell culture"], "country": "SE"});
    world.alert(&ada, json!({"name": "Sweden", "query": query, "match_profile": false, "frequency": "instant"})).await;
    let bo = world.app.seeker("Bo").await;
    let query = json!({"skills": ["cell culture"], "city": "Lund"});
    world.alert(&bo, json!({"name": "Lund", "query": query, "match_profile": false, "frequency": "instant"})).await;

    world.post_job("Cell scientist in Oslo", &["cell culture"], "Oslo", "NO").await;
    world.post_job("Cell scientist in Göteborg", &["cell culture"], "Göteborg", "SE").await;
    world.settle().await;
    let texts = world.texts(&ada);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("Cell scientist in Göteborg") && !texts[0].contains("Oslo"), "{}", texts[0]);
    assert!(world.texts(&bo).is_empty(), "no job in Lund: {:?}", world.texts(&bo));
    world.post_job("Cell scientist in Lund", &["cell culture"], "Lund", "SE").await;
    world.settle().await;
    let texts = world.texts(&bo);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("Cell scientist in Lund"), "{}", texts[0]);
    world.shutdown().await;
}
