//! HTTP endpoints for privacy: export my data, erase my account.

use actix_web::{delete, get, web, HttpResponse};
use chrono::Utc;
use utoipa::OpenApi;

use super::model::{Account, Export};
use super::store;
use crate::app::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};

#[derive(OpenApi)]
#[openapi(paths(export, erase))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(export).service(erase);
}

/// Every personal datum held about me, as JSON.
#[utoipa::path(
    tag = "privacy",
    security(("bearer" = [])),
    responses((status = 200, body = Export), (status = 401, body = Problem))
)]
#[get("/api/v1/me/export")]
async fn export(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Export>, ApiError> {
    let mut conn = state.conn().await?;
    let row = crate::auth::store::find_by_id(&mut conn, user.id).await?;
    let profile = match crate::seekers::profiles::own(&mut conn, user.id).await {
        Ok(p) => Some(p),
        Err(ApiError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let partner_settings = match profile {
        Some(_) => Some(crate::partners::referrals::preferences(&state, user.id).await?),
        None => None,
    };
    Ok(web::Json(Export {
        alerts: crate::alerts::manage::all_of(&mut conn, user.id).await?,
        partner: store::partner_of(&mut conn, user.id).await?,
        partner_invitations_sent: store::invitations_sent(&mut conn, user.id).await?,
        partner_invitations_accepted: store::invitations_accepted(&mut conn, user.id).await?,
        recruitments: crate::partners::recruits::mine(&state, user.id).await?,
        referrals: store::referrals_about(&mut conn, user.id).await?,
        partner_settings,
        exported_at: Utc::now(),
        organizations: crate::orgs::store::organizations_of(&mut conn, user.id).await?,
        profile_views: store::views_of(&mut conn, user.id).await?,
        sessions: store::sessions_of(&mut conn, user.id).await?,
        failed_logins: store::failed_logins_of(&mut conn, &row.email).await?,
        emails: store::emails_to(&mut conn, &row.email).await?,
        profile,
        account: Account {
            user_id: row.id,
            email: row.email,
            display_name: row.display_name,
            role: row.role,
            created_at: row.created_at,
        },
    }))
}

/// Erase my account: every row about me, my search document and my queued mail. Access tokens already issued stop
/// working for anything that reads my rows; refresh tokens are gone.
#[utoipa::path(
    tag = "privacy",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem))
)]
#[delete("/api/v1/me")]
async fn erase(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    store::erase(&mut conn, user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
