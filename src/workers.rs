//! The background workers' one lifecycle: the search indexer, the taxonomy listener, the mailer, the alert
//! matcher and the digest scheduler start together from a [`WorkerPlan`] and drain together on shutdown, so that `serve` and the tests
//! start them the same way (through `crate::app::Application`).

use std::sync::Arc;
use std::time::Duration;

use crate::alerts::{AlertSettings, AlertWorkers, MatcherStatus};
use crate::config::Config;
use crate::mail::worker::MailWorkers;
use crate::search::Indexer;
use crate::state::AppState;
use crate::taxonomy;

/// How long start-up waits for the search index before serving anyway.
const INDEX_START_WAIT: Duration = Duration::from_secs(3);

/// Which workers to run beside the HTTP server. The indexer always runs: searches need it.
#[derive(Clone, Debug)]
pub struct WorkerPlan {
    /// Mailer workers; 0 queues mail without sending it.
    pub mail_workers: usize,
    /// The alert matcher and digest scheduler, paced so; `None` runs neither (tests that drive matching or
    /// digests themselves start them apart).
    pub alerts: Option<AlertSettings>,
}

impl WorkerPlan {
    /// What `serve` runs: `MAIL_WORKERS` mailers and the alert workers at their usual pace.
    pub fn from_config(config: &Config) -> Self {
        Self { mail_workers: config.mail_workers, alerts: Some(AlertSettings::default()) }
    }
}

/// The running workers. Stop them with [`Workers::shutdown`]; dropping this also asks each to stop, without
/// waiting for work in flight.
pub struct Workers {
    indexer: Indexer,
    /// Reloads the in-memory taxonomy when it changes.
    taxonomy: taxonomy::watch::Watcher,
    mail: MailWorkers,
    alerts: Option<AlertWorkers>,
}

impl Workers {
    /// Starts the workers of `plan`; waits a moment for the search index so a small one is ready when serving
    /// begins (a large rebuild goes on while search answers 503).
    pub async fn start(state: &AppState, plan: &WorkerPlan) -> anyhow::Result<Self> {
        let indexer = Indexer::start(&state.config.database_url, state.config.index_dir.clone(), state.search.clone())?;
        let taxonomy =
            taxonomy::watch::spawn(state.config.database_url.clone(), state.pool.clone(), state.taxonomy.clone());
        state.search.wait_available(INDEX_START_WAIT).await;
        let mail = MailWorkers::start(state.pool.clone(), &state.config, plan.mail_workers)?;
        let alerts = plan.alerts.clone().map(|settings| AlertWorkers::start_with(state, settings));
        Ok(Self { indexer, taxonomy, mail, alerts })
    }

    /// What the alert matcher is doing, if it runs.
    pub fn matcher_status(&self) -> Option<Arc<MatcherStatus>> {
        self.alerts.as_ref().map(AlertWorkers::status)
    }

    /// Drains every worker: the alert workers first (they queue mail), then the mailer (mail in flight is
    /// finished, not abandoned: its rows would otherwise wait for their lease to expire), then the indexer.
    pub async fn shutdown(self) {
        if let Some(alerts) = self.alerts {
            alerts.shutdown().await;
        }
        self.mail.shutdown().await;
        drop(self.taxonomy);
        let indexer = self.indexer;
        if tokio::task::spawn_blocking(move || indexer.stop()).await.is_err() {
            tracing::error!("the indexer did not stop cleanly");
        }
    }
}
