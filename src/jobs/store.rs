//! Queries for jobs, their skills and languages; `load_jobs` renders whole job views for other features too (with
//! their organisations' names from the orgs feature).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{
    AlsoAt, JobFields, JobLanguage, JobOrganization, JobSkill, JobSource, JobStatus, JobView, LanguageLevel, Remote,
    SkillFound,
};
use crate::db::StoreError;
use crate::outbox::{self, Entity};
use crate::schema::{job_languages, job_skills, job_sources, jobs};
use crate::vocab::Place;

#[derive(Queryable, Selectable)]
#[diesel(table_name = jobs)]
struct JobRow {
    id: Uuid,
    organization_id: Uuid,
    title: String,
    description: String,
    city: String,
    country: String,
    remote: Remote,
    employment_type: String,
    sector: String,
    apply_url: Option<String>,
    closes_at: Option<DateTime<Utc>>,
    status: JobStatus,
    published_at: Option<DateTime<Utc>>,
    source: String,
    external_id: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The columns a write sets; the same shape for inserts and updates.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = jobs, treat_none_as_null = true)]
pub(super) struct JobValues<'a> {
    title: &'a str,
    description: &'a str,
    city: &'a str,
    country: &'a str,
    remote: Remote,
    employment_type: &'a str,
    sector: &'a str,
    apply_url: Option<&'a str>,
    closes_at: Option<DateTime<Utc>>,
    status: JobStatus,
    published_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl<'a> JobValues<'a> {
    fn new(fields: &'a JobFields, published_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        Self {
            title: &fields.title,
            description: &fields.description,
            city: &fields.location.city,
            country: &fields.location.country,
            remote: fields.remote,
            employment_type: &fields.employment_type,
            sector: &fields.sector,
            apply_url: fields.apply_url.as_deref(),
            closes_at: fields.closes_at,
            status: fields.status,
            published_at,
            updated_at: now,
        }
    }
}

/// The columns of a job's write, for the imports' bulk writes too.
pub(super) fn job_values(fields: &JobFields, published_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> JobValues<'_> {
    JobValues::new(fields, published_at, now)
}

/// Stores a new job with its skills and languages, and queues it for the index, in one transaction.
pub async fn insert_job(
    conn: &mut AsyncPgConnection,
    organization_id: Uuid,
    created_by: Uuid,
    fields: &JobFields,
    skills: &[JobSkill],
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let now = Utc::now();
    let published_at = (fields.status == JobStatus::Published).then_some(now);
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            diesel::insert_into(jobs::table)
                .values((
                    jobs::id.eq(id),
                    jobs::organization_id.eq(organization_id),
                    jobs::created_by.eq(created_by),
                    jobs::created_at.eq(now),
                    JobValues::new(fields, published_at, now),
                ))
                .execute(conn)
                .await?;
            replace_skills(conn, id, skills).await?;
            replace_languages(conn, id, &fields.languages).await?;
            outbox::enqueue(conn, Entity::Job, id).await
        }
        .scope_boxed()
    })
    .await?;
    Ok(id)
}

/// The ids of every job of the organisation.
pub async fn organization_job_ids(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(jobs::table.filter(jobs::organization_id.eq(org_id)).select(jobs::id).load(conn).await?)
}

