//! Dual career over HTTP: partner invitations by email (single use, 14 days), links and unlinking, recruitments and
//! their confirmation, the partner pool, the network directory, referrals by email and the referral opt-out.

use std::time::Duration;

use serde_json::{json, Value};
use tandem::config::Config;
use tandem::mail::worker::{MailWorkers, WorkerSettings};
use uuid::Uuid;

use crate::helpers::{eventually, invitation_token, invitation_token_in, pool_partner, Account, TestApp};
use crate::orgs::{add_member, create_org, join_network};
use crate::smtp::{parts, SmtpServer};

const INVITE: &str = "/api/v1/me/partner/invitations";

fn profile(name: &str, searchable: bool, in_partner_pool: bool) -> Value {
    json!({
        "full_name": name,
        "headline": "Molecular biologist",
        "summary": format!("{name}'s private summary: only employers who open the profile see it."),
        "location": {"city": "Göteborg", "country": "SE"},
        "work_permit": "has_permit",
        "searchable": searchable,
        "in_partner_pool": in_partner_pool,
    })
}

/// A seeker with a saved profile; returns the account and the candidate id.
async fn seeker_with_profile(app: &TestApp, name: &str, searchable: bool, in_pool: bool) -> (Account, Uuid) {
    let seeker = app.seeker(name).await;
    let r = app.put("/api/v1/me/profile", seeker.t(), profile(name, searchable, in_pool)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let candidate_id = r.uuid("candidate_id");
    (seeker, candidate_id)
}

/// Invites `email` as `inviter`'s partner and returns the token from the email.
async fn invite(app: &TestApp, inviter: &Account, email: &str) -> String {
    let r = app.post(INVITE, inviter.t(), json!({ "email": email })).await;
    assert_eq!(r.status, 201, "{}", r.text);
    invitation_token(app, email).await
}

fn quick_mail() -> WorkerSettings {
    WorkerSettings {
        first_retry: Duration::from_millis(100),
        max_retry: Duration::from_millis(400),
        idle_poll: Duration::from_millis(50),
        ..WorkerSettings::default()
    }
}

/// The ids of the candidates a pool search returns to `caller`.
async fn pool_ids(app: &TestApp, caller: &Account) -> Vec<String> {
    let r = app.get("/api/v1/candidates?partner_pool=true", caller.t()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["candidate_id"].as_str().expect("id").to_owned())
        .collect()
}

async fn outbox_rows(app: &TestApp, candidate: Uuid) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS n FROM index_outbox WHERE entity = 'candidate' AND entity_id = '{candidate}'"
    ))
    .await
}

