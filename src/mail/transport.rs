//! Where messages go: our pooled SMTP connections (`smtp_pool`) when `SMTP_URL` is set, otherwise one `.eml` file
//! per message in `MAIL_OUTBOX_DIR`. Also sorts failures into retry, refused recipient and refused message.
//!
//! `SMTP_URL` takes lettre's forms: `smtp://host:port` is plain SMTP, `smtp://host:port?tls=opportunistic`
//! upgrades with STARTTLS when the server offers it, `?tls=required` insists on STARTTLS, `smtps://` is TLS from the
//! first byte; `smtp://user:password@host` authenticates.

use std::error::Error as _;
use std::path::{Path, PathBuf};

use lettre::Message;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

pub use super::smtp_connect::SmtpError;
pub use super::smtp_pool::{SmtpPool, SmtpTimeouts};
use crate::config::Config;

/// How a send ended when it did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendFailure {
    /// Worth trying again: no connection, a timeout, a dropped line, or a 4xx reply.
    Transient(String),
    /// The server refused the recipient's address for good (a 5xx reply to RCPT).
    RecipientRefused(String),
    /// The server refused this message for good for another reason (its content, our sender...).
    Rejected(String),
}

#[derive(Debug, thiserror::Error)]
#[error("SMTP_URL is not usable: {0}")]
pub struct InvalidSmtpUrl(String);

pub enum MailTransport {
    Smtp(Box<SmtpPool>),
    Files(PathBuf),
}

impl MailTransport {
    /// SMTP with a pool of up to `pool_size` connections when `SMTP_URL` is set, else the file outbox.
    pub fn from_config(config: &Config, timeouts: SmtpTimeouts, pool_size: u32) -> Result<Self, InvalidSmtpUrl> {
        match &config.smtp_url {
            Some(url) => Ok(Self::Smtp(Box::new(smtp_pool(url, timeouts, pool_size)?))),
            None => Ok(Self::Files(config.mail_outbox_dir.clone())),
        }
    }

    /// Delivers one message; `id` names the file in the file outbox.
    pub async fn send(&self, id: Uuid, message: &Message) -> Result<(), SendFailure> {
        match self {
            Self::Smtp(smtp) => send_smtp(smtp, message).await,
            Self::Files(dir) => write_eml(dir, id, &message.formatted())
                .await
                .map_err(|e| SendFailure::Transient(format!("writing to the file outbox {}: {e}", dir.display()))),
        }
    }

    /// Closes the pooled connections politely (QUIT), waiting no longer than the connect timeout.
    pub async fn shutdown(&self) {
        if let Self::Smtp(smtp) = self {
            let _ = tokio::time::timeout(smtp.timeouts().connect, smtp.shutdown()).await;
        }
    }
}

/// Our pool of up to `pool_size` connections to `url`.
pub fn smtp_pool(url: &str, timeouts: SmtpTimeouts, pool_size: u32) -> Result<SmtpPool, InvalidSmtpUrl> {
    let size = usize::try_from(pool_size).unwrap_or(usize::MAX);
    SmtpPool::new(url, timeouts, size).map_err(InvalidSmtpUrl)
}

/// Sends `message` to its envelope's recipients through `smtp`, its failure sorted.
pub async fn send_smtp(smtp: &SmtpPool, message: &Message) -> Result<(), SendFailure> {
    let recipient = message.envelope().to().first().map(ToString::to_string).unwrap_or_default();
    smtp.send(message.envelope(), &message.formatted()).await.map_err(|e| match e {
        SmtpError::Smtp(e) => classify(&e, &recipient),
        other => SendFailure::Transient(without_addresses(&other.to_string())),
    })
}

fn classify(error: &lettre::transport::smtp::Error, recipient: &str) -> SendFailure {
    // SMTP replies often quote the address; the text is logged and stored beside the row, which names it already.
    let text = without_addresses(&error.to_string());
    if error.is_permanent() {
        let code = error.status().map(u16::from);
        let reply = error.source().map(ToString::to_string).unwrap_or_default();
        if refuses_recipient(code, &reply, recipient) {
            SendFailure::RecipientRefused(text)
        } else {
            SendFailure::Rejected(text)
        }
    } else if error.is_client() {
        // lettre itself will not send this message (e.g. 8-bit content to a server without 8BITMIME).
        SendFailure::Rejected(text)
    } else {
        SendFailure::Transient(text)
    }
}

