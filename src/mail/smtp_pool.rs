//! A bounded pool of SMTP connections, ours rather than lettre's: lettre's pool sends NOOP at every checkout and its
//! connector cannot be given `TCP_NODELAY` (see `smtp_connect`). Here a connection is checked with NOOP only after
//! it sat idle, and a send that overruns its deadline takes its connection down with it, so a connection left
//! mid-command never serves another send.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use tokio::sync::Semaphore;

use super::smtp_connect::{Endpoint, SmtpError};

/// How long SMTP may take. The connect timeout bounds opening the TCP connection; the send deadline bounds the
/// whole exchange (waiting for a connection, greeting, EHLO, MAIL, RCPT, DATA), so a server that stops answering
/// cannot stall a worker.
#[derive(Clone, Copy, Debug)]
pub struct SmtpTimeouts {
    pub connect: Duration,
    pub send: Duration,
}

/// A connection that sat idle this long is checked with NOOP before a send: servers close idle clients (RFC 5321
/// asks them to wait 5 minutes; some relays wait less), and the check costs a round trip only then.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(30);

pub struct SmtpPool {
    endpoint: Endpoint,
    timeouts: SmtpTimeouts,
    /// Connections waiting for a send, the most recently used last.
    idle: Mutex<Vec<Idle>>,
    /// One permit per send in progress: every open connection is idle or held by a send, so this bounds them too.
    sending: Semaphore,
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

impl SmtpPool {
    /// A pool of at most `size` connections (at least one) to `smtp_url`; none is opened before the first send.
    pub fn new(smtp_url: &str, timeouts: SmtpTimeouts, size: usize) -> Result<Self, String> {
        let endpoint = Endpoint::parse(smtp_url)?;
        Ok(Self { endpoint, timeouts, idle: Mutex::new(Vec::new()), sending: Semaphore::new(size.max(1)) })
    }

    pub fn timeouts(&self) -> SmtpTimeouts {
        self.timeouts
    }

    /// Sends `message` (the formatted bytes) to the envelope's recipients within the send deadline.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SmtpError> {
        // On the deadline the send's future is dropped, and the connection it holds is closed with it.
        tokio::time::timeout(self.timeouts.send, self.send_now(envelope, message))
            .await
            .unwrap_or(Err(SmtpError::Deadline(self.timeouts.send)))
    }

    async fn send_now(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SmtpError> {
        // The semaphore is never closed, so acquiring fails never; the permit lives as long as the `Result`.
        let _permit = self.sending.acquire().await;
        let (mut conn, reused) = self.checkout().await?;
        match conn.send(envelope, message).await {
            Err(e) if reused && closed_meanwhile(&e) => {
                // Most likely the server closed the pooled connection while it sat idle, so a fresh connection takes
                // the message. Should the line have dropped after the final dot instead, the message may arrive
                // twice, as it would after the worker's own retry.
                tracing::debug!("a pooled SMTP connection was closed by the server; sending on a new one");
                drop(conn);
                let mut fresh = self.endpoint.connect(self.timeouts.connect).await?;
                let sent = fresh.send(envelope, message).await;
                self.checkin(fresh);
                sent.map(drop).map_err(SmtpError::from)
            }
            sent => {
                self.checkin(conn);
                sent.map(drop).map_err(SmtpError::from)
            }
        }
    }

    /// An idle connection (checked with NOOP if it sat long) and `true`, or a new one and `false`.
    async fn checkout(&self) -> Result<(AsyncSmtpConnection, bool), SmtpError> {
        // The lock is taken and released in `pop_idle`, never held across the NOOP.
        while let Some(mut idle) = self.pop_idle() {
            if idle.since.elapsed() < CHECK_AFTER_IDLE || idle.conn.test_connected().await {
                return Ok((idle.conn, true));
            }
        }
        Ok((self.endpoint.connect(self.timeouts.connect).await?, false))
    }

    /// Back to the pool, unless lettre gave up on it (it does after any refused command).
    fn checkin(&self, conn: AsyncSmtpConnection) {
        if !conn.has_broken() {
            self.idle().push(Idle { conn, since: Instant::now() });
        }
    }

    fn pop_idle(&self) -> Option<Idle> {
        self.idle().pop()
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the idle connections politely (QUIT), all at once; the caller bounds how long it waits.
    pub async fn shutdown(&self) {
        let idle = std::mem::take(&mut *self.idle());
        futures_util::future::join_all(idle.into_iter().map(|mut idle| async move {
            let _ = idle.conn.quit().await;
        }))
        .await;
    }
}

/// Whether a failure says the connection was gone rather than anything about the message: the line dropped, the
/// stream ended, or the server said 421 (closing the channel).
fn closed_meanwhile(error: &lettre::transport::smtp::Error) -> bool {
    match error.status() {
        Some(code) => u16::from(code) == 421,
        None => !error.is_client() && !error.is_timeout(),
    }
}
