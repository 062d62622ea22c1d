//! Reads what the index is built from (seeker profiles and jobs, by id or in bulk chunks, and skill labels)
//! and the checks the search endpoints make (memberships, consent).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::document::{CandidateSource, DesiredLocation, JobSource, Label, SkillLabels};
use super::model::{HitJobSkill, HitLanguage, HitOrganization, HitSkill};
use crate::db::StoreError;
use crate::schema::{
    job_languages, job_skills, jobs, memberships, organizations, profile_desired_locations, profile_education,
    profile_experience, profile_languages, profile_skills, seeker_profiles, skill_labels,
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = seeker_profiles)]
struct ProfileRow {
    user_id: Uuid,
    candidate_id: Uuid,
    headline: String,
    summary: String,
    city: String,
    country: String,
    work_permit: String,
    available_from: Option<NaiveDate>,
    open_to_sectors: Vec<String>,
    searchable: bool,
}

/// Profiles by candidate id, whether searchable or not (the caller decides what becomes a document).
pub async fn candidates_by_id(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<CandidateSource>, StoreError> {
    let rows = seeker_profiles::table
        .filter(seeker_profiles::candidate_id.eq_any(ids))
        .select(ProfileRow::as_select())
        .load(conn)
        .await?;
    with_details(conn, rows).await
}

/// The profile of one seeker account, searchable or not.
pub async fn candidate_of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Option<CandidateSource>, StoreError> {
    let rows = seeker_profiles::table
        .filter(seeker_profiles::user_id.eq(user_id))
        .select(ProfileRow::as_select())
        .load(conn)
        .await?;
    Ok(with_details(conn, rows).await?.pop())
}

/// Up to `limit` profiles that may belong in the index (searchable, or opted in to the partner pool) after
/// `after` in candidate-id order: the rebuild reads them chunk by chunk and keeps the visible ones.
pub async fn searchable_candidates_after(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<CandidateSource>, StoreError> {
    let mut query = seeker_profiles::table
        .filter(seeker_profiles::searchable.eq(true).or(seeker_profiles::in_partner_pool.eq(true)))
        .order(seeker_profiles::candidate_id)
        .limit(limit)
        .select(ProfileRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(seeker_profiles::candidate_id.gt(after));
    }
    let rows = query.load(conn).await?;
    with_details(conn, rows).await
}

/// Adds skills, languages, experience, education and desired locations to profile rows, in five queries.
async fn with_details(conn: &mut AsyncPgConnection, rows: Vec<ProfileRow>) -> Result<Vec<CandidateSource>, StoreError> {
    let user_ids: Vec<Uuid> = rows.iter().map(|r| r.user_id).collect();
    // Sent together: the connection pipelines them, so the round trips overlap.
    let (skills, languages, experience, education, desired) = futures_util::try_join!(
        profile_skills::table
            .filter(profile_skills::seeker_id.eq_any(&user_ids))
            .order((profile_skills::seeker_id, profile_skills::position))
            .select((
                profile_skills::seeker_id,
                profile_skills::skill_id,
                profile_skills::name,
                profile_skills::level,
                profile_skills::years,
            ))
            .load::<(Uuid, Option<String>, String, Option<i16>, Option<f32>)>(conn),
        profile_languages::table
            .filter(profile_languages::seeker_id.eq_any(&user_ids))
            .order((profile_languages::seeker_id, profile_languages::code))
            .select((profile_languages::seeker_id, profile_languages::code, profile_languages::level))
            .load::<(Uuid, String, String)>(conn),
        profile_experience::table
            .filter(profile_experience::seeker_id.eq_any(&user_ids))
            .order((profile_experience::seeker_id, profile_experience::position))
            .select((
                profile_experience::seeker_id,
                profile_experience::title,
                profile_experience::organization,
                profile_experience::description,
            ))
            .load::<(Uuid, String, String, Option<String>)>(conn),
        profile_education::table
            .filter(profile_education::seeker_id.eq_any(&user_ids))
            .order((profile_education::seeker_id, profile_education::position))
            .select((
                profile_education::seeker_id,
                profile_education::degree,
                profile_education::field,
                profile_education::institution,
            ))
            .load::<(Uuid, String, String, String)>(conn),
        profile_desired_locations::table
            .filter(profile_desired_locations::seeker_id.eq_any(&user_ids))
            .order((profile_desired_locations::seeker_id, profile_desired_locations::position))
            .select((
                profile_desired_locations::seeker_id,
                profile_desired_locations::city,
                profile_desired_locations::region,
                profile_desired_locations::country,
            ))
            .load::<(Uuid, Option<String>, Option<String>, String)>(conn),
    )?;
    let mut skills =
        group(skills, |(id, skill_id, name, level, years)| (id, HitSkill { skill_id, name, level, years }));
    let mut languages = group(languages, |(id, code, level)| (id, HitLanguage { code, level: Some(level) }));
    let mut experience = group(experience, |(id, title, organization, description)| {
        (id, join_text(&[&title, &organization, description.as_deref().unwrap_or("")]))
    });
    let mut education =
        group(education, |(id, degree, field, institution)| (id, join_text(&[&degree, &field, &institution])));
    let mut desired = group(desired, |(id, city, region, country)| (id, DesiredLocation { city, region, country }));
    // In the pool now: opted in, linked to a talent, and the talent's recruitment confirmed.
    let pool = crate::partners::pool_members_among(conn, &user_ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| CandidateSource {
            candidate_id: r.candidate_id,
            headline: r.headline,
            summary: r.summary,
            city: r.city,
            country: r.country,
            work_permit: r.work_permit,
            available_from: r.available_from,
            open_to_sectors: r.open_to_sectors,
            searchable: r.searchable,
            in_partner_pool: pool.contains(&r.user_id),
            skills: skills.remove(&r.user_id).unwrap_or_default(),
            languages: languages.remove(&r.user_id).unwrap_or_default(),
            experience: experience.remove(&r.user_id).unwrap_or_default(),
            education: education.remove(&r.user_id).unwrap_or_default(),
            desired_locations: desired.remove(&r.user_id).unwrap_or_default(),
        })
        .collect())
}

fn group<R, T>(rows: Vec<R>, split: impl Fn(R) -> (Uuid, T)) -> HashMap<Uuid, Vec<T>> {
    let mut map: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        let (id, item) = split(row);
        map.entry(id).or_default().push(item);
    }
    map
}

