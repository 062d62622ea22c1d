//! Queries for partner invitations and links, recruitments, the partner pool, referrals, referral opt-outs and
//! partner commute alert opt-outs. Names, candidate ids and organisations come from their owners' faces (see
//! [`super::directory`]).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::RecruitmentStatus;
use crate::db::StoreError;
use crate::schema::{
    partner_alert_opt_outs, partner_invitations, partner_links, recruitments, referral_opt_outs, referrals,
};

#[derive(Insertable)]
#[diesel(table_name = partner_invitations)]
pub struct NewInvitation<'a> {
    pub id: Uuid,
    pub inviter_id: Uuid,
    pub email: &'a str,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_invitation(conn: &mut AsyncPgConnection, new: NewInvitation<'_>) -> Result<(), StoreError> {
    diesel::insert_into(partner_invitations::table).values(&new).execute(conn).await?;
    Ok(())
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = partner_invitations)]
pub struct InvitationRow {
    pub id: Uuid,
    pub inviter_id: Uuid,
    /// The invited address (normalised): only the account with this address may accept.
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl InvitationRow {
    /// Whether the invitation can still be accepted at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.accepted_at.is_none() && self.revoked_at.is_none() && self.expires_at > now
    }
}

/// The invitation whose token hashes to one of `hashes`.
pub async fn invitation_by_hash(
    conn: &mut AsyncPgConnection,
    hashes: &[Vec<u8>],
) -> Result<Option<InvitationRow>, StoreError> {
    Ok(partner_invitations::table
        .filter(partner_invitations::token_hash.eq_any(hashes))
        .select(InvitationRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Like [`invitation_by_hash`], but locks the row until the transaction ends, so a token is accepted only once.
pub async fn lock_invitation_by_hash(
    conn: &mut AsyncPgConnection,
    hashes: &[Vec<u8>],
) -> Result<Option<InvitationRow>, StoreError> {
    Ok(partner_invitations::table
        .filter(partner_invitations::token_hash.eq_any(hashes))
        .select(InvitationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// A pending invitation as its sender lists it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = partner_invitations)]
pub struct PendingRow {
    pub id: Uuid,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The inviter's invitations that can still be accepted at `now`, newest first.
pub async fn pending_invitations(
    conn: &mut AsyncPgConnection,
    inviter_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<PendingRow>, StoreError> {
    Ok(partner_invitations::table
        .filter(partner_invitations::inviter_id.eq(inviter_id))
        .filter(partner_invitations::accepted_at.is_null())
        .filter(partner_invitations::revoked_at.is_null())
        .filter(partner_invitations::expires_at.gt(now))
        .order((partner_invitations::created_at.desc(), partner_invitations::id.desc()))
        .select(PendingRow::as_select())
        .load(conn)
        .await?)
}

/// What revoking an invitation found.
pub enum Revocation {
    /// Revoked now, or earlier: its link answers 410 either way.
    Revoked,
    /// Already accepted: the two are linked, and unlinking is the way back.
    Accepted,
    /// No invitation of this inviter has this id.
    Unknown,
}

/// Revokes the inviter's invitation `id` unless it was accepted.
pub async fn revoke_invitation(
    conn: &mut AsyncPgConnection,
    inviter_id: Uuid,
    id: Uuid,
) -> Result<Revocation, StoreError> {
    let revoked = diesel::update(partner_invitations::table)
        .filter(partner_invitations::id.eq(id))
        .filter(partner_invitations::inviter_id.eq(inviter_id))
        .filter(partner_invitations::accepted_at.is_null())
        .filter(partner_invitations::revoked_at.is_null())
        .set(partner_invitations::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    if revoked > 0 {
        return Ok(Revocation::Revoked);
    }
    let found: Option<Option<DateTime<Utc>>> = partner_invitations::table
        .filter(partner_invitations::id.eq(id))
        .filter(partner_invitations::inviter_id.eq(inviter_id))
        .select(partner_invitations::accepted_at)
        .first(conn)
        .await
        .optional()?;
    Ok(match found {
        None => Revocation::Unknown,
        Some(Some(_)) => Revocation::Accepted,
        Some(None) => Revocation::Revoked,
    })
}

pub async fn mark_accepted(conn: &mut AsyncPgConnection, id: Uuid, accepted_by: Uuid) -> Result<(), StoreError> {
    diesel::update(partner_invitations::table.find(id))
        .set((partner_invitations::accepted_at.eq(diesel::dsl::now), partner_invitations::accepted_by.eq(accepted_by)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The partner's user id, if the seeker is linked.
pub async fn partner_id_of(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<Option<Uuid>, StoreError> {
    Ok(partner_links::table.find(seeker_id).select(partner_links::partner_id).first(conn).await.optional()?)
}

/// Links two seekers: one row from each side. Either already linked is a `partner_links_pkey` conflict.
pub async fn link(conn: &mut AsyncPgConnection, a: Uuid, b: Uuid) -> Result<(), StoreError> {
    diesel::insert_into(partner_links::table)
        .values(&vec![
            (partner_links::seeker_id.eq(a), partner_links::partner_id.eq(b)),
            (partner_links::seeker_id.eq(b), partner_links::partner_id.eq(a)),
        ])
        .execute(conn)
        .await?;
    Ok(())
}

/// Unlinks the seeker from their partner (the mirror row goes with it); returns the former partner.
pub async fn unlink(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<Option<Uuid>, StoreError> {
    Ok(diesel::delete(partner_links::table.find(seeker_id))
        .returning(partner_links::partner_id)
        .get_result(conn)
        .await
        .optional()?)
}

/// A recruitment as stored; the organisation's name and the seeker's candidate id come from their owners.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = recruitments)]
pub struct RecruitmentRecord {
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub status: RecruitmentStatus,
    pub organization_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// Records that `org_id` recruited `seeker_id`; a second report by the same organisation is a
/// `recruitments_one_per_organization` conflict.
pub async fn insert_recruitment(
    conn: &mut AsyncPgConnection,
    org_id: Uuid,
    seeker_id: Uuid,
    recruited_by: Uuid,
) -> Result<RecruitmentRecord, StoreError> {
    Ok(diesel::insert_into(recruitments::table)
        .values((
            recruitments::id.eq(Uuid::new_v4()),
            recruitments::organization_id.eq(org_id),
            recruitments::seeker_id.eq(seeker_id),
            recruitments::recruited_by.eq(recruited_by),
            recruitments::status.eq(RecruitmentStatus::Pending.as_str()),
        ))
        .returning(RecruitmentRecord::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn recruitment(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<RecruitmentRecord>, StoreError> {
    Ok(recruitments::table.find(id).select(RecruitmentRecord::as_select()).first(conn).await.optional()?)
}

/// Every recruitment reported about the seeker, newest first.
pub async fn recruitments_of(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
) -> Result<Vec<RecruitmentRecord>, StoreError> {
    Ok(recruitments::table
        .filter(recruitments::seeker_id.eq(seeker_id))
        .order((recruitments::created_at.desc(), recruitments::id.desc()))
        .select(RecruitmentRecord::as_select())
        .load(conn)
        .await?)
}

/// The seekers the organisation reported recruiting, confirmed or not.
pub async fn recruited_by(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(recruitments::table
        .filter(recruitments::organization_id.eq(org_id))
        .select(recruitments::seeker_id)
        .load(conn)
        .await?)
}

/// Confirms the seeker's own pending recruitment; `false` if there is no such pending recruitment.
pub async fn confirm_recruitment(conn: &mut AsyncPgConnection, id: Uuid, seeker_id: Uuid) -> Result<bool, StoreError> {
    let updated = diesel::update(
        recruitments::table
            .filter(recruitments::id.eq(id))
            .filter(recruitments::seeker_id.eq(seeker_id))
            .filter(recruitments::status.eq(RecruitmentStatus::Pending.as_str())),
    )
    .set((
        recruitments::status.eq(RecruitmentStatus::Confirmed.as_str()),
        recruitments::confirmed_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?;
    Ok(updated > 0)
}

/// Which of `seeker_ids` (user ids) are linked to a talent with a confirmed recruitment: the partners' half of
/// the partner pool rule (the other half is the seeker's own `in_partner_pool` choice).
pub async fn linked_to_recruited(conn: &mut AsyncPgConnection, seeker_ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    let recruited = recruitments::table
        .filter(recruitments::status.eq(RecruitmentStatus::Confirmed.as_str()))
        .select(recruitments::seeker_id);
    Ok(partner_links::table
        .filter(partner_links::seeker_id.eq_any(seeker_ids))
        .filter(partner_links::partner_id.eq_any(recruited))
        .select(partner_links::seeker_id)
        .load(conn)
        .await?)
}

#[derive(Insertable)]
#[diesel(table_name = referrals)]
pub struct NewReferral<'a> {
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub from_organization_id: Uuid,
    pub from_organization_name: &'a str,
    pub to_organization_id: Uuid,
    pub to_organization_name: &'a str,
    pub referred_by: Uuid,
    pub note: &'a str,
}

pub async fn insert_referral(conn: &mut AsyncPgConnection, new: NewReferral<'_>) -> Result<DateTime<Utc>, StoreError> {
    Ok(diesel::insert_into(referrals::table).values(&new).returning(referrals::created_at).get_result(conn).await?)
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = referrals)]
pub struct ReferralRow {
    pub id: Uuid,
    pub from_organization_id: Option<Uuid>,
    pub from_organization_name: String,
    pub to_organization_id: Option<Uuid>,
    pub to_organization_name: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// Where a page of referrals ends: newest first.
pub type ReferralPosition = (DateTime<Utc>, Uuid);

/// Up to `limit + 1` referrals about the seeker after `after`, newest first.
pub async fn referrals_of(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    after: Option<ReferralPosition>,
    limit: i64,
) -> Result<Vec<ReferralRow>, StoreError> {
    let mut query = referrals::table
        .filter(referrals::seeker_id.eq(seeker_id))
        .order((referrals::created_at.desc(), referrals::id.desc()))
        .select(ReferralRow::as_select())
        .limit(limit + 1)
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(referrals::created_at.lt(at).or(referrals::created_at.eq(at).and(referrals::id.lt(id))));
    }
    Ok(query.load(conn).await?)
}

pub async fn accepts_referrals(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<bool, StoreError> {
    let opted_out: bool =
        diesel::select(diesel::dsl::exists(referral_opt_outs::table.find(seeker_id))).get_result(conn).await?;
    Ok(!opted_out)
}

pub async fn set_accepts_referrals(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    accept: bool,
) -> Result<(), StoreError> {
    if accept {
        diesel::delete(referral_opt_outs::table.find(seeker_id)).execute(conn).await?;
    } else {
        diesel::insert_into(referral_opt_outs::table)
            .values(referral_opt_outs::seeker_id.eq(seeker_id))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Every (partner, recruiting organisation) pair behind partner commute alerts: a seeker linked to a talent whose
/// recruitment by the organisation is confirmed, unless the seeker opted out of the alerts. Whether the seeker is
/// in the pool (their own `in_partner_pool`) is the caller's to check.
pub async fn commute_pairs(conn: &mut AsyncPgConnection) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    Ok(partner_links::table
        .inner_join(recruitments::table.on(recruitments::seeker_id.eq(partner_links::partner_id)))
        .filter(recruitments::status.eq(RecruitmentStatus::Confirmed.as_str()))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            partner_alert_opt_outs::table.filter(partner_alert_opt_outs::seeker_id.eq(partner_links::seeker_id)),
        )))
        .select((partner_links::seeker_id, recruitments::organization_id))
        .load(conn)
        .await?)
}

/// Whether the seeker wants partner commute alerts (the default).
pub async fn wants_partner_alerts(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<bool, StoreError> {
    let opted_out: bool =
        diesel::select(diesel::dsl::exists(partner_alert_opt_outs::table.find(seeker_id))).get_result(conn).await?;
    Ok(!opted_out)
}

/// Which of `seeker_ids` opted out of partner commute alerts.
pub async fn partner_alert_opt_outs_among(
    conn: &mut AsyncPgConnection,
    seeker_ids: &[Uuid],
) -> Result<HashSet<Uuid>, StoreError> {
    if seeker_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<Uuid> = partner_alert_opt_outs::table
        .filter(partner_alert_opt_outs::seeker_id.eq_any(seeker_ids))
        .select(partner_alert_opt_outs::seeker_id)
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Records (or withdraws) the seeker's opt-out of partner commute alerts.
pub async fn set_partner_alert_opt_out(
    conn: &mut AsyncPgConnection,
    seeker_id: Uuid,
    opted_out: bool,
) -> Result<(), StoreError> {
    if opted_out {
        diesel::insert_into(partner_alert_opt_outs::table)
            .values(partner_alert_opt_outs::seeker_id.eq(seeker_id))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    } else {
        diesel::delete(partner_alert_opt_outs::table.find(seeker_id)).execute(conn).await?;
    }
    Ok(())
}
