//! Job alerts: saved searches and profile matches that mail seekers about fitting jobs, at once or in a daily or
//! weekly digest, never twice for the same job, and never lost to a crash or a mail server that is down.
//!
//! How it fits together: [`matcher`] consumes `index_outbox` (a second consumer beside the search indexer, with
//! its own position), finds the alerts each newly visible job satisfies in its in-memory [`percolator`] (every
//! alert's criteria and its owner's profile skills as bitmaps, kept current from the same feed), and records each
//! (alert, job) pair once in `alert_matches`, in the transaction that queues the instant mails and moves its
//! position. [`digest`] sends the pending pairs of daily and weekly alerts on a
//! schedule. [`commute`] adds the partner commute alerts of partner-pool members (jobs near the talent's employer,
//! in every sector), matched by distance beside the percolator. Mail goes through the mail outbox, so the mailer's retries cover a server that is down.
//!
//! Background work runs in [`AlertWorkers`] (started and stopped with the others by `crate::workers`): the matcher
//! on a thread of its own, since its percolator's load and matching are CPU work, and the
//! digest scheduler as a task on the shared runtime (it only waits on PostgreSQL).

#[cfg(feature = "bench")]
pub mod bench;
pub mod commute;
pub mod criteria;
pub mod digest;
pub mod email;
pub mod matcher;
pub mod model;
pub mod percolator;
pub mod routes;
pub mod run;
pub mod service;
mod store;
pub mod token;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use diesel_async::AsyncPgConnection;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::db::StoreError;
use crate::mail::render::RenderError;
use crate::state::AppState;
use email::AlertMailer;
use matcher::Matcher;
pub use store::drop_partner_alert;

/// Why matching or a digest failed; the workers log it and try again.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error(transparent)]
    Store(#[from] StoreError),
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

/// How far the alert matcher has matched: every change up to this outbox position (for the backlog gauge).
pub async fn matched_position(conn: &mut AsyncPgConnection) -> Result<i64, StoreError> {
    matcher::CURSOR.get(conn).await
}

/// What the matcher thread is doing, as far as an operator or a test needs to see.
#[derive(Debug, Default)]
pub struct MatcherStatus {
    loading_since: Mutex<Option<Instant>>,
    loads: AtomicU64,
}

impl MatcherStatus {
    /// When the load of the saved searches into the percolator under way began; `None` if none is.
    pub fn loading_since(&self) -> Option<Instant> {
        *self.loading_since.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the matcher is loading the saved searches into its percolator right now.
    pub fn loading(&self) -> bool {
        self.loading_since().is_some()
    }

    /// How many percolator loads have finished.
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    fn set_loading(&self, loading: bool) {
        *self.loading_since.lock().unwrap_or_else(PoisonError::into_inner) = loading.then(Instant::now);
    }

    fn loaded(&self) {
        self.loads.fetch_add(1, Ordering::Relaxed);
    }
}

/// The running matcher and digest scheduler.
pub struct AlertWorkers {
    stop: watch::Sender<bool>,
    matcher: Option<std::thread::JoinHandle<()>>,
    scheduler: Option<JoinHandle<()>>,
    status: Arc<MatcherStatus>,
}

impl AlertWorkers {
    /// Starts the instant matcher (on its own thread) and the digest scheduler (on the current runtime).
    pub fn start(state: &AppState) -> Self {
        Self::start_with(state, AlertSettings::default())
    }

    pub fn start_with(state: &AppState, settings: AlertSettings) -> Self {
        let (stop, stopped) = watch::channel(false);
        let status = Arc::new(MatcherStatus::default());
        let matcher = Matcher::new(&state.config, mailer(state), settings.poll, status.clone(), state.taxonomy.clone());
        let matcher = matcher::spawn(matcher, stopped.clone())
            .inspect_err(
                |e| tracing::error!(error = %e, "the alert matcher cannot start its thread; no instant alerts"),
            )
            .ok();
        let scheduler = settings.scheduler.then(|| {
            tokio::spawn(digest::run_scheduler(state.pool.clone(), mailer(state), settings.schedule_check, stopped))
        });
        tracing::info!(scheduler = settings.scheduler, "alert workers started");
        Self { stop, matcher, scheduler, status }
    }

    /// What the matcher is doing.
    pub fn status(&self) -> Arc<MatcherStatus> {
        self.status.clone()
    }

    /// Stops both; a batch or digest in progress finishes its transaction first.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Some(scheduler) = self.scheduler {
            if let Err(e) = scheduler.await {
                tracing::error!("the digest scheduler ended abnormally: {e}");
            }
        }
        if let Some(matcher) = self.matcher {
            // Joining blocks until the matcher's batch is done: off the runtime, so other tasks go on meanwhile.
            let joined = tokio::task::spawn_blocking(move || matcher.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                tracing::error!("the alert matcher ended abnormally");
            }
        }
        tracing::info!("alert workers stopped");
    }
}