fn join_text(parts: &[&str]) -> String {
    parts.iter().filter(|p| !p.trim().is_empty()).copied().collect::<Vec<_>>().join(" — ")
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = jobs)]
struct JobRow {
    id: Uuid,
    organization_id: Uuid,
    title: String,
    description: String,
    city: String,
    country: String,
    remote: String,
    employment_type: String,
    sector: String,
    status: String,
    published_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
}

/// Jobs by id, whatever their status.
pub async fn jobs_by_id(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<JobSource>, StoreError> {
    let rows = jobs::table
        .inner_join(organizations::table)
        .filter(jobs::id.eq_any(ids))
        .select((JobRow::as_select(), organizations::name))
        .load(conn)
        .await?;
    with_job_details(conn, rows).await
}

/// Up to `limit` published jobs after `after` in id order.
pub async fn published_jobs_after(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<JobSource>, StoreError> {
    let mut query = jobs::table
        .inner_join(organizations::table)
        .filter(jobs::status.eq("published"))
        .order(jobs::id)
        .limit(limit)
        .select((JobRow::as_select(), organizations::name))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(jobs::id.gt(after));
    }
    let rows = query.load(conn).await?;
    with_job_details(conn, rows).await
}

async fn with_job_details(
    conn: &mut AsyncPgConnection,
    rows: Vec<(JobRow, String)>,
) -> Result<Vec<JobSource>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|(r, _)| r.id).collect();
    let mut skills = group(
        job_skills::table
            .filter(job_skills::job_id.eq_any(&ids))
            .order((job_skills::job_id, job_skills::position))
            .select((job_skills::job_id, job_skills::skill_id, job_skills::name, job_skills::required))
            .load::<(Uuid, Option<String>, String, bool)>(conn)
            .await?,
        |(id, skill_id, name, required)| (id, HitJobSkill { skill_id, name, required }),
    );
    let mut languages = group(
        job_languages::table
            .filter(job_languages::job_id.eq_any(&ids))
            .order((job_languages::job_id, job_languages::code))
            .select((job_languages::job_id, job_languages::code, job_languages::level))
            .load::<(Uuid, String, Option<String>)>(conn)
            .await?,
        |(id, code, level)| (id, HitLanguage { code, level }),
    );
    Ok(rows
        .into_iter()
        .map(|(r, organization_name)| JobSource {
            id: r.id,
            organization: HitOrganization { id: r.organization_id, name: organization_name },
            title: r.title,
            description: r.description,
            city: r.city,
            country: r.country,
            remote: r.remote,
            employment_type: r.employment_type,
            sector: r.sector,
            status: r.status,
            published_at: r.published_at,
            closes_at: r.closes_at,
            skills: skills.remove(&r.id).unwrap_or_default(),
            languages: languages.remove(&r.id).unwrap_or_default(),
        })
        .collect())
}

