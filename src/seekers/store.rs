//! Queries for seeker profiles, their child rows (skills, languages, experience, education, desired locations)
//! and profile views.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::ValidProfile;
use crate::db::StoreError;
use crate::outbox::{self, Entity};
use crate::schema::{
    profile_desired_locations, profile_education, profile_experience, profile_languages, profile_skills, profile_views,
    seeker_profiles, users,
};
use crate::taxonomy::ResolvedSkill;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = seeker_profiles)]
pub struct ProfileRow {
    pub user_id: Uuid,
    pub candidate_id: Uuid,
    pub full_name: String,
    pub headline: String,
    pub summary: String,
    pub city: String,
    pub country: String,
    pub work_permit: String,
    pub available_from: Option<NaiveDate>,
    pub open_to_sectors: Vec<String>,
    pub searchable: bool,
    pub in_partner_pool: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = profile_skills)]
pub struct SkillRow {
    pub seeker_id: Uuid,
    pub position: i32,
    pub skill_id: Option<String>,
    pub name: String,
    pub level: Option<i16>,
    pub years: Option<f32>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = profile_languages)]
pub struct LanguageRow {
    pub seeker_id: Uuid,
    pub code: String,
    pub level: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = profile_experience)]
pub struct ExperienceRow {
    pub seeker_id: Uuid,
    pub position: i32,
    pub title: String,
    pub organization: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = profile_education)]
pub struct EducationRow {
    pub seeker_id: Uuid,
    pub position: i32,
    pub degree: String,
    pub field: String,
    pub institution: String,
    pub year: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = profile_desired_locations)]
pub struct DesiredLocationRow {
    pub seeker_id: Uuid,
    pub position: i32,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: String,
}

/// A profile with all its child rows, in display order.
pub struct StoredProfile {
    pub profile: ProfileRow,
    pub skills: Vec<SkillRow>,
    pub languages: Vec<LanguageRow>,
    pub experience: Vec<ExperienceRow>,
    pub education: Vec<EducationRow>,
    pub desired_locations: Vec<DesiredLocationRow>,
}

/// The parent row's own columns, as written on every replace.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = seeker_profiles, treat_none_as_null = true)]
struct ProfileFields<'a> {
    full_name: &'a str,
    headline: &'a str,
    summary: &'a str,
    city: &'a str,
    country: &'a str,
    work_permit: &'a str,
    available_from: Option<NaiveDate>,
    open_to_sectors: &'a [String],
    searchable: bool,
    in_partner_pool: bool,
}

/// Creates or replaces the profile of `user_id` with its child rows, and queues it for the index, in one
/// transaction. `skills` are the resolved forms of `profile.skills`, in the same order. Returns the candidate id.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    profile: &ValidProfile,
    skills: &[ResolvedSkill],
) -> Result<Uuid, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let candidate_id = upsert_parent(conn, user_id, profile).await?;
            delete_children(conn, user_id).await?;
            insert_children(conn, user_id, profile, skills).await?;
            outbox::enqueue(conn, Entity::Candidate, candidate_id).await?;
            Ok(candidate_id)
        }
        .scope_boxed()
    })
    .await
}

/// Inserts the parent row, or updates it keeping its candidate id; the row lock it takes serialises concurrent
/// replaces of the same profile.
async fn upsert_parent(conn: &mut AsyncPgConnection, user_id: Uuid, p: &ValidProfile) -> Result<Uuid, StoreError> {
    let fields = ProfileFields {
        full_name: &p.full_name,
        headline: &p.headline,
        summary: &p.summary,
        city: &p.location.city,
        country: &p.location.country,
        work_permit: p.work_permit.as_str(),
        available_from: p.available_from,
        open_to_sectors: &p.open_to_sectors,
        searchable: p.searchable,
        in_partner_pool: p.in_partner_pool,
    };
    Ok(diesel::insert_into(seeker_profiles::table)
        .values((seeker_profiles::user_id.eq(user_id), seeker_profiles::candidate_id.eq(Uuid::new_v4()), &fields))
        .on_conflict(seeker_profiles::user_id)
        .do_update()
        .set((&fields, seeker_profiles::updated_at.eq(diesel::dsl::now)))
        .returning(seeker_profiles::candidate_id)
        .get_result(conn)
        .await?)
}

