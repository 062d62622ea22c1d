//! What the index is built from and what searches are checked against, read through the owners' faces (seekers'
//! and jobs' views, partners' pool): profiles and jobs by id, as one stream or in keyset chunks, and who
//! agrees to be found right now. Names no table: search owns none.

use std::collections::HashSet;

use diesel_async::AsyncPgConnection;
use futures_util::{Stream, TryStreamExt};
use uuid::Uuid;

use super::document::{CandidateSource, JobSource};
use crate::db::StoreError;
use crate::seekers::{self, SeekerRef, SeekerView, Visibility};
use crate::{jobs, partners};

/// Profiles by candidate id, whether searchable or not (the caller decides what becomes a document).
pub async fn candidates_by_id(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<CandidateSource>, StoreError> {
    let views = seekers::profiles_by_candidate(conn, ids).await?;
    sources(conn, views).await
}

/// The profile of one seeker account, searchable or not.
pub async fn candidate_of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Option<CandidateSource>, StoreError> {
    let views: Vec<SeekerView> = seekers::profile_of_user(conn, user_id).await?.into_iter().collect();
    Ok(sources(conn, views).await?.pop())
}

/// Every profile that may belong in the index (searchable, or opted in to the partner pool), as one streaming
/// read for a rebuild, each with whether the seeker is in the partner pool now (asked once, before the stream).
pub async fn stream_visible_candidates(
    conn: &mut AsyncPgConnection,
) -> Result<impl Stream<Item = Result<CandidateSource, StoreError>> + Send + '_, StoreError> {
    let opted_in = seekers::every_seeker(conn, Visibility::PoolOptIn).await?;
    let users: Vec<Uuid> = opted_in.iter().map(|s| s.user_id).collect();
    let pool = partners::pool_members_among(conn, &users).await?;
    let views = seekers::stream_profiles(conn, Visibility::SearchableOrPoolOptIn).await?;
    Ok(views.map_ok(move |view| {
        let in_pool = pool.contains(&view.user_id);
        CandidateSource::of(view, in_pool)
    }))
}

/// Documents' sources for these profiles, with whether each seeker is in the partner pool now (one query).
async fn sources(conn: &mut AsyncPgConnection, views: Vec<SeekerView>) -> Result<Vec<CandidateSource>, StoreError> {
    if views.is_empty() {
        return Ok(Vec::new());
    }
    let user_ids: Vec<Uuid> = views.iter().map(|v| v.user_id).collect();
    // In the pool now: opted in, linked to a talent, and the talent's recruitment confirmed.
    let pool = partners::pool_members_among(conn, &user_ids).await?;
    Ok(views
        .into_iter()
        .map(|view| {
            let in_pool = pool.contains(&view.user_id);
            CandidateSource::of(view, in_pool)
        })
        .collect())
}

/// Jobs by id, whatever their status.
pub async fn jobs_by_id(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<JobSource>, StoreError> {
    Ok(jobs::load_jobs(conn, ids).await?.into_iter().map(JobSource::from).collect())
}

/// Up to `limit` published jobs after `after` in id order.
pub async fn published_jobs_after(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<JobSource>, StoreError> {
    Ok(jobs::published_after(conn, after, limit).await?.into_iter().map(JobSource::from).collect())
}

/// About how many documents a rebuild will write (for its progress): profiles that are searchable or opted in to
/// the partner pool, and published jobs.
pub async fn count_visible(conn: &mut AsyncPgConnection) -> Result<(i64, i64), StoreError> {
    let candidates = seekers::count_profiles(conn, Visibility::SearchableOrPoolOptIn).await?;
    let published = jobs::count_published(conn).await?;
    Ok((candidates, published))
}

/// Which of these candidates are searchable right now: results are checked against it, so that an opt-out
/// holds at once even before the index has caught up.
pub async fn searchable_among(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<HashSet<Uuid>, StoreError> {
    let found = seekers::seekers_among(conn, ids, Visibility::Searchable).await?;
    Ok(found.into_iter().map(|s| s.candidate_id).collect())
}

/// Which of these candidates are in the partner pool right now: pool searches are checked against it, as
/// ordinary searches are against [`searchable_among`].
pub async fn in_pool_among(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<HashSet<Uuid>, StoreError> {
    let opted_in = seekers::seekers_among(conn, ids, Visibility::PoolOptIn).await?;
    in_pool(conn, &opted_in).await
}

/// The candidate ids of those of `seekers` who are in the partner pool now (one query).
async fn in_pool(conn: &mut AsyncPgConnection, seekers: &[SeekerRef]) -> Result<HashSet<Uuid>, StoreError> {
    let users: Vec<Uuid> = seekers.iter().map(|s| s.user_id).collect();
    let pool = partners::pool_members_among(conn, &users).await?;
    Ok(seekers.iter().filter(|s| pool.contains(&s.user_id)).map(|s| s.candidate_id).collect())
}

/// Every candidate id the index must hold (searchable, or in the partner pool), for recovery checks.
pub async fn searchable_candidate_ids(conn: &mut AsyncPgConnection) -> Result<HashSet<Uuid>, StoreError> {
    let visible = seekers::every_seeker(conn, Visibility::SearchableOrPoolOptIn).await?;
    let (searchable, opted_in): (Vec<SeekerRef>, Vec<SeekerRef>) = visible.into_iter().partition(|s| s.searchable);
    let mut ids = in_pool(conn, &opted_in).await?;
    ids.extend(searchable.iter().map(|s| s.candidate_id));
    Ok(ids)
}