/// Every label and synonym of the given skills.
pub async fn skill_labels(conn: &mut AsyncPgConnection, ids: &[String]) -> Result<SkillLabels, StoreError> {
    if ids.is_empty() {
        return Ok(SkillLabels::new());
    }
    let rows = skill_labels::table
        .filter(skill_labels::skill_id.eq_any(ids))
        .select((skill_labels::skill_id, skill_labels::label, skill_labels::lang))
        .load::<(String, String, String)>(conn)
        .await?;
    let mut labels = SkillLabels::new();
    for (id, text, lang) in rows {
        labels.entry(id).or_default().push(Label { text, swedish: lang == "sv" });
    }
    Ok(labels)
}

/// About how many documents a rebuild will write (for its progress): profiles that are searchable or opted in to
/// the partner pool, and published jobs.
pub async fn count_visible(conn: &mut AsyncPgConnection) -> Result<(i64, i64), StoreError> {
    let candidates = seeker_profiles::table
        .filter(seeker_profiles::searchable.eq(true).or(seeker_profiles::in_partner_pool.eq(true)))
        .count()
        .get_result(conn)
        .await?;
    let published = jobs::table.filter(jobs::status.eq("published")).count().get_result(conn).await?;
    Ok((candidates, published))
}

/// Which of these candidates are searchable right now: results are checked against it, so that an opt-out
/// holds at once even before the index has caught up.
pub async fn searchable_among(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<HashSet<Uuid>, StoreError> {
    Ok(seeker_profiles::table
        .filter(seeker_profiles::candidate_id.eq_any(ids))
        .filter(seeker_profiles::searchable.eq(true))
        .select(seeker_profiles::candidate_id)
        .load::<Uuid>(conn)
        .await?
        .into_iter()
        .collect())
}

/// Which of these candidates are in the partner pool right now: pool searches are checked against it, as
/// ordinary searches are against [`searchable_among`].
pub async fn in_pool_among(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<HashSet<Uuid>, StoreError> {
    let rows: Vec<(Uuid, Uuid)> = seeker_profiles::table
        .filter(seeker_profiles::candidate_id.eq_any(ids))
        .filter(seeker_profiles::in_partner_pool.eq(true))
        .select((seeker_profiles::candidate_id, seeker_profiles::user_id))
        .load(conn)
        .await?;
    let users: Vec<Uuid> = rows.iter().map(|(_, user)| *user).collect();
    let pool = crate::partners::pool_members_among(conn, &users).await?;
    Ok(rows.into_iter().filter(|(_, user)| pool.contains(user)).map(|(candidate, _)| candidate).collect())
}

/// Every candidate id the index must hold (searchable, or in the partner pool), for recovery checks.
pub async fn searchable_candidate_ids(conn: &mut AsyncPgConnection) -> Result<HashSet<Uuid>, StoreError> {
    let rows: Vec<(Uuid, bool)> = seeker_profiles::table
        .filter(seeker_profiles::searchable.eq(true).or(seeker_profiles::in_partner_pool.eq(true)))
        .select((seeker_profiles::candidate_id, seeker_profiles::searchable))
        .load(conn)
        .await?;
    let opted_in: Vec<Uuid> = rows.iter().filter(|(_, searchable)| !searchable).map(|(id, _)| *id).collect();
    let pool = in_pool_among(conn, &opted_in).await?;
    Ok(rows.into_iter().filter(|(id, searchable)| *searchable || pool.contains(id)).map(|(id, _)| id).collect())
}

pub async fn is_member(conn: &mut AsyncPgConnection, organization_id: Uuid, user_id: Uuid) -> Result<bool, StoreError> {
    let n: i64 = memberships::table
        .filter(memberships::organization_id.eq(organization_id))
        .filter(memberships::user_id.eq(user_id))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

pub async fn has_membership(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<bool, StoreError> {
    let n: i64 = memberships::table.filter(memberships::user_id.eq(user_id)).count().get_result(conn).await?;
    Ok(n > 0)
}
