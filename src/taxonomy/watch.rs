//! Keeps the in-memory taxonomy in step with the database: triggers on `skills`, `skill_labels` and `skill_links`
//! notify `taxonomy_changed` when a change commits (whoever makes it: a load, an operator, another node), and this
//! listener reloads the snapshot. After its connection is lost it reconnects and reloads, so nothing that changed
//! meanwhile is missed.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, NoTls};

use super::snapshot::LiveTaxonomy;
use crate::db::{self, DbPool};

/// The channel the migration's triggers notify.
const CHANNEL: &str = "taxonomy_changed";
const FIRST_RETRY: Duration = Duration::from_millis(500);
const LAST_RETRY: Duration = Duration::from_secs(30);

/// The running listener; dropping it stops it.
pub struct Watcher(JoinHandle<()>);

impl Drop for Watcher {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the listener.
pub fn spawn(database_url: String, pool: DbPool, live: LiveTaxonomy) -> Watcher {
    Watcher(tokio::spawn(async move {
        let mut retry = FIRST_RETRY;
        loop {
            match listen(&database_url).await {
                Ok(listening) => {
                    retry = FIRST_RETRY;
                    follow(listening, &pool, &live).await;
                }
                Err(e) => tracing::warn!(error = %e, url = %db::redact(&database_url),
                    "cannot listen for taxonomy changes; retrying"),
            }
            tokio::time::sleep(retry).await;
            retry = (retry * 2).min(LAST_RETRY);
        }
    }))
}

/// A connection listening on the channel.
struct Listening {
    /// Kept so that the connection stays open.
    _client: tokio_postgres::Client,
    /// Signalled once for any number of notifications since the last wait.
    changed: Arc<Notify>,
    /// Ends when the connection does.
    closed: JoinHandle<()>,
}

async fn listen(url: &str) -> Result<Listening, tokio_postgres::Error> {
    let (client, mut connection) = tokio_postgres::connect(url, NoTls).await?;
    let changed = Arc::new(Notify::new());
    let signal = changed.clone();
    let closed = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => signal.notify_one(),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "lost the connection that listens for taxonomy changes");
                    break;
                }
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    Ok(Listening { _client: client, changed, closed })
}

/// Reloads at once (changes may have come while nobody listened), then on every notification, until the
/// connection or a reload fails.
async fn follow(mut listening: Listening, pool: &DbPool, live: &LiveTaxonomy) {
    loop {
        if let Err(e) = reload(pool, live).await {
            tracing::warn!(error = %e, "could not reload the skills taxonomy; the previous one stays in use");
            return;
        }
        tokio::select! {
            _ = listening.changed.notified() => {}
            _ = &mut listening.closed => return,
        }
    }
}

async fn reload(pool: &DbPool, live: &LiveTaxonomy) -> Result<(), db::StoreError> {
    let mut conn = pool.get().await?;
    live.reload(&mut conn).await
}
