//! What other features may read of seeker profiles without naming their tables: candidate ids, partner-pool
//! opt-ins and skills by user id, a lock on a profile's row, and queueing profiles for the search index.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::StoreError;
use crate::outbox::{self, Entity};
use crate::schema::{profile_skills, seeker_profiles};

/// The public candidate id of each of `user_ids` that has a profile, by user id.
pub async fn candidate_ids(conn: &mut AsyncPgConnection, user_ids: &[Uuid]) -> Result<HashMap<Uuid, Uuid>, StoreError> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Uuid)> = seeker_profiles::table
        .filter(seeker_profiles::user_id.eq_any(user_ids))
        .select((seeker_profiles::user_id, seeker_profiles::candidate_id))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The seeker's candidate id; `None` if they have no profile.
pub async fn candidate_id_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<Uuid>, StoreError> {
    Ok(seeker_profiles::table.find(user_id).select(seeker_profiles::candidate_id).first(conn).await.optional()?)
}

/// Locks the seeker's profile row until the transaction ends; `NotFound` if they have no profile.
pub async fn lock_profile(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(), StoreError> {
    seeker_profiles::table.find(user_id).select(seeker_profiles::user_id).for_update().first::<Uuid>(conn).await?;
    Ok(())
}

/// Queues the profiles of these seekers for the search index, in the caller's transaction: something the index
/// shows of them (such as partner-pool membership) may have changed. Seekers without a profile are skipped.
pub async fn queue_for_index(conn: &mut AsyncPgConnection, user_ids: &[Uuid]) -> Result<(), StoreError> {
    let candidate_ids: Vec<Uuid> = seeker_profiles::table
        .filter(seeker_profiles::user_id.eq_any(user_ids))
        .select(seeker_profiles::candidate_id)
        .load(conn)
        .await?;
    for candidate_id in candidate_ids {
        outbox::enqueue(conn, Entity::Candidate, candidate_id).await?;
    }
    Ok(())
}

/// Which of `user_ids` have chosen `in_partner_pool` in their profile (whether they are in the pool also depends
/// on their partner's recruitments, which the partners feature knows).
pub async fn pool_opt_ins_among(conn: &mut AsyncPgConnection, user_ids: &[Uuid]) -> Result<HashSet<Uuid>, StoreError> {
    if user_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<Uuid> = seeker_profiles::table
        .filter(seeker_profiles::user_id.eq_any(user_ids))
        .filter(seeker_profiles::in_partner_pool.eq(true))
        .select(seeker_profiles::user_id)
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Every (seeker, skill id) pair of these seekers' profiles (skills outside the taxonomy have no id).
pub async fn skill_ids_of(conn: &mut AsyncPgConnection, user_ids: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, Option<String>)> = profile_skills::table
        .filter(profile_skills::seeker_id.eq_any(user_ids))
        .filter(profile_skills::skill_id.is_not_null())
        .select((profile_skills::seeker_id, profile_skills::skill_id))
        .load(conn)
        .await?;
    Ok(rows.into_iter().filter_map(|(seeker, skill)| skill.map(|s| (seeker, s))).collect())
}

/// The user ids of the profiles with these candidate ids (the change feed names profiles by candidate id).
pub async fn users_of_candidates(
    conn: &mut AsyncPgConnection,
    candidate_ids: &[Uuid],
) -> Result<Vec<Uuid>, StoreError> {
    if candidate_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(seeker_profiles::table
        .filter(seeker_profiles::candidate_id.eq_any(candidate_ids))
        .select(seeker_profiles::user_id)
        .load(conn)
        .await?)
}
