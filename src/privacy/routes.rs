//! HTTP endpoints for privacy: export my data, erase my account.

use actix_web::http::header;
use actix_web::{delete, get, web, HttpRequest, HttpResponse};
use utoipa::OpenApi;

use super::model::{EraseAccount, Export};
use super::service;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

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
    Ok(web::Json(service::export(&mut *state.conn().await?, user.id).await?))
}

/// Erase my account: every row about me, my search document and my queued mail. Access tokens already issued stop
/// working for anything that reads my rows; refresh tokens are gone. My current password is required. If I am the
/// only admin of an organisation with other members, `successor_user_id` (a member of it) becomes its admin; an
/// organisation nobody else belongs to is closed with its jobs.
#[utoipa::path(
    tag = "privacy",
    request_body = EraseAccount,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "erased"),
        (status = 400, description = "malformed JSON", body = Problem),
        (status = 401, body = Problem),
        (status = 403, description = "the password is wrong", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "the only admin of an organisation with other members, and no successor named; \
            the problem names the organisation", body = Problem),
        (status = 413, description = "a body over 1 MiB", body = Problem),
        (status = 415, description = "a body that is not JSON", body = Problem),
        (status = 422, description = "no body or no password, or a successor who is not a member", body = Problem),
    )
)]
#[delete("/api/v1/me")]
async fn erase(
    state: web::Data<AppState>,
    user: AuthUser,
    request: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, ApiError> {
    let body = body.map_err(|e| match e.as_response_error().status_code().as_u16() {
        413 => ApiError::PayloadTooLarge,
        _ => ApiError::BadRequest("the request body could not be read".to_owned()),
    })?;
    let body = erase_request(&request, &body)?;
    service::erase(&state.pool, user.id, body).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The erasure request. A DELETE often goes without a body, so a missing one is reported as the missing password.
fn erase_request(request: &HttpRequest, body: &[u8]) -> Result<EraseAccount, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("password", "send {\"password\": ...} with your current password"));
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !(essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))) {
        return Err(ApiError::UnsupportedMediaType);
    }
    crate::body::parse(body)
}
