//! Queries that gather a user's data for export and erase it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{AcceptedInvitation, EmailRecord, FailedLogin, PartnerRecord, SentInvitation, Session, ViewRecord};
use crate::db::StoreError;
use crate::outbox::{enqueue, Entity};
use crate::partners::model::{OrganizationRef, Referral};
use crate::partners::store::ReferralRow;
use crate::schema::{
    login_failures, mail_outbox, partner_invitations, partner_links, profile_views, referrals, refresh_tokens,
    seeker_profiles, users,
};

/// created, expires, used, revoked.
type SessionRow = (DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
/// kind, subject, status, created, sent.
type EmailRow = (String, String, String, DateTime<Utc>, Option<DateTime<Utc>>);

pub async fn views_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<ViewRecord>, StoreError> {
    let rows: Vec<(String, DateTime<Utc>)> = profile_views::table
        .filter(profile_views::seeker_id.eq(user_id))
        .order(profile_views::viewed_at.desc())
        .select((profile_views::organization_name, profile_views::viewed_at))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(organization_name, viewed_at)| ViewRecord { organization_name, viewed_at }).collect())
}

pub async fn sessions_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<Session>, StoreError> {
    let rows: Vec<SessionRow> = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id))
        .order(refresh_tokens::created_at.desc())
        .select((
            refresh_tokens::created_at,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(created_at, expires_at, used_at, revoked_at)| Session { created_at, expires_at, used_at, revoked_at })
        .collect())
}

pub async fn failed_logins_of(conn: &mut AsyncPgConnection, email: &str) -> Result<Vec<FailedLogin>, StoreError> {
    let rows: Vec<(String, DateTime<Utc>)> = login_failures::table
        .filter(login_failures::email.eq(email))
        .order(login_failures::failed_at.desc())
        .select((login_failures::client_addr, login_failures::failed_at))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(client_addr, failed_at)| FailedLogin { client_addr, failed_at }).collect())
}

pub async fn emails_to(conn: &mut AsyncPgConnection, email: &str) -> Result<Vec<EmailRecord>, StoreError> {
    let rows: Vec<EmailRow> = mail_outbox::table
        .filter(mail_outbox::recipient.eq(email))
        .order(mail_outbox::created_at.desc())
        .select((
            mail_outbox::kind,
            mail_outbox::subject,
            mail_outbox::status,
            mail_outbox::created_at,
            mail_outbox::sent_at,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, subject, status, created_at, sent_at)| EmailRecord { kind, subject, status, created_at, sent_at })
        .collect())
}

/// My partner link, with the partner's candidate id and display name.
pub async fn partner_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<PartnerRecord>, StoreError> {
    let row: Option<(Uuid, String, DateTime<Utc>)> = partner_links::table
        .inner_join(seeker_profiles::table.on(seeker_profiles::user_id.eq(partner_links::partner_id)))
        .inner_join(users::table.on(users::id.eq(partner_links::partner_id)))
        .filter(partner_links::seeker_id.eq(user_id))
        .select((seeker_profiles::candidate_id, users::display_name, partner_links::linked_at))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(candidate_id, display_name, linked_at)| PartnerRecord { candidate_id, display_name, linked_at }))
}

/// email, created, expires, accepted, revoked.
type SentRow = (String, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

pub async fn invitations_sent(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<SentInvitation>, StoreError> {
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

pub async fn invitations_accepted(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<AcceptedInvitation>, StoreError> {
    let rows: Vec<(String, Option<DateTime<Utc>>)> = partner_invitations::table
        .inner_join(users::table.on(users::id.eq(partner_invitations::inviter_id)))
        .filter(partner_invitations::accepted_by.eq(user_id))
        .order(partner_invitations::accepted_at.desc())
        .select((users::display_name, partner_invitations::accepted_at))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(inviter_name, accepted_at)| AcceptedInvitation { inviter_name, accepted_at }).collect())
}

/// Every referral about me, newest first.
pub async fn referrals_about(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<Referral>, StoreError> {
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

/// Erases the account: the user row (its profile, memberships, sessions and everything else that references it go
/// with it by cascade), failed logins under its email, every queued or sent email to it, and the search document,
/// through the index outbox. Run it inside the caller's transaction.
pub async fn erase(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(), StoreError> {
    let email: String = users::table.find(user_id).select(users::email).first(conn).await?;
    let candidate: Option<Uuid> =
        seeker_profiles::table.find(user_id).select(seeker_profiles::candidate_id).first(conn).await.optional()?;
    // The partner may leave the partner pool with this link gone: their document must be rebuilt too.
    if let Some(partner) = crate::partners::partner_id_of(conn, user_id).await? {
        crate::partners::reindex_seekers(conn, &[partner]).await?;
    }
    diesel::delete(users::table.find(user_id)).execute(conn).await?;
    diesel::delete(login_failures::table.filter(login_failures::email.eq(&email))).execute(conn).await?;
    crate::mail::store::erase_recipient(conn, &email).await?;
    if let Some(candidate_id) = candidate {
        enqueue(conn, Entity::Candidate, candidate_id).await?;
    }
    Ok(())
}
