//! The mailer workers: each claims a batch of due outbox rows, sends several at a time over the shared SMTP pool,
//! and records the outcomes together; several may run at once, in one process or many, because claiming skips rows
//! another worker holds.
//!
//! A send that fails for a transient reason is retried with exponential backoff; a recipient refused for good
//! marks the address as bouncing. A crash between sending and recording may send a row twice (at most the batch
//! in flight); the receiver can tell, since both copies carry the Message-ID made from the row id.

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::batch::{self, Attempt};
use super::message::{InvalidSender, Sender};
use super::store::{self, ClaimedMail};
use super::transport::{InvalidSmtpUrl, MailTransport, SmtpTimeouts};
use crate::config::Config;
use crate::db::{DbPool, StoreError};

/// How the workers pace themselves. The defaults suit production; tests shorten the delays.
#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// Rows one worker claims at a time; their outcomes are recorded together once all are sent.
    pub batch_size: i64,
    /// Sends one worker has in flight at once, each on a connection of its own: the SMTP pool holds
    /// `workers × concurrency` connections.
    pub concurrency: usize,
    /// How long a worker that found nothing to do sleeps before looking again.
    pub idle_poll: Duration,
    /// The delay before the first retry; it doubles with each attempt, up to `max_retry`, give or take 20 %.
    pub first_retry: Duration,
    pub max_retry: Duration,
    /// A mail still failing this long after it was queued is given up (like an MTA's queue lifetime).
    pub give_up_after: Duration,
    /// Bounds opening a connection to the SMTP server.
    pub smtp_connect_timeout: Duration,
    /// Bounds one whole send, from taking a connection to the server's final reply.
    pub smtp_send_timeout: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            batch_size: 100,
            concurrency: 8,
            idle_poll: Duration::from_millis(200),
            first_retry: Duration::from_secs(5),
            max_retry: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(5 * 24 * 3600),
            smtp_connect_timeout: Duration::from_secs(10),
            smtp_send_timeout: Duration::from_secs(60),
        }
    }
}

impl WorkerSettings {
    /// The delay after the `attempts`-th failed attempt.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(30);
        let delay = self.first_retry.saturating_mul(1 << doublings).min(self.max_retry);
        delay.mul_f64(rand::thread_rng().gen_range(0.8..=1.2))
    }

    /// How long a claim keeps other workers off a row. A live worker renews the lease of its batch every half send
    /// timeout while it sends, so a row is claimed again only once its worker is surely gone, and a crashed
    /// worker's mail waits at most about two send timeouts.
    fn lease(&self) -> Duration {
        self.smtp_send_timeout.saturating_mul(2)
    }

    fn renew_every(&self) -> Duration {
        (self.smtp_send_timeout / 2).max(Duration::from_millis(1))
    }

    /// Whether a mail queued at `created_at` has waited longer than it may.
    pub(super) fn expired(&self, created_at: chrono::DateTime<chrono::Utc>) -> bool {
        let age = chrono::Utc::now().signed_duration_since(created_at);
        age.to_std().is_ok_and(|age| age >= self.give_up_after)
    }

    /// A worker whose database is unreachable waits this long, so it neither spins nor floods the log.
    fn error_pause(&self) -> Duration {
        self.idle_poll.max(Duration::from_secs(1))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error(transparent)]
    Sender(#[from] InvalidSender),
    #[error(transparent)]
    Smtp(#[from] InvalidSmtpUrl),
}

/// Running workers. Stop them with [`MailWorkers::shutdown`]; merely dropping this also stops them, but without
/// waiting for the mail in flight.
pub struct MailWorkers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    transport: Arc<MailTransport>,
}

impl MailWorkers {
    /// Starts `workers` workers sending through `config`'s transport; with 0, checks the configuration and starts
    /// none (for processes that only enqueue). Call it inside the Tokio runtime.
    pub fn start(pool: DbPool, config: &Config, workers: usize) -> Result<Self, MailSetupError> {
        let settings = WorkerSettings { smtp_send_timeout: config.smtp_timeout, ..WorkerSettings::default() };
        Self::start_with(pool, config, workers, settings)
    }

