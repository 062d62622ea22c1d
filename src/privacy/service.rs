//! Erasing an account: the current password proves it is the owner asking, and no organisation is left without an
//! admin — the caller's successor takes over, or an organisation nobody else belongs to is closed.

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::model::EraseAccount;
use super::store;
use crate::db::StoreError;
use crate::error::ApiError;
use crate::orgs::store::{self as orgs, SoleAdminship};
use crate::state::AppState;

/// Why an erasure was refused; nothing was written.
enum Refusal {
    /// These organisations have other members and would be left without an admin.
    SuccessorNeeded(Vec<SoleAdminship>),
    /// The named successor does not belong to this organisation.
    NotAMember(SoleAdminship),
}

/// Erases the caller's account after checking their password and handing over their organisations.
pub async fn erase(state: &AppState, user_id: Uuid, request: EraseAccount) -> Result<(), ApiError> {
    check_password(state, user_id, request.password).await?;
    if request.successor_user_id == Some(user_id) {
        return Err(ApiError::invalid("successor_user_id", "name another member, not yourself"));
    }
    let successor = request.successor_user_id;
    let mut conn = state.conn().await?;
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
                store::erase(conn, user_id).await?;
                Ok(Ok(()))
            }
            .scope_boxed()
        })
        .await?;
    outcome.map_err(refusal)
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
async fn check_password(state: &AppState, user_id: Uuid, password: String) -> Result<(), ApiError> {
    if crate::auth::verify_current_password(state, user_id, password).await? {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the password is wrong".to_owned()))
    }
}
