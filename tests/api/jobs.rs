//! Jobs: posting, reading (drafts hidden from outsiders), editing, status moves, validation, and who may do what.
//! Skills named `XQ-9 ...` are invented, so they stay free text whatever the taxonomy holds.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::TestApp;
use crate::orgs::{add_member, Cast};

fn job_body(org: Uuid, status: &str) -> Value {
    json!({
        "organization_id": org,
        "title": "Cell culture scientist",
        "description": "Grow and characterise cell lines for our biologics pipeline.",
        "skills": [
            {"name": "XQ-9 bioreactor operation", "required": true},
            {"name": "XQ-9 scripting", "required": false}
        ],
        "location": {"city": "Göteborg", "country": "SE"},
        "remote": "hybrid",
        "employment_type": "permanent",
        "sector": "pharma",
        "languages": [{"code": "en", "level": "C1"}, {"code": "sv"}],
        "apply_url": "https://example.org/jobs/42",
        "closes_at": "2099-06-30T00:00:00Z",
        "status": status
    })
}

async fn post_job(app: &TestApp, token: Option<&str>, org: Uuid, status: &str) -> Uuid {
    let r = app.post("/api/v1/jobs", token, job_body(org, status)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.uuid("id")
}

async fn outbox_rows(app: &TestApp, job: Uuid) -> i64 {
    app.count(&format!("SELECT count(*) AS n FROM index_outbox WHERE entity = 'job' AND entity_id = '{job}'")).await
}

#[tokio::test]
async fn a_member_posts_a_job_and_anyone_reads_it() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let r = app.post("/api/v1/jobs", cast.recruiter.t(), job_body(cast.org, "published")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.uuid("id");
    let job = &r.body;
    assert_eq!(job["organization_id"], cast.org.to_string());
    assert_eq!(job["organization"], json!({"id": cast.org, "name": "Västra Pharma"}));
    assert_eq!(job["title"], "Cell culture scientist");
    assert_eq!(
        job["skills"],
        json!([
            {"skill_id": null, "name": "XQ-9 bioreactor operation", "required": true},
            {"skill_id": null, "name": "XQ-9 scripting", "required": false}
        ])
    );
    assert_eq!(job["location"], json!({"city": "Göteborg", "country": "SE"}));
    assert_eq!(job["remote"], "hybrid");
    assert_eq!(job["employment_type"], "permanent");
    assert_eq!(job["sector"], "pharma");
    assert_eq!(job["languages"], json!([{"code": "en", "level": "C1"}, {"code": "sv", "level": null}]));
    assert_eq!(job["apply_url"], "https://example.org/jobs/42");
    assert_eq!(job["closes_at"], "2099-06-30T00:00:00Z");
    assert_eq!(job["status"], "published");
    assert!(job["published_at"].is_string() && job["created_at"].is_string() && job["updated_at"].is_string());
    // The index learns of it through the outbox, written with the job.
    assert_eq!(outbox_rows(&app, id).await, 1);

    for token in [None, cast.seeker.t(), cast.other_admin.t(), cast.operator.t()] {
        let r = app.get(&format!("/api/v1/jobs/{id}"), token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(&r.body, job);
    }
    app.get(&format!("/api/v1/jobs/{}", Uuid::new_v4()), None).await.problem(404);
    app.get(&format!("/api/v1/jobs/{id}"), Some("expired.or.forged")).await.problem(401);
}

#[tokio::test]
async fn who_may_post_a_job() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let body = job_body(cast.org, "published");
    for (who, token, status) in cast.outsiders() {
        let r = app.post("/api/v1/jobs", token, body.clone()).await;
        assert_eq!(r.status, status, "{who}: {}", r.text);
    }
    // An organisation that does not exist is an invalid organization_id.
    let r = app.post("/api/v1/jobs", cast.admin.t(), job_body(Uuid::new_v4(), "published")).await;
    assert_eq!(r.invalid_fields(), vec!["organization_id"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM index_outbox").await, 0);
    // Admins and recruiters alike may post.
    post_job(&app, cast.admin.t(), cast.org, "draft").await;
    post_job(&app, cast.recruiter.t(), cast.org, "draft").await;
}

#[tokio::test]
async fn invalid_jobs_name_each_field_and_store_nothing() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let mut body = job_body(cast.org, "published");
    body["title"] = json!(" ");
    body["skills"] = json!([
        {"name": "XQ-9 bioreactor operation", "required": true},
        {"name": "xq-9 bioreactor  OPERATION", "required": false}
    ]);
    body["location"] = json!({"city": "Göteborg", "country": "Sweden"});
    body["languages"] = json!([{"code": "en"}, {"code": "en", "level": "B2"}, {"code": "xx"}]);
    body["apply_url"] = json!("mailto:jobs@example.org");
    body["closes_at"] = json!("2020-01-01T00:00:00Z");
    let mut fields = app.post("/api/v1/jobs", cast.admin.t(), body).await.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "apply_url",
            "closes_at",
            "languages[1].code",
            "languages[2].code",
            "location.country",
            "skills[1]",
            "title"
        ]
    );

    for (field, value) in [
        ("remote", json!("sometimes")),
        ("status", json!("closed")),
        ("languages", json!([{"code": "sv", "level": "fluent"}])),
        ("salary", json!(50000)),
        ("skills", json!([{"required": true}])),
    ] {
        let mut body = job_body(cast.org, "draft");
        body[field] = value;
        let expected = match field {
            "languages" => "languages[0].level",
            "skills" => "skills[0]",
            other => other,
        };
        assert_eq!(app.post("/api/v1/jobs", cast.admin.t(), body).await.invalid_fields(), vec![expected]);
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM job_skills").await, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM index_outbox").await, 0);
}