/// `text` with every word that holds an email address replaced by `[address]`, so failures can be logged.
pub fn without_addresses(text: &str) -> String {
    text.split(' ').map(|word| if word.contains('@') { "[address]" } else { word }).collect::<Vec<_>>().join(" ")
}

/// Whether a permanent reply refuses the recipient's address rather than the sender or the message.
///
/// lettre does not say which command failed, so the reply itself decides. Its RFC 3463 enhanced status code does
/// when there is one (every mainstream server sends them): X.1.Y is about an address, X.1.7 and X.1.8 being the
/// sender's, X.1.0 either one; X.2.1 is a disabled mailbox. Without one, only 551 is specific to RCPT, and 550 or
/// 553 count when the reply names the recipient. Anything else fails the one message but leaves the address usable,
/// so a refused sender or a relay denial never marks recipients as bouncing.
fn refuses_recipient(code: Option<u16>, reply: &str, recipient: &str) -> bool {
    let names_recipient = !recipient.is_empty() && reply.to_lowercase().contains(&recipient.to_lowercase());
    match enhanced_status(reply) {
        Some((5, 1, 0)) => names_recipient,
        Some((5, 1, detail)) => !matches!(detail, 7 | 8),
        Some((5, 2, 1)) => true,
        Some(_) => false,
        None => code == Some(551) || (matches!(code, Some(550 | 553)) && names_recipient),
    }
}

/// The `class.subject.detail` code a reply text starts with, e.g. `5.1.1` in `5.1.1 <a@b>: User unknown`.
fn enhanced_status(reply: &str) -> Option<(u8, u16, u16)> {
    let mut parts = reply.split_whitespace().next()?.splitn(3, '.');
    let class = parts.next()?.parse().ok()?;
    let subject = parts.next()?.parse().ok()?;
    let detail = parts.next()?.parse().ok()?;
    Some((class, subject, detail))
}

/// Writes `{dir}/{id}.eml` whole or not at all: a temporary file, flushed to disk, renamed over any earlier one.
async fn write_eml(dir: &Path, id: Uuid, bytes: &[u8]) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    let temporary = dir.join(format!(".{id}.eml.tmp"));
    let mut file = tokio::fs::File::create(&temporary).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&temporary, dir.join(format!("{id}.eml"))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const TO: &str = "Bob@Example.org";

    #[test]
    fn enhanced_codes_decide_who_was_refused() {
        assert!(refuses_recipient(Some(550), "5.1.1 <bob@example.org>: Recipient address rejected", TO));
        assert_eq!(
            without_addresses("550 5.1.1 <bob@example.org>: Recipient address rejected"),
            "550 5.1.1 [address] Recipient address rejected"
        );
        assert!(refuses_recipient(Some(550), "5.1.1 User unknown", TO));
        assert!(refuses_recipient(Some(550), "5.2.1 Mailbox disabled", TO));
        assert!(refuses_recipient(Some(550), "5.1.0 <bob@example.org>: Address rejected", TO));
        assert!(!refuses_recipient(Some(550), "5.1.0 <no-reply@t.example>: Sender address rejected", TO));
        assert!(!refuses_recipient(Some(553), "5.1.8 Sender address rejected: Domain not found", TO));
        assert!(!refuses_recipient(Some(550), "5.7.1 <bob@example.org>: Relay access denied", TO));
        assert!(!refuses_recipient(Some(552), "5.2.2 Mailbox full", TO));
    }

    #[test]
    fn without_enhanced_codes_only_replies_about_the_recipient_count() {
        assert!(refuses_recipient(Some(551), "User not local", TO));
        assert!(refuses_recipient(Some(550), "No such user: bob@example.org", TO));
        assert!(!refuses_recipient(Some(550), "Sender not allowed", TO));
        assert!(!refuses_recipient(Some(554), "Message rejected as spam", TO));
    }

    #[tokio::test]
    async fn eml_files_are_named_by_id_and_overwritten_by_a_retry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let id = Uuid::new_v4();
        write_eml(dir.path(), id, b"first").await.expect("written");
        write_eml(dir.path(), id, b"second").await.expect("rewritten");
        let names: Vec<_> =
            std::fs::read_dir(dir.path()).expect("dir").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from(format!("{id}.eml"))]);
        assert_eq!(std::fs::read(dir.path().join(format!("{id}.eml"))).expect("read"), b"second");
    }
}