async fn delete_children(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(), StoreError> {
    diesel::delete(profile_skills::table.filter(profile_skills::seeker_id.eq(user_id))).execute(conn).await?;
    diesel::delete(profile_languages::table.filter(profile_languages::seeker_id.eq(user_id))).execute(conn).await?;
    diesel::delete(profile_experience::table.filter(profile_experience::seeker_id.eq(user_id))).execute(conn).await?;
    diesel::delete(profile_education::table.filter(profile_education::seeker_id.eq(user_id))).execute(conn).await?;
    diesel::delete(profile_desired_locations::table.filter(profile_desired_locations::seeker_id.eq(user_id)))
        .execute(conn)
        .await?;
    Ok(())
}

async fn insert_children(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    p: &ValidProfile,
    skills: &[ResolvedSkill],
) -> Result<(), StoreError> {
    let skill_rows: Vec<SkillRow> = p
        .skills
        .iter()
        .zip(skills)
        .zip(0..)
        .map(|((given, resolved), position)| SkillRow {
            seeker_id,
            position,
            skill_id: resolved.skill_id.clone(),
            name: resolved.name.clone(),
            level: given.level,
            years: given.years,
        })
        .collect();
    let language_rows: Vec<LanguageRow> =
        p.languages.iter().map(|l| LanguageRow { seeker_id, code: l.code.clone(), level: l.level.clone() }).collect();
    let experience_rows: Vec<ExperienceRow> = p
        .experience
        .iter()
        .zip(0..)
        .map(|(e, position)| ExperienceRow {
            seeker_id,
            position,
            title: e.title.clone(),
            organization: e.organization.clone(),
            start_date: e.start,
            end_date: e.end,
            description: e.description.clone(),
        })
        .collect();
    let education_rows: Vec<EducationRow> = p
        .education
        .iter()
        .zip(0..)
        .map(|(e, position)| EducationRow {
            seeker_id,
            position,
            degree: e.degree.clone(),
            field: e.field.clone(),
            institution: e.institution.clone(),
            year: e.year,
        })
        .collect();
    let location_rows: Vec<DesiredLocationRow> = p
        .desired_locations
        .iter()
        .zip(0..)
        .map(|(l, position)| DesiredLocationRow {
            seeker_id,
            position,
            city: l.city.clone(),
            region: l.region.clone(),
            country: l.country.clone(),
        })
        .collect();
    diesel::insert_into(profile_skills::table).values(&skill_rows).execute(conn).await?;
    diesel::insert_into(profile_languages::table).values(&language_rows).execute(conn).await?;
    diesel::insert_into(profile_experience::table).values(&experience_rows).execute(conn).await?;
    diesel::insert_into(profile_education::table).values(&education_rows).execute(conn).await?;
    diesel::insert_into(profile_desired_locations::table).values(&location_rows).execute(conn).await?;
    Ok(())
}

/// The profile of `user_id` with its child rows, if there is one.
pub async fn load(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<StoredProfile>, StoreError> {
    let Some(profile) =
        seeker_profiles::table.find(user_id).select(ProfileRow::as_select()).first(conn).await.optional()?
    else {
        return Ok(None);
    };
    let skills = profile_skills::table
        .filter(profile_skills::seeker_id.eq(user_id))
        .order(profile_skills::position)
        .select(SkillRow::as_select())
        .load(conn)
        .await?;
    let languages = profile_languages::table
        .filter(profile_languages::seeker_id.eq(user_id))
        .order(profile_languages::code)
        .select(LanguageRow::as_select())
        .load(conn)
        .await?;
    let experience = profile_experience::table
        .filter(profile_experience::seeker_id.eq(user_id))
        .order(profile_experience::position)
        .select(ExperienceRow::as_select())
        .load(conn)
        .await?;
    let education = profile_education::table
        .filter(profile_education::seeker_id.eq(user_id))
        .order(profile_education::position)
        .select(EducationRow::as_select())
        .load(conn)
        .await?;
    let desired_locations = profile_desired_locations::table
        .filter(profile_desired_locations::seeker_id.eq(user_id))
        .order(profile_desired_locations::position)
        .select(DesiredLocationRow::as_select())
        .load(conn)
        .await?;
    Ok(Some(StoredProfile { profile, skills, languages, experience, education, desired_locations }))
}

/// The owner and email of a searchable profile, by candidate id; `None` also for profiles that are not searchable.
pub async fn find_searchable(
    conn: &mut AsyncPgConnection,
    candidate_id: Uuid,
) -> Result<Option<(Uuid, String)>, StoreError> {
    Ok(seeker_profiles::table
        .inner_join(users::table)
        .filter(seeker_profiles::candidate_id.eq(candidate_id))
        .filter(seeker_profiles::searchable.eq(true))
        .select((seeker_profiles::user_id, users::email))
        .first(conn)
        .await
        .optional()?)
}

/// The owner and email of a profile opted in to the partner pool, by candidate id, searchable or not (the caller
/// checks that the seeker is in the pool now).
pub async fn find_pool_candidate(
    conn: &mut AsyncPgConnection,
    candidate_id: Uuid,
) -> Result<Option<(Uuid, String)>, StoreError> {
    Ok(seeker_profiles::table
        .inner_join(users::table)
        .filter(seeker_profiles::candidate_id.eq(candidate_id))
        .filter(seeker_profiles::in_partner_pool.eq(true))
        .select((seeker_profiles::user_id, users::email))
        .first(conn)
        .await
        .optional()?)
}

#[derive(Insertable)]
#[diesel(table_name = profile_views)]
pub struct NewProfileView<'a> {
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub viewer_id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: &'a str,
}

pub async fn record_view(conn: &mut AsyncPgConnection, view: NewProfileView<'_>) -> Result<(), StoreError> {
    diesel::insert_into(profile_views::table).values(&view).execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = profile_views)]
pub struct ViewRow {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub organization_name: String,
    pub viewed_at: DateTime<Utc>,
}

/// Views of the profile of `seeker_id`, newest first, after the keyset position `after` (viewed_at, id);
/// `limit + 1` rows at most, so the caller can tell whether there is another page.
pub async fn views(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<ViewRow>, StoreError> {
    let mut query = profile_views::table
        .filter(profile_views::seeker_id.eq(seeker_id))
        .order((profile_views::viewed_at.desc(), profile_views::id.desc()))
        .select(ViewRow::as_select())
        .limit(limit + 1)
        .into_boxed();
    if let Some((viewed_at, id)) = after {
        query = query.filter(
            profile_views::viewed_at
                .lt(viewed_at)
                .or(profile_views::viewed_at.eq(viewed_at).and(profile_views::id.lt(id))),
        );
    }
    Ok(query.load(conn).await?)
}