#[tokio::test]
async fn drafts_are_seen_only_by_the_organisations_members() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let id = post_job(&app, cast.admin.t(), cast.org, "draft").await;
    let path = format!("/api/v1/jobs/{id}");
    let r = app.get(&path, cast.recruiter.t()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["published_at"], Value::Null);
    for (who, token, _) in cast.outsiders() {
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 404, "read draft as {who}: {}", r.text);
        let r = app.patch(&path, token, json!({"title": "Mine"})).await;
        let expected = if token.is_none() { 401 } else { 404 };
        assert_eq!(r.status, expected, "edit draft as {who}: {}", r.text);
    }

    // Once published, outsiders see it but still may not edit it.
    let r = app.patch(&path, cast.recruiter.t(), json!({"status": "published"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for (who, token, status) in cast.outsiders() {
        assert_eq!(app.get(&path, token).await.status, 200, "read published job as {who}");
        let r = app.patch(&path, token, json!({"title": "Mine"})).await;
        assert_eq!(r.status, status, "edit published job as {who}: {}", r.text);
    }
    assert_eq!(app.get(&path, None).await.body["title"], "Cell culture scientist");
}

#[tokio::test]
async fn status_moves_and_published_at() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let id = post_job(&app, cast.admin.t(), cast.org, "draft").await;
    let path = format!("/api/v1/jobs/{id}");
    let token = cast.admin.t();
    app.patch(&path, token, json!({"status": "closed"})).await.problem(409);

    let published = app.patch(&path, token, json!({"status": "published"})).await;
    assert_eq!(published.status, 200, "{}", published.text);
    let first_published_at = published.body["published_at"].clone();
    assert!(first_published_at.is_string());

    app.patch(&path, token, json!({"status": "draft"})).await.problem(409);
    let closed = app.patch(&path, token, json!({"status": "closed"})).await;
    assert_eq!(closed.body["status"], "closed");
    app.patch(&path, token, json!({"status": "draft"})).await.problem(409);
    // Closed jobs stay readable for anyone.
    assert_eq!(app.get(&path, None).await.body["status"], "closed");

    let reopened = app.patch(&path, token, json!({"status": "published"})).await;
    assert_eq!(reopened.body["status"], "published");
    assert_eq!(reopened.body["published_at"], first_published_at, "published_at is the first publication");
    // Creation and every accepted edit queued the job for the index; refused moves queued nothing.
    assert_eq!(outbox_rows(&app, id).await, 4);
}

#[tokio::test]
async fn publishing_at_once_sets_published_at_and_closing_dates_must_lie_ahead() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let id = post_job(&app, cast.admin.t(), cast.org, "published").await;
    let path = format!("/api/v1/jobs/{id}");
    let r = app.patch(&path, cast.admin.t(), json!({"closes_at": "2021-05-01T12:00:00Z", "title": "New title"})).await;
    assert_eq!(r.invalid_fields(), vec!["closes_at"]);
    let job = app.get(&path, None).await.body;
    assert_eq!(job["closes_at"], "2099-06-30T00:00:00Z");
    assert_eq!(job["title"], "Cell culture scientist");
    assert_eq!(outbox_rows(&app, id).await, 1);

    let mut body = job_body(cast.org, "published");
    body["closes_at"] = json!("2000-01-01T00:00:00+01:00");
    assert_eq!(app.post("/api/v1/jobs", cast.admin.t(), body).await.invalid_fields(), vec!["closes_at"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs").await, 1);
}

#[tokio::test]
async fn members_edit_any_field_and_null_clears_optional_ones() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let id = post_job(&app, cast.admin.t(), cast.org, "published").await;
    let path = format!("/api/v1/jobs/{id}");
    let r = app
        .patch(
            &path,
            cast.recruiter.t(),
            json!({
                "title": "Senior cell culture scientist",
                "skills": [{"name": "XQ-9 flow analysis", "required": true}],
                "location": {"city": "Mölndal", "country": "SE"},
                "remote": "no",
                "apply_url": null,
                "closes_at": null
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["title"], "Senior cell culture scientist");
    assert_eq!(r.body["skills"], json!([{"skill_id": null, "name": "XQ-9 flow analysis", "required": true}]));
    assert_eq!(r.body["location"]["city"], "Mölndal");
    assert_eq!(r.body["remote"], "no");
    assert_eq!(r.body["apply_url"], Value::Null);
    assert_eq!(r.body["closes_at"], Value::Null);
    // Left out: unchanged.
    assert_eq!(r.body["languages"], json!([{"code": "en", "level": "C1"}, {"code": "sv", "level": null}]));
    assert_eq!(r.body["description"], "Grow and characterise cell lines for our biologics pipeline.");
    assert_eq!(app.get(&path, None).await.body, r.body);

    // A patch without skills keeps them; invalid values change nothing.
    let r = app.patch(&path, cast.recruiter.t(), json!({"sector": "medtech"})).await;
    assert_eq!(r.body["skills"], json!([{"skill_id": null, "name": "XQ-9 flow analysis", "required": true}]));
    let r = app.patch(&path, cast.recruiter.t(), json!({"sector": "", "organization_id": Uuid::new_v4()})).await;
    assert_eq!(r.invalid_fields(), vec!["organization_id"]);
    let r = app.patch(&path, cast.recruiter.t(), json!({"sector": "", "title": "x"})).await;
    assert_eq!(r.invalid_fields(), vec!["sector"]);
    let r = app.patch(&path, cast.recruiter.t(), json!({"title": null})).await;
    assert_eq!(r.invalid_fields(), vec!["title"]);
    let r = app.patch(&path, cast.recruiter.t(), json!({"status": null})).await;
    assert_eq!(r.invalid_fields(), vec!["status"]);
    let job = app.get(&path, None).await.body;
    assert_eq!(job["sector"], "medtech");
    assert_eq!(job["title"], "Senior cell culture scientist");
    app.patch(&format!("/api/v1/jobs/{}", Uuid::new_v4()), cast.admin.t(), json!({"title": "x"})).await.problem(404);
}

#[tokio::test]
async fn a_removed_member_can_no_longer_post_or_edit_jobs() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let draft = post_job(&app, cast.recruiter.t(), cast.org, "draft").await;
    let published = post_job(&app, cast.recruiter.t(), cast.org, "published").await;
    let r = app
        .delete(&format!("/api/v1/organizations/{}/members/{}", cast.org, cast.recruiter.user_id), cast.admin.t())
        .await;
    assert_eq!(r.status, 204);
    let token = cast.recruiter.t();
    app.post("/api/v1/jobs", token, job_body(cast.org, "draft")).await.problem(403);
    app.get(&format!("/api/v1/jobs/{draft}"), token).await.problem(404);
    app.patch(&format!("/api/v1/jobs/{draft}"), token, json!({"title": "x"})).await.problem(404);
    app.patch(&format!("/api/v1/jobs/{published}"), token, json!({"title": "x"})).await.problem(403);
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs").await, 2);
}

#[tokio::test]
async fn a_new_member_may_edit_the_organisations_jobs() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let draft = post_job(&app, cast.admin.t(), cast.org, "draft").await;
    let path = format!("/api/v1/jobs/{draft}");
    app.get(&path, cast.lone_employer.t()).await.problem(404);
    add_member(&app, cast.org, &cast.admin, &cast.lone_employer, "recruiter", false).await;
    assert_eq!(app.get(&path, cast.lone_employer.t()).await.status, 200);
    let r = app.patch(&path, cast.lone_employer.t(), json!({"title": "Edited"})).await;
    assert_eq!(r.body["title"], "Edited");
}

#[tokio::test]
async fn load_jobs_keeps_the_given_order_and_skips_unknown_ids() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let a = post_job(&app, cast.admin.t(), cast.org, "published").await;
    let b = post_job(&app, cast.admin.t(), cast.org, "draft").await;
    let mut conn = app.state.pool.get().await.expect("conn");
    let views = tandem::jobs::load_jobs(&mut conn, &[b, Uuid::new_v4(), a]).await.expect("load");
    let ids: Vec<Uuid> = views.iter().map(|v| v.id).collect();
    assert_eq!(ids, vec![b, a]);
    assert_eq!(views[1].skills.len(), 2);
    assert_eq!(views[1].languages.len(), 2);
    assert_eq!(views[1].organization.name, "Västra Pharma");
    assert!(tandem::jobs::load_job(&mut conn, Uuid::new_v4()).await.expect("load").is_none());
}

