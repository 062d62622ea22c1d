//! The read model other features use for seeker profiles: whole profiles in bulk (the search index is built
//! from them), and the seekers behind candidate ids under a visibility rule (each rule a consent the seeker gave).

use diesel_async::AsyncPgConnection;
use futures_util::{Stream, TryStreamExt};
use uuid::Uuid;

use super::model::{
    DesiredLocation, Education, Experience, Language, Profile, ProfileContent, ProfileSkill, Visibility,
};
use super::store::{self, StoredProfile};
use crate::db::StoreError;

/// A whole profile and the account it belongs to. The partner link is the owner's alone and left out.
#[derive(Clone, Debug)]
pub struct SeekerView {
    pub user_id: Uuid,
    pub profile: Profile,
}

/// The seeker behind a candidate id, and what they agreed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeekerRef {
    pub user_id: Uuid,
    pub candidate_id: Uuid,
    /// Employers may find the profile.
    pub searchable: bool,
    /// The seeker opted in to the partner pool.
    pub in_partner_pool: bool,
}

/// The profiles with these candidate ids, whatever their visibility (the caller decides what to do with each).
pub async fn profiles_by_candidate(
    conn: &mut AsyncPgConnection,
    candidate_ids: &[Uuid],
) -> Result<Vec<SeekerView>, StoreError> {
    let rows = store::by_candidates(conn, candidate_ids, Visibility::Any).await?;
    views(conn, rows).await
}

/// The profile of the seeker `user_id`, whatever its visibility.
pub async fn profile_of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<SeekerView>, StoreError> {
    Ok(store::load(conn, user_id).await?.map(view))
}

/// Up to `limit` profiles that `visibility` lets through after `after` in candidate-id order: a keyset walk.
pub async fn profiles_after(
    conn: &mut AsyncPgConnection,
    visibility: Visibility,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SeekerView>, StoreError> {
    let rows = store::after(conn, visibility, after, limit).await?;
    views(conn, rows).await
}

/// Every profile `visibility` lets through, read in one streaming query (in no particular order): for bulk
/// readers such as the search index's rebuild, which would otherwise walk [`profiles_after`] chunk by chunk.
pub async fn stream_profiles(
    conn: &mut AsyncPgConnection,
    visibility: Visibility,
) -> Result<impl Stream<Item = Result<SeekerView, StoreError>> + Send + '_, StoreError> {
    Ok(store::stream_folded(conn, visibility).await?.map_ok(view))
}

/// How many profiles `visibility` lets through.
pub async fn count_profiles(conn: &mut AsyncPgConnection, visibility: Visibility) -> Result<i64, StoreError> {
    store::count(conn, visibility).await
}

/// The seeker behind a candidate id, if `visibility` lets the profile through.
pub async fn seeker_by_candidate(
    conn: &mut AsyncPgConnection,
    candidate_id: Uuid,
    visibility: Visibility,
) -> Result<Option<SeekerRef>, StoreError> {
    Ok(seekers_among(conn, &[candidate_id], visibility).await?.pop())
}

/// The seekers behind those of these candidate ids whose profiles `visibility` lets through, in one query.
pub async fn seekers_among(
    conn: &mut AsyncPgConnection,
    candidate_ids: &[Uuid],
    visibility: Visibility,
) -> Result<Vec<SeekerRef>, StoreError> {
    Ok(store::consents(conn, Some(candidate_ids), visibility).await?.into_iter().map(seeker_ref).collect())
}

/// Every seeker whose profile `visibility` lets through, in one query.
pub async fn every_seeker(conn: &mut AsyncPgConnection, visibility: Visibility) -> Result<Vec<SeekerRef>, StoreError> {
    Ok(store::consents(conn, None, visibility).await?.into_iter().map(seeker_ref).collect())
}

fn seeker_ref((user_id, candidate_id, searchable, in_partner_pool): (Uuid, Uuid, bool, bool)) -> SeekerRef {
    SeekerRef { user_id, candidate_id, searchable, in_partner_pool }
}

async fn views(conn: &mut AsyncPgConnection, rows: Vec<store::ProfileRow>) -> Result<Vec<SeekerView>, StoreError> {
    Ok(store::with_details(conn, rows).await?.into_iter().map(view).collect())
}

fn view(stored: StoredProfile) -> SeekerView {
    SeekerView { user_id: stored.profile.user_id, profile: to_profile(stored) }
}

/// A stored profile as the model shows it, without the partner link (only its owner sees that).
pub(super) fn to_profile(stored: StoredProfile) -> Profile {
    let StoredProfile { profile: p, skills, languages, experience, education, desired_locations } = stored;
    Profile {
        content: ProfileContent {
            candidate_id: p.candidate_id,
            full_name: p.full_name,
            headline: p.headline,
            summary: p.summary,
            location: crate::vocab::Place { city: p.city, country: p.country },
            desired_locations: desired_locations
                .into_iter()
                .map(|l| DesiredLocation { city: l.city, region: l.region, country: l.country })
                .collect(),
            languages: languages.into_iter().map(|l| Language { code: l.code, level: l.level }).collect(),
            skills: skills
                .into_iter()
                .map(|s| ProfileSkill { skill_id: s.skill_id, name: s.name, level: s.level, years: s.years })
                .collect(),
            experience: experience
                .into_iter()
                .map(|e| Experience {
                    title: e.title,
                    organization: e.organization,
                    start: e.start_date,
                    end: e.end_date,
                    description: e.description,
                })
                .collect(),
            education: education
                .into_iter()
                .map(|e| Education { degree: e.degree, field: e.field, institution: e.institution, year: e.year })
                .collect(),
            work_permit: p.work_permit,
            available_from: p.available_from,
            open_to_sectors: p.open_to_sectors,
        },
        searchable: p.searchable,
        in_partner_pool: p.in_partner_pool,
        // Only the owner sees the link (see `service::own`); nobody else does.
        partner: None,
        updated_at: p.updated_at,
    }
}
