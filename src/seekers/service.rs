//! Saving and showing profiles: validation together with taxonomy resolution, the replace, who may view a
//! candidate's full profile and the record of every such view.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::model::{duplicate_skills, CandidateProfile, Profile, ProfileRequest, ProfileView, Visibility, MAX_SKILLS};
use super::store::{self, NewProfileView, ProfileRow};
use super::view::to_profile;
use crate::auth::model::MyOrganization;
use crate::error::{ApiError, FieldError};
use crate::pagination::{Page, PageParams};
use crate::taxonomy::{self, ResolveError, ResolvedSkill, SkillRef};

/// Validates the request, resolves its skills and replaces the seeker's profile; a rejected request changes nothing.
pub async fn save(conn: &mut AsyncPgConnection, user_id: Uuid, request: ProfileRequest) -> Result<Profile, ApiError> {
    let refs: Vec<SkillRef> = request
        .skills
        .iter()
        .take(MAX_SKILLS + 1)
        .map(|s| SkillRef { skill_id: s.skill_id.clone(), name: s.name.clone() })
        .collect();
    let validated = request.validate();
    // Resolve even when validation failed, so that one answer names every invalid field.
    let resolved = if refs.len() > MAX_SKILLS { Err(Vec::new()) } else { resolve_skills(conn, &refs).await? };
    let (profile, skills) = match (validated, resolved) {
        (Ok(profile), Ok(skills)) => (profile, skills),
        (validated, resolved) => {
            let mut errors = validated.err().unwrap_or_default();
            errors.extend(resolved.err().unwrap_or_default());
            return Err(ApiError::Invalid(errors));
        }
    };
    store::replace(conn, user_id, &profile, &skills).await?;
    own(conn, user_id).await
}

/// Resolves skill references; an unknown id or the same skill twice is an invalid value, not a failure.
async fn resolve_skills(
    conn: &mut AsyncPgConnection,
    refs: &[SkillRef],
) -> Result<Result<Vec<ResolvedSkill>, Vec<FieldError>>, ApiError> {
    match taxonomy::resolve(conn, "skills", refs).await {
        Ok(skills) => {
            let duplicates = duplicate_skills(&skills);
            Ok(if duplicates.is_empty() { Ok(skills) } else { Err(duplicates) })
        }
        Err(ResolveError::Invalid(errors)) => Ok(Err(errors)),
        Err(ResolveError::Store(e)) => Err(e.into()),
    }
}

/// The caller's own profile, with the linked partner; 404 before the first save.
pub async fn own(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Profile, ApiError> {
    let mut profile = store::load(conn, user_id).await?.map(to_profile).ok_or(ApiError::NotFound)?;
    profile.partner = crate::partners::partner_of(conn, user_id).await?;
    Ok(profile)
}

/// Shows a searchable candidate's full profile (or, to an HR-network organisation, a partner-pool member's) to an
/// employer on behalf of one of the employer's organisations, and records the view for the seeker.
pub async fn view_candidate(
    conn: &mut AsyncPgConnection,
    viewer_id: Uuid,
    candidate_id: Uuid,
    organization_id: Option<Uuid>,
) -> Result<CandidateProfile, ApiError> {
    let organizations = crate::orgs::organizations_of(conn, viewer_id).await?;
    let organization = viewing_organization(&organizations, organization_id)?;
    let row = match profile_row(conn, candidate_id, Visibility::Searchable).await? {
        Some(row) => row,
        None if organization.in_network => pool_member(conn, candidate_id).await?.ok_or(ApiError::NotFound)?,
        None => return Err(ApiError::NotFound),
    };
    let seeker_id = row.user_id;
    let email = crate::auth::email_of(conn, seeker_id).await?.ok_or(ApiError::NotFound)?;
    let stored = store::with_details(conn, vec![row]).await?.pop().ok_or(ApiError::NotFound)?;
    store::record_view(
        conn,
        NewProfileView {
            id: Uuid::new_v4(),
            seeker_id,
            viewer_id,
            organization_id: organization.id,
            organization_name: &organization.name,
        },
    )
    .await?;
    Ok(CandidateProfile::new(to_profile(stored), email))
}

async fn profile_row(
    conn: &mut AsyncPgConnection,
    candidate_id: Uuid,
    visibility: Visibility,
) -> Result<Option<ProfileRow>, ApiError> {
    Ok(store::by_candidates(conn, &[candidate_id], visibility).await?.pop())
}

/// A seeker in the partner pool now, whom the HR network may see even when the profile is not searchable:
/// being in the pool is that consent.
async fn pool_member(conn: &mut AsyncPgConnection, candidate_id: Uuid) -> Result<Option<ProfileRow>, ApiError> {
    let Some(row) = profile_row(conn, candidate_id, Visibility::PoolOptIn).await? else {
        return Ok(None);
    };
    let in_pool = crate::partners::is_in_pool(conn, row.user_id).await?;
    Ok(in_pool.then_some(row))
}

/// The organisation a view is made for: the one asked for, which must be the caller's, else the oldest membership.
fn viewing_organization(organizations: &[MyOrganization], wanted: Option<Uuid>) -> Result<&MyOrganization, ApiError> {
    match wanted {
        Some(id) => organizations
            .iter()
            .find(|o| o.id == id)
            .ok_or_else(|| ApiError::Forbidden("you are not a member of this organisation".to_owned())),
        None => organizations.first().ok_or_else(|| {
            ApiError::Forbidden("only members of an organisation may view candidate profiles".to_owned())
        }),
    }
}

/// Who viewed the seeker's profile, newest first.
pub async fn views(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    params: &PageParams,
) -> Result<Page<ProfileView>, ApiError> {
    let limit = params.limit()?;
    let after = params.position()?;
    let rows = store::views(conn, seeker_id, after, limit).await?;
    let page = Page::from_rows(rows, limit, |row| (row.viewed_at, row.id));
    Ok(page.map(|row| ProfileView {
        organization_id: row.organization_id,
        organization_name: row.organization_name,
        viewed_at: row.viewed_at,
    }))
}
