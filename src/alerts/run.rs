//! `tandem alerts run --frequency daily|weekly`: queues the due digests now, then delivers them with mailer
//! workers of its own (beside any a running server has), waiting while delivery makes progress.

use std::time::Duration;

use uuid::Uuid;

use super::digest::{self, DigestReport};
use super::model::Frequency;
use crate::db::StoreError;
use crate::mail::worker::MailWorkers;
use crate::state::AppState;

/// How long delivery may make no progress before the command leaves the rest to the server's mailer.
const STALL: Duration = Duration::from_secs(60);

/// What the command did.
#[derive(Debug)]
pub struct RunReport {
    pub queued: DigestReport,
    /// Mails of this run still waiting when the command stopped waiting (the mail server is down, say).
    pub undelivered: usize,
}

pub async fn run(state: &AppState, frequency: Frequency) -> anyhow::Result<RunReport> {
    let queued = digest::send_due(&state.pool, &super::mailer(state), frequency).await?;
    if queued.mail_ids.is_empty() {
        return Ok(RunReport { queued, undelivered: 0 });
    }
    let workers = MailWorkers::start(state.pool.clone(), &state.config, 2)?;
    let undelivered = wait_for_delivery(state, &queued.mail_ids).await;
    workers.shutdown().await;
    Ok(RunReport { queued, undelivered: undelivered? })
}

async fn wait_for_delivery(state: &AppState, ids: &[Uuid]) -> Result<usize, StoreError> {
    let mut waiting = usize::MAX;
    let mut progressed = tokio::time::Instant::now();
    loop {
        let now_waiting = {
            let mut conn = state.pool.get().await?;
            crate::mail::pending_among(&mut conn, ids).await?
        };
        if now_waiting < waiting {
            waiting = now_waiting;
            progressed = tokio::time::Instant::now();
        }
        if waiting == 0 || progressed.elapsed() > STALL {
            return Ok(waiting);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
