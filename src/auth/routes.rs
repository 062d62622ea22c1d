//! HTTP endpoints for accounts: register, login, refresh, logout (here or everywhere), password change, me.

use actix_web::{get, post, web, HttpResponse};
use utoipa::OpenApi;

use super::client_addr::ClientAddr;
use super::model::{
    ChangePasswordRequest, LoginRequest, Me, RefreshRequest, RegisterRequest, RegisteredUser, TokenPair,
};
use super::{service, AuthUser};
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::throttle;

#[derive(OpenApi)]
#[openapi(paths(register, login, refresh, logout, logout_everywhere, change_password, me))]
pub struct AuthApi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(register)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(logout_everywhere)
        .service(change_password)
        .service(me);
}

/// Create an account as a job seeker or an employer.
#[utoipa::path(
    tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, body = RegisteredUser),
        (status = 409, description = "email already registered", body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "too many registrations from this address; see Retry-After", body = Problem),
        (status = 503, description = "too many passwords being hashed at once; see Retry-After", body = Problem),
    )
)]
#[post("/api/v1/auth/register")]
async fn register(
    state: web::Data<AppState>,
    client: ClientAddr,
    body: JsonBody<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let account = body.0.validate().map_err(ApiError::Invalid)?;
    throttle::check(&state, &throttle::REGISTRATIONS, &client.0.to_string()).await?;
    let user = service::register(&state.pool, account).await?;
    Ok(HttpResponse::Created().json(RegisteredUser {
        user_id: user.id,
        email: user.email,
        role: service::parse_role(&user.role)?,
    }))
}

/// Exchange email and password for an access token and a refresh token. Throttled per email and per address.
#[utoipa::path(
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenPair),
        (status = 401, description = "wrong email or password (the same answer for both)", body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "too many failures; see Retry-After", body = Problem),
        (status = 503, description = "too many passwords being hashed at once; see Retry-After", body = Problem),
    )
)]
#[post("/api/v1/auth/login")]
async fn login(
    state: web::Data<AppState>,
    client: ClientAddr,
    body: JsonBody<LoginRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let LoginRequest { email, password } = body.0;
    Ok(web::Json(service::login(&state.pool, &state.tokens, &email, password, client.0).await?))
}

/// Trade a refresh token for a new pair. Each refresh token works once; reusing one signs out its whole family.
#[utoipa::path(
    tag = "accounts",
    request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem))
)]
#[post("/api/v1/auth/refresh")]
async fn refresh(state: web::Data<AppState>, body: JsonBody<RefreshRequest>) -> Result<web::Json<TokenPair>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::refresh(&mut conn, &state.tokens, &body.0.refresh_token).await?))
}

/// Sign out: revokes the refresh token's family.
#[utoipa::path(
    tag = "accounts",
    request_body = RefreshRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem))
)]
#[post("/api/v1/auth/logout")]
async fn logout(
    state: web::Data<AppState>,
    user: AuthUser,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    service::logout(&mut *state.conn().await?, user.id, &body.0.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign out everywhere: revokes every refresh-token family of the account, this session's included. Access tokens
/// already issued run out within 15 minutes.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem))
)]
#[post("/api/v1/auth/logout-everywhere")]
async fn logout_everywhere(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    service::logout_everywhere(&mut *state.conn().await?, user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change the password. Every other session (refresh-token family) of the account is revoked; the session that
/// made the change stays signed in. Access tokens already issued to other sessions run out within 15 minutes. A
/// wrong `current_password` is 403 (the caller is signed in, so not 401); ten wrong ones in 15 minutes give 429.
#[utoipa::path(
    tag = "accounts",
    request_body = ChangePasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "changed; every other session is signed out"),
        (status = 401, description = "no or an invalid access token", body = Problem),
        (status = 403, description = "current_password is wrong", body = Problem),
        (status = 422, description = "new_password is too short or too long", body = Problem),
        (status = 429, description = "too many wrong current passwords; see Retry-After", body = Problem),
        (status = 503, description = "too many passwords being hashed at once; see Retry-After", body = Problem),
    )
)]
#[post("/api/v1/me/password")]
async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: JsonBody<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest { current_password, new_password } = body.0;
    service::change_password(&state.pool, user, current_password, new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who am I: account and organisations.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem))
)]
#[get("/api/v1/me")]
async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Me>, ApiError> {
    Ok(web::Json(service::me(&mut *state.conn().await?, user.id).await?))
}