/// Locks the job's row until the surrounding transaction ends; says whether it exists.
pub async fn lock_job(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool, StoreError> {
    let found: Option<Uuid> = jobs::table.find(id).select(jobs::id).for_update().first(conn).await.optional()?;
    Ok(found.is_some())
}

/// Overwrites the job's fields (and its skills when `skills` is given) and queues it for the index. Call it inside a
/// transaction.
pub async fn update_job(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &JobFields,
    skills: Option<&[JobSkill]>,
    published_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    diesel::update(jobs::table.find(id)).set(JobValues::new(fields, published_at, Utc::now())).execute(conn).await?;
    if let Some(skills) = skills {
        replace_skills(conn, id, skills).await?;
    }
    replace_languages(conn, id, &fields.languages).await?;
    outbox::enqueue(conn, Entity::Job, id).await
}

async fn replace_skills(conn: &mut AsyncPgConnection, job_id: Uuid, skills: &[JobSkill]) -> Result<(), StoreError> {
    diesel::delete(job_skills::table.filter(job_skills::job_id.eq(job_id))).execute(conn).await?;
    if skills.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = skills
        .iter()
        .enumerate()
        .map(|(position, s)| {
            (
                job_skills::job_id.eq(job_id),
                job_skills::position.eq(position as i32),
                job_skills::skill_id.eq(s.skill_id.as_deref()),
                job_skills::name.eq(&s.name),
                job_skills::required.eq(s.required),
                job_skills::found.eq(s.found),
                job_skills::snippet.eq(s.snippet.as_deref()),
            )
        })
        .collect();
    diesel::insert_into(job_skills::table).values(rows).execute(conn).await?;
    Ok(())
}

async fn replace_languages(
    conn: &mut AsyncPgConnection,
    job_id: Uuid,
    languages: &[JobLanguage],
) -> Result<(), StoreError> {
    diesel::delete(job_languages::table.filter(job_languages::job_id.eq(job_id))).execute(conn).await?;
    if languages.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = languages
        .iter()
        .map(|l| (job_languages::job_id.eq(job_id), job_languages::code.eq(&l.code), job_languages::level.eq(l.level)))
        .collect();
    diesel::insert_into(job_languages::table).values(rows).execute(conn).await?;
    Ok(())
}

/// One job, whole; `None` if there is no such job. Visibility is the caller's business.
pub async fn load_job(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<JobView>, StoreError> {
    Ok(load_jobs(conn, &[id]).await?.pop())
}

/// Whole views of the given jobs, in the order of `ids`, in four queries whatever their number. Ids with no job
/// (or whose organisation is gone with it) are left out. Drafts and closed jobs are included: callers showing
/// jobs to the public filter on `status`.
pub async fn load_jobs(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<JobView>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<JobRow> = jobs::table.filter(jobs::id.eq_any(ids)).select(JobRow::as_select()).load(conn).await?;
    let mut org_ids: Vec<Uuid> = rows.iter().map(|r| r.organization_id).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let organizations = crate::orgs::summaries(conn, &org_ids).await?;
    let mut skills = skills_of(conn, ids).await?;
    let mut languages = languages_of(conn, ids).await?;
    let mut sources = sources_of(conn, ids).await?;
    let mut views: HashMap<Uuid, JobView> = HashMap::with_capacity(rows.len());
    for row in rows {
        let id = row.id;
        let Some(organization) = organizations.get(&row.organization_id) else { continue };
        let view = to_view(
            row,
            organization.name.clone(),
            skills.remove(&id).unwrap_or_default(),
            languages.remove(&id).unwrap_or_default(),
            sources.remove(&id).unwrap_or_default(),
        )?;
        views.insert(id, view);
    }
    Ok(ids.iter().filter_map(|id| views.get(id).cloned()).collect())
}

async fn skills_of(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<JobSkill>>, StoreError> {
    type Row = (Uuid, Option<String>, String, bool, Option<SkillFound>, Option<String>);
    let rows: Vec<Row> = job_skills::table
        .filter(job_skills::job_id.eq_any(ids))
        .order((job_skills::job_id, job_skills::position))
        .select((
            job_skills::job_id,
            job_skills::skill_id,
            job_skills::name,
            job_skills::required,
            job_skills::found,
            job_skills::snippet,
        ))
        .load(conn)
        .await?;
    let mut by_job: HashMap<Uuid, Vec<JobSkill>> = HashMap::new();
    for (job_id, skill_id, name, required, found, snippet) in rows {
        by_job.entry(job_id).or_default().push(JobSkill { skill_id, name, required, found, snippet });
    }
    Ok(by_job)
}

async fn languages_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<JobLanguage>>, StoreError> {
    let rows: Vec<(Uuid, String, Option<LanguageLevel>)> = job_languages::table
        .filter(job_languages::job_id.eq_any(ids))
        .order((job_languages::job_id, job_languages::code))
        .select((job_languages::job_id, job_languages::code, job_languages::level))
        .load(conn)
        .await?;
    let mut by_job: HashMap<Uuid, Vec<JobLanguage>> = HashMap::new();
    for (job_id, code, level) in rows {
        by_job.entry(job_id).or_default().push(JobLanguage { code, level });
    }
    Ok(by_job)
}

/// The boards each imported job is still published on, first imported first.
async fn sources_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(String, String, Option<String>)>>, StoreError> {
    let rows: Vec<(Uuid, String, String, Option<String>)> = job_sources::table
        .filter(job_sources::job_id.eq_any(ids))
        .filter(job_sources::withdrawn_at.is_null())
        .order((job_sources::job_id, job_sources::imported_at, job_sources::source))
        .select((job_sources::job_id, job_sources::source, job_sources::external_id, job_sources::url))
        .load(conn)
        .await?;
    let mut by_job: HashMap<Uuid, Vec<_>> = HashMap::new();
    for (job_id, source, external_id, url) in rows {
        by_job.entry(job_id).or_default().push((source, external_id, url));
    }
    Ok(by_job)
}

/// The job's own source (its row names it) with its address, and the other boards that still publish it.
fn source_and_also_at(
    row: &JobRow,
    sources: Vec<(String, String, Option<String>)>,
) -> (Option<JobSource>, Vec<AlsoAt>) {
    let Some(external_id) = row.external_id.clone() else { return (None, Vec::new()) };
    let mut own_url = None;
    let mut also_at = Vec::new();
    for (name, id, url) in sources {
        if name == row.source && id == external_id {
            own_url = url;
        } else {
            also_at.push(AlsoAt { name, url });
        }
    }
    (Some(JobSource { name: row.source.clone(), external_id, url: own_url }), also_at)
}

fn to_view(
    row: JobRow,
    organization_name: String,
    skills: Vec<JobSkill>,
    languages: Vec<JobLanguage>,
    sources: Vec<(String, String, Option<String>)>,
) -> Result<JobView, StoreError> {
    let (source, also_at) = source_and_also_at(&row, sources);
    Ok(JobView {
        id: row.id,
        organization_id: row.organization_id,
        organization: JobOrganization { id: row.organization_id, name: organization_name },
        title: row.title,
        description: row.description,
        skills,
        location: Place { city: row.city, country: row.country },
        remote: row.remote,
        employment_type: row.employment_type,
        sector: row.sector,
        languages,
        apply_url: row.apply_url,
        closes_at: row.closes_at,
        status: row.status,
        published_at: row.published_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        source,
        also_at,
    })
}