/// Passes once the taxonomy is loaded: a Swedish synonym resolves to the curated life-science skill.
#[tokio::test]
async fn skills_named_in_swedish_resolve_to_the_taxonomy() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let mut body = job_body(cast.org, "published");
    body["skills"] = json!([{"name": "cellodling", "required": true}]);
    let r = app.post("/api/v1/jobs", cast.admin.t(), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["skills"][0]["skill_id"], "ls-cell-culture");
    assert_eq!(r.body["skills"][0]["required"], true);
}

/// Also needs the taxonomy: two names of one skill are the same skill twice.
#[tokio::test]
async fn two_names_of_one_taxonomy_skill_are_refused() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let mut body = job_body(cast.org, "draft");
    body["skills"] = json!([
        {"skill_id": "ls-cell-culture", "required": true},
        {"name": "Cellodling", "required": false},
        {"skill_id": "no-such-skill", "required": false}
    ]);
    let r = app.post("/api/v1/jobs", cast.admin.t(), body.clone()).await;
    assert_eq!(r.invalid_fields(), vec!["skills[2].skill_id"]);
    body["skills"].as_array_mut().expect("skills").pop();
    let r = app.post("/api/v1/jobs", cast.admin.t(), body).await;
    assert_eq!(r.invalid_fields(), vec!["skills[1]"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM jobs").await, 0);
}
