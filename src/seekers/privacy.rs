//! Seekers' part of a privacy export and of erasing an account: the profile, who viewed it, and taking its
//! document out of the search index.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::Profile;
use crate::db::StoreError;
use crate::error::ApiError;
use crate::outbox::{enqueue, Entity};
use crate::schema::{profile_views, seeker_profiles};

#[derive(Debug, Serialize, ToSchema)]
pub struct ViewRecord {
    pub organization_name: String,
    pub viewed_at: DateTime<Utc>,
}

/// What seekers hold about one user.
pub struct SeekerData {
    /// `None` before the first save (and for employers and operators).
    pub profile: Option<Profile>,
    /// Who viewed the profile, newest first.
    pub profile_views: Vec<ViewRecord>,
}

/// The public id of the user's profile, if they have one.
pub async fn candidate_id_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<Uuid>, StoreError> {
    Ok(seeker_profiles::table.find(user_id).select(seeker_profiles::candidate_id).first(conn).await.optional()?)
}

/// Everything seekers hold about the user.
pub async fn export(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<SeekerData, ApiError> {
    let profile = match super::service::own(conn, user_id).await {
        Ok(p) => Some(p),
        Err(ApiError::NotFound) => None,
        Err(e) => return Err(e),
    };
    Ok(SeekerData { profile, profile_views: views_of(conn, user_id).await? })
}

async fn views_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<ViewRecord>, StoreError> {
    let rows: Vec<(String, DateTime<Utc>)> = profile_views::table
        .filter(profile_views::seeker_id.eq(user_id))
        .order(profile_views::viewed_at.desc())
        .select((profile_views::organization_name, profile_views::viewed_at))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(organization_name, viewed_at)| ViewRecord { organization_name, viewed_at }).collect())
}

/// Queues the user's search document for removal. The profile rows themselves go with the account by cascade, so
/// this runs before the account is deleted, in the same transaction: the indexer only sees the change once the
/// profile is gone.
pub async fn erase(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(), StoreError> {
    if let Some(candidate_id) = candidate_id_of(conn, user_id).await? {
        enqueue(conn, Entity::Candidate, candidate_id).await?;
    }
    Ok(())
}
