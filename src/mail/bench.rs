//! A hook for the mail benchmark: the same messages sent through lettre's pooled SMTP transport and through a new
//! connection per message, each timed, so that a benchmark can report emails per second for both.

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt, TryStreamExt};
use lettre::{AsyncTransport, Message};
use minijinja::context;
use uuid::Uuid;

use super::message::{self, InvalidSender, Sender};
use super::render::{self, RenderError};
use super::store::ClaimedMail;
use super::transport::{self, InvalidSmtpUrl, SendFailure};

/// How long each way took for the same number of messages.
#[derive(Clone, Debug)]
pub struct PoolingComparison {
    pub messages: usize,
    pub pooled: Duration,
    pub unpooled: Duration,
}

impl PoolingComparison {
    pub fn pooled_per_second(&self) -> f64 {
        per_second(self.messages, self.pooled)
    }

    pub fn unpooled_per_second(&self) -> f64 {
        per_second(self.messages, self.unpooled)
    }
}

fn per_second(messages: usize, took: Duration) -> f64 {
    messages as f64 / took.as_secs_f64().max(f64::EPSILON)
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Sender(#[from] InvalidSender),
    #[error(transparent)]
    Smtp(#[from] InvalidSmtpUrl),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("building a sample message: {0}")]
    Build(String),
    #[error("sending failed: {0:?}")]
    Send(SendFailure),
}

const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends `messages` notices to `recipient` through `smtp_url` twice, pooled then unpooled, `concurrency` at a time.
pub async fn compare_pooling(
    smtp_url: &str,
    mail_from: &str,
    recipient: &str,
    messages: usize,
    concurrency: usize,
) -> Result<PoolingComparison, BenchError> {
    let batch = sample_messages(mail_from, recipient, messages)?;
    let pooled = send_pooled(smtp_url, &batch, concurrency).await?;
    let unpooled = send_unpooled(smtp_url, &batch, concurrency).await?;
    Ok(PoolingComparison { messages, pooled, unpooled })
}

/// `count` copies of a small notice, each with its own Message-ID, as the workers would build them.
pub fn sample_messages(mail_from: &str, recipient: &str, count: usize) -> Result<Vec<Message>, BenchError> {
    let sender = Sender::parse(mail_from)?;
    let content = render::render(
        "notice",
        context! { title => "Tandem benchmark", name => "Benchmark", message => "One of many identical notices." },
    )?;
    (0..count)
        .map(|_| {
            let mail = ClaimedMail {
                id: Uuid::new_v4(),
                recipient: recipient.to_owned(),
                subject: content.subject.clone(),
                body_text: content.text.clone(),
                body_html: content.html.clone(),
                headers: serde_json::json!({}),
                attempts: 1,
                created_at: chrono::Utc::now(),
            };
            message::build(&sender, &mail).map_err(|e| BenchError::Build(e.to_string()))
        })
        .collect()
}

/// Through one pooled transport of `concurrency` connections, reused from message to message.
pub async fn send_pooled(smtp_url: &str, batch: &[Message], concurrency: usize) -> Result<Duration, BenchError> {
    let pool_size = u32::try_from(concurrency).unwrap_or(u32::MAX);
    let smtp = transport::smtp_transport(smtp_url, TIMEOUT, pool_size)?;
    let started = Instant::now();
    let result = stream::iter(batch.iter().map(Ok))
        .try_for_each_concurrent(concurrency.max(1), |message| async {
            transport::send_smtp(&smtp, message).await.map_err(BenchError::Send)
        })
        .await;
    let took = started.elapsed();
    smtp.shutdown().await;
    result.map(|()| took)
}

/// Each message over a connection of its own: connect, EHLO, send, QUIT, as a transport without a pool would.
pub async fn send_unpooled(smtp_url: &str, batch: &[Message], concurrency: usize) -> Result<Duration, BenchError> {
    let started = Instant::now();
    stream::iter(batch)
        .map(|message| async move {
            let smtp = transport::smtp_transport(smtp_url, TIMEOUT, 1)?;
            let sent = transport::send_smtp(&smtp, message).await.map_err(BenchError::Send);
            smtp.shutdown().await;
            sent
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect::<Vec<()>>()
        .await?;
    Ok(started.elapsed())
}