#[tokio::test]
async fn a_partner_is_invited_linked_pooled_found_and_referred_with_real_email() {
    let app = TestApp::spawn().await;
    let smtp = SmtpServer::start();
    let config = Config { smtp_url: Some(SmtpServer::url(smtp.port)), ..(*app.state.config).clone() };
    let mailer = MailWorkers::start_with(app.state.pool.clone(), &config, 1, quick_mail()).expect("mail workers");

    // Two organisations in the HR network; Göta Biotech names Cia as its contact point.
    let operator = app.admin().await;
    let eva = app.employer("Eva Employer").await;
    let vastra = create_org(&app, &eva, "Västra Pharma").await;
    join_network(&app, vastra, &eva, &operator).await;
    let bo = app.employer("Bo Admin").await;
    let gota = create_org(&app, &bo, "Göta Biotech").await;
    join_network(&app, gota, &bo, &operator).await;
    let cia = app.employer("Cia Contact").await;
    add_member(&app, gota, &bo, &cia, "recruiter", true).await;

    let (tove, tove_candidate) = seeker_with_profile(&app, "Tove Talent", true, false).await;
    let (pim, pim_candidate) = seeker_with_profile(&app, "Pim Partner", true, true).await;

    // Tove invites Pim; the invitation arrives by SMTP with a link that holds for 14 days.
    let r = app.post(INVITE, tove.t(), json!({ "email": pim.email.to_uppercase() })).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["email"], pim.email);
    eventually("the invitation email", || async { !smtp.received_for(&pim.email).is_empty() }).await;
    let mail = &smtp.received_for(&pim.email)[0];
    assert!(mail.header("Subject").expect("subject").contains("Tove Talent"), "{}", mail.data);
    let token = invitation_token_in(&parts(mail).0);

    let shown = app.get(&format!("/api/v1/partner-invitations/{token}"), None).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!(shown.body["inviter_name"], "Tove Talent");
    let expires: chrono::DateTime<chrono::Utc> =
        shown.body["expires_at"].as_str().expect("expiry").parse().expect("time");
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((13.9..=14.0).contains(&days), "expires in {days} days");

    let before = outbox_rows(&app, pim_candidate).await;
    let r = app.post(&format!("/api/v1/partner-invitations/{token}/accept"), pim.t(), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["partner"], json!({"candidate_id": tove_candidate, "display_name": "Tove Talent"}));
    assert!(outbox_rows(&app, pim_candidate).await > before, "linking re-indexes the partner");

    // Each sees only the other's candidate id and display name: no private field of the other's profile.
    let pims = app.get("/api/v1/me/profile", pim.t()).await;
    assert_eq!(pims.body["partner"], json!({"candidate_id": tove_candidate, "display_name": "Tove Talent"}));
    assert!(!pims.text.contains(&tove.email) && !pims.text.contains("Tove Talent's private"), "{}", pims.text);
    let toves = app.get("/api/v1/me/profile", tove.t()).await;
    assert_eq!(toves.body["partner"], json!({"candidate_id": pim_candidate, "display_name": "Pim Partner"}));
    // A partner is a seeker and cannot open the other's full profile.
    app.get(&format!("/api/v1/candidates/{tove_candidate}"), pim.t()).await.problem(403);

    // Västra Pharma recruits Tove; she confirms. Pim, who opted in, is now in the partner pool.
    let r = app
        .post(&format!("/api/v1/organizations/{vastra}/recruits"), eva.t(), json!({ "candidate_id": tove_candidate }))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "pending");
    let recruitment = r.uuid("id");
    let mine = app.get("/api/v1/me/recruitments", tove.t()).await;
    assert_eq!(mine.body[0]["id"], recruitment.to_string());
    assert_eq!(mine.body[0]["organization"]["name"], "Västra Pharma");
    let before = outbox_rows(&app, pim_candidate).await;
    let r = app.post(&format!("/api/v1/me/recruitments/{recruitment}/confirm"), tove.t(), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "confirmed");
    assert!(outbox_rows(&app, pim_candidate).await > before, "confirming re-indexes the partner");

    // Network members find Pim in the pool (blind), and the directory of contact points.
    let pim_id = pim_candidate.to_string();
    eventually("Pim in the partner pool", || async { pool_ids(&app, &eva).await.contains(&pim_id) }).await;
    let pool = app.get("/api/v1/candidates?partner_pool=true", eva.t()).await;
    assert!(!pool.text.contains("Pim Partner") && !pool.text.contains(&pim.email), "blind: {}", pool.text);
    assert!(!pool_ids(&app, &eva).await.contains(&tove_candidate.to_string()), "the talent is not in the pool");
    let directory = app.get("/api/v1/network/contacts", eva.t()).await;
    assert_eq!(directory.status, 200, "{}", directory.text);
    assert!(directory.text.contains(&cia.email), "{}", directory.text);

    // Eva refers Pim to Göta Biotech: Cia, its contact point, gets an email with a link to the candidate.
    let r = app
        .post(
            "/api/v1/referrals",
            eva.t(),
            json!({"candidate_id": pim_candidate, "to_organization_id": gota, "note": "Strong in HPLC & QC."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["from_organization"]["name"], "Västra Pharma");
    assert_eq!(r.body["to_organization"]["id"], gota.to_string());
    eventually("the referral email", || async { !smtp.received_for(&cia.email).is_empty() }).await;
    let (text, _) = parts(&smtp.received_for(&cia.email)[0]);
    assert!(text.contains(&format!("http://tandem.test/api/v1/candidates/{pim_candidate}")), "{text}");
    assert!(text.contains("Strong in HPLC & QC.") && text.contains("Västra Pharma"), "{text}");
    assert!(smtp.received_for(&bo.email).is_empty(), "only contact points are emailed");
    let cia_sees = app.get(&format!("/api/v1/candidates/{pim_candidate}"), cia.t()).await;
    assert_eq!(cia_sees.status, 200, "{}", cia_sees.text);

    // Pim sees the referral and stops further ones.
    let r = app.get("/api/v1/me/referrals", pim.t()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["note"], "Strong in HPLC & QC.");
    assert_eq!(items[0]["from_organization"]["name"], "Västra Pharma");
    assert_eq!(items[0]["to_organization"]["name"], "Göta Biotech");
    assert!(items[0]["created_at"].is_string() && items[0]["id"].is_string());
    let stop = app.put("/api/v1/me/referral-preferences", pim.t(), json!({"accept_referrals": false})).await;
    assert_eq!(stop.status, 200, "{}", stop.text);
    assert_eq!(app.get("/api/v1/me/referral-preferences", pim.t()).await.body["accept_referrals"], false);
    let again = json!({"candidate_id": pim_candidate, "to_organization_id": gota, "note": "Once more"});
    app.post("/api/v1/referrals", eva.t(), again).await.problem(409);
    assert_eq!(app.count("SELECT count(*) AS n FROM referrals").await, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_outbox WHERE kind = 'referral'").await, 1);
    assert_eq!(app.get("/api/v1/me/referrals", pim.t()).await.body["items"].as_array().map(Vec::len), Some(1));

    // Unlinking (from either side) ends the link for both, and Pim leaves the pool.
    let before = outbox_rows(&app, pim_candidate).await;
    assert_eq!(app.delete("/api/v1/me/partner", tove.t()).await.status, 204);
    assert!(outbox_rows(&app, pim_candidate).await > before, "unlinking re-indexes the partner");
    assert_eq!(app.get("/api/v1/me/profile", pim.t()).await.body["partner"], Value::Null);
    assert_eq!(app.get("/api/v1/me/profile", tove.t()).await.body["partner"], Value::Null);
    app.delete("/api/v1/me/partner", pim.t()).await.problem(404);
    eventually("Pim out of the pool", || async { !pool_ids(&app, &eva).await.contains(&pim_id) }).await;

    mailer.shutdown().await;
}

#[tokio::test]
async fn invitations_are_single_use_expire_and_link_one_partner_at_a_time() {
    let app = TestApp::spawn().await;
    let (ana, _) = seeker_with_profile(&app, "Ana", false, false).await;
    let (ben, ben_candidate) = seeker_with_profile(&app, "Ben", false, true).await;
    let (cyd, _) = seeker_with_profile(&app, "Cyd", false, true).await;
    let employer = app.employer("Eli").await;

    // Who may invite, and what.
    app.post(INVITE, None, json!({"email": "x@example.org"})).await.problem(401);
    app.post(INVITE, employer.t(), json!({"email": "x@example.org"})).await.problem(403);
    assert_eq!(app.post(INVITE, ana.t(), json!({"email": "nope"})).await.invalid_fields(), ["email"]);
    assert_eq!(app.post(INVITE, ana.t(), json!({"email": ana.email})).await.invalid_fields(), ["email"]);
    assert_eq!(app.post(INVITE, ana.t(), json!({"email": "a@b.se", "x": 1})).await.invalid_fields(), ["x"]);
    let no_profile = app.seeker("Dee").await;
    app.post(INVITE, no_profile.t(), json!({"email": "x@example.org"})).await.problem(409);
    assert_eq!(app.count("SELECT count(*) AS n FROM partner_invitations").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_outbox").await, 0);

    // Unknown tokens name nothing.
    app.get("/api/v1/partner-invitations/not-a-token", None).await.problem(404);
    app.post("/api/v1/partner-invitations/not-a-token/accept", ben.t(), json!({})).await.problem(404);

    // A token works once; a reused one is gone, also for its preview.
    let token = invite(&app, &ana, &ben.email).await;
    let accept = format!("/api/v1/partner-invitations/{token}/accept");
    app.post(&accept, employer.t(), json!({})).await.problem(403);
    app.post(&accept, ana.t(), json!({})).await.problem(409);
    app.post(&accept, no_profile.t(), json!({})).await.problem(409);
    assert_eq!(app.post(&accept, ben.t(), json!({})).await.status, 200);
    app.post(&accept, ben.t(), json!({})).await.problem(410);
    app.post(&accept, cyd.t(), json!({})).await.problem(410);
    app.get(&format!("/api/v1/partner-invitations/{token}"), None).await.problem(410);
    assert_eq!(app.count("SELECT count(*) AS n FROM partner_links").await, 2);

    // One partner at a time: a linked seeker cannot invite, nor accept another's invitation.
    app.post(INVITE, ana.t(), json!({"email": "new@example.org"})).await.problem(409);
    let to_ben = invite(&app, &cyd, &ben.email).await;
    app.post(&format!("/api/v1/partner-invitations/{to_ben}/accept"), ben.t(), json!({})).await.problem(409);
    assert_eq!(app.get("/api/v1/me/profile", ben.t()).await.body["partner"]["display_name"], "Ana");
    assert_eq!(app.get("/api/v1/me/profile", cyd.t()).await.body["partner"], Value::Null);

    // After 14 days an invitation is gone, and accepting it links nobody.
    assert_eq!(app.delete("/api/v1/me/partner", ben.t()).await.status, 204);
    let late = invite(&app, &cyd, &ben.email).await;
    app.count(
        "WITH u AS (UPDATE partner_invitations SET expires_at = now() - interval '1 second' \
         WHERE accepted_at IS NULL RETURNING 1) SELECT count(*) AS n FROM u",
    )
    .await;
    app.get(&format!("/api/v1/partner-invitations/{late}"), None).await.problem(410);
    app.post(&format!("/api/v1/partner-invitations/{late}/accept"), ben.t(), json!({})).await.problem(410);
    assert_eq!(app.count("SELECT count(*) AS n FROM partner_links").await, 0);
    assert_eq!(app.get("/api/v1/me/profile", ben.t()).await.body["candidate_id"], ben_candidate.to_string());

    // Unlinking needs a link, and a seeker.
    app.delete("/api/v1/me/partner", ben.t()).await.problem(404);
    app.delete("/api/v1/me/partner", employer.t()).await.problem(403);
    app.delete("/api/v1/me/partner", None).await.problem(401);
}

#[tokio::test]
async fn only_members_report_recruits_and_only_the_recruit_confirms() {
    let app = TestApp::spawn().await;
    let eva = app.employer("Eva").await;
    let org = create_org(&app, &eva, "Västra Pharma").await;
    let outsider = app.employer("Otto").await;
    create_org(&app, &outsider, "Other AB").await;
    let (tove, tove_candidate) = seeker_with_profile(&app, "Tove", true, false).await;
    let (hidden, hidden_candidate) = seeker_with_profile(&app, "Hidden", false, false).await;
    let recruits = format!("/api/v1/organizations/{org}/recruits");
    let body = json!({ "candidate_id": tove_candidate });

    app.post(&recruits, None, body.clone()).await.problem(401);
    app.post(&recruits, tove.t(), body.clone()).await.problem(403);
    app.post(&recruits, outsider.t(), body.clone()).await.problem(403);
    app.post(&format!("/api/v1/organizations/{}/recruits", Uuid::new_v4()), eva.t(), body.clone()).await.problem(404);
    let r = app.post(&recruits, eva.t(), json!({ "candidate_id": hidden_candidate })).await;
    assert_eq!(r.invalid_fields(), ["candidate_id"]);
    assert_eq!(app.post(&recruits, eva.t(), json!({})).await.invalid_fields(), ["candidate_id"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM recruitments").await, 0);

    let r = app.post(&recruits, eva.t(), body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "pending");
    let id = r.uuid("id");
    app.post(&recruits, eva.t(), body).await.problem(409);

    // Only the recruited seeker confirms; anyone else learns nothing.
    let confirm = format!("/api/v1/me/recruitments/{id}/confirm");
    app.post(&confirm, hidden.t(), json!({})).await.problem(404);
    app.post(&confirm, eva.t(), json!({})).await.problem(403);
    app.post(&format!("/api/v1/me/recruitments/{}/confirm", Uuid::new_v4()), tove.t(), json!({})).await.problem(404);
    assert_eq!(app.get("/api/v1/me/recruitments", hidden.t()).await.body, json!([]));
    assert_eq!(app.count("SELECT count(*) AS n FROM recruitments WHERE status = 'confirmed'").await, 0);
    let r = app.post(&confirm, tove.t(), json!({})).await;
    assert_eq!((r.status, r.body["status"].clone()), (200, json!("confirmed")), "{}", r.text);
    // Confirming twice changes nothing.
    assert_eq!(app.post(&confirm, tove.t(), json!({})).await.body["status"], "confirmed");
}

/// A network of two organisations, an outsider organisation, and a linked pair whose talent was recruited.
struct Network {
    eva: Account,
    vastra: Uuid,
    gota: Uuid,
    outsider: Account,
    outsider_org: Uuid,
    pim: Account,
    pim_candidate: Uuid,
    tove_candidate: Uuid,
}

impl Network {
    async fn new(app: &TestApp, pim_in_pool: bool) -> Self {
        let operator = app.admin().await;
        let eva = app.employer("Eva").await;
        let vastra = create_org(app, &eva, "Västra Pharma").await;
        join_network(app, vastra, &eva, &operator).await;
        let bo = app.employer("Bo").await;
        let gota = create_org(app, &bo, "Göta Biotech").await;
        join_network(app, gota, &bo, &operator).await;
        let outsider = app.employer("Otto").await;
        let outsider_org = create_org(app, &outsider, "Outside AB").await;
        let (tove, tove_candidate) = seeker_with_profile(app, "Tove", true, false).await;
        let (pim, pim_candidate) = seeker_with_profile(app, "Pim", true, pim_in_pool).await;
        pool_partner(app, &tove, tove_candidate, &pim, vastra, &eva).await;
        Self { eva, vastra, gota, outsider, outsider_org, pim, pim_candidate, tove_candidate }
    }
}

#[tokio::test]
async fn outside_the_network_there_is_no_pool_no_directory_and_no_referral() {
    let app = TestApp::spawn().await;
    let n = Network::new(&app, true).await;
    let refer =
        |to: Uuid, candidate: Uuid| json!({"candidate_id": candidate, "to_organization_id": to, "note": "Fits"});

    app.get("/api/v1/candidates?partner_pool=true", n.outsider.t()).await.problem(403);
    app.get("/api/v1/network/contacts", n.outsider.t()).await.problem(403);
    app.get("/api/v1/candidates?partner_pool=true", n.pim.t()).await.problem(403);
    app.get("/api/v1/network/contacts", n.pim.t()).await.problem(403);

    app.post("/api/v1/referrals", None, refer(n.gota, n.pim_candidate)).await.problem(401);
    app.post("/api/v1/referrals", n.pim.t(), refer(n.gota, n.pim_candidate)).await.problem(403);
    app.post("/api/v1/referrals", n.outsider.t(), refer(n.gota, n.pim_candidate)).await.problem(403);
    // A network member cannot refer on behalf of an organisation they are not in.
    let mut foreign = refer(n.gota, n.pim_candidate);
    foreign["from_organization_id"] = json!(n.gota);
    app.post("/api/v1/referrals", n.eva.t(), foreign).await.problem(403);
    // Only to another network organisation, only partner-pool candidates, only with a note.
    for to in [n.outsider_org, n.vastra, Uuid::new_v4()] {
        let r = app.post("/api/v1/referrals", n.eva.t(), refer(to, n.pim_candidate)).await;
        assert_eq!(r.invalid_fields(), ["to_organization_id"]);
    }
    for candidate in [n.tove_candidate, Uuid::new_v4()] {
        let r = app.post("/api/v1/referrals", n.eva.t(), refer(n.gota, candidate)).await;
        assert_eq!(r.invalid_fields(), ["candidate_id"]);
    }
    let mut blank = refer(n.gota, n.pim_candidate);
    blank["note"] = json!("  ");
    assert_eq!(app.post("/api/v1/referrals", n.eva.t(), blank).await.invalid_fields(), ["note"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM referrals").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_outbox WHERE kind = 'referral'").await, 0);

    // Referrals about me are for seekers only.
    app.get("/api/v1/me/referrals", n.eva.t()).await.problem(403);
    app.get("/api/v1/me/referrals", None).await.problem(401);
    app.put("/api/v1/me/referral-preferences", n.eva.t(), json!({"accept_referrals": false})).await.problem(403);
    let r = app.put("/api/v1/me/referral-preferences", n.pim.t(), json!({"accept_referrals": "no"})).await;
    assert_eq!(r.invalid_fields(), ["accept_referrals"]);
}

#[tokio::test]
async fn a_partner_who_did_not_opt_in_is_not_in_the_pool() {
    let app = TestApp::spawn().await;
    let n = Network::new(&app, false).await;
    let r = app
        .post(
            "/api/v1/referrals",
            n.eva.t(),
            json!({"candidate_id": n.pim_candidate, "to_organization_id": n.gota, "note": "Fits"}),
        )
        .await;
    assert_eq!(r.invalid_fields(), ["candidate_id"]);
    // Opting in later puts the partner in the pool at once.
    let r = app.put("/api/v1/me/profile", n.pim.t(), profile("Pim", true, true)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["partner"]["candidate_id"], n.tove_candidate.to_string());
    let r = app
        .post(
            "/api/v1/referrals",
            n.eva.t(),
            json!({"candidate_id": n.pim_candidate, "to_organization_id": n.gota, "note": "Fits"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // Bo is Göta's only admin and it has no contact point: the admins hear of it instead.
    assert_eq!(app.count("SELECT count(*) AS n FROM mail_outbox WHERE kind = 'referral'").await, 1);
}
