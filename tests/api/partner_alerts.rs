//! Partner commute alerts over HTTP with a real SMTP server: the partner of a confirmed recruit, in the partner
//! pool, hears of jobs in any sector near the recruiting employer (not of far ones, nor of jobs in towns Tandem
//! cannot place), can stop them, and a partner outside the pool hears nothing.

use std::time::Duration;

use serde_json::{json, Value};
use tandem::alerts::model::Frequency;
use tandem::alerts::{AlertSettings, AlertWorkers};
use tandem::config::Config;
use tandem::mail::worker::{MailWorkers, WorkerSettings};
use tandem::state::AppState;
use uuid::Uuid;

use crate::helpers::{Account, TestApp};
use crate::orgs::create_org;
use crate::smtp::{parts, Received, SmtpServer};

const INVITE: &str = "/api/v1/me/partner/invitations";
const PREFERENCES: &str = "/api/v1/me/referral-preferences";

/// A running Tandem with the alert matcher, mail workers sending to a real SMTP server, an employer in Göteborg
/// that recruits, and another employer that posts jobs in several towns.
struct World {
    app: TestApp,
    smtp: SmtpServer,
    mailer: Option<MailWorkers>,
    alerts: Option<AlertWorkers>,
    eva: Account,
    cellcure: Uuid,
    lena: Account,
    logistics: Uuid,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let smtp = SmtpServer::start();
        let mail_settings = WorkerSettings {
            first_retry: Duration::from_millis(100),
            max_retry: Duration::from_millis(400),
            idle_poll: Duration::from_millis(50),
            ..WorkerSettings::default()
        };
        let mailer = MailWorkers::start_with(app.state.pool.clone(), &smtp_state(&app, &smtp).config, 1, mail_settings)
            .expect("mail workers");
        let alerts = AlertWorkers::start_with(
            &app.state,
            AlertSettings { poll: Duration::from_millis(100), scheduler: false, ..AlertSettings::default() },
        );
        let eva = app.employer("Eva Employer").await;
        let cellcure = create_org(&app, &eva, "CellCure AB").await;
        let lena = app.employer("Lena Logistics").await;
        let logistics = create_org(&app, &lena, "Västkust Logistik").await;
        Self { app, smtp, mailer: Some(mailer), alerts: Some(alerts), eva, cellcure, lena, logistics }
    }

    /// A talent recruited by CellCure (confirmed) and their linked partner; returns the partner.
    async fn recruited_pair(&self, talent: &str, partner: &str, partner_in_pool: bool) -> Account {
        let app = &self.app;
        let (tove, tove_candidate) = self.seeker_with_profile(talent, false).await;
        let (pim, _) = self.seeker_with_profile(partner, partner_in_pool).await;
        let r = app.post(INVITE, tove.t(), json!({ "email": pim.email })).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let token = self.invitation_token(&pim.email).await;
        let r = app.post(&format!("/api/v1/partner-invitations/{token}/accept"), pim.t(), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .post(
                &format!("/api/v1/organizations/{}/recruits", self.cellcure),
                self.eva.t(),
                json!({ "candidate_id": tove_candidate }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let r = app.post(&format!("/api/v1/me/recruitments/{}/confirm", r.uuid("id")), tove.t(), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        pim
    }

    async fn seeker_with_profile(&self, name: &str, in_partner_pool: bool) -> (Account, Uuid) {
        let seeker = self.app.seeker(name).await;
        let profile = json!({
            "full_name": name,
            "headline": "Biochemist",
            "summary": "Open to work in any sector.",
            "location": {"city": "Göteborg", "country": "SE"},
            "work_permit": "has_permit",
            "searchable": true,
            "in_partner_pool": in_partner_pool,
        });
        let r = self.app.put("/api/v1/me/profile", seeker.t(), profile).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let candidate = r.uuid("candidate_id");
        (seeker, candidate)
    }

    /// The invitation token, as the link in the queued email carries it.
    async fn invitation_token(&self, email: &str) -> String {
        let body = self.outbox_text(&format!("kind = 'invitation' AND recipient = '{email}'")).await;
        let prefix = "http://tandem.test/api/v1/partner-invitations/";
        let start = body.find(prefix).expect("invitation link") + prefix.len();
        body[start..].split_whitespace().next().expect("token").to_owned()
    }

    /// The text part of the newest queued mail that meets `condition`.
    async fn outbox_text(&self, condition: &str) -> String {
        #[derive(diesel::QueryableByName)]
        struct Body {
            #[diesel(sql_type = diesel::sql_types::Text)]
            body_text: String,
        }
        use diesel_async::RunQueryDsl;
        let mut conn = self.app.state.pool.get().await.expect("conn");
        let sql = format!("SELECT body_text FROM mail_outbox WHERE {condition} ORDER BY created_at DESC LIMIT 1");
        diesel::sql_query(sql).get_result::<Body>(&mut conn).await.expect("a queued mail").body_text
    }

    /// Publishes a job of Västkust Logistik (sector logistics) in `city`.
    async fn post_job(&self, title: &str, city: &str) -> Uuid {
        let body = json!({
            "organization_id": self.logistics,
            "title": title,
            "description": "Plan the flow of goods through our terminal.",
            "skills": [{"name": "project management", "required": true}],
            "location": {"city": city, "country": "SE"},
            "remote": "no",
            "employment_type": "permanent",
            "sector": "logistics",
            "languages": [{"code": "en", "level": "B2"}],
            "status": "published"
        });
        let r = self.app.post("/api/v1/jobs", self.lena.t(), body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.uuid("id")
    }

    /// Waits for the matcher to consume every change, sends the daily digests, and waits for the mail to go out.
    async fn send_daily_digests(&self) {
        let app = &self.app;
        app.alert_matcher_caught_up().await;
        tandem::alerts::run::run(&smtp_state(app, &self.smtp), Frequency::Daily).await.expect("digest run");
        app.mail_sent().await;
    }

    /// The alert emails the SMTP server received for `seeker` (the invitation email is not one).
    fn alert_mails(&self, seeker: &Account) -> Vec<Received> {
        let mails = self.smtp.received_for(&seeker.email);
        mails.into_iter().filter(|m| m.header("List-Unsubscribe").is_some()).collect()
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

/// The state with mail going to the test's SMTP server.
fn smtp_state(app: &TestApp, smtp: &SmtpServer) -> AppState {
    let config = Config { smtp_url: Some(SmtpServer::url(smtp.port)), ..(*app.state.config).clone() };
    AppState { config: std::sync::Arc::new(config), ..app.state.clone() }
}

fn kinds(alerts: &Value) -> Vec<String> {
    alerts["items"].as_array().expect("items").iter().map(|a| a["kind"].as_str().expect("kind").to_owned()).collect()
}

#[tokio::test]
async fn a_pooled_partner_hears_of_jobs_in_any_sector_near_the_employer_until_opting_out() {
    let world = World::new().await;
    let app = &world.app;
    let pim = world.recruited_pair("Tove Talent", "Pim Partner", true).await;
    let nils = world.recruited_pair("Ola Talent", "Nils Partner", false).await;

    // Kungsbacka is about 25 km from CellCure's Göteborg, Skövde about 125 km; Kiruna is not on Tandem's map.
    world.post_job("Terminal planner in Kungsbacka", "Kungsbacka").await;
    world.post_job("Terminal planner in Skövde", "Skövde").await;
    world.post_job("Terminal planner in Kiruna", "Kiruna").await;
    world.send_daily_digests().await;

    let received = world.alert_mails(&pim);
    assert_eq!(received.len(), 1, "one daily digest for the pooled partner");
    assert!(received[0].header("List-Unsubscribe").is_some_and(|h| h.contains("/api/v1/alerts/unsubscribe")));
    let (text, html) = parts(&received[0]);
    assert!(html.contains("CellCure AB&#x27;s site in Göteborg") || html.contains("CellCure AB's site in Göteborg"));
    assert!(text.contains("Terminal planner in Kungsbacka"), "{text}");
    assert!(
        text.contains("Within 50 km of CellCure AB's site in Göteborg: about 25 km away"),
        "why it matched: {text}"
    );
    assert!(!text.contains("Skövde") && !text.contains("Kiruna"), "far and unplaceable jobs stay out: {text}");
    assert!(text.contains("Jobs in towns Tandem cannot place on its map are not included."), "{text}");
    assert!(world.alert_mails(&nils).is_empty(), "a partner who is not in the pool hears nothing");
    assert!(kinds(&app.get("/api/v1/me/alerts", nils.t()).await.body).is_empty());

    // Pim sees the alert among their own and its setting, then stops it.
    assert_eq!(kinds(&app.get("/api/v1/me/alerts", pim.t()).await.body), ["partner_commute"]);
    let settings = app.get(PREFERENCES, pim.t()).await;
    assert_eq!(settings.body, json!({"accept_referrals": true, "partner_job_alerts": true}), "{}", settings.text);
    let r = app.put(PREFERENCES, pim.t(), json!({"partner_job_alerts": false})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!({"accept_referrals": true, "partner_job_alerts": false}), "referrals untouched");
    assert!(kinds(&app.get("/api/v1/me/alerts", pim.t()).await.body).is_empty(), "the alert is gone");

    world.post_job("Warehouse lead in Mölndal", "Mölndal").await;
    world.send_daily_digests().await;
    assert_eq!(world.alert_mails(&pim).len(), 1, "nothing more after opting out");
    assert!(world.alert_mails(&nils).is_empty());

    // Opting in again brings the next near job.
    let r = app.put(PREFERENCES, pim.t(), json!({"partner_job_alerts": true})).await;
    assert_eq!(r.body["partner_job_alerts"], true, "{}", r.text);
    world.post_job("Customs officer in Kungälv", "Kungälv").await;
    world.send_daily_digests().await;
    assert_eq!(world.alert_mails(&pim).len(), 2);
    let (text, _) = parts(&world.alert_mails(&pim)[1]);
    assert!(text.contains("Customs officer in Kungälv") && !text.contains("Mölndal"), "{text}");
    world.shutdown().await;
}

#[tokio::test]
async fn unsubscribing_from_the_commute_alert_opts_out_for_good() {
    let world = World::new().await;
    let app = &world.app;
    let pim = world.recruited_pair("Tove Talent", "Pim Partner", true).await;
    world.post_job("Terminal planner in Partille", "Partille").await;
    world.send_daily_digests().await;
    let received = world.alert_mails(&pim);
    assert_eq!(received.len(), 1);
    let link = received[0].header("List-Unsubscribe").expect("unsubscribe header");
    let path = link.trim_matches(['<', '>']).replace("http://tandem.test", "");
    let r = app.client.post(app.url(&path)).body("List-Unsubscribe=One-Click").send().await.expect("unsubscribe");
    assert_eq!(r.status(), 200);

    assert_eq!(app.get(PREFERENCES, pim.t()).await.body["partner_job_alerts"], false);
    world.post_job("Warehouse lead in Mölndal", "Mölndal").await;
    world.send_daily_digests().await;
    assert_eq!(world.alert_mails(&pim).len(), 1, "no new alert is made after unsubscribing");
    world.shutdown().await;
}