    pub fn start_with(
        pool: DbPool,
        config: &Config,
        workers: usize,
        settings: WorkerSettings,
    ) -> Result<Self, MailSetupError> {
        let sender = Sender::parse(&config.mail_from)?;
        let connections = workers.saturating_mul(settings.concurrency.max(1));
        let pool_size = u32::try_from(connections).unwrap_or(u32::MAX);
        let timeouts = SmtpTimeouts { connect: settings.smtp_connect_timeout, send: settings.smtp_send_timeout };
        let transport = Arc::new(MailTransport::from_config(config, timeouts, pool_size)?);
        let (stop, stopped) = watch::channel(false);
        let tasks = (0..workers)
            .map(|n| {
                let worker = Worker {
                    pool: pool.clone(),
                    transport: transport.clone(),
                    sender: sender.clone(),
                    settings: settings.clone(),
                };
                tokio::spawn(worker.run(n, stopped.clone()))
            })
            .collect();
        let destination =
            config.smtp_url.as_deref().map_or_else(|| config.mail_outbox_dir.display().to_string(), crate::db::redact);
        tracing::info!(workers, %destination, "mail workers started");
        Ok(Self { stop, tasks, transport })
    }

    /// Stops claiming, lets every worker finish the rows it holds (so nothing in flight is left half done), then
    /// closes the SMTP connections. Every send has a deadline, so this ends even if the SMTP server hangs.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!("a mail worker ended abnormally: {e}");
            }
        }
        self.transport.shutdown().await;
        tracing::info!("mail workers stopped");
    }
}

struct Worker {
    pool: DbPool,
    transport: Arc<MailTransport>,
    sender: Sender,
    settings: WorkerSettings,
}

impl Worker {
    async fn run(self, n: usize, mut stopped: watch::Receiver<bool>) {
        tracing::debug!(worker = n, "mail worker running");
        // `has_changed` fails once the MailWorkers is gone: that stops the worker too.
        while !*stopped.borrow() && stopped.has_changed().is_ok() {
            let pause = match self.run_batch().await {
                Ok(0) => self.settings.idle_poll,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(worker = n, "mail worker cannot reach the outbox: {e}");
                    self.settings.error_pause()
                }
            };
            tokio::select! {
                _ = stopped.changed() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Claims, delivers and records one batch; returns how many rows it handled.
    async fn run_batch(&self) -> Result<usize, StoreError> {
        let claimed = {
            let mut conn = self.pool.get().await?;
            store::claim_due(&mut conn, self.settings.batch_size, self.settings.lease()).await?
        };
        let count = claimed.len();
        if count > 0 {
            let ids: Vec<Uuid> = claimed.iter().map(|m| m.id).collect();
            let attempts = self.send_renewing(claimed, &ids).await?;
            // No database connection is held while talking to the SMTP server.
            let mut conn = self.pool.get().await?;
            batch::record(&mut conn, &self.settings, attempts).await?;
        }
        Ok(count)
    }

    /// Sends the batch, renewing its lease every half send timeout meanwhile.
    async fn send_renewing(&self, claimed: Vec<ClaimedMail>, ids: &[Uuid]) -> Result<Vec<Attempt>, StoreError> {
        let mut sending = pin!(batch::send_all(&self.transport, &self.sender, claimed, self.settings.concurrency));
        let every = self.settings.renew_every();
        let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tokio::select! {
                attempts = &mut sending => return Ok(attempts),
                _ = renew.tick() => {
                    // Should this fail, the batch is abandoned: its rows fall due again when their lease ends.
                    let mut conn = self.pool.get().await?;
                    store::renew_lease(&mut conn, ids, self.settings.lease()).await?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_the_cap() {
        let settings = WorkerSettings::default();
        for (attempts, base) in [(1, 5.0), (2, 10.0), (3, 20.0), (4, 40.0)] {
            let delay = settings.backoff(attempts).as_secs_f64();
            assert!((base * 0.8..=base * 1.2).contains(&delay), "attempt {attempts}: {delay}");
        }
        let capped = settings.backoff(1000).as_secs_f64();
        assert!((3600.0 * 0.8..=3600.0 * 1.2).contains(&capped), "{capped}");
    }

    #[test]
    fn a_lease_outlasts_a_send_with_room_to_renew() {
        let settings = WorkerSettings::default();
        // Renewed every half send timeout, a lease always outlasts the sends in flight.
        assert!(settings.lease() >= settings.renew_every() + settings.smtp_send_timeout);
    }
}
