//! Hooks for the mail benchmark: realistic alert digests rendered, queued and delivered by the mail workers with
//! their default settings ([`time_delivery`]); and the same messages sent through the SMTP pool and through a new
//! connection per message ([`compare_pooling`]), so that a benchmark can report emails per second for each.

use std::time::{Duration, Instant};

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncConnection;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use lettre::Message;
use minijinja::context;
use uuid::Uuid;

use super::message::{self, InvalidSender, Sender};
use super::render::{self, RenderError};
use super::store::{self, ClaimedMail, MailKind, NewMail};
use super::transport::{self, InvalidSmtpUrl, SendFailure, SmtpTimeouts};
use super::worker::{MailSetupError, MailWorkers};
use crate::config::Config;
use crate::db::{DbPool, StoreError};

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
    #[error(transparent)]
    Setup(#[from] MailSetupError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("rendering stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("{0} of the mails were not sent")]
    Unsent(usize),
}

const TIMEOUT: SmtpTimeouts = SmtpTimeouts { connect: Duration::from_secs(30), send: Duration::from_secs(30) };

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

/// Through one pool of `concurrency` connections, reused from message to message.
pub async fn send_pooled(smtp_url: &str, batch: &[Message], concurrency: usize) -> Result<Duration, BenchError> {
    let pool_size = u32::try_from(concurrency).unwrap_or(u32::MAX);
    let smtp = transport::smtp_pool(smtp_url, TIMEOUT, pool_size)?;
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
            let smtp = transport::smtp_pool(smtp_url, TIMEOUT, 1)?;
            let sent = transport::send_smtp(&smtp, message).await.map_err(BenchError::Send);
            smtp.shutdown().await;
            sent
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect::<Vec<()>>()
        .await?;
    Ok(started.elapsed())
}

/// Realistic digests rendered, queued and delivered, timed from the first render to the last mail recorded sent.
#[derive(Clone, Debug)]
pub struct DeliveryTiming {
    pub mails: usize,
    /// Mail workers (`MAIL_WORKERS`) and the sends each has in flight (the default settings).
    pub workers: usize,
    pub concurrency: usize,
    /// Rendering and queueing every mail; the workers were sending meanwhile.
    pub queued: Duration,
    pub total: Duration,
}

impl DeliveryTiming {
    /// Mails per second, rendering and queueing included.
    pub fn per_second(&self) -> f64 {
        per_second(self.mails, self.total)
    }
}

/// Mails are rendered and queued this many at a time, while the workers deliver the ones before.
const CHUNK: usize = 1_000;

/// Renders `mails` daily alert digests (ten jobs each) through the real templates, queues them in the outbox of
/// `pool`'s database a thousand to a transaction, and lets `config.mail_workers` mail workers with default
/// settings deliver them to `config.smtp_url`; returns once none is pending. The outbox must hold no other pending
/// mail: the workers would send it too.
pub async fn time_delivery(pool: &DbPool, config: &Config, mails: usize) -> Result<DeliveryTiming, BenchError> {
    let started = Instant::now();
    let mut workers = None;
    let (mut rendering, mut done) = (Some(render_chunk(0, mails)), 0);
    while let Some(chunk) = rendering.take() {
        let rendered = chunk.await??;
        done += rendered.len();
        // The next chunk renders while this one is written.
        rendering = (done < mails).then(|| render_chunk(done, mails));
        let mut conn = pool.get().await.map_err(StoreError::from)?;
        conn.transaction::<_, StoreError, _>(|conn| store::enqueue_many(conn, &rendered).scope_boxed()).await?;
        if workers.is_none() {
            workers = Some(MailWorkers::start(pool.clone(), config, config.mail_workers)?);
        }
    }
    let queued = started.elapsed();
    let unsent = loop {
        let mut conn = pool.get().await.map_err(StoreError::from)?;
        let unsent = super::stats::unsent_by_status(&mut conn).await?;
        let count = |status: &str| unsent.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n);
        if count("pending") == 0 {
            break count("failed") + count("held");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let total = started.elapsed();
    if let Some(workers) = workers {
        workers.shutdown().await;
    }
    if unsent > 0 {
        return Err(BenchError::Unsent(usize::try_from(unsent).unwrap_or(usize::MAX)));
    }
    let concurrency = super::worker::WorkerSettings::default().concurrency;
    Ok(DeliveryTiming { mails, workers: config.mail_workers, concurrency, queued, total })
}

/// Renders the chunk of digests from `first` on, on a thread of its own.
fn render_chunk(first: usize, mails: usize) -> tokio::task::JoinHandle<Result<Vec<NewMail>, RenderError>> {
    let count = CHUNK.min(mails - first);
    tokio::task::spawn_blocking(move || digests(first, count))
}

/// Daily digests `first..first + count`, each listing ten jobs (the mean of the 100k-seeker digest), every fourth
/// with more behind a link, as the alert mailer renders them.
fn digests(first: usize, count: usize) -> Result<Vec<NewMail>, RenderError> {
    const TITLES: [&str; 5] =
        ["Process engineer", "Cell therapy scientist", "Data engineer", "QA specialist", "Automation technician"];
    const PLACES: [(&str, &str); 3] = [("Göteborg", "SE"), ("Borås", "SE"), ("Oslo", "NO")];
    const LISTED: usize = 10;
    (first..first + count)
        .map(|n| {
            let more = if n % 4 == 0 { 12 } else { 0 };
            let jobs: Vec<_> = (0..LISTED)
                .map(|j| {
                    let (city, country) = PLACES[(n + j) % PLACES.len()];
                    context! {
                        title => TITLES[(n + j) % TITLES.len()], organization => format!("Employer {}", (n * 7 + j) % 500),
                        city, country, remote => if j % 2 == 0 { "hybrid" } else { "onsite" },
                        matched_skills => ["cell culture", "GMP"], url => format!("https://tandem.example/api/v1/jobs/{}", Uuid::new_v4()),
                    }
                })
                .collect();
            let unsubscribe = format!("https://tandem.example/api/v1/alerts/unsubscribe?token={}", Uuid::new_v4().simple());
            let content = render::render(
                "alert",
                context! {
                    name => format!("Seeker {n}"),
                    alert => context! { name => "Cells in West Sweden", kind => "search", frequency => "daily" },
                    jobs, total => LISTED + more, more, more_url => "https://tandem.example/api/v1/me/alerts/1/jobs",
                    manage_url => "https://tandem.example/api/v1/me/alerts", unsubscribe_url => &unsubscribe,
                },
            )?;
            Ok(NewMail::new(MailKind::Alert, format!("seeker-{n}@synthetic.invalid"), content)
                .with_header("List-Unsubscribe", format!("<{unsubscribe}>"))
                .with_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        })
        .collect()
}
