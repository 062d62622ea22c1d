//! Signing in and out: registration, throttled login, refresh-token rotation, logout.

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::model::{NewAccount, Role, TokenPair};
use super::store::{self, NewUser, Rotation, UserRow};
use super::{password, tokens};
use crate::app::AppState;
use crate::error::ApiError;

/// Failed logins are counted over this window.
const WINDOW_MINUTES: i64 = 15;
/// More failures than this for one email, or from one address, within the window are refused with 429.
pub const MAX_FAILURES_PER_EMAIL: i64 = 10;
pub const MAX_FAILURES_PER_ADDR: i64 = 100;

impl From<password::PasswordError> for ApiError {
    fn from(e: password::PasswordError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<tokens::TokenError> for ApiError {
    fn from(e: tokens::TokenError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

pub async fn register(state: &AppState, account: NewAccount) -> Result<UserRow, ApiError> {
    let hash = password::hash(account.password).await?;
    let mut conn = state.conn().await?;
    let user = store::insert_user(
        &mut conn,
        NewUser {
            id: Uuid::new_v4(),
            email: &account.email,
            password_hash: &hash,
            display_name: &account.display_name,
            role: account.role.as_str(),
        },
    )
    .await?;
    Ok(user)
}

pub async fn login(state: &AppState, email: &str, secret: String, client_addr: &str) -> Result<TokenPair, ApiError> {
    let email = super::model::normalize_email(email);
    let mut conn = state.conn().await?;
    let counts = store::recent_failures(&mut conn, &email, client_addr, Duration::minutes(WINDOW_MINUTES)).await?;
    if counts.by_email >= MAX_FAILURES_PER_EMAIL || counts.by_addr >= MAX_FAILURES_PER_ADDR {
        let frees_at = counts.oldest.unwrap_or_else(Utc::now) + Duration::minutes(WINDOW_MINUTES);
        let retry_after_secs = (frees_at - Utc::now()).num_seconds().max(1) as u64;
        crate::observability::login_throttled();
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    let user = store::find_by_email(&mut conn, &email).await?;
    let ok = password::verify(secret, user.as_ref().map(|u| u.password_hash.clone())).await?;
    match user {
        Some(user) if ok => issue_pair(state, &mut conn, user.id, parse_role(&user.role)?).await,
        _ => {
            store::record_failure(&mut conn, &email, client_addr).await?;
            Err(ApiError::Unauthorized("the email or the password is wrong".to_owned()))
        }
    }
}

pub async fn refresh(state: &AppState, presented: &str) -> Result<TokenPair, ApiError> {
    let (new_token, new_hash) = tokens::new_refresh_token();
    let mut conn = state.conn().await?;
    match store::rotate(&mut conn, &tokens::hash_refresh_token(presented), &new_hash).await? {
        Rotation::Rotated { user_id } => {
            let user = store::find_by_id(&mut conn, user_id).await?;
            let access = state.tokens.issue_access(user.id, parse_role(&user.role)?)?;
            Ok(pair(access, new_token))
        }
        Rotation::Reused => Err(ApiError::Unauthorized(
            "this refresh token was already used; every session of that login is now signed out".to_owned(),
        )),
        Rotation::Invalid => Err(ApiError::Unauthorized("the refresh token is invalid or expired".to_owned())),
    }
}

pub async fn logout(state: &AppState, user_id: Uuid, presented: &str) -> Result<(), ApiError> {
    let mut conn = state.conn().await?;
    if store::revoke_family_of(&mut conn, &tokens::hash_refresh_token(presented), user_id).await? {
        Ok(())
    } else {
        Err(ApiError::invalid("refresh_token", "not a refresh token of this account"))
    }
}

async fn issue_pair(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    user_id: Uuid,
    role: Role,
) -> Result<TokenPair, ApiError> {
    let (refresh_token, hash) = tokens::new_refresh_token();
    store::start_family(conn, user_id, &hash).await?;
    Ok(pair(state.tokens.issue_access(user_id, role)?, refresh_token))
}

fn pair(access_token: String, refresh_token: String) -> TokenPair {
    TokenPair { access_token, refresh_token, token_type: "Bearer", expires_in: tokens::ACCESS_TTL_SECS }
}

pub fn parse_role(s: &str) -> Result<Role, ApiError> {
    Role::parse(s).ok_or_else(|| ApiError::Internal(format!("unknown role in database: {s}")))
}

/// Creates an operator account (the `tandem admin create` command).
pub async fn create_admin(state: &AppState, email: &str, name: &str, secret: String) -> Result<UserRow, ApiError> {
    let email = super::model::normalize_email(email);
    let mut errors = Vec::new();
    if let Err(m) = super::model::check_email(&email) {
        errors.push(crate::error::FieldError::new("email", m));
    }
    if let Err(m) = super::model::check_password(&secret) {
        errors.push(crate::error::FieldError::new("password", m));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    register(state, NewAccount { email, password: secret, display_name: name.to_owned(), role: Role::Admin }).await
}
