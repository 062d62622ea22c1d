//! `seed --demo`: life-science employers in West Sweden with jobs, a dozen seekers and an operator, loaded through
//! the same validation and domain functions as the API, from `data/demo/demo.json` (written in the API's shapes).

use std::collections::HashMap;

use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::model::{NewAccount, Role};
use crate::orgs::model::{CreateOrganization, MemberPatch, MemberRole};
use crate::state::AppState;
use crate::{auth, orgs, partners};

const DEMO: &str = include_str!("../../data/demo/demo.json");
const OPERATOR_EMAIL: &str = "ops@tandem.example";

#[derive(Deserialize)]
struct DemoData {
    password: String,
    employers: Vec<DemoEmployer>,
    organizations: Vec<Value>,
    jobs: Vec<Value>,
    seekers: Vec<DemoSeeker>,
    partner_pairs: Vec<DemoPair>,
}

/// A talent and the accompanying partner; the talent was recruited by the employer's organisation and confirmed
/// it, so the partner (who opted in) is in the HR network's partner pool.
#[derive(Deserialize)]
struct DemoPair {
    talent: String,
    partner: String,
    recruited_by: String,
}

#[derive(Deserialize)]
struct DemoEmployer {
    email: String,
    display_name: String,
    organization: String,
    role: String,
    contact_point: bool,
}

#[derive(Deserialize)]
struct DemoSeeker {
    email: String,
    display_name: String,
    profile: Value,
}

/// What was loaded, for the command to print.
pub struct DemoSummary {
    pub password: String,
    pub operator: String,
    pub employers: Vec<String>,
    pub seekers: Vec<String>,
    pub organizations: usize,
    pub jobs: usize,
}

/// Loads the demo set once; `Ok(None)` if it is already there.
pub async fn load(state: &AppState) -> anyhow::Result<Option<DemoSummary>> {
    let data: DemoData = serde_json::from_str(DEMO).context("data/demo/demo.json")?;
    let mut conn = state.conn().await?;
    if auth::account_by_email(&mut conn, OPERATOR_EMAIL).await?.is_some() {
        return Ok(None);
    }
    let operator = account(state, OPERATOR_EMAIL, "Tandem operator", Role::Admin, &data.password).await?;
    let mut employer_ids = HashMap::new();
    for e in &data.employers {
        employer_ids
            .insert(e.email.clone(), account(state, &e.email, &e.display_name, Role::Employer, &data.password).await?);
    }
    let org_ids = organizations(state, &data, &employer_ids, operator).await?;
    for job in &data.jobs {
        post_job(state, &data, job, &org_ids, &employer_ids).await?;
    }
    let mut seeker_ids = HashMap::new();
    for s in &data.seekers {
        let id = account(state, &s.email, &s.display_name, Role::Seeker, &data.password).await?;
        let request = serde_json::from_value(s.profile.clone()).with_context(|| format!("profile of {}", s.email))?;
        crate::seekers::service::save(&mut conn, id, request).await.map_err(|e| explain(e, &s.email))?;
        seeker_ids.insert(s.email.clone(), id);
    }
    for pair in &data.partner_pairs {
        link_pair(state, &data, pair, &seeker_ids, &employer_ids, &org_ids).await?;
    }
    Ok(Some(DemoSummary {
        password: data.password,
        operator: OPERATOR_EMAIL.to_owned(),
        employers: data.employers.iter().map(|e| format!("{} ({}, {})", e.email, e.organization, e.role)).collect(),
        seekers: data.seekers.iter().map(|s| s.email.clone()).collect(),
        organizations: org_ids.len(),
        jobs: data.jobs.len(),
    }))
}

async fn account(state: &AppState, email: &str, name: &str, role: Role, password: &str) -> anyhow::Result<Uuid> {
    let account =
        NewAccount { email: email.to_owned(), password: password.to_owned(), display_name: name.to_owned(), role };
    Ok(auth::register(&state.pool, account).await?.id)
}

