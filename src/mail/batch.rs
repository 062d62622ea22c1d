//! One worker's claimed batch: its mails sent several at a time (each recipient's in claim order, so that an
//! address refused for good is tried once), then every outcome recorded, the sent mails in one statement.

use futures_util::stream::{self, StreamExt};

use super::message::{self, Sender};
use super::store::{self, ClaimedMail};
use super::transport::{without_addresses, MailTransport, SendFailure};
use super::worker::WorkerSettings;
use crate::db::StoreError;
use diesel_async::AsyncPgConnection;

/// How sending one claimed mail ended, not yet recorded.
pub struct Attempt {
    mail: ClaimedMail,
    outcome: Result<(), SendFailure>,
}

/// Sends `claimed`, `concurrency` recipients at a time. A recipient refused for good is not offered the rest of
/// its mail in the batch: recording the refusal holds that mail.
pub async fn send_all(
    transport: &MailTransport,
    sender: &Sender,
    claimed: Vec<ClaimedMail>,
    concurrency: usize,
) -> Vec<Attempt> {
    let groups: Vec<Vec<Attempt>> = stream::iter(by_recipient(claimed))
        .map(|group| send_group(transport, sender, group))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    groups.into_iter().flatten().collect()
}

/// The mails grouped by recipient, compared without regard to case; each group keeps the claim order.
fn by_recipient(claimed: Vec<ClaimedMail>) -> Vec<Vec<ClaimedMail>> {
    let mut groups: Vec<Vec<ClaimedMail>> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for mail in claimed {
        let at = *index.entry(mail.recipient.to_lowercase()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[at].push(mail);
    }
    groups
}

async fn send_group(transport: &MailTransport, sender: &Sender, group: Vec<ClaimedMail>) -> Vec<Attempt> {
    let mut attempts = Vec::with_capacity(group.len());
    for mail in group {
        let outcome = send_one(transport, sender, &mail).await;
        let refused = matches!(outcome, Err(SendFailure::RecipientRefused(_)));
        attempts.push(Attempt { mail, outcome });
        if refused {
            break;
        }
    }
    attempts
}

async fn send_one(transport: &MailTransport, sender: &Sender, mail: &ClaimedMail) -> Result<(), SendFailure> {
    let outcome = match message::build(sender, mail) {
        Ok(message) => transport.send(mail.id, &message).await,
        Err(e) => Err(SendFailure::Rejected(without_addresses(&e.to_string()))),
    };
    if let Err(failure) = &outcome {
        crate::observability::mail_failed(failure);
    }
    outcome
}

/// Records every attempt: the sent mails first and together, since a bounce recorded after them holds its
/// recipient's pending mail, which must not include mail that was just sent.
pub async fn record(
    conn: &mut AsyncPgConnection,
    settings: &WorkerSettings,
    attempts: Vec<Attempt>,
) -> Result<(), StoreError> {
    let sent: Vec<uuid::Uuid> = attempts.iter().filter(|a| a.outcome.is_ok()).map(|a| a.mail.id).collect();
    store::mark_sent(conn, &sent).await?;
    tracing::debug!(sent = sent.len(), "mails sent");
    for Attempt { mail, outcome } in attempts {
        if let Err(failure) = outcome {
            record_failure(conn, settings, &mail, failure).await?;
        }
    }
    Ok(())
}

async fn record_failure(
    conn: &mut AsyncPgConnection,
    settings: &WorkerSettings,
    mail: &ClaimedMail,
    failure: SendFailure,
) -> Result<(), StoreError> {
    match failure {
        SendFailure::Transient(e) if settings.expired(mail.created_at) => {
            tracing::warn!(mail = %mail.id, attempts = mail.attempts, "giving up on a mail: {e}");
            let error = format!("gave up after {} attempts: {e}", mail.attempts);
            store::mark_failed(conn, mail.id, &error).await
        }
        SendFailure::Transient(e) => {
            let delay = settings.backoff(mail.attempts);
            tracing::info!(mail = %mail.id, attempts = mail.attempts, ?delay, "mail not sent, will retry: {e}");
            store::retry_later(conn, mail.id, delay, &e).await
        }
        SendFailure::RecipientRefused(e) => {
            tracing::warn!(mail = %mail.id, "recipient refused for good, address marked as bouncing: {e}");
            store::mark_bounced(conn, mail.id, &mail.recipient, &e).await
        }
        SendFailure::Rejected(e) => {
            tracing::warn!(mail = %mail.id, "mail refused for good: {e}");
            store::mark_failed(conn, mail.id, &e).await
        }
    }
}
