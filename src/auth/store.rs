//! Queries for users, refresh-token families and failed logins.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::StoreError;
use crate::schema::{login_failures, refresh_tokens, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
}

pub async fn insert_user(conn: &mut AsyncPgConnection, user: NewUser<'_>) -> Result<UserRow, StoreError> {
    Ok(diesel::insert_into(users::table).values(&user).returning(UserRow::as_returning()).get_result(conn).await?)
}

pub async fn find_by_email(conn: &mut AsyncPgConnection, email: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table.filter(users::email.eq(email)).select(UserRow::as_select()).first(conn).await.optional()?)
}

pub async fn find_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> Result<UserRow, StoreError> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn).await?)
}

/// The email address of the account `id`, if it exists: what other features may read of an account to reach it.
pub async fn email_of(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<String>, StoreError> {
    Ok(users::table.find(id).select(users::email).first(conn).await.optional()?)
}

/// Keeps a failed login for the account holder to see in their data export; throttling counts elsewhere.
pub async fn record_failure(conn: &mut AsyncPgConnection, email: &str, addr: &str) -> Result<(), StoreError> {
    diesel::insert_into(login_failures::table)
        .values((login_failures::email.eq(email), login_failures::client_addr.eq(addr)))
        .execute(conn)
        .await?;
    // Old rows are useless; trimming them here keeps the table small without a separate job.
    diesel::delete(login_failures::table.filter(login_failures::failed_at.lt(Utc::now() - Duration::days(1))))
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores the first refresh token of a new family (one login, one session); returns the family's id.
pub async fn start_family(conn: &mut AsyncPgConnection, user_id: Uuid, hash: &[u8]) -> Result<Uuid, StoreError> {
    let family_id = Uuid::new_v4();
    insert_token(conn, family_id, user_id, hash).await?;
    Ok(family_id)
}

async fn insert_token(
    conn: &mut AsyncPgConnection,
    family_id: Uuid,
    user_id: Uuid,
    hash: &[u8],
) -> Result<(), StoreError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Uuid::new_v4()),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::token_hash.eq(hash),
            refresh_tokens::expires_at.eq(Utc::now() + Duration::days(super::tokens::REFRESH_TTL_DAYS)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
struct TokenRow {
    id: Uuid,
    family_id: Uuid,
    user_id: Uuid,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// What became of a presented refresh token.
pub enum Rotation {
    /// Valid: it is now used, and `new_hash` is stored in its place in the same family.
    Rotated { user_id: Uuid, family_id: Uuid },
    /// It had been used before: someone replayed it, so its whole family is now revoked.
    Reused,
    /// Unknown, expired or revoked.
    Invalid,
}

pub async fn rotate(conn: &mut AsyncPgConnection, old_hash: &[u8], new_hash: &[u8]) -> Result<Rotation, StoreError> {
    let old_hash = old_hash.to_vec();
    let new_hash = new_hash.to_vec();
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let row: Option<TokenRow> = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(&old_hash))
                .select(TokenRow::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(row) = row else { return Ok(Rotation::Invalid) };
            if row.revoked_at.is_some() || row.expires_at <= Utc::now() {
                return Ok(Rotation::Invalid);
            }
            if row.used_at.is_some() {
                revoke_family(conn, row.family_id).await?;
                return Ok(Rotation::Reused);
            }
            diesel::update(refresh_tokens::table.find(row.id))
                .set(refresh_tokens::used_at.eq(Utc::now()))
                .execute(conn)
                .await?;
            insert_token(conn, row.family_id, row.user_id, &new_hash).await?;
            Ok(Rotation::Rotated { user_id: row.user_id, family_id: row.family_id })
        }
        .scope_boxed()
    })
    .await
}

async fn revoke_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> Result<(), StoreError> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family_id)))
        .set(refresh_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes the family of `hash` if it belongs to `user_id`; says whether there was such a token.
pub async fn revoke_family_of(conn: &mut AsyncPgConnection, hash: &[u8], user_id: Uuid) -> Result<bool, StoreError> {
    let family: Option<Uuid> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .filter(refresh_tokens::user_id.eq(user_id))
        .select(refresh_tokens::family_id)
        .first(conn)
        .await
        .optional()?;
    match family {
        Some(f) => revoke_family(conn, f).await.map(|()| true),
        None => Ok(false),
    }
}

/// Revokes every refresh-token family of the account, except `keep` (the caller's own session) when given.
pub async fn revoke_families(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> Result<(), StoreError> {
    let mine =
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)).filter(refresh_tokens::revoked_at.is_null());
    match keep {
        Some(family) => {
            diesel::update(mine.filter(refresh_tokens::family_id.ne(family)))
                .set(refresh_tokens::revoked_at.eq(Utc::now()))
                .execute(conn)
                .await?
        }
        None => diesel::update(mine).set(refresh_tokens::revoked_at.eq(Utc::now())).execute(conn).await?,
    };
    Ok(())
}

/// Stores a new password hash and signs out every other session, together.
pub async fn replace_password(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    hash: &str,
    keep: Option<Uuid>,
) -> Result<(), StoreError> {
    let hash = hash.to_owned();
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let updated =
                diesel::update(users::table.find(user_id)).set(users::password_hash.eq(&hash)).execute(conn).await?;
            if updated == 0 {
                return Err(StoreError::NotFound);
            }
            revoke_families(conn, user_id, keep).await
        }
        .scope_boxed()
    })
    .await
}

/// The display names of these accounts; an id without an account is absent.
pub async fn display_names(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError> {
    Ok(users::table.filter(users::id.eq_any(ids)).select((users::id, users::display_name)).load(conn).await?)
}

/// created, expires, used, revoked.
pub type SessionRow = (DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Every refresh token of the account, newest first.
pub async fn sessions_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<SessionRow>, StoreError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id))
        .order(refresh_tokens::created_at.desc())
        .select((
            refresh_tokens::created_at,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .load(conn)
        .await?)
}

/// The failed logins under `email` (client address, when), newest first.
pub async fn failures_of(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
    Ok(login_failures::table
        .filter(login_failures::email.eq(email))
        .order(login_failures::failed_at.desc())
        .select((login_failures::client_addr, login_failures::failed_at))
        .load(conn)
        .await?)
}

/// Deletes the account (everything that references it goes by cascade) and the failed logins under its email;
/// returns that email.
pub async fn delete_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<String, StoreError> {
    let email: String = users::table.find(user_id).select(users::email).first(conn).await?;
    diesel::delete(users::table.find(user_id)).execute(conn).await?;
    diesel::delete(login_failures::table.filter(login_failures::email.eq(&email))).execute(conn).await?;
    Ok(email)
}
