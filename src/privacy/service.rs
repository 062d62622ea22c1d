//! The export asks each feature for its part of what is held about the caller. Erasing an account: the current
//! password proves it is the owner asking, and no organisation is left without an admin — the caller's successor
//! takes over, or an organisation nobody else belongs to is closed; then each feature erases its part, in one
//! transaction.

use chrono::Utc;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::model::{EraseAccount, Export};
use crate::db::{DbPool, StoreError};
use crate::error::ApiError;
use crate::orgs::{self, SoleAdminship};
use crate::{auth, mail, partners, seekers};

/// Every personal datum held about the user, gathered from the features that hold it.
pub async fn export(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Export, ApiError> {
    let auth::privacy::AccountData { account, sessions, failed_logins } = auth::privacy::export(conn, user_id).await?;
    let seeker = seekers::privacy::export(conn, user_id).await?;
    let partner_settings = match seeker.profile {
        Some(_) => Some(partners::privacy::settings(conn, user_id).await?),
        None => None,
    };
    let partner = partners::privacy::export(conn, user_id).await?;
    Ok(Export {
        exported_at: Utc::now(),
        alerts: crate::alerts::service::all_of(conn, user_id).await?,
        organizations: orgs::organizations_of(conn, user_id).await?,
        emails: mail::privacy::export(conn, &account.email).await?,
        account,
        profile: seeker.profile,
        profile_views: seeker.profile_views,
        sessions,
        failed_logins,
        partner: partner.partner,
        partner_invitations_sent: partner.invitations_sent,
        partner_invitations_accepted: partner.invitations_accepted,
        recruitments: partner.recruitments,
        referrals: partner.referrals,
        partner_settings,
    })
}

/// Why an erasure was refused; nothing was written.
enum Refusal {
    /// These organisations have other members and would be left without an admin.
    SuccessorNeeded(Vec<SoleAdminship>),
    /// The named successor does not belong to this organisation.
    NotAMember(SoleAdminship),
}

/// Erases the caller's account after checking their password and handing over their organisations.
/// Takes the pool, not a connection: none is held while the password is hashed.
pub async fn erase(pool: &DbPool, user_id: Uuid, request: EraseAccount) -> Result<(), ApiError> {
    check_password(pool, user_id, request.password).await?;
    if request.successor_user_id == Some(user_id) {
        return Err(ApiError::invalid("successor_user_id", "name another member, not yourself"));
    }
    let successor = request.successor_user_id;
    let mut conn = crate::observability::pooled_conn(pool).await?;
    let outcome = conn
        .transaction::<_, StoreError, _>(|conn| {
            async move {
                let sole = orgs::sole_adminships(conn, user_id).await?;
                let (handed_over, closed): (Vec<_>, Vec<_>) = sole.into_iter().partition(|o| o.other_members > 0);
                if !handed_over.is_empty() {
                    let Some(successor) = successor else { return Ok(Err(Refusal::SuccessorNeeded(handed_over))) };
                    for org in handed_over {
                        if !orgs::promote_to_admin(conn, org.organization_id, successor).await? {
                            return Ok(Err(Refusal::NotAMember(org)));
                        }
                    }
                }
                for org in closed {
                    orgs::close_organization(conn, org.organization_id).await?;
                }
                erase_parts(conn, user_id).await?;
                Ok(Ok(()))
            }
            .scope_boxed()
        })
        .await?;
    outcome.map_err(refusal)
}

/// Every feature erases its part, in the caller's transaction. Partners and seekers read rows that go with the
/// account by cascade, so they run before auth deletes it; mail keeps rows by address, which auth hands back.
async fn erase_parts(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(), StoreError> {
    partners::privacy::erase(conn, user_id).await?;
    seekers::privacy::erase(conn, user_id).await?;
    let email = auth::privacy::erase(conn, user_id).await?;
    mail::privacy::erase(conn, &email).await
}

fn refusal(refusal: Refusal) -> ApiError {
    let named = |o: &SoleAdminship| format!("\"{}\" ({})", o.name, o.organization_id);
    match refusal {
        Refusal::SuccessorNeeded(orgs) => ApiError::Conflict(
            "successor-needed",
            format!(
                "you are the only admin of {}; name a member of it as successor_user_id, who becomes its admin",
                orgs.iter().map(named).collect::<Vec<_>>().join(", ")
            ),
        ),
        Refusal::NotAMember(org) => {
            ApiError::invalid("successor_user_id", format!("is not a member of {}, which needs an admin", named(&org)))
        }
    }
}

/// The caller's current password, checked by auth (throttled, no connection held while it is hashed).
async fn check_password(pool: &DbPool, user_id: Uuid, password: String) -> Result<(), ApiError> {
    if auth::verify_current_password(pool, user_id, password).await? {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the password is wrong".to_owned()))
    }
}
