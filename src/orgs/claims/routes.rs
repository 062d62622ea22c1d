//! HTTP endpoints for claims: an employer claims an unclaimed organisation; operators list, approve and decline.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::model::{OrganizationClaim, PendingClaim, MAX_PENDING_CLAIMS};
use super::service::{self, Decision, Filing, PendingPosition};
use crate::auth::{Admin, Employer};
use crate::error::{ApiError, Problem};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(claim_organization)
        .service(list_organization_claims)
        .service(approve_organization_claim)
        .service(decline_organization_claim);
}

/// Ask to claim an organisation made from imported ads (employers). An operator checks and approves; the caller
/// then becomes its admin.
#[utoipa::path(
    tag = "organisations",
    params(("id" = Uuid, Path, description = "organisation id")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "the claim waits for an operator", body = OrganizationClaim),
        (status = 401, body = Problem),
        (status = 403, description = "not an employer account", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "the organisation is claimed already, the caller has a pending claim of it, \
            or the caller has too many pending claims", body = Problem),
    )
)]
#[post("/api/v1/organizations/{id}/claims")]
pub async fn claim_organization(
    state: web::Data<AppState>,
    caller: Employer,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    match service::file_claim(&mut conn, id.into_inner(), caller.id()).await? {
        Filing::Filed(claim) => Ok(HttpResponse::Accepted().json(claim)),
        Filing::NoSuchOrganization => Err(ApiError::NotFound),
        Filing::AlreadyClaimed => Err(already_claimed()),
        Filing::AlreadyPending => {
            Err(ApiError::Conflict("claim-pending", "your claim of this organisation is already pending".to_owned()))
        }
        Filing::TooManyPending => Err(ApiError::Conflict(
            "too-many-claims",
            format!("at most {MAX_PENDING_CLAIMS} claims may be pending at once; wait for an operator"),
        )),
    }
}

fn already_claimed() -> ApiError {
    ApiError::Conflict("already-claimed", "the organisation has been claimed by its employer".to_owned())
}

/// Pending claims of organisations, oldest first (operators).
#[utoipa::path(
    tag = "organisations",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<PendingClaim>),
        (status = 401, body = Problem),
        (status = 403, description = "not an operator", body = Problem),
        (status = 422, description = "bad limit or cursor", body = Problem),
    )
)]
#[get("/api/v1/admin/organization-claims")]
pub async fn list_organization_claims(
    state: web::Data<AppState>,
    _admin: Admin,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<PendingClaim>>, ApiError> {
    let limit = page.limit()?;
    let after = page.position::<PendingPosition>()?;
    let mut conn = state.conn().await?;
    let rows = service::pending_claims(&mut conn, after, limit).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |r| (r.requested_at, r.id))))
}

/// Approve a claim (operators): the claimant becomes the organisation's admin, the organisation is claimed, and the
/// other pending claims of it are declined.
#[utoipa::path(
    tag = "organisations",
    params(("id" = Uuid, Path, description = "claim id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = OrganizationClaim),
        (status = 401, body = Problem),
        (status = 403, description = "not an operator", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "the claim is decided already", body = Problem),
    )
)]
#[post("/api/v1/admin/organization-claims/{id}/approve")]
pub async fn approve_organization_claim(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
) -> Result<web::Json<OrganizationClaim>, ApiError> {
    let mut conn = state.conn().await?;
    decided(service::approve_claim(&mut conn, id.into_inner(), admin.id()).await?)
}

/// Decline a claim (operators); the organisation stays unclaimed.
#[utoipa::path(
    tag = "organisations",
    params(("id" = Uuid, Path, description = "claim id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = OrganizationClaim),
        (status = 401, body = Problem),
        (status = 403, description = "not an operator", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "the claim is decided already", body = Problem),
    )
)]
#[post("/api/v1/admin/organization-claims/{id}/decline")]
pub async fn decline_organization_claim(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
) -> Result<web::Json<OrganizationClaim>, ApiError> {
    let mut conn = state.conn().await?;
    decided(service::decline_claim(&mut conn, id.into_inner(), admin.id()).await?)
}

fn decided(decision: Decision) -> Result<web::Json<OrganizationClaim>, ApiError> {
    match decision {
        Decision::Decided(claim) => Ok(web::Json(claim)),
        Decision::NoSuchClaim => Err(ApiError::NotFound),
        Decision::AlreadyDecided => {
            Err(ApiError::Conflict("claim-decided", "an operator has already decided this claim".to_owned()))
        }
    }
}
