//! Unclaimed organisations: imports find an employer again by organisation number or name (through the library),
//! an employer claims one over HTTP, and an operator approves or declines; who may do what at each step.

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use tandem::db::StoreError;
use tandem::orgs::{find_or_create_unclaimed, find_or_create_unclaimed_many, ImportedEmployer, UnusableEmployer};
use uuid::Uuid;

use crate::helpers::{Account, TestApp};
use crate::orgs::{create_org, org_body};

fn employer<'a>(name: &'a str, org_number: Option<&'a str>) -> ImportedEmployer<'a> {
    ImportedEmployer { name, org_number, city: "Malmö", country: "SE", website: Some("http://www.hittepa.se") }
}

/// The organisation of one imported employer, as the importer gets it.
async fn import(app: &TestApp, e: ImportedEmployer<'_>) -> Uuid {
    let mut conn = app.state.pool.get().await.expect("conn");
    find_or_create_unclaimed(&mut conn, e).await.expect("employer stored")
}

async fn organizations(app: &TestApp) -> i64 {
    app.count("SELECT count(*) AS n FROM organizations").await
}

fn claims_of(org: Uuid) -> String {
    format!("/api/v1/organizations/{org}/claims")
}

fn decide(claim: Uuid, what: &str) -> String {
    format!("/api/v1/admin/organization-claims/{claim}/{what}")
}

async fn claim(app: &TestApp, org: Uuid, who: &Account) -> Uuid {
    let r = app.post(&claims_of(org), who.t(), json!({})).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.body["status"], "pending");
    r.uuid("id")
}

