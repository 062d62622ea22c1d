//! Organisations: creation, public profile, updates, members and their removal, the HR network request flow,
//! and the contact directory; each endpoint against every kind of caller.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{Account, TestApp};

pub fn org_body(name: &str) -> Value {
    json!({
        "name": name,
        "sector": "pharma",
        "website": "https://example.org",
        "description": "Medicines from Mölndal.",
        "location": {"city": "Göteborg", "country": "SE"}
    })
}

/// Creates an organisation with `admin` as its admin; returns its id.
pub async fn create_org(app: &TestApp, admin: &Account, name: &str) -> Uuid {
    let r = app.post("/api/v1/organizations", admin.t(), org_body(name)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.uuid("id")
}

pub async fn add_member(app: &TestApp, org: Uuid, admin: &Account, member: &Account, role: &str, contact: bool) {
    let r = app
        .post(
            &format!("/api/v1/organizations/{org}/members"),
            admin.t(),
            json!({"email": member.email, "role": role, "contact_point": contact}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

/// Files and approves a network request for `org`.
pub async fn join_network(app: &TestApp, org: Uuid, admin: &Account, operator: &Account) {
    let r = app.post(&format!("/api/v1/organizations/{org}/network-membership"), admin.t(), json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let request = r.uuid("id");
    let r = app.post(&format!("/api/v1/admin/network-requests/{request}/approve"), operator.t(), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Everyone the authorization matrix tries: an organisation with an admin and a recruiter, and outsiders.
pub struct Cast {
    pub org: Uuid,
    pub admin: Account,
    pub recruiter: Account,
    pub seeker: Account,
    pub lone_employer: Account,
    pub other_admin: Account,
    pub operator: Account,
}

impl Cast {
    pub async fn new(app: &TestApp) -> Self {
        let admin = app.employer("Anna Admin").await;
        let recruiter = app.employer("Rolf Recruiter").await;
        let org = create_org(app, &admin, "Västra Pharma").await;
        add_member(app, org, &admin, &recruiter, "recruiter", false).await;
        let other_admin = app.employer("Olle Other").await;
        create_org(app, &other_admin, "Other Bio").await;
        Cast {
            org,
            admin,
            recruiter,
            seeker: app.seeker("Sara Seeker").await,
            lone_employer: app.employer("Lena Lone").await,
            other_admin,
            operator: app.admin().await,
        }
    }

    /// The callers that are not members of `org`, with the status each must get from a member-only endpoint.
    pub fn outsiders(&self) -> Vec<(&'static str, Option<&str>, u16)> {
        vec![
            ("anonymous", None, 401),
            ("seeker", self.seeker.t(), 403),
            ("employer without organisation", self.lone_employer.t(), 403),
            ("admin of another organisation", self.other_admin.t(), 403),
            ("operator", self.operator.t(), 403),
        ]
    }
}

#[tokio::test]
async fn employer_creates_an_organisation_and_becomes_its_admin() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna").await;
    let mut body = org_body("Västra Pharma AB");
    body["org_number"] = json!("556677-8899");
    let r = app.post("/api/v1/organizations", anna.t(), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.uuid("id");
    assert_eq!(r.body["name"], "Västra Pharma AB");
    assert_eq!(r.body["org_number"], "556677-8899");
    assert_eq!(r.body["location"], json!({"city": "Göteborg", "country": "SE"}));
    assert_eq!(r.body["in_network"], false);
    assert!(r.body["created_at"].is_string());

    let me = app.get("/api/v1/me", anna.t()).await;
    assert_eq!(me.body["organizations"][0]["id"], id.to_string());
    assert_eq!(me.body["organizations"][0]["role"], "admin");

    // The public profile is there for anyone, signed in or not.
    let public = app.get(&format!("/api/v1/organizations/{id}"), None).await;
    assert_eq!(public.status, 200, "{}", public.text);
    assert_eq!(public.body["name"], "Västra Pharma AB");
    assert_eq!(public.body["website"], "https://example.org");
    app.get(&format!("/api/v1/organizations/{}", Uuid::new_v4()), None).await.problem(404);
    app.get("/api/v1/organizations/not-a-uuid", None).await.problem(404);
}

#[tokio::test]
async fn only_employer_accounts_create_organisations() {
    let app = TestApp::spawn().await;
    app.post("/api/v1/organizations", None, org_body("X")).await.problem(401);
    let seeker = app.seeker("Sara").await;
    app.post("/api/v1/organizations", seeker.t(), org_body("X")).await.problem(403);
    let operator = app.admin().await;
    app.post("/api/v1/organizations", operator.t(), org_body("X")).await.problem(403);
    assert_eq!(app.count("SELECT count(*) AS n FROM organizations").await, 0);
}

#[tokio::test]
async fn invalid_organisation_names_each_field_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna").await;
    let r = app
        .post(
            "/api/v1/organizations",
            anna.t(),
            json!({
                "name": "  ",
                "sector": "",
                "website": "example.org",
                "location": {"city": "Göteborg", "country": "se"}
            }),
        )
        .await;
    let mut fields = r.invalid_fields();
    fields.sort();
    assert_eq!(fields, vec!["location.country", "name", "sector", "website"]);

    let mut unknown = org_body("X");
    unknown["employees"] = json!(12);
    assert_eq!(app.post("/api/v1/organizations", anna.t(), unknown).await.invalid_fields(), vec!["employees"]);
    let mut no_location = org_body("X");
    no_location.as_object_mut().expect("object").remove("location");
    assert_eq!(app.post("/api/v1/organizations", anna.t(), no_location).await.invalid_fields(), vec!["location"]);

    assert_eq!(app.count("SELECT count(*) AS n FROM organizations").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM memberships").await, 0);
}

#[tokio::test]
async fn a_taken_org_number_is_a_conflict() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna").await;
    let mut body = org_body("First AB");
    body["org_number"] = json!("556000-0001");
    assert_eq!(app.post("/api/v1/organizations", anna.t(), body.clone()).await.status, 201);
    body["name"] = json!("Second AB");
    app.post("/api/v1/organizations", anna.t(), body).await.problem(409);
    assert_eq!(app.count("SELECT count(*) AS n FROM organizations").await, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM memberships").await, 1);

    // The same rule holds for updates.
    let other = create_org(&app, &anna, "Third AB").await;
    let r = app.patch(&format!("/api/v1/organizations/{other}"), anna.t(), json!({"org_number": "556000-0001"})).await;
    r.problem(409);
}

#[tokio::test]
async fn admins_update_the_profile_and_null_clears_a_field() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna").await;
    let org = create_org(&app, &anna, "Västra Pharma").await;
    let path = format!("/api/v1/organizations/{org}");
    let r = app
        .patch(
            &path,
            anna.t(),
            json!({"name": "Västra Pharma AB", "website": null, "location": {"city": "Mölndal", "country": "SE"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "Västra Pharma AB");
    assert_eq!(r.body["website"], Value::Null);
    // Fields left out stay as they were.
    assert_eq!(r.body["description"], "Medicines from Mölndal.");
    assert_eq!(r.body["sector"], "pharma");
    assert_eq!(r.body["location"]["city"], "Mölndal");
    assert_eq!(app.get(&path, None).await.body["website"], Value::Null);

    // Required fields cannot be cleared; invalid values change nothing.
    let r = app.patch(&path, anna.t(), json!({"name": null})).await;
    assert_eq!(r.invalid_fields(), vec!["name"]);
    let r = app.patch(&path, anna.t(), json!({"sector": "biotech", "website": "ftp://x.se"})).await;
    assert_eq!(r.invalid_fields(), vec!["website"]);
    assert_eq!(app.get(&path, None).await.body["sector"], "pharma");
}

#[tokio::test]
async fn only_the_organisations_admins_may_update_it() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let path = format!("/api/v1/organizations/{}", cast.org);
    let change = json!({"name": "Hijacked"});
    for (who, token, status) in cast.outsiders() {
        let r = app.patch(&path, token, change.clone()).await;
        assert_eq!(r.status, status, "{who}: {}", r.text);
    }
    app.patch(&path, cast.recruiter.t(), change.clone()).await.problem(403);
    app.patch(&format!("/api/v1/organizations/{}", Uuid::new_v4()), cast.admin.t(), change).await.problem(404);
    assert_eq!(app.get(&path, None).await.body["name"], "Västra Pharma");
}

#[tokio::test]
async fn admins_add_members_who_then_see_the_member_list() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna Admin").await;
    let rolf = app.employer("Rolf Recruiter").await;
    let org = create_org(&app, &anna, "Västra Pharma").await;
    let members = format!("/api/v1/organizations/{org}/members");
    let r = app
        .post(
            &members,
            anna.t(),
            json!({"email": rolf.email.to_uppercase(), "role": "recruiter", "contact_point": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"user_id": rolf.user_id, "email": rolf.email, "display_name": "Rolf Recruiter", "role": "recruiter", "contact_point": true})
    );

    let list = app.get(&members, rolf.t()).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let roles: Vec<(String, String)> = list
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|m| (m["display_name"].as_str().expect("name").to_owned(), m["role"].as_str().expect("role").to_owned()))
        .collect();
    assert_eq!(roles, vec![("Anna Admin".into(), "admin".into()), ("Rolf Recruiter".into(), "recruiter".into())]);
    let me = app.get("/api/v1/me", rolf.t()).await;
    assert_eq!(me.body["organizations"][0]["contact_point"], true);
}

#[tokio::test]
async fn adding_members_refuses_duplicates_non_employers_and_unknown_emails() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna").await;
    let rolf = app.employer("Rolf").await;
    let seeker = app.seeker("Sara").await;
    let org = create_org(&app, &anna, "Västra Pharma").await;
    let members = format!("/api/v1/organizations/{org}/members");
    add_member(&app, org, &anna, &rolf, "recruiter", false).await;
    app.post(&members, anna.t(), json!({"email": rolf.email, "role": "admin"})).await.problem(409);
    app.post(&members, anna.t(), json!({"email": anna.email, "role": "admin"})).await.problem(409);
    let r = app.post(&members, anna.t(), json!({"email": seeker.email, "role": "recruiter"})).await;
    assert_eq!(r.invalid_fields(), vec!["email"]);
    let r = app.post(&members, anna.t(), json!({"email": "nobody@example.org", "role": "recruiter"})).await;
    assert_eq!(r.invalid_fields(), vec!["email"]);
    let r = app.post(&members, anna.t(), json!({"email": rolf.email, "role": "owner"})).await;
    assert_eq!(r.invalid_fields(), vec!["role"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM memberships").await, 2);
    assert_eq!(app.count("SELECT count(*) AS n FROM memberships WHERE role = 'admin'").await, 1);
}

#[tokio::test]
async fn member_endpoints_against_every_kind_of_caller() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let newcomer = app.employer("Nina Newcomer").await;
    let members = format!("/api/v1/organizations/{}/members", cast.org);
    let add = json!({"email": newcomer.email, "role": "admin"});
    let remove = format!("{members}/{}", cast.recruiter.user_id);
    for (who, token, status) in cast.outsiders() {
        assert_eq!(app.get(&members, token).await.status, status, "list members as {who}");
        assert_eq!(app.post(&members, token, add.clone()).await.status, status, "add member as {who}");
        assert_eq!(app.delete(&remove, token).await.status, status, "remove member as {who}");
        let r = app.patch(&remove, token, json!({"role": "admin"})).await;
        assert_eq!(r.status, status, "change member as {who}");
        let r = app.post(&format!("/api/v1/organizations/{}/network-membership", cast.org), token, json!({})).await;
        assert_eq!(r.status, status, "network request as {who}");
    }
    // A recruiter sees the members but manages nothing.
    assert_eq!(app.get(&members, cast.recruiter.t()).await.status, 200);
    app.post(&members, cast.recruiter.t(), add).await.problem(403);
    app.delete(&format!("{members}/{}", cast.admin.user_id), cast.recruiter.t()).await.problem(403);
    app.patch(&remove, cast.recruiter.t(), json!({"role": "admin"})).await.problem(403);
    let r = app
        .post(&format!("/api/v1/organizations/{}/network-membership", cast.org), cast.recruiter.t(), json!({}))
        .await;
    r.problem(403);
    // An unknown organisation is 404 even for someone who is an admin elsewhere.
    let unknown = Uuid::new_v4();
    app.get(&format!("/api/v1/organizations/{unknown}/members"), cast.admin.t()).await.problem(404);

    assert_eq!(app.count("SELECT count(*) AS n FROM memberships").await, 3);
    assert_eq!(app.count("SELECT count(*) AS n FROM memberships WHERE role = 'admin'").await, 2);
    assert_eq!(app.count("SELECT count(*) AS n FROM network_requests").await, 0);
}

#[tokio::test]
async fn a_removed_member_loses_access_with_the_next_request() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna").await;
    let rolf = app.employer("Rolf").await;
    let org = create_org(&app, &anna, "Västra Pharma").await;
    add_member(&app, org, &anna, &rolf, "admin", false).await;
    let members = format!("/api/v1/organizations/{org}/members");
    assert_eq!(app.get(&members, rolf.t()).await.status, 200);

    let r = app.delete(&format!("{members}/{}", rolf.user_id), anna.t()).await;
    assert_eq!(r.status, 204, "{}", r.text);
    // Same token, very next request: the membership is read from the database, not from the token.
    app.get(&members, rolf.t()).await.problem(403);
    app.patch(&format!("/api/v1/organizations/{org}"), rolf.t(), json!({"name": "Mine now"})).await.problem(403);
    assert_eq!(app.get("/api/v1/me", rolf.t()).await.body["organizations"], json!([]));
    app.delete(&format!("{members}/{}", rolf.user_id), anna.t()).await.problem(404);
}

#[tokio::test]
async fn admins_change_roles_and_contact_points_but_keep_one_admin() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna").await;
    let rolf = app.employer("Rolf").await;
    let org = create_org(&app, &anna, "Västra Pharma").await;
    add_member(&app, org, &anna, &rolf, "recruiter", false).await;
    let rolf_path = format!("/api/v1/organizations/{org}/members/{}", rolf.user_id);
    let anna_path = format!("/api/v1/organizations/{org}/members/{}", anna.user_id);

    let r = app.patch(&anna_path, anna.t(), json!({"role": "recruiter"})).await;
    r.problem(409);
    let r = app.patch(&rolf_path, anna.t(), json!({"contact_point": true})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["contact_point"], true);
    assert_eq!(r.body["role"], "recruiter");
    assert_eq!(app.patch(&rolf_path, anna.t(), json!({"role": null})).await.invalid_fields(), vec!["role"]);
    let r = app.patch(&rolf_path, anna.t(), json!({"role": "admin"})).await;
    assert_eq!(r.body["role"], "admin");
    assert_eq!(r.body["contact_point"], true);
    // Rolf is now an admin, so Anna may step down.
    let r = app.patch(&anna_path, anna.t(), json!({"role": "recruiter"})).await;
    assert_eq!(r.body["role"], "recruiter");
    app.patch(&format!("/api/v1/organizations/{org}"), anna.t(), json!({"name": "x"})).await.problem(403);
    let unknown = format!("/api/v1/organizations/{org}/members/{}", Uuid::new_v4());
    app.patch(&unknown, rolf.t(), json!({"role": "admin"})).await.problem(404);
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna").await;
    let rolf = app.employer("Rolf").await;
    let org = create_org(&app, &anna, "Västra Pharma").await;
    add_member(&app, org, &anna, &rolf, "recruiter", false).await;
    let anna_path = format!("/api/v1/organizations/{org}/members/{}", anna.user_id);
    app.delete(&anna_path, anna.t()).await.problem(409);
    assert_eq!(app.count("SELECT count(*) AS n FROM memberships").await, 2);

    // With a second admin, the first may leave.
    let bo = app.employer("Bo").await;
    add_member(&app, org, &anna, &bo, "admin", false).await;
    assert_eq!(app.delete(&anna_path, anna.t()).await.status, 204);
    app.delete(&format!("/api/v1/organizations/{org}/members/{}", bo.user_id), bo.t()).await.problem(409);
    app.delete(&format!("/api/v1/organizations/{org}/members/{}", Uuid::new_v4()), bo.t()).await.problem(404);
}

#[tokio::test]
async fn network_request_approval_flow() {
    let app = TestApp::spawn().await;
    let anna = app.employer("Anna").await;
    let operator = app.admin().await;
    let org = create_org(&app, &anna, "Västra Pharma").await;
    let ask = format!("/api/v1/organizations/{org}/network-membership");
    let r = app.post(&ask, anna.t(), json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["organization_id"], org.to_string());
    assert!(r.body["requested_at"].is_string());
    let request = r.uuid("id");
    app.post(&ask, anna.t(), json!({})).await.problem(409);

    let pending = app.get("/api/v1/admin/network-requests", operator.t()).await;
    assert_eq!(pending.status, 200, "{}", pending.text);
    assert_eq!(
        pending.body["items"],
        json!([{"id": request, "organization_id": org, "organization_name": "Västra Pharma", "requested_at": r.body["requested_at"]}])
    );
    assert_eq!(pending.body["next_cursor"], Value::Null);

    let approve = format!("/api/v1/admin/network-requests/{request}/approve");
    let r = app.post(&approve, operator.t(), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "approved");
    assert_eq!(r.body["id"], request.to_string());
    assert!(r.body["approved_at"].is_string());
    app.post(&approve, operator.t(), json!({})).await.problem(409);
    app.post(&format!("/api/v1/admin/network-requests/{}/approve", Uuid::new_v4()), operator.t(), json!({}))
        .await
        .problem(404);

    assert_eq!(app.get(&format!("/api/v1/organizations/{org}"), None).await.body["in_network"], true);
    assert_eq!(app.get("/api/v1/me", anna.t()).await.body["organizations"][0]["in_network"], true);
    assert_eq!(app.get("/api/v1/admin/network-requests", operator.t()).await.body["items"], json!([]));
    // A member organisation has nothing left to ask for.
    app.post(&ask, anna.t(), json!({})).await.problem(409);
    assert_eq!(app.count("SELECT count(*) AS n FROM network_requests").await, 1);
}

#[tokio::test]
async fn only_operators_see_and_approve_network_requests() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let r =
        app.post(&format!("/api/v1/organizations/{}/network-membership", cast.org), cast.admin.t(), json!({})).await;
    let approve = format!("/api/v1/admin/network-requests/{}/approve", r.uuid("id"));
    let callers = [
        ("anonymous", None, 401),
        ("seeker", cast.seeker.t(), 403),
        ("employer without organisation", cast.lone_employer.t(), 403),
        ("admin of the organisation", cast.admin.t(), 403),
        ("recruiter", cast.recruiter.t(), 403),
        ("admin of another organisation", cast.other_admin.t(), 403),
    ];
    for (who, token, status) in callers {
        assert_eq!(app.get("/api/v1/admin/network-requests", token).await.status, status, "list as {who}");
        assert_eq!(app.post(&approve, token, json!({})).await.status, status, "approve as {who}");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM organizations WHERE network_member_since IS NOT NULL").await, 0);
    assert_eq!(app.post(&approve, cast.operator.t(), json!({})).await.status, 200);
}

#[tokio::test]
async fn pending_requests_come_in_pages() {
    let app = TestApp::spawn().await;
    let operator = app.admin().await;
    let anna = app.employer("Anna").await;
    for name in ["One", "Two", "Three"] {
        let org = create_org(&app, &anna, name).await;
        let r = app.post(&format!("/api/v1/organizations/{org}/network-membership"), anna.t(), json!({})).await;
        assert_eq!(r.status, 201);
    }
    let first = app.get("/api/v1/admin/network-requests?limit=2", operator.t()).await;
    assert_eq!(first.body["items"].as_array().expect("items").len(), 2);
    let cursor = first.body["next_cursor"].as_str().expect("more pages");
    let second = app.get(&format!("/api/v1/admin/network-requests?limit=2&cursor={cursor}"), operator.t()).await;
    let names: Vec<&str> = first.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .chain(second.body["items"].as_array().expect("items"))
        .map(|i| i["organization_name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec!["One", "Two", "Three"]);
    assert_eq!(second.body["next_cursor"], Value::Null);
    assert_eq!(app.get("/api/v1/admin/network-requests?limit=0", operator.t()).await.invalid_fields(), vec!["limit"]);
    let r = app.get("/api/v1/admin/network-requests?cursor=garbage", operator.t()).await;
    assert_eq!(r.invalid_fields(), vec!["cursor"]);
}

#[tokio::test]
async fn network_contacts_are_for_members_of_network_organisations() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    // Anna's organisation joins; Rolf is not a contact point, Cia is.
    join_network(&app, cast.org, &cast.admin, &cast.operator).await;
    let cia = app.employer("Cia Contact").await;
    add_member(&app, cast.org, &cast.admin, &cia, "recruiter", true).await;
    // A second network organisation, whose contact point is an admin.
    let dan = app.employer("Dan").await;
    let dans_org = create_org(&app, &dan, "Göta Biotech").await;
    let felix = app.employer("Felix Contact").await;
    add_member(&app, dans_org, &dan, &felix, "admin", true).await;
    join_network(&app, dans_org, &dan, &cast.operator).await;
    // The other organisation is not in the network: its contact points are not listed.
    let olles_org: Uuid = app.get("/api/v1/me", cast.other_admin.t()).await.body["organizations"][0]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let gus = app.employer("Gus Hidden").await;
    add_member(&app, olles_org, &cast.other_admin, &gus, "recruiter", true).await;

    let r = app.get("/api/v1/network/contacts", cast.recruiter.t()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.body["items"].as_array().expect("items");
    let names: Vec<&str> = items.iter().map(|i| i["name"].as_str().expect("name")).collect();
    assert_eq!(names, vec!["Felix Contact", "Cia Contact"]);
    assert_eq!(
        items[1],
        json!({"organization_id": cast.org, "organization_name": "Västra Pharma", "user_id": cia.user_id,
               "name": "Cia Contact", "role": "recruiter", "email": cia.email})
    );
    assert_eq!(items[0]["organization_name"], "Göta Biotech");
    assert_eq!(items[0]["role"], "admin");

    for (who, token, status) in cast.outsiders() {
        assert_eq!(app.get("/api/v1/network/contacts", token).await.status, status, "contacts as {who}");
    }
    app.get("/api/v1/network/contacts", gus.t()).await.problem(403);
    // Leaving the organisation ends access at once.
    app.delete(&format!("/api/v1/organizations/{}/members/{}", cast.org, cast.recruiter.user_id), cast.admin.t()).await;
    app.get("/api/v1/network/contacts", cast.recruiter.t()).await.problem(403);
}
