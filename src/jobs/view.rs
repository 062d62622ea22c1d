//! The read model other features use for jobs: whole [`JobView`]s in bulk, by id or as a keyset walk over the
//! published ones, and how many are published.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::JobStatus;
pub use super::model::JobView;
use super::store;
use crate::db::StoreError;
use crate::schema::jobs;

/// Whole views of the given jobs, in the order of `ids`, whatever their status (callers showing jobs filter on
/// it). Ids with no job are left out. A fixed number of queries whatever the number of ids.
pub async fn load_jobs(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<JobView>, StoreError> {
    store::load_jobs(conn, ids).await
}

/// Up to `limit` published jobs after `after` in id order: a keyset walk over every published job.
pub async fn published_after(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<JobView>, StoreError> {
    let mut query = jobs::table
        .filter(jobs::status.eq(JobStatus::Published.as_str()))
        .order(jobs::id)
        .limit(limit)
        .select(jobs::id)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(jobs::id.gt(after));
    }
    let ids: Vec<Uuid> = query.load(conn).await?;
    load_jobs(conn, &ids).await
}

/// How many jobs are published.
pub async fn count_published(conn: &mut AsyncPgConnection) -> Result<i64, StoreError> {
    Ok(jobs::table.filter(jobs::status.eq(JobStatus::Published.as_str())).count().get_result(conn).await?)
}
