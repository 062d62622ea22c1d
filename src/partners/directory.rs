//! What the partners feature offers other features (re-exported from `partners`), and how it joins its own rows
//! with what it reads of other features: accounts from `auth`, profiles from `seekers`, organisations from `orgs`.
//! Every function takes the caller's connection, so it runs inside the caller's transaction when there is one.

use std::collections::HashSet;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::store::{self, RecruitmentRecord};
use crate::auth::directory;
use crate::db::StoreError;
use crate::seekers::directory as profiles;
use crate::seekers::model::PartnerLink;
use crate::vocab::Place;

pub use super::store::{partner_id_of, wants_partner_alerts};

/// A seeker who has a profile: the account and the profile's public id.
#[derive(Clone, Debug)]
pub struct Seeker {
    pub user_id: Uuid,
    pub candidate_id: Uuid,
    pub email: String,
    pub display_name: String,
}

/// The seeker `user_id`, if they have a profile.
pub async fn seeker(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<Seeker>, StoreError> {
    let Some(candidate_id) = profiles::candidate_id_of(conn, user_id).await? else { return Ok(None) };
    let contact = directory::contact(conn, user_id).await?;
    Ok(contact.map(|c| Seeker { user_id, candidate_id, email: c.email, display_name: c.display_name }))
}

/// Queues the profiles of these seekers for re-indexing: their partner-pool membership may have changed.
pub async fn reindex_seekers(conn: &mut AsyncPgConnection, user_ids: &[Uuid]) -> Result<(), StoreError> {
    profiles::queue_for_index(conn, user_ids).await
}

/// What the seeker sees of their partner: the partner's candidate id and display name, nothing more.
pub async fn partner_of(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<Option<PartnerLink>, StoreError> {
    let Some(partner_id) = store::partner_id_of(conn, seeker_id).await? else { return Ok(None) };
    Ok(seeker(conn, partner_id)
        .await?
        .map(|p| PartnerLink { candidate_id: p.candidate_id, display_name: p.display_name }))
}

/// Which of `seeker_ids` (user ids) are in the partner pool now: they chose `in_partner_pool` and are linked to a
/// talent with a confirmed recruitment. What the search index's `partner_pool` field must say.
pub async fn pool_members_among(
    conn: &mut AsyncPgConnection,
    seeker_ids: &[Uuid],
) -> Result<HashSet<Uuid>, StoreError> {
    let linked = store::linked_to_recruited(conn, seeker_ids).await?;
    let opted_in = profiles::pool_opt_ins_among(conn, &linked).await?;
    Ok(linked.into_iter().filter(|id| opted_in.contains(id)).collect())
}

/// Whether the seeker `user_id` is in the partner pool now.
pub async fn is_in_pool(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<bool, StoreError> {
    Ok(pool_members_among(conn, &[user_id]).await?.contains(&user_id))
}

/// What must happen in the transaction that deletes an organisation (its recruitments go with it by cascade):
/// the partners of the seekers it recruited are re-indexed, as they may leave the partner pool.
pub async fn before_organization_closes(conn: &mut AsyncPgConnection, org_id: Uuid) -> Result<(), StoreError> {
    let mut partners = Vec::new();
    for seeker_id in store::recruited_by(conn, org_id).await? {
        partners.extend(store::partner_id_of(conn, seeker_id).await?);
    }
    reindex_seekers(conn, &partners).await
}

/// A recruitment with the names the answers show.
#[derive(Clone, Debug)]
pub struct RecruitmentRow {
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub status: super::model::RecruitmentStatus,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub candidate_id: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The recruitments with their organisations' names and their seekers' candidate ids, in the given order; those
/// whose organisation or profile is gone are left out.
pub async fn named_recruitments(
    conn: &mut AsyncPgConnection,
    records: Vec<RecruitmentRecord>,
) -> Result<Vec<RecruitmentRow>, StoreError> {
    let org_ids: Vec<Uuid> = records.iter().map(|r| r.organization_id).collect();
    let seeker_ids: Vec<Uuid> = records.iter().map(|r| r.seeker_id).collect();
    let organizations = crate::orgs::summaries(conn, &org_ids).await?;
    let candidates = profiles::candidate_ids(conn, &seeker_ids).await?;
    Ok(records
        .into_iter()
        .filter_map(|r| {
            let organization = organizations.get(&r.organization_id)?;
            let candidate_id = *candidates.get(&r.seeker_id)?;
            Some(RecruitmentRow {
                id: r.id,
                seeker_id: r.seeker_id,
                status: r.status,
                organization_id: r.organization_id,
                organization_name: organization.name.clone(),
                candidate_id,
                created_at: r.created_at,
                confirmed_at: r.confirmed_at,
            })
        })
        .collect())
}

/// A partner-pool member who wants partner commute alerts, and an employer that recruited their talent.
#[derive(Clone, Debug)]
pub struct CommuteOrigin {
    pub seeker_id: Uuid,
    pub organization_name: String,
    pub location: Place,
}

/// Every pool member who has not opted out of partner commute alerts, once per organisation that recruited (and
/// had confirmed) their talent, with that organisation's town.
pub async fn commute_origins(conn: &mut AsyncPgConnection) -> Result<Vec<CommuteOrigin>, StoreError> {
    let pairs = store::commute_pairs(conn).await?;
    let seekers: Vec<Uuid> = pairs.iter().map(|(seeker, _)| *seeker).collect();
    let org_ids: Vec<Uuid> = pairs.iter().map(|(_, org)| *org).collect();
    let in_pool = profiles::pool_opt_ins_among(conn, &seekers).await?;
    let organizations = crate::orgs::summaries(conn, &org_ids).await?;
    Ok(pairs
        .into_iter()
        .filter(|(seeker, _)| in_pool.contains(seeker))
        .filter_map(|(seeker_id, org_id)| {
            let organization = organizations.get(&org_id)?;
            Some(CommuteOrigin {
                seeker_id,
                organization_name: organization.name.clone(),
                location: organization.location.clone(),
            })
        })
        .collect())
}

/// Which of `seeker_ids` opted out of partner commute alerts.
pub async fn partner_alert_opt_outs_among(
    conn: &mut AsyncPgConnection,
    seeker_ids: &[Uuid],
) -> Result<HashSet<Uuid>, StoreError> {
    store::partner_alert_opt_outs_among(conn, seeker_ids).await
}

/// Records that the seeker wants no partner commute alerts, in the caller's transaction (which removes their
/// alert).
pub async fn record_partner_alert_opt_out(conn: &mut AsyncPgConnection, seeker_id: Uuid) -> Result<(), StoreError> {
    store::set_partner_alert_opt_out(conn, seeker_id, true).await
}
