//! The rules for claims: only an unclaimed organisation can be claimed, one pending claim per employer and
//! organisation and a few per employer, and an approval makes the claimant the admin and settles the other claims.

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::model::{ClaimStatus, Claimant, OrganizationClaim, PendingClaim, MAX_PENDING_CLAIMS};
use super::store;
use crate::auth::directory;
use crate::db::StoreError;
use crate::orgs::model::MemberRole;

pub use super::store::PendingPosition;

/// The index that allows one pending claim per employer and organisation.
const ONE_PENDING: &str = "organization_claims_one_pending";

/// What became of a claim an employer filed.
pub enum Filing {
    Filed(OrganizationClaim),
    NoSuchOrganization,
    AlreadyClaimed,
    AlreadyPending,
    TooManyPending,
}

/// Files `user_id`'s claim of the organisation.
pub async fn file_claim(conn: &mut AsyncPgConnection, org_id: Uuid, user_id: Uuid) -> Result<Filing, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            // The lock orders this against an approval of the same organisation running at the same moment.
            match store::lock_claimed(conn, org_id).await? {
                None => return Ok(Filing::NoSuchOrganization),
                Some(true) => return Ok(Filing::AlreadyClaimed),
                Some(false) => {}
            }
            if store::pending_count(conn, user_id).await? >= MAX_PENDING_CLAIMS {
                return Ok(Filing::TooManyPending);
            }
            match store::insert(conn, org_id, user_id).await {
                Ok(claim) => Ok(Filing::Filed(claim)),
                Err(StoreError::Conflict(c)) if c == ONE_PENDING => Ok(Filing::AlreadyPending),
                Err(e) => Err(e),
            }
        }
        .scope_boxed()
    })
    .await
}

/// What became of an operator's decision.
pub enum Decision {
    Decided(OrganizationClaim),
    NoSuchClaim,
    AlreadyDecided,
}

/// Approves a pending claim: the claimant becomes the organisation's admin, the organisation is claimed, and the
/// other pending claims of it are declined, in one transaction.
pub async fn approve_claim(
    conn: &mut AsyncPgConnection,
    claim_id: Uuid,
    operator: Uuid,
) -> Result<Decision, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let Some(org_id) = store::organization_of(conn, claim_id).await? else {
                return Ok(Decision::NoSuchClaim);
            };
            // Organisation first, then claim: the order filing takes too.
            let claimed = store::lock_claimed(conn, org_id).await?;
            let Some(claim) = store::lock(conn, claim_id).await? else { return Ok(Decision::NoSuchClaim) };
            // An approval of another claim declined this one in the same transaction, so a claimed organisation
            // has no pending claims; the check guards against rows written by hand.
            if claim.status != ClaimStatus::Pending || claimed != Some(false) {
                return Ok(Decision::AlreadyDecided);
            }
            crate::orgs::store::insert_membership(conn, org_id, claim.requested_by, MemberRole::Admin, false).await?;
            store::mark_claimed(conn, org_id).await?;
            store::decline_others(conn, org_id, claim_id, operator).await?;
            Ok(Decision::Decided(store::decide(conn, claim_id, ClaimStatus::Approved, operator).await?))
        }
        .scope_boxed()
    })
    .await
}

/// Declines a pending claim; the organisation stays unclaimed.
pub async fn decline_claim(
    conn: &mut AsyncPgConnection,
    claim_id: Uuid,
    operator: Uuid,
) -> Result<Decision, StoreError> {
    conn.transaction::<_, StoreError, _>(|conn| {
        async move {
            let Some(claim) = store::lock(conn, claim_id).await? else { return Ok(Decision::NoSuchClaim) };
            if claim.status != ClaimStatus::Pending {
                return Ok(Decision::AlreadyDecided);
            }
            Ok(Decision::Decided(store::decide(conn, claim_id, ClaimStatus::Declined, operator).await?))
        }
        .scope_boxed()
    })
    .await
}

/// Up to `limit + 1` pending claims after `after`, oldest first, each with who asked.
pub async fn pending_claims(
    conn: &mut AsyncPgConnection,
    after: Option<PendingPosition>,
    limit: i64,
) -> Result<Vec<PendingClaim>, StoreError> {
    let rows = store::pending(conn, after, limit).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.requested_by).collect();
    let contacts = directory::contacts(conn, &ids).await?;
    // A claim whose account is gone goes with it (by cascade): leave it out.
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let contact = contacts.get(&r.requested_by)?.clone();
            Some(PendingClaim {
                id: r.id,
                organization_id: r.organization_id,
                organization_name: r.organization_name,
                org_number: r.org_number,
                website: r.website,
                claimant: Claimant {
                    user_id: contact.user_id,
                    email: contact.email,
                    display_name: contact.display_name,
                },
                requested_at: r.requested_at,
            })
        })
        .collect())
}
