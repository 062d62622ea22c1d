//! The mailer workers: each claims due outbox rows, sends them, and records the outcome; several may run at once,
//! in one process or many, because claiming skips rows another worker holds.
//!
//! A send that fails for a transient reason is retried with exponential backoff; a recipient refused for good
//! marks the address as bouncing. A crash between sending and recording may send a row twice; the receiver can tell,
//! since both copies carry the Message-ID made from the row id.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::message::{self, InvalidSender, Sender};
use super::store::{self, ClaimedMail};
use super::transport::{InvalidSmtpUrl, MailTransport, SendFailure, SmtpTimeouts};
use crate::config::Config;
use crate::db::{DbPool, StoreError};

/// How the workers pace themselves. The defaults suit production; tests shorten the delays.
#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// Rows one worker claims at a time.
    pub batch_size: i64,
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
            batch_size: 10,
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

    /// How long a claim keeps other workers off a row. A live worker renews the lease of its unsent rows before
    /// fewer than one and a half sends' worth of it remain, so a row is claimed again only once its worker is
    /// surely gone, and a crashed worker's mail waits at most about two send timeouts.
    fn lease(&self) -> Duration {
        self.smtp_send_timeout.saturating_mul(2)
    }

    /// Whether a lease taken at `since` must be renewed before the next send.
    fn lease_runs_low(&self, since: std::time::Instant) -> bool {
        since.elapsed() >= self.smtp_send_timeout / 2
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
        let pool_size = u32::try_from(workers).unwrap_or(u32::MAX);
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

/// How one attempt ended, as recorded.
enum Delivery {
    Sent,
    Retrying,
    Bounced,
    Failed,
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

    /// Claims and delivers one batch; returns how many rows it handled.
    async fn run_batch(&self) -> Result<usize, StoreError> {
        let claimed = {
            let mut conn = self.pool.get().await?;
            store::claim_due(&mut conn, self.settings.batch_size, self.settings.lease()).await?
        };
        let count = claimed.len();
        let mut leased_at = std::time::Instant::now();
        // Addresses refused during this batch: their other rows here were held by then and must not be tried.
        let mut bounced = HashSet::new();
        let unsent: Vec<uuid::Uuid> = claimed.iter().map(|m| m.id).collect();
        for (i, mail) in claimed.into_iter().enumerate() {
            let (id, recipient) = (mail.id, mail.recipient.to_lowercase());
            if bounced.contains(&recipient) {
                continue;
            }
            if self.settings.lease_runs_low(leased_at) {
                let mut conn = self.pool.get().await?;
                store::renew_lease(&mut conn, &unsent[i..], self.settings.lease()).await?;
                leased_at = std::time::Instant::now();
            }
            match self.deliver(mail).await {
                Ok(Delivery::Bounced) => {
                    bounced.insert(recipient);
                }
                Ok(_) => {}
                // The row keeps its lease and falls due again when it ends; it may then be sent a second time.
                Err(e) => tracing::error!(mail = %id, "cannot record the outcome of sending a mail: {e}"),
            }
        }
        Ok(count)
    }

    async fn deliver(&self, mail: ClaimedMail) -> Result<Delivery, StoreError> {
        let outcome = match message::build(&self.sender, &mail) {
            Ok(message) => self.transport.send(mail.id, &message).await,
            Err(e) => Err(SendFailure::Rejected(super::transport::without_addresses(&e.to_string()))),
        };
        if let Err(failure) = &outcome {
            crate::observability::mail_failed(failure);
        }
        // No database connection is held while talking to the SMTP server.
        let mut conn = self.pool.get().await?;
        match outcome {
            Ok(()) => {
                tracing::debug!(mail = %mail.id, attempts = mail.attempts, "mail sent");
                store::mark_sent(&mut conn, mail.id).await?;
                Ok(Delivery::Sent)
            }
            Err(SendFailure::Transient(e)) if self.expired(&mail) => {
                tracing::warn!(mail = %mail.id, attempts = mail.attempts, "giving up on a mail: {e}");
                let error = format!("gave up after {} attempts: {e}", mail.attempts);
                store::mark_failed(&mut conn, mail.id, &error).await?;
                Ok(Delivery::Failed)
            }
            Err(SendFailure::Transient(e)) => {
                let delay = self.settings.backoff(mail.attempts);
                tracing::info!(mail = %mail.id, attempts = mail.attempts, ?delay, "mail not sent, will retry: {e}");
                store::retry_later(&mut conn, mail.id, delay, &e).await?;
                Ok(Delivery::Retrying)
            }
            Err(SendFailure::RecipientRefused(e)) => {
                tracing::warn!(mail = %mail.id, "recipient refused for good, address marked as bouncing: {e}");
                store::mark_bounced(&mut conn, mail.id, &mail.recipient, &e).await?;
                Ok(Delivery::Bounced)
            }
            Err(SendFailure::Rejected(e)) => {
                tracing::warn!(mail = %mail.id, "mail refused for good: {e}");
                store::mark_failed(&mut conn, mail.id, &e).await?;
                Ok(Delivery::Failed)
            }
        }
    }

    fn expired(&self, mail: &ClaimedMail) -> bool {
        let age = chrono::Utc::now().signed_duration_since(mail.created_at);
        age.to_std().is_ok_and(|age| age >= self.settings.give_up_after)
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
        // Renewed before each send once half a send timeout has passed, a lease always outlasts the send.
        assert!(settings.lease() >= settings.smtp_send_timeout + settings.smtp_send_timeout / 2);
    }
}