#[tokio::test]
async fn an_employer_is_found_again_by_organisation_number_in_any_spelling() {
    let app = TestApp::spawn().await;
    let before = organizations(&app).await;
    let first = import(&app, employer("hittepå Skåne AB", Some("556000-1234"))).await;
    for number in ["556000-1234", "5560001234", "556000 1234", "16556000-1234", "SE556000123401"] {
        let again = import(&app, employer("Hittepå i Skåne", Some(number))).await;
        assert_eq!(again, first, "{number} is the same organisation number");
    }
    let other = import(&app, employer("hittepå Skåne AB", Some("556000-1235"))).await;
    assert_ne!(other, first, "another number is another organisation, whatever the name");
    assert_eq!(organizations(&app).await, before + 2);

    let r = app.get(&format!("/api/v1/organizations/{first}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["claimed"], false);
    assert_eq!(r.body["name"], "hittepå Skåne AB");
    assert_eq!(r.body["org_number"], "556000-1234");
    assert_eq!(r.body["location"], json!({"city": "Malmö", "country": "SE"}));
    assert_eq!(r.body["sector"], "unknown");
}

#[tokio::test]
async fn an_employer_without_a_number_is_found_again_by_its_normalised_name() {
    let app = TestApp::spawn().await;
    let before = organizations(&app).await;
    let first = import(&app, employer("Centric Care AB", None)).await;
    assert_eq!(import(&app, employer("Centric Care", None)).await, first);
    assert_eq!(import(&app, employer("  CENTRIC   care (publ) ", None)).await, first);
    assert_ne!(import(&app, employer("Centric Cure AB", None)).await, first);
    assert_eq!(organizations(&app).await, before + 2);

    // An organisation its employer registered is never taken for an ad's by name alone.
    let owner = app.employer("Olga Owner").await;
    let registered = create_org(&app, &owner, "Västra Pharma").await;
    assert_ne!(import(&app, employer("Västra Pharma", None)).await, registered);
}

#[tokio::test]
async fn a_registered_organisation_with_the_number_is_reused_and_stays_claimed() {
    let app = TestApp::spawn().await;
    let owner = app.employer("Olga Owner").await;
    let mut body = org_body("Volvo Personvagnar AB");
    body["org_number"] = json!("556074-3089");
    let r = app.post("/api/v1/organizations", owner.t(), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["claimed"], true, "an organisation its employer registers is claimed");
    let registered = r.uuid("id");

    assert_eq!(import(&app, employer("Volvo Car Corporation", Some("5560743089"))).await, registered);
    let r = app.get(&format!("/api/v1/organizations/{registered}"), None).await;
    assert_eq!((r.body["claimed"].clone(), r.body["name"].clone()), (json!(true), json!("Volvo Personvagnar AB")));

    // The number written another way is still taken for a new registration.
    let mut body = org_body("Fake Volvo");
    body["org_number"] = json!("5560743089");
    let r = app.post("/api/v1/organizations", app.employer("Fritz Fake").await.t(), body).await;
    assert_eq!(r.problem(409)["type"], "https://tandem.example/problems/org-number-taken");
}

#[tokio::test]
async fn a_batch_gets_one_organisation_per_employer_and_reports_unusable_ones_in_place() {
    let app = TestApp::spawn().await;
    let known = import(&app, employer("Anyfin AB", None)).await;
    let before = organizations(&app).await;
    let batch = [
        employer("Perigee AB", None),
        employer("Detectify AB", Some("556000-0001")),
        employer("  ", None),
        employer("Perigee", None),
        employer("Detectify", Some("5560000001")),
        employer("Anyfin", None),
        ImportedEmployer { country: "Sverige", ..employer("Diet Doctor Sweden AB", None) },
    ];
    let mut conn = app.state.pool.get().await.expect("conn");
    let ids = find_or_create_unclaimed_many(&mut conn, &batch).await.expect("batch stored");
    drop(conn);
    assert_eq!(ids.len(), batch.len());
    assert_eq!(ids[2], Err(UnusableEmployer::NoName));
    assert_eq!(ids[6], Err(UnusableEmployer::BadCountry));
    assert_eq!(ids[0], ids[3], "Perigee twice in one batch");
    assert_eq!(ids[1], ids[4], "Detectify twice in one batch");
    assert_ne!(ids[0], ids[1]);
    assert_eq!(ids[5], Ok(known));
    assert_eq!(organizations(&app).await, before + 2);
}

/// Two imports of the same employers at once, the second waiting on the first's uncommitted rows: both end with
/// the same organisations and none is made twice.
#[tokio::test]
async fn concurrent_imports_of_one_employer_make_one_organisation() {
    let app = TestApp::spawn().await;
    let before = organizations(&app).await;
    let numbers: Vec<String> = (0..20).map(|n| format!("559{n:03}-0000")).collect();
    let batch: Vec<ImportedEmployer<'_>> =
        numbers.iter().map(|n| employer("Same Name AB", Some(n))).chain([employer("Nameonly AB", None)]).collect();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut first_conn = app.state.pool.get().await.expect("conn");
    let mut second_conn = app.state.pool.get().await.expect("conn");
    let shared = &batch;
    let first = async {
        let conn: &mut AsyncPgConnection = &mut first_conn;
        conn.transaction::<_, StoreError, _>(|conn| {
            async move {
                let ids = find_or_create_unclaimed_many(conn, shared).await?;
                let _ = tx.send(());
                // Commit only once the second import is surely waiting on these rows.
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                Ok(ids)
            }
            .scope_boxed()
        })
        .await
    };
    let second = async {
        rx.await.expect("first import ran");
        let mut reversed = batch.clone();
        reversed.reverse();
        let conn: &mut AsyncPgConnection = &mut second_conn;
        let mut ids = find_or_create_unclaimed_many(conn, &reversed).await?;
        ids.reverse();
        Ok::<_, StoreError>(ids)
    };
    let (first, second) = tokio::join!(first, second);
    let (first, second) = (first.expect("first import"), second.expect("second import"));
    assert_eq!(first, second);
    assert!(first.iter().all(Result::is_ok));
    assert_eq!(organizations(&app).await, before + 21);
}

#[tokio::test]
async fn a_claim_approved_makes_the_claimant_the_admin_who_then_edits_the_profile() {
    let app = TestApp::spawn().await;
    let org = import(&app, employer("hittepå Skåne AB", Some("1212120136"))).await;
    let (claimant, rival, operator) =
        (app.employer("Clara Claimant").await, app.employer("Rita Rival").await, app.admin().await);
    let profile = format!("/api/v1/organizations/{org}");

    // Nobody manages an unclaimed organisation but the operators.
    app.patch(&profile, claimant.t(), json!({"sector": "retail"})).await.problem(403);
    let r = app.patch(&profile, operator.t(), json!({"sector": "retail"})).await;
    assert_eq!((r.status, r.body["sector"].clone()), (200, json!("retail")), "{}", r.text);

    let claim_id = claim(&app, org, &claimant).await;
    let rival_claim = claim(&app, org, &rival).await;
    let r = app.get("/api/v1/admin/organization-claims", operator.t()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], json!(claim_id), "oldest first");
    assert_eq!(items[0]["organization_id"], json!(org));
    assert_eq!(items[0]["organization_name"], "hittepå Skåne AB");
    assert_eq!(items[0]["org_number"], "1212120136");
    assert_eq!(items[0]["claimant"]["email"], json!(claimant.email));
    assert_eq!(items[0]["claimant"]["display_name"], "Clara Claimant");

    let r = app.post(&decide(claim_id, "approve"), operator.t(), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "approved");
    assert!(r.body["decided_at"].is_string());

    assert_eq!(app.get(&profile, None).await.body["claimed"], true);
    let r = app.patch(&profile, claimant.t(), json!({"sector": "pharma", "description": "Ours now."})).await;
    assert_eq!((r.status, r.body["sector"].clone()), (200, json!("pharma")), "{}", r.text);
    let r = app.get(&format!("{profile}/members"), claimant.t()).await;
    assert_eq!(r.body[0]["user_id"], json!(claimant.user_id));
    assert_eq!(r.body[0]["role"], "admin");
    let r = app.get("/api/v1/me", claimant.t()).await;
    assert_eq!(r.body["organizations"][0]["id"], json!(org), "{}", r.text);

    // The organisation has its owner: operators no longer edit it, the rival's claim was declined with the approval,
    // and nobody can claim it again.
    app.patch(&profile, operator.t(), json!({"sector": "x"})).await.problem(403);
    let r = app.post(&decide(rival_claim, "approve"), operator.t(), json!({})).await;
    assert_eq!(r.problem(409)["type"], "https://tandem.example/problems/claim-decided");
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM memberships WHERE organization_id = '{org}'")).await, 1);
    let r = app.post(&claims_of(org), rival.t(), json!({})).await;
    assert_eq!(r.problem(409)["type"], "https://tandem.example/problems/already-claimed");
    assert_eq!(app.get("/api/v1/admin/organization-claims", operator.t()).await.body["items"], json!([]));
}

#[tokio::test]
async fn a_second_claim_by_the_same_employer_is_a_conflict() {
    let app = TestApp::spawn().await;
    let org = import(&app, employer("Perigee AB", None)).await;
    let claimant = app.employer("Clara Claimant").await;
    claim(&app, org, &claimant).await;
    let r = app.post(&claims_of(org), claimant.t(), json!({})).await;
    assert_eq!(r.problem(409)["type"], "https://tandem.example/problems/claim-pending");
    assert_eq!(app.count("SELECT count(*) AS n FROM organization_claims").await, 1);
}

#[tokio::test]
async fn a_registered_organisation_cannot_be_claimed() {
    let app = TestApp::spawn().await;
    let owner = app.employer("Olga Owner").await;
    let org = create_org(&app, &owner, "Västra Pharma").await;
    let r = app.post(&claims_of(org), app.employer("Ivan Intruder").await.t(), json!({})).await;
    assert_eq!(r.problem(409)["type"], "https://tandem.example/problems/already-claimed");
    app.post(&claims_of(Uuid::new_v4()), owner.t(), json!({})).await.problem(404);
}

#[tokio::test]
async fn only_employers_claim_and_only_operators_see_and_decide_claims() {
    let app = TestApp::spawn().await;
    let org = import(&app, employer("Detectify AB", None)).await;
    let (seeker, claimant) = (app.seeker("Sara Seeker").await, app.employer("Clara Claimant").await);
    let operator = app.admin().await;
    app.post(&claims_of(org), seeker.t(), json!({})).await.problem(403);
    app.post(&claims_of(org), operator.t(), json!({})).await.problem(403);
    app.post(&claims_of(org), None, json!({})).await.problem(401);
    let claim_id = claim(&app, org, &claimant).await;

    for (who, token, status) in [("anonymous", None, 401), ("employer", claimant.t(), 403), ("seeker", seeker.t(), 403)]
    {
        let r = app.get("/api/v1/admin/organization-claims", token).await;
        assert_eq!(r.problem(status)["status"], status, "{who} lists");
        for what in ["approve", "decline"] {
            let r = app.post(&decide(claim_id, what), token, json!({})).await;
            assert_eq!(r.problem(status)["status"], status, "{who} {what}s");
        }
    }
    assert_eq!(app.get(&format!("/api/v1/organizations/{org}"), None).await.body["claimed"], false);
    app.post(&decide(Uuid::new_v4(), "approve"), operator.t(), json!({})).await.problem(404);
    app.post(&decide(Uuid::new_v4(), "decline"), operator.t(), json!({})).await.problem(404);
}

#[tokio::test]
async fn a_declined_claim_leaves_the_organisation_unclaimed_and_may_be_filed_again() {
    let app = TestApp::spawn().await;
    let org = import(&app, employer("Anyfin AB", None)).await;
    let (claimant, operator) = (app.employer("Clara Claimant").await, app.admin().await);
    let claim_id = claim(&app, org, &claimant).await;
    let r = app.post(&decide(claim_id, "decline"), operator.t(), json!({})).await;
    assert_eq!((r.status, r.body["status"].clone()), (200, json!("declined")), "{}", r.text);
    app.post(&decide(claim_id, "decline"), operator.t(), json!({})).await.problem(409);
    app.post(&decide(claim_id, "approve"), operator.t(), json!({})).await.problem(409);
    assert_eq!(app.get(&format!("/api/v1/organizations/{org}"), None).await.body["claimed"], false);
    app.patch(&format!("/api/v1/organizations/{org}"), claimant.t(), json!({"sector": "x"})).await.problem(403);
    assert_ne!(claim(&app, org, &claimant).await, claim_id);
}

#[tokio::test]
async fn an_employer_may_have_only_a_few_claims_pending() {
    let app = TestApp::spawn().await;
    let claimant = app.employer("Greedy Gunnar").await;
    let names: Vec<String> = (0..6).map(|n| format!("Company {n} AB")).collect();
    let mut orgs = Vec::new();
    for name in &names {
        orgs.push(import(&app, employer(name, None)).await);
    }
    for org in &orgs[..5] {
        claim(&app, *org, &claimant).await;
    }
    let r = app.post(&claims_of(orgs[5]), claimant.t(), json!({})).await;
    assert_eq!(r.problem(409)["type"], "https://tandem.example/problems/too-many-claims");
}
