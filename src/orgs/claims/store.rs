//! Queries for organisation claims and the claimed flag.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{ClaimStatus, OrganizationClaim};
use crate::db::StoreError;
use crate::schema::{organization_claims, organizations};

#[derive(Queryable, Selectable)]
#[diesel(table_name = organization_claims)]
struct ClaimRow {
    id: Uuid,
    organization_id: Uuid,
    requested_by: Uuid,
    status: ClaimStatus,
    requested_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

impl From<ClaimRow> for OrganizationClaim {
    fn from(r: ClaimRow) -> Self {
        OrganizationClaim {
            id: r.id,
            organization_id: r.organization_id,
            requested_by: r.requested_by,
            status: r.status,
            requested_at: r.requested_at,
            decided_at: r.decided_at,
        }
    }
}

/// Whether the organisation is claimed, locked until the transaction ends so that filing and approving claims of
/// one organisation take turns; `None` if it does not exist.
pub async fn lock_claimed(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<Option<bool>, StoreError> {
    Ok(organizations::table.find(org_id).select(organizations::claimed).for_update().first(conn).await.optional()?)
}

pub async fn pending_count(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<i64, StoreError> {
    Ok(organization_claims::table
        .filter(organization_claims::requested_by.eq(user_id))
        .filter(organization_claims::status.eq(ClaimStatus::Pending))
        .count()
        .get_result(conn)
        .await?)
}

/// Files a pending claim; a second pending one by the same employer is an `organization_claims_one_pending`
/// conflict.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<OrganizationClaim, StoreError> {
    let row = diesel::insert_into(organization_claims::table)
        .values((
            organization_claims::id.eq(Uuid::new_v4()),
            organization_claims::organization_id.eq(org_id),
            organization_claims::requested_by.eq(user_id),
        ))
        .returning(ClaimRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(row.into())
}

/// The organisation a claim is for, if the claim exists.
pub async fn organization_of(conn: &mut AsyncPgConnection, claim_id: Uuid) -> Result<Option<Uuid>, StoreError> {
    Ok(organization_claims::table
        .find(claim_id)
        .select(organization_claims::organization_id)
        .first(conn)
        .await
        .optional()?)
}

/// The claim, locked until the transaction ends.
pub async fn lock(conn: &mut AsyncPgConnection, claim_id: Uuid) -> Result<Option<OrganizationClaim>, StoreError> {
    let row = organization_claims::table
        .find(claim_id)
        .select(ClaimRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(OrganizationClaim::from))
}

/// Records an operator's decision on a pending claim.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    claim_id: Uuid,
    status: ClaimStatus,
    operator: Uuid,
) -> Result<OrganizationClaim, StoreError> {
    let row = diesel::update(organization_claims::table.find(claim_id))
        .set((
            organization_claims::status.eq(status),
            organization_claims::decided_at.eq(Utc::now()),
            organization_claims::decided_by.eq(operator),
        ))
        .returning(ClaimRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(row.into())
}

/// Declines every other pending claim of the organisation: it has its owner now.
pub async fn decline_others(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    approved: Uuid,
    operator: Uuid,
) -> Result<(), StoreError> {
    diesel::update(organization_claims::table)
        .filter(organization_claims::organization_id.eq(org_id))
        .filter(organization_claims::status.eq(ClaimStatus::Pending))
        .filter(organization_claims::id.ne(approved))
        .set((
            organization_claims::status.eq(ClaimStatus::Declined),
            organization_claims::decided_at.eq(Utc::now()),
            organization_claims::decided_by.eq(operator),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_claimed(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<(), StoreError> {
    diesel::update(organizations::table.find(org_id))
        .set((organizations::claimed.eq(true), organizations::updated_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    Ok(())
}

/// Where a page of pending claims ends: oldest first, so operators work through them in order.
pub type PendingPosition = (DateTime<Utc>, Uuid);

/// A pending claim with its organisation, before the claimant's name and address are looked up.
pub struct PendingRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub org_number: Option<String>,
    pub website: Option<String>,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
}

type PendingTuple = (Uuid, Uuid, String, Option<String>, Option<String>, Uuid, DateTime<Utc>);

/// Up to `limit + 1` pending claims after `after` (the extra one tells the caller there is more).
pub async fn pending(
    conn: &mut AsyncPgConnection,
    after: Option<PendingPosition>,
    limit: i64,
) -> Result<Vec<PendingRow>, StoreError> {
    let mut query = organization_claims::table
        .inner_join(organizations::table)
        .filter(organization_claims::status.eq(ClaimStatus::Pending))
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            organization_claims::requested_at
                .gt(at)
                .or(organization_claims::requested_at.eq(at).and(organization_claims::id.gt(id))),
        );
    }
    let rows: Vec<PendingTuple> = query
        .order((organization_claims::requested_at.asc(), organization_claims::id.asc()))
        .limit(limit + 1)
        .select((
            organization_claims::id,
            organizations::id,
            organizations::name,
            organizations::org_number,
            organizations::website,
            organization_claims::requested_by,
            organization_claims::requested_at,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, organization_id, organization_name, org_number, website, requested_by, requested_at)| PendingRow {
            id,
            organization_id,
            organization_name,
            org_number,
            website,
            requested_by,
            requested_at,
        })
        .collect())
}
