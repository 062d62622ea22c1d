//! SQL for jobs that come from imported ads: many written at a time, and the boards (`job_sources`) each was
//! published on. The imports feature decides what to write; this file only writes it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{JobFields, JobSkill, JobStatus, SkillFound};
use super::store::{job_values, update_job};
use crate::db::StoreError;
use crate::outbox::{self, Entity};
use crate::schema::{job_languages, job_sources, jobs};

/// A job as an import writes it: fields checked and skills resolved by the importer.
#[derive(Clone, Debug)]
pub struct ImportedJob {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The board it was first imported from, and its id there.
    pub source: String,
    pub external_id: String,
    pub fields: JobFields,
    pub skills: Vec<JobSkill>,
    pub published_at: Option<DateTime<Utc>>,
}

/// One board's copy of a job, as recorded.
#[derive(Clone, Debug)]
pub struct SourceRecord {
    pub external_id: String,
    pub job_id: Uuid,
    pub content_hash: Vec<u8>,
    /// When the source last changed the ad, if it says.
    pub changed_at: Option<DateTime<Utc>>,
    pub withdrawn: bool,
    /// The job was first imported from this copy, so the copy's text is the job's.
    pub primary: bool,
}

/// A board's copy to record.
#[derive(Clone, Debug)]
pub struct NewSource {
    pub source: String,
    pub external_id: String,
    pub job_id: Uuid,
    pub url: Option<String>,
    pub content_hash: Vec<u8>,
    pub changed_at: Option<DateTime<Utc>>,
}

/// Stores new imported jobs with their skills and languages and queues them for the index, in the caller's
/// transaction, in a handful of statements whatever their number.
pub async fn insert_jobs(conn: &mut AsyncPgConnection, new: &[ImportedJob]) -> Result<(), StoreError> {
    if new.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows: Vec<_> = new
        .iter()
        .map(|job| {
            (
                jobs::id.eq(job.id),
                jobs::organization_id.eq(job.organization_id),
                jobs::source.eq(&job.source),
                jobs::external_id.eq(&job.external_id),
                jobs::created_at.eq(now),
                job_values(&job.fields, job.published_at, now),
            )
        })
        .collect();
    diesel::insert_into(jobs::table).values(rows).execute(conn).await?;
    insert_skills(conn, new).await?;
    let languages: Vec<_> = new
        .iter()
        .flat_map(|job| {
            job.fields.languages.iter().map(move |l| {
                (job_languages::job_id.eq(job.id), job_languages::code.eq(&l.code), job_languages::level.eq(l.level))
            })
        })
        .collect();
    if !languages.is_empty() {
        diesel::insert_into(job_languages::table).values(languages).execute(conn).await?;
    }
    let ids: Vec<Uuid> = new.iter().map(|job| job.id).collect();
    outbox::enqueue_many(conn, Entity::Job, &ids).await
}

/// Every new job's skills in one statement: column arrays unnested, so PostgreSQL parses seven parameters, not
/// seven a row.
async fn insert_skills(conn: &mut AsyncPgConnection, new: &[ImportedJob]) -> Result<(), StoreError> {
    use diesel::sql_types::{Array, Bool, Int4, Nullable, Text, Uuid as SqlUuid};
    let rows = new.iter().flat_map(|job| job.skills.iter().enumerate().map(move |(i, s)| (job.id, i as i32, s)));
    let (mut ids, mut positions, mut skill_ids, mut names, mut required, mut found, mut snippets) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (job_id, position, skill) in rows {
        ids.push(job_id);
        positions.push(position);
        skill_ids.push(skill.skill_id.as_deref());
        names.push(skill.name.as_str());
        required.push(skill.required);
        found.push(skill.found.map(SkillFound::as_str));
        snippets.push(skill.snippet.as_deref());
    }
    if ids.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "INSERT INTO job_skills (job_id, position, skill_id, name, required, found, snippet) \
         SELECT * FROM unnest($1::uuid[], $2::int4[], $3::text[], $4::text[], $5::bool[], $6::text[], $7::text[])",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<Int4>, _>(positions)
    .bind::<Array<Nullable<Text>>, _>(skill_ids)
    .bind::<Array<Text>, _>(names)
    .bind::<Array<Bool>, _>(required)
    .bind::<Array<Nullable<Text>>, _>(found)
    .bind::<Array<Nullable<Text>>, _>(snippets)
    .execute(conn)
    .await?;
    Ok(())
}

/// Overwrites an imported job with what its ad says now, skills included, and queues it for the index. The first
/// publication date is kept.
pub async fn update_job_from_ad(conn: &mut AsyncPgConnection, job: &ImportedJob) -> Result<(), StoreError> {
    let published_at: Option<DateTime<Utc>> =
        jobs::table.find(job.id).select(jobs::published_at).first(conn).await.optional()?.flatten();
    update_job(conn, job.id, &job.fields, Some(&job.skills), published_at.or(job.published_at)).await
}

