//! Job alerts: saved searches and profile matches that mail seekers about fitting jobs, at once or in a daily or
//! weekly digest, never twice for the same job, and never lost to a crash or a mail server that is down.
//!
//! How it fits together: [`matcher`] consumes `index_outbox` (a second consumer beside the search indexer, with
//! its own position), finds the alerts each newly visible job satisfies through [`percolator`] and
//! `profile_skills`, and records each (alert, job) pair once in `alert_matches`, in the transaction that queues the
//! instant mails and moves its position. [`digest`] sends the pending pairs of daily and weekly alerts on a
//! schedule. [`commute`] adds the partner commute alerts of partner-pool members (jobs near the talent's employer,
//! in every sector), matched by distance beside the percolator. Mail goes through the mail outbox, so the mailer's retries cover a server that is down.
//!
//! Background work runs in [`AlertWorkers`]: `start` it beside the HTTP server, `shutdown` it when serving ends.

#[cfg(feature = "bench")]
pub mod bench;
pub mod commute;
pub mod criteria;
pub mod digest;
pub mod email;
pub mod manage;
pub mod matcher;
pub mod model;
pub mod percolator;
pub mod routes;
pub mod run;
pub mod stats;
pub mod store;
pub mod token;

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::db::StoreError;
use crate::mail::render::RenderError;
use crate::state::AppState;
use email::AlertMailer;
use matcher::Matcher;

/// Why matching or a digest failed; the workers log it and try again.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the saved-search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("alert {0} is stored in a form this version cannot read: {1}")]
    Corrupt(Uuid, String),
}

impl From<diesel::result::Error> for AlertError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Store(e.into())
    }
}

/// How the alert workers pace themselves.
#[derive(Clone, Debug)]
pub struct AlertSettings {
    /// How long the matcher sleeps when it has caught up with the outbox.
    pub poll: Duration,
    /// Whether to run the digest scheduler (tests that send digests themselves turn it off).
    pub scheduler: bool,
    /// How often the scheduler looks at the clock.
    pub schedule_check: Duration,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self { poll: Duration::from_millis(500), scheduler: true, schedule_check: Duration::from_secs(30) }
    }
}

/// The mailer of alert emails for this deployment: links under `PUBLIC_BASE_URL`, tokens signed with its
/// unsubscribe key.
pub fn mailer(state: &AppState) -> AlertMailer {
    AlertMailer::new(&state.config.public_base_url, state.secrets.unsubscribe_key())
}

/// The running matcher and digest scheduler.
pub struct AlertWorkers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl AlertWorkers {
    /// Starts the instant matcher and the digest scheduler on the current runtime.
    pub fn start(state: &AppState) -> Self {
        Self::start_with(state, AlertSettings::default())
    }

    pub fn start_with(state: &AppState, settings: AlertSettings) -> Self {
        let (stop, stopped) = watch::channel(false);
        let matcher = Matcher::new(state.pool.clone(), mailer(state), settings.poll, state.config.partner_commute_km);
        let mut tasks = vec![tokio::spawn(matcher.run(stopped.clone()))];
        if settings.scheduler {
            let scheduler = digest::run_scheduler(state.pool.clone(), mailer(state), settings.schedule_check, stopped);
            tasks.push(tokio::spawn(scheduler));
        }
        tracing::info!(scheduler = settings.scheduler, "alert workers started");
        Self { stop, tasks }
    }

    /// Stops both; a batch or digest in progress finishes its transaction first.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!("an alert worker ended abnormally: {e}");
            }
        }
        tracing::info!("alert workers stopped");
    }
}
