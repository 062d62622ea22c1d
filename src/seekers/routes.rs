//! HTTP endpoints for seeker profiles: own profile, a candidate's full profile, and who viewed mine.

use actix_web::{get, put, web};
use utoipa::OpenApi;
use uuid::Uuid;

use super::model::{CandidateProfile, Profile, ProfileRequest, ProfileView, ViewParams};
use super::service;
use crate::auth::{Employer, Seeker};
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(put_profile, get_profile, get_candidate, profile_views))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(put_profile).service(get_profile).service(get_candidate).service(profile_views);
}

/// Create or replace my profile. The whole profile is sent each time; lists not sent become empty.
#[utoipa::path(
    tag = "profiles",
    request_body = ProfileRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the profile as stored", body = Profile),
        (status = 400, description = "malformed JSON", body = Problem),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 413, body = Problem),
        (status = 415, body = Problem),
        (status = 422, description = "invalid values or unknown fields; every invalid field is named", body = Problem),
    )
)]
#[put("/api/v1/me/profile")]
async fn put_profile(
    state: web::Data<AppState>,
    seeker: Seeker,
    body: JsonBody<ProfileRequest>,
) -> Result<web::Json<Profile>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::save(&mut conn, seeker.id(), body.0).await?))
}

/// My profile.
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Profile),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 404, description = "no profile saved yet", body = Problem),
    )
)]
#[get("/api/v1/me/profile")]
async fn get_profile(state: web::Data<AppState>, seeker: Seeker) -> Result<web::Json<Profile>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::own(&mut conn, seeker.id()).await?))
}

/// A searchable candidate's full profile, with name and email, for members of an organisation. Every view is
/// recorded and shown to the seeker with the viewing organisation's name.
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "the candidate id"), ViewParams),
    responses(
        (status = 200, body = CandidateProfile),
        (status = 401, body = Problem),
        (status = 403, description = "not an employer, not a member of any organisation, or not a member of \
            organization_id", body = Problem),
        (status = 404, description = "no searchable profile with this candidate id", body = Problem),
        (status = 422, description = "organization_id is not a UUID", body = Problem),
    )
)]
#[get("/api/v1/candidates/{id}")]
async fn get_candidate(
    state: web::Data<AppState>,
    employer: Employer,
    id: web::Path<Uuid>,
    params: web::Query<ViewParams>,
) -> Result<web::Json<CandidateProfile>, ApiError> {
    let mut conn = state.conn().await?;
    let candidate = service::view_candidate(&mut conn, employer.id(), id.into_inner(), params.organization_id).await?;
    Ok(web::Json(candidate))
}

/// Who viewed my profile: the organisation and the time, newest first; never the individual viewer.
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, body = Page<ProfileView>),
        (status = 401, body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 422, description = "invalid limit or cursor", body = Problem),
    )
)]
#[get("/api/v1/me/profile-views")]
async fn profile_views(
    state: web::Data<AppState>,
    seeker: Seeker,
    params: web::Query<PageParams>,
) -> Result<web::Json<Page<ProfileView>>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::views(&mut conn, seeker.id(), &params).await?))
}
