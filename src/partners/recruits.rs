//! Recruitments: an organisation reports that it recruited a talent, the talent confirms, and from then the
//! talent's partner (if they chose so) is in the partner pool.

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::model::{OrganizationRef, RecruitRequest, Recruitment};
use super::store::{self, RecruitmentRow};
use crate::db::StoreError;
use crate::error::ApiError;
use crate::orgs::OrgMember;
use crate::state::AppState;

fn to_recruitment(row: RecruitmentRow) -> Result<Recruitment, ApiError> {
    let status = row.status;
    Ok(Recruitment {
        id: row.id,
        status,
        organization: OrganizationRef { id: Some(row.organization_id), name: row.organization_name },
        candidate_id: row.candidate_id,
        created_at: row.created_at,
        confirmed_at: row.confirmed_at,
    })
}

/// The member's organisation reports that it recruited the candidate; pending until the candidate confirms.
pub async fn recruit(state: &AppState, member: &OrgMember, request: RecruitRequest) -> Result<Recruitment, ApiError> {
    let mut conn = state.conn().await?;
    // Only profiles the organisation may find can be reported, so ids cannot be probed for hidden seekers.
    let seeker = store::searchable_seeker(&mut conn, request.candidate_id)
        .await?
        .ok_or_else(|| ApiError::invalid("candidate_id", "no searchable candidate has this id"))?;
    match store::insert_recruitment(&mut conn, member.org_id(), seeker.user_id, member.user.id).await {
        Err(StoreError::Conflict(_)) => Err(ApiError::Conflict(
            "already-recruited",
            "this organisation has already reported recruiting this candidate".to_owned(),
        )),
        other => to_recruitment(other?),
    }
}

/// The recruitments reported about the seeker, newest first.
pub async fn mine(state: &AppState, seeker_id: Uuid) -> Result<Vec<Recruitment>, ApiError> {
    let mut conn = state.conn().await?;
    store::recruitments_of(&mut conn, seeker_id).await?.into_iter().map(to_recruitment).collect()
}

/// The seeker confirms a recruitment of their own; confirming twice changes nothing. The partner's profile is
/// re-indexed in the same transaction, as it may now be in the partner pool.
pub async fn confirm(state: &AppState, seeker_id: Uuid, id: Uuid) -> Result<Recruitment, ApiError> {
    let mut conn = state.conn().await?;
    let row = conn
        .transaction::<_, StoreError, _>(|conn| {
            async move {
                if store::confirm_recruitment(conn, id, seeker_id).await? {
                    if let Some(partner_id) = store::partner_id_of(conn, seeker_id).await? {
                        store::reindex_seekers(conn, &[partner_id]).await?;
                    }
                }
                Ok(store::recruitment(conn, id).await?.filter(|r| r.seeker_id == seeker_id))
            }
            .scope_boxed()
        })
        .await?;
    to_recruitment(row.ok_or(ApiError::NotFound)?)
}