/// Closes the given jobs (those still open) and queues them for the index, so search and alerts drop them.
pub async fn close_jobs(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<usize, StoreError> {
    let closed: Vec<Uuid> =
        diesel::update(jobs::table.filter(jobs::id.eq_any(ids)).filter(jobs::status.ne(JobStatus::Closed)))
            .set((jobs::status.eq(JobStatus::Closed), jobs::updated_at.eq(Utc::now())))
            .returning(jobs::id)
            .get_results(conn)
            .await?;
    outbox::enqueue_many(conn, Entity::Job, &closed).await?;
    Ok(closed.len())
}

/// What is recorded of the given ads of one board.
pub async fn sources(
    conn: &mut AsyncPgConnection,
    source: &str,
    external_ids: &[&str],
) -> Result<Vec<SourceRecord>, StoreError> {
    type Row = (String, Uuid, Vec<u8>, Option<DateTime<Utc>>, bool);
    let rows: Vec<Row> = job_sources::table
        .filter(job_sources::source.eq(source))
        .filter(job_sources::external_id.eq_any(external_ids))
        .select((
            job_sources::external_id,
            job_sources::job_id,
            job_sources::content_hash,
            job_sources::changed_at,
            job_sources::withdrawn_at.is_not_null(),
        ))
        .load(conn)
        .await?;
    // The jobs' own keys by primary key, in a second query: joining lets PostgreSQL scan every job.
    let job_ids: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
    let keys: HashMap<Uuid, (String, Option<String>)> = jobs::table
        .filter(jobs::id.eq_any(&job_ids))
        .select((jobs::id, jobs::source, jobs::external_id))
        .load::<(Uuid, String, Option<String>)>(conn)
        .await?
        .into_iter()
        .map(|(id, source, external_id)| (id, (source, external_id)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(external_id, job_id, content_hash, changed_at, withdrawn)| SourceRecord {
            primary: keys.get(&job_id).is_some_and(|(s, e)| s == source && e.as_deref() == Some(external_id.as_str())),
            external_id,
            job_id,
            content_hash,
            changed_at,
            withdrawn,
        })
        .collect())
}

/// Records boards' copies of jobs.
pub async fn insert_sources(conn: &mut AsyncPgConnection, new: &[NewSource]) -> Result<(), StoreError> {
    let rows: Vec<_> = new
        .iter()
        .map(|s| {
            (
                job_sources::source.eq(&s.source),
                job_sources::external_id.eq(&s.external_id),
                job_sources::job_id.eq(s.job_id),
                job_sources::url.eq(s.url.as_deref()),
                job_sources::content_hash.eq(&s.content_hash),
                job_sources::changed_at.eq(s.changed_at),
            )
        })
        .collect();
    for chunk in rows.chunks(10_000) {
        diesel::insert_into(job_sources::table).values(chunk).execute(conn).await?;
    }
    Ok(())
}

/// Records what a board's copy says now; `withdrawn` marks it taken down (or back up).
pub async fn update_source(
    conn: &mut AsyncPgConnection,
    source: &str,
    external_id: &str,
    url: Option<&str>,
    content_hash: &[u8],
    changed_at: Option<DateTime<Utc>>,
    withdrawn: bool,
) -> Result<(), StoreError> {
    let now = Utc::now();
    diesel::update(job_sources::table.find((source, external_id)))
        .set((
            job_sources::url.eq(url),
            job_sources::content_hash.eq(content_hash),
            job_sources::changed_at.eq(changed_at),
            job_sources::withdrawn_at.eq(withdrawn.then_some(now)),
            job_sources::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether any board still publishes the job.
pub async fn still_published_anywhere(conn: &mut AsyncPgConnection, job_id: Uuid) -> Result<bool, StoreError> {
    let n: i64 = job_sources::table
        .filter(job_sources::job_id.eq(job_id))
        .filter(job_sources::withdrawn_at.is_null())
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

/// Which of the given jobs are not closed.
pub async fn open_jobs(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(jobs::table
        .filter(jobs::id.eq_any(ids))
        .filter(jobs::status.ne(JobStatus::Closed))
        .select(jobs::id)
        .load(conn)
        .await?)
}

/// Refreshes the planner's statistics of the tables an import grows, so lookups by many keys keep using their
/// indexes: statistics taken while a table was nearly empty make PostgreSQL scan it whole for every chunk.
pub async fn refresh_statistics(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    diesel::sql_query("ANALYZE jobs, job_sources, job_skills").execute(conn).await?;
    Ok(())
}
