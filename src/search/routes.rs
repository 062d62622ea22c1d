//! HTTP endpoints for search and matching: candidates for employers, jobs for everyone, a job's matches for its
//! organisation, and a seeker's matches.

use actix_web::{get, web, HttpResponse};
use utoipa::OpenApi;
use uuid::Uuid;

use super::model::{CandidateHit, CandidateSearchParams, JobHit, JobMatch, JobSearchParams, MatchParams, SearchPage};
use super::service;
use crate::auth::{AuthUser, Employer, Seeker};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(search_candidates, search_jobs, job_matches, my_matches))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(search_candidates).service(search_jobs).service(job_matches).service(my_matches);
}

/// Search searchable candidates, blind (no name, email or phone), each with a score and why.
///
/// For employers who are members of an organisation. Candidates who have every `must_skills` skill are the
/// only ones shown; each `skills` skill they have, and the text relevance of `q`, raise their score.
#[utoipa::path(
    tag = "search",
    params(CandidateSearchParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "ranked candidates", body = SearchPage<CandidateHit>),
        (status = 401, description = "not signed in", body = Problem),
        (status = 403, description = "not an employer in an organisation", body = Problem),
        (status = 422, description = "invalid parameters", body = Problem),
        (status = 503, description = "the index is being built, the database is unavailable, or too many searches are waiting; `Retry-After` says when to try again", body = Problem),
    )
)]
#[get("/api/v1/candidates")]
async fn search_candidates(
    state: web::Data<AppState>,
    employer: Employer,
    params: web::Query<CandidateSearchParams>,
) -> Result<HttpResponse, ApiError> {
    let page = service::search_candidates(&state, employer.0, params.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Search published jobs that have not closed.
///
/// With `q` or `skills` the jobs are ranked and each carries a score and an explanation; otherwise the newest
/// come first.
#[utoipa::path(
    tag = "search",
    params(JobSearchParams),
    responses(
        (status = 200, description = "jobs", body = SearchPage<JobHit>),
        (status = 422, description = "invalid parameters", body = Problem),
        (status = 503, description = "the index is being built, the database is unavailable, or too many searches are waiting; `Retry-After` says when to try again", body = Problem),
    )
)]
#[get("/api/v1/jobs")]
async fn search_jobs(
    state: web::Data<AppState>,
    params: web::Query<JobSearchParams>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::search_jobs(&state, params.into_inner()).await?))
}

/// Candidates ranked for a job, blind, with explanations: those with every required skill first.
///
/// For members of the job's organisation. A draft is not found for anyone else.
#[utoipa::path(
    tag = "search",
    params(("id" = Uuid, Path, description = "the job"), MatchParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "ranked candidates", body = SearchPage<CandidateHit>),
        (status = 401, description = "not signed in", body = Problem),
        (status = 403, description = "not a member of the job's organisation", body = Problem),
        (status = 404, description = "no such job", body = Problem),
        (status = 422, description = "invalid parameters", body = Problem),
        (status = 503, description = "the index is being built, the database is unavailable, or too many searches are waiting; `Retry-After` says when to try again", body = Problem),
    )
)]
#[get("/api/v1/jobs/{id}/matches")]
async fn job_matches(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<Uuid>,
    params: web::Query<MatchParams>,
) -> Result<HttpResponse, ApiError> {
    let page = service::job_matches(&state, caller, id.into_inner(), params.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Open jobs ranked for the signed-in seeker's profile, with explanations: jobs whose required skills the
/// profile lacks fewest of come first.
#[utoipa::path(
    tag = "search",
    params(MatchParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "ranked jobs; none without a profile with skills", body = SearchPage<JobMatch>),
        (status = 401, description = "not signed in", body = Problem),
        (status = 403, description = "not a job seeker", body = Problem),
        (status = 422, description = "invalid parameters", body = Problem),
        (status = 503, description = "the index is being built, the database is unavailable, or too many searches are waiting; `Retry-After` says when to try again", body = Problem),
    )
)]
#[get("/api/v1/me/matches")]
async fn my_matches(
    state: web::Data<AppState>,
    seeker: Seeker,
    params: web::Query<MatchParams>,
) -> Result<HttpResponse, ApiError> {
    let page = service::my_matches(&state, seeker.id(), params.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}
