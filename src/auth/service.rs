//! Signing in and out: registration, throttled login, refresh-token rotation, logout.

use std::net::IpAddr;

use diesel_async::AsyncPgConnection;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::model::{Me, NewAccount, Role, TokenPair};
use super::store::{self, NewUser, Rotation, UserRow};
use super::tokens::TokenKeys;
use super::{password, tokens, AuthUser};
use crate::db::{DbConn, DbPool};
use crate::error::ApiError;
use crate::throttle::{self, Slot, Verdict};

/// Failed logins are counted over this window.
const WINDOW_SECS: i64 = 15 * 60;
/// More failures than this for one email, or from one address, within the window are refused with 429.
pub const MAX_FAILURES_PER_EMAIL: i32 = 10;
pub const MAX_FAILURES_PER_ADDR: i32 = 100;

impl From<password::PasswordError> for ApiError {
    fn from(e: password::PasswordError) -> Self {
        match e {
            password::PasswordError::Busy => {
                ApiError::Unavailable("too many sign-ins at this moment; try again shortly".to_owned())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<tokens::TokenError> for ApiError {
    fn from(e: tokens::TokenError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// The services that hash a password take the pool, not a connection, so that none is held while the hash runs.
async fn conn(pool: &DbPool) -> Result<DbConn, ApiError> {
    Ok(crate::observability::pooled_conn(pool).await?)
}

pub async fn register(pool: &DbPool, account: NewAccount) -> Result<UserRow, ApiError> {
    let hash = password::hash(account.password).await?;
    let mut conn = conn(pool).await?;
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

pub async fn login(
    pool: &DbPool,
    keys: &TokenKeys,
    email: &str,
    secret: String,
    client: IpAddr,
) -> Result<TokenPair, ApiError> {
    let email = super::model::normalize_email(email);
    let slots = login_slots(&email, client);
    let user = {
        let mut conn = conn(pool).await?;
        take_or_refuse(&mut conn, &slots).await.inspect_err(|e| {
            if matches!(e, ApiError::RateLimited { .. }) {
                crate::observability::login_throttled();
            }
        })?;
        store::find_by_email(&mut conn, &email).await?
    };
    // No connection is held while the hash runs: a burst of sign-ins must not empty the pool.
    let verified = password::verify(secret, user.as_ref().map(|u| u.password_hash.clone())).await;
    let mut conn = conn(pool).await?;
    match (verified, user) {
        (Ok(true), Some(user)) => {
            throttle::give_back(&mut conn, &slots).await?;
            issue_pair(keys, &mut conn, user.id, parse_role(&user.role)?).await
        }
        (Ok(_), _) => {
            store::record_failure(&mut conn, &email, &client.to_string()).await?;
            Err(ApiError::Unauthorized("the email or the password is wrong".to_owned()))
        }
        (Err(e), _) => {
            throttle::give_back(&mut conn, &slots).await?;
            Err(e.into())
        }
    }
}

/// Every login attempt takes a slot per email and per address before its hash runs, and keeps it only if the
/// password was wrong; so concurrent wrong passwords can never add up to more than the limits.
fn login_slots(email: &str, client: IpAddr) -> [Slot; 2] {
    let email_digest: String = Sha256::digest(email.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    [
        Slot { key: format!("login-email:{email_digest}"), max: MAX_FAILURES_PER_EMAIL },
        Slot { key: format!("login-addr:{client}"), max: MAX_FAILURES_PER_ADDR },
    ]
}

/// Takes the slots; when refused, returns them (a refused attempt tests no password) and answers 429.
async fn take_or_refuse(conn: &mut AsyncPgConnection, slots: &[Slot]) -> Result<(), ApiError> {
    let verdict = throttle::take(conn, slots, WINDOW_SECS).await?;
    if verdict != Verdict::Granted {
        throttle::give_back(conn, slots).await?;
    }
    verdict.into_result()
}

/// Checks a user's current password (password change, account deletion) without holding a connection while the
/// hash runs. Wrong guesses are throttled per account like failed logins, so a stolen access token cannot be used
/// to guess the password. Err(429) past the limit; Err(404) if the account is gone.
pub async fn verify_current_password(pool: &DbPool, user_id: Uuid, password: String) -> Result<bool, ApiError> {
    let slots = [Slot { key: format!("password-check:{user_id}"), max: MAX_FAILURES_PER_EMAIL }];
    let stored = {
        let mut conn = conn(pool).await?;
        take_or_refuse(&mut conn, &slots).await?;
        store::find_by_id(&mut conn, user_id).await?.password_hash
    };
    let verified = password::verify(password, Some(stored)).await;
    if !matches!(verified, Ok(false)) {
        throttle::give_back(&mut *conn(pool).await?, &slots).await?;
    }
    Ok(verified?)
}

/// Replaces the password after checking the current one, and signs out every other session of the account.
pub async fn change_password(pool: &DbPool, user: AuthUser, current: String, new: String) -> Result<(), ApiError> {
    super::model::check_password(&new).map_err(|m| ApiError::invalid("new_password", m))?;
    if !verify_current_password(pool, user.id, current).await? {
        return Err(ApiError::Forbidden("the current password is wrong".to_owned()));
    }
    let hash = password::hash(new).await?;
    let mut conn = conn(pool).await?;
    store::replace_password(&mut conn, user.id, &hash, user.session).await?;
    Ok(())
}

/// Signs out every session of the account: every refresh-token family is revoked.
pub async fn logout_everywhere(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(), ApiError> {
    store::revoke_families(conn, user_id, None).await?;
    Ok(())
}

pub async fn refresh(conn: &mut AsyncPgConnection, keys: &TokenKeys, presented: &str) -> Result<TokenPair, ApiError> {
    let (new_token, new_hash) = tokens::new_refresh_token();
    match store::rotate(conn, &tokens::hash_refresh_token(presented), &new_hash).await? {
        Rotation::Rotated { user_id, family_id } => {
            let user = store::find_by_id(conn, user_id).await?;
            let access = keys.issue_access(user.id, parse_role(&user.role)?, family_id)?;
            Ok(pair(access, new_token))
        }
        Rotation::Reused => Err(ApiError::Unauthorized(
            "this refresh token was already used; every session of that login is now signed out".to_owned(),
        )),
        Rotation::Invalid => Err(ApiError::Unauthorized("the refresh token is invalid or expired".to_owned())),
    }
}

pub async fn logout(conn: &mut AsyncPgConnection, user_id: Uuid, presented: &str) -> Result<(), ApiError> {
    if store::revoke_family_of(conn, &tokens::hash_refresh_token(presented), user_id).await? {
        Ok(())
    } else {
        Err(ApiError::invalid("refresh_token", "not a refresh token of this account"))
    }
}

async fn issue_pair(
    keys: &TokenKeys,
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    role: Role,
) -> Result<TokenPair, ApiError> {
    let (refresh_token, hash) = tokens::new_refresh_token();
    let family_id = store::start_family(conn, user_id, &hash).await?;
    Ok(pair(keys.issue_access(user_id, role, family_id)?, refresh_token))
}

fn pair(access_token: String, refresh_token: String) -> TokenPair {
    TokenPair { access_token, refresh_token, token_type: "Bearer", expires_in: tokens::ACCESS_TTL_SECS }
}

/// Who the caller is: the account and its organisations.
pub async fn me(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Me, ApiError> {
    let row = store::find_by_id(conn, user_id).await?;
    let organizations = crate::orgs::organizations_of(conn, user_id).await?;
    Ok(Me {
        user_id: row.id,
        email: row.email,
        role: parse_role(&row.role)?,
        display_name: row.display_name,
        organizations,
    })
}

pub fn parse_role(s: &str) -> Result<Role, ApiError> {
    Role::parse(s).ok_or_else(|| ApiError::Internal(format!("unknown role in database: {s}")))
}

/// Creates an operator account (the `tandem admin create` command).
pub async fn create_admin(pool: &DbPool, email: &str, name: &str, secret: String) -> Result<UserRow, ApiError> {
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
    register(pool, NewAccount { email, password: secret, display_name: name.to_owned(), role: Role::Admin }).await
}
