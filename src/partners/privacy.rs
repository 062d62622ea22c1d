//! Partners' part of a privacy export and of erasing an account: the partner link, the invitations sent and
//! accepted, recruitments and referrals about the user, their settings, and the partner left behind.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::{OrganizationRef, Recruitment, Referral, ReferralPreferences};
use super::store::{self, ReferralRow};
use crate::db::StoreError;
use crate::error::ApiError;
use crate::schema::{partner_invitations, partner_links, referrals};

/// My partner link: who, and since when.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerRecord {
    pub candidate_id: Uuid,
    pub display_name: String,
    pub linked_at: DateTime<Utc>,
}

/// A partner invitation I sent (the token itself is only in the email, never stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct SentInvitation {
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A partner invitation I accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedInvitation {
    /// The display name of the seeker who invited me.
    pub inviter_name: String,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// What partners hold about one user.
pub struct PartnerData {
    pub partner: Option<PartnerRecord>,
    /// Newest first.
    pub invitations_sent: Vec<SentInvitation>,
    /// Most recently accepted first.
    pub invitations_accepted: Vec<AcceptedInvitation>,
    /// Recruitments organisations reported about the user, newest first.
    pub recruitments: Vec<Recruitment>,
    /// Referrals of the user between HR-network organisations, newest first.
    pub referrals: Vec<Referral>,
}

/// Everything partners hold about the user, but their settings (see [`settings`]).
pub async fn export(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<PartnerData, ApiError> {
    Ok(PartnerData {
        partner: partner_of(conn, user_id).await?,
        invitations_sent: invitations_sent(conn, user_id).await?,
        invitations_accepted: invitations_accepted(conn, user_id).await?,
        recruitments: super::recruits::mine(conn, user_id).await?,
        referrals: referrals_about(conn, user_id).await?,
    })
}

/// The seeker's referral and partner-alert settings; only a seeker with a profile has them.
pub async fn settings(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<ReferralPreferences, StoreError> {
    Ok(ReferralPreferences {
        accept_referrals: store::accepts_referrals(conn, seeker_id).await?,
        partner_job_alerts: store::wants_partner_alerts(conn, seeker_id).await?,
    })
}

/// Before the account goes (its link goes with it by cascade): the partner may leave the partner pool with the
/// link gone, so their search document is queued for rebuilding, in the caller's transaction.
pub async fn erase(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(), StoreError> {
    if let Some(partner) = super::partner_id_of(conn, user_id).await? {
        super::reindex_seekers(conn, &[partner]).await?;
    }
    Ok(())
}

/// My partner link, with the partner's candidate id and display name; none if the partner has no profile.
async fn partner_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<PartnerRecord>, StoreError> {
    let link: Option<(Uuid, DateTime<Utc>)> = partner_links::table
        .filter(partner_links::seeker_id.eq(user_id))
        .select((partner_links::partner_id, partner_links::linked_at))
        .first(conn)
        .await
        .optional()?;
    let Some((partner_id, linked_at)) = link else { return Ok(None) };
    let Some(candidate_id) = crate::seekers::privacy::candidate_id_of(conn, partner_id).await? else {
        return Ok(None);
    };
    let mut names = crate::auth::display_names(conn, &[partner_id]).await?;
    Ok(names.remove(&partner_id).map(|display_name| PartnerRecord { candidate_id, display_name, linked_at }))
}

/// email, created, expires, accepted, revoked.
type SentRow = (String, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

async fn invitations_sent(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<SentInvitation>, StoreError> {
    let rows: Vec<SentRow> = partner_invitations::table
        .filter(partner_invitations::inviter_id.eq(user_id))
        .order(partner_invitations::created_at.desc())
        .select((
            partner_invitations::email,
            partner_invitations::created_at,
            partner_invitations::expires_at,
            partner_invitations::accepted_at,
            partner_invitations::revoked_at,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(email, created_at, expires_at, accepted_at, revoked_at)| SentInvitation {
            email,
            created_at,
            expires_at,
            accepted_at,
            revoked_at,
        })
        .collect())
}

/// The invitations I accepted, with the inviter's display name (an inviter whose account is gone is left out).
async fn invitations_accepted(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<AcceptedInvitation>, StoreError> {
    let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = partner_invitations::table
        .filter(partner_invitations::accepted_by.eq(user_id))
        .order(partner_invitations::accepted_at.desc())
        .select((partner_invitations::inviter_id, partner_invitations::accepted_at))
        .load(conn)
        .await?;
    let inviters: Vec<Uuid> = rows.iter().map(|(inviter, _)| *inviter).collect();
    let names = crate::auth::display_names(conn, &inviters).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(inviter, accepted_at)| {
            names.get(&inviter).map(|name| AcceptedInvitation { inviter_name: name.clone(), accepted_at })
        })
        .collect())
}

/// Every referral about me, newest first.
async fn referrals_about(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<Referral>, StoreError> {
    let rows: Vec<ReferralRow> = referrals::table
        .filter(referrals::seeker_id.eq(user_id))
        .order((referrals::created_at.desc(), referrals::id.desc()))
        .select(ReferralRow::as_select())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Referral {
            id: r.id,
            from_organization: OrganizationRef { id: r.from_organization_id, name: r.from_organization_name },
            to_organization: OrganizationRef { id: r.to_organization_id, name: r.to_organization_name },
            note: r.note,
            created_at: r.created_at,
        })
        .collect())
}
