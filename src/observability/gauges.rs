//! Gauges read when `/metrics` is scraped, so they cost nothing between scrapes: how far the search index and the
//! alert matcher trail the index outbox, the unsent mail, and the database pool.

use metrics::gauge;

use super::{ALERT_MATCHER_LAG, DATABASE_UP, INDEX_APPLIED, INDEX_LAG, MAIL_OUTBOX, OUTBOX_HEAD, POOL_CONNECTIONS};
use crate::db::DbPool;
use crate::error::ApiError;
use crate::outbox;
use crate::state::AppState;

/// Sets every gauge from `state`. A database that does not answer is reported (`tandem_database_up 0`), not an
/// error: the request counts are most wanted exactly then.
pub async fn refresh(state: &AppState) {
    pool_gauges(&state.pool);
    let up = match database_gauges(state).await {
        Ok(()) => 1.0,
        Err(e) => {
            tracing::warn!("/metrics cannot read the database, its gauges keep their last values: {e}");
            0.0
        }
    };
    gauge!(DATABASE_UP).set(up);
}

fn pool_gauges(pool: &DbPool) {
    let status = pool.status();
    for (state, n) in
        [("max", status.max_size), ("open", status.size), ("available", status.available), ("waiting", status.waiting)]
    {
        gauge!(POOL_CONNECTIONS, "state" => state).set(n as f64);
    }
}

async fn database_gauges(state: &AppState) -> Result<(), ApiError> {
    let mut conn = state.conn().await?;
    // The highest committed change, not the last position handed out: a rolled-back change burns a position the
    // index can never apply, which would otherwise read as lag for ever.
    let head = outbox::head(&mut conn).await?;
    let applied = state.search.applied();
    gauge!(OUTBOX_HEAD).set(head as f64);
    gauge!(INDEX_APPLIED).set(applied as f64);
    gauge!(INDEX_LAG).set((head - applied).max(0) as f64);
    let matched = crate::alerts::matched_position(&mut conn).await?;
    gauge!(ALERT_MATCHER_LAG).set((head - matched).max(0) as f64);
    for (status, count) in crate::mail::stats::unsent_by_status(&mut conn).await? {
        gauge!(MAIL_OUTBOX, "status" => status).set(count as f64);
    }
    Ok(())
}
