//! HTTP endpoints for jobs: create, read, update. The listing (`GET /api/v1/jobs`) is served by search.

use actix_web::{get, http::header, patch, post, web, FromRequest, HttpRequest, HttpResponse};
use utoipa::OpenApi;
use uuid::Uuid;

use super::model::{CreateJob, JobPatch, JobView};
use super::service;
use crate::auth::{AuthUser, Employer};
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(create_job, get_job, update_job))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_job).service(get_job).service(update_job);
}

/// Post a job for an organisation the caller belongs to, as a draft or published at once.
#[utoipa::path(
    tag = "jobs",
    request_body = CreateJob,
    security(("bearer" = [])),
    responses(
        (status = 201, body = JobView),
        (status = 401, body = Problem),
        (status = 403, description = "not an employer account, or not a member of the organisation", body = Problem),
        (status = 422, description = "invalid fields (an unknown organisation is an invalid organization_id)", body = Problem),
    )
)]
#[post("/api/v1/jobs")]
async fn create_job(
    state: web::Data<AppState>,
    caller: Employer,
    body: JsonBody<CreateJob>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let job = service::create(&mut conn, caller.id(), body.0).await?;
    Ok(HttpResponse::Created().json(job))
}

/// One job. Published and closed jobs are public; drafts are seen only by members of the job's organisation.
#[utoipa::path(
    tag = "jobs",
    params(("id" = Uuid, Path, description = "job id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, body = JobView),
        (status = 401, description = "a token was sent but is invalid or expired", body = Problem),
        (status = 404, description = "no such job, or a draft the caller may not see", body = Problem),
    )
)]
#[get("/api/v1/jobs/{id}")]
async fn get_job(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<JobView>, ApiError> {
    let caller = optional_caller(&req)?;
    let mut conn = state.conn().await?;
    Ok(web::Json(service::view(&mut conn, caller.map(|c| c.id), id.into_inner()).await?))
}

/// Update a job (members of its organisation). Fields left out stay; `apply_url` and `closes_at` are cleared by
/// `null`; `skills` and `languages` replace the lists. Status moves: draft → published, published → closed,
/// closed → published. Publishing sets `published_at` the first time; (re)publishing, or changing `closes_at`,
/// needs a `closes_at` in the future.
#[utoipa::path(
    tag = "jobs",
    params(("id" = Uuid, Path, description = "job id")),
    request_body = JobPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, body = JobView),
        (status = 401, body = Problem),
        (status = 403, description = "not a member of the job's organisation (published or closed jobs)", body = Problem),
        (status = 404, description = "no such job, or a draft of another organisation", body = Problem),
        (status = 409, description = "a status move that is not allowed", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[patch("/api/v1/jobs/{id}")]
async fn update_job(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<Uuid>,
    body: JsonBody<JobPatch>,
) -> Result<web::Json<JobView>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::update(&mut conn, caller.id, id.into_inner(), body.0).await?))
}

/// The caller if a token is sent. A bad token is refused rather than ignored, so a client with an expired token
/// learns to refresh instead of seeing its own drafts vanish.
fn optional_caller(req: &HttpRequest) -> Result<Option<AuthUser>, ApiError> {
    if req.headers().contains_key(header::AUTHORIZATION) {
        AuthUser::extract(req).into_inner().map(Some)
    } else {
        Ok(None)
    }
}
