//! Recruitments: an organisation reports that it recruited a talent, the talent confirms, and from then the
//! talent's partner (if they chose so) is in the partner pool.

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::directory::{named_recruitments, reindex_seekers, RecruitmentRow};
use super::model::{OrganizationRef, RecruitRequest, Recruitment};
use super::store::{self, RecruitmentRecord};
use crate::db::StoreError;
use crate::error::ApiError;

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

/// The recruitment as answers show it; `None` if its organisation or the seeker's profile is gone.
async fn named(conn: &mut AsyncPgConnection, record: RecruitmentRecord) -> Result<Option<RecruitmentRow>, StoreError> {
    Ok(named_recruitments(conn, vec![record]).await?.pop())
}

/// The organisation `org_id` (of which `member_id` is a member) reports that it recruited the candidate; pending
/// until the candidate confirms.
pub async fn recruit(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    member_id: Uuid,
    request: RecruitRequest,
) -> Result<Recruitment, ApiError> {
    // Only profiles the organisation may find can be reported, so ids cannot be probed for hidden seekers.
    let seeker =
        crate::seekers::seeker_by_candidate(conn, request.candidate_id, crate::seekers::Visibility::Searchable)
            .await?
            .ok_or_else(|| ApiError::invalid("candidate_id", "no searchable candidate has this id"))?;
    match store::insert_recruitment(conn, org_id, seeker.user_id, member_id).await {
        Err(StoreError::Conflict(_)) => Err(ApiError::Conflict(
            "already-recruited",
            "this organisation has already reported recruiting this candidate".to_owned(),
        )),
        other => to_recruitment(named(conn, other?).await?.ok_or(StoreError::NotFound)?),
    }
}

/// The recruitments reported about the seeker, newest first.
pub async fn mine(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<Vec<Recruitment>, ApiError> {
    let records = store::recruitments_of(conn, seeker_id).await?;
    named_recruitments(conn, records).await?.into_iter().map(to_recruitment).collect()
}

/// The seeker confirms a recruitment of their own; confirming twice changes nothing. The partner's profile is
/// re-indexed in the same transaction, as it may now be in the partner pool.
pub async fn confirm(conn: &mut AsyncPgConnection, seeker_id: Uuid, id: Uuid) -> Result<Recruitment, ApiError> {
    let row = conn
        .transaction::<_, StoreError, _>(|conn| {
            async move {
                if store::confirm_recruitment(conn, id, seeker_id).await? {
                    if let Some(partner_id) = store::partner_id_of(conn, seeker_id).await? {
                        reindex_seekers(conn, &[partner_id]).await?;
                    }
                }
                let Some(record) = store::recruitment(conn, id).await?.filter(|r| r.seeker_id == seeker_id) else {
                    return Ok(None);
                };
                named(conn, record).await
            }
            .scope_boxed()
        })
        .await?;
    to_recruitment(row.ok_or(ApiError::NotFound)?)
}