/// Creates each organisation with its admin, adds the other members, and lets the operator approve the network
/// members' requests, as would happen over the API.
async fn organizations(
    state: &AppState,
    data: &DemoData,
    employer_ids: &HashMap<String, Uuid>,
    operator: Uuid,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut conn = state.conn().await?;
    let mut ids = HashMap::new();
    for org in &data.organizations {
        let mut fields = org.clone();
        let in_network = fields.as_object_mut().and_then(|o| o.remove("network")).and_then(|v| v.as_bool());
        let request: CreateOrganization = serde_json::from_value(fields)?;
        let name = request.name.clone();
        let members: Vec<&DemoEmployer> = data.employers.iter().filter(|e| e.organization == name).collect();
        let admin = members.iter().find(|e| e.role == "admin").context("each demo organisation has an admin")?;
        let new = request.validate().map_err(|e| anyhow::anyhow!("organisation {name}: {e:?}"))?;
        let created = orgs::create_organization(&mut conn, new, employer_ids[&admin.email]).await?;
        for m in &members {
            if m.email != admin.email {
                let role = if m.role == "admin" { MemberRole::Admin } else { MemberRole::Recruiter };
                orgs::add_member(&mut conn, created.id, &m.email, role, m.contact_point)
                    .await
                    .map_err(|_| anyhow::anyhow!("could not add {} to {name}", m.email))?;
            } else if m.contact_point {
                let patch = MemberPatch { role: None, contact_point: Some(true) };
                orgs::update_member(&mut conn, created.id, employer_ids[&m.email], patch).await?;
            }
        }
        if in_network == Some(true) {
            if let orgs::JoinRequest::Created(request) =
                orgs::request_network(&mut conn, created.id, employer_ids[&admin.email]).await?
            {
                orgs::approve_request(&mut conn, request.id, operator).await?;
            }
        }
        ids.insert(name, created.id);
    }
    Ok(ids)
}

async fn post_job(
    state: &AppState,
    data: &DemoData,
    job: &Value,
    org_ids: &HashMap<String, Uuid>,
    employer_ids: &HashMap<String, Uuid>,
) -> anyhow::Result<()> {
    let mut fields = job.clone();
    let org_name = fields
        .as_object_mut()
        .and_then(|o| o.remove("organization"))
        .and_then(|v| v.as_str().map(str::to_owned))
        .context("each demo job names its organisation")?;
    let org_id = *org_ids.get(&org_name).with_context(|| format!("no demo organisation {org_name}"))?;
    let poster = data
        .employers
        .iter()
        .find(|e| e.organization == org_name)
        .map(|e| employer_ids[&e.email])
        .context("each demo organisation has an employer")?;
    fields["organization_id"] = Value::String(org_id.to_string());
    let request = serde_json::from_value(fields).with_context(|| format!("a job of {org_name}"))?;
    let mut conn = state.conn().await?;
    crate::jobs::service::create(&mut conn, poster, request).await.map_err(|e| explain(e, &org_name))?;
    Ok(())
}

async fn link_pair(
    state: &AppState,
    data: &DemoData,
    pair: &DemoPair,
    seekers: &HashMap<String, Uuid>,
    employers: &HashMap<String, Uuid>,
    orgs: &HashMap<String, Uuid>,
) -> anyhow::Result<()> {
    let (talent, partner) = (seekers[&pair.talent], seekers[&pair.partner]);
    let recruiter =
        data.employers.iter().find(|e| e.email == pair.recruited_by).context("the recruiter is a demo employer")?;
    let mut conn = state.conn().await?;
    partners::link(&mut conn, talent, partner).await?;
    crate::partners::reindex_seekers(&mut conn, &[talent, partner]).await?;
    let recruitment =
        partners::insert_recruitment(&mut conn, orgs[&recruiter.organization], talent, employers[&recruiter.email])
            .await?;
    partners::recruits::confirm(&mut conn, talent, recruitment.id).await?;
    Ok(())
}

/// The demo file is ours, so a refusal is a bug in it: say exactly which field.
fn explain(e: crate::error::ApiError, what: &str) -> anyhow::Error {
    match e {
        crate::error::ApiError::Invalid(errors) => {
            let fields: Vec<String> = errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
            anyhow::anyhow!("demo data for {what} is invalid: {}", fields.join("; "))
        }
        other => anyhow::anyhow!("demo data for {what}: {other}"),
    }
}
