//! Auth's part of a privacy export and of erasing an account: the account itself, its sessions and its failed
//! logins.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::store;
use crate::db::StoreError;

#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

/// A login session (one refresh-token family member); the token itself is never stored, so never exported.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FailedLogin {
    pub client_addr: String,
    pub failed_at: DateTime<Utc>,
}

/// What auth holds about one user.
pub struct AccountData {
    pub account: Account,
    /// Newest first.
    pub sessions: Vec<Session>,
    /// Failed logins under the account's email, newest first.
    pub failed_logins: Vec<FailedLogin>,
}

/// Everything auth holds about the user; `StoreError::NotFound` if the account is gone.
pub async fn export(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<AccountData, StoreError> {
    let row = store::find_by_id(conn, user_id).await?;
    let sessions = store::sessions_of(conn, user_id)
        .await?
        .into_iter()
        .map(|(created_at, expires_at, used_at, revoked_at)| Session { created_at, expires_at, used_at, revoked_at })
        .collect();
    let failed_logins = store::failures_of(conn, &row.email)
        .await?
        .into_iter()
        .map(|(client_addr, failed_at)| FailedLogin { client_addr, failed_at })
        .collect();
    let account = Account {
        user_id: row.id,
        email: row.email,
        display_name: row.display_name,
        role: row.role,
        created_at: row.created_at,
    };
    Ok(AccountData { account, sessions, failed_logins })
}

/// Erases the account: the user row, with everything that references it by cascade (profile, memberships,
/// sessions, links...), and the failed logins under its email. Returns that email, for the features that keep
/// rows by address. Features whose rows go by cascade but need them first must run before this, in the same
/// transaction.
pub async fn erase(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<String, StoreError> {
    store::delete_user(conn, user_id).await
}
