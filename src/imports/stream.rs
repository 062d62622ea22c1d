//! Following the Public Employment Service's JobStream: the ads changed since a time (new, edited and removed
//! ones), fetched from `JOBSTREAM_URL` and imported like a file. The feed's position moves only after every
//! ad up to it is written.

use chrono::{DateTime, Duration, Utc};

use super::model::{Format, ImportSummary};
use super::run::{ImportError, Importer};
use super::store;
use crate::db::{DbPool, StoreError};

/// The name the feed's position is kept under.
pub const FEED: &str = "jobstream";
/// A stream answer larger than this is refused rather than held in memory.
pub const MAX_STREAM_BYTES: usize = 1 << 30;
/// Where a first run without `--since` starts.
const FIRST_RUN_WINDOW: Duration = Duration::hours(24);

/// Why the stream could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("the JobStream at {url} did not answer: {reason}")]
    Fetch { url: String, reason: String },
    #[error("the JobStream answered {status} for {url}")]
    Status { url: String, status: u16 },
    #[error("the JobStream's answer is larger than {MAX_STREAM_BYTES} bytes")]
    TooLarge,
    #[error(transparent)]
    Import(#[from] ImportError),
}

impl From<StoreError> for StreamError {
    fn from(e: StoreError) -> Self {
        Self::Import(e.into())
    }
}

/// What a stream run did, and from when.
pub struct StreamRun {
    pub since: DateTime<Utc>,
    pub summary: ImportSummary,
}

/// Imports the ads changed since `since`, else since the last run, else over the last day, and records how far
/// it got.
pub async fn follow(
    pool: &DbPool,
    importer: &Importer,
    base_url: &str,
    since: Option<DateTime<Utc>>,
    progress: impl FnMut(usize),
) -> Result<StreamRun, StreamError> {
    let started = Utc::now();
    let since = match since {
        Some(at) => at,
        None => {
            let mut conn = pool.get().await.map_err(StoreError::from)?;
            store::feed_position(&mut conn, FEED).await?.unwrap_or(started - FIRST_RUN_WINDOW)
        }
    };
    let body = fetch(base_url, since).await?;
    let summary = importer.import(pool, Format::Jobtech, body, progress).await?;
    let mut conn = pool.get().await.map_err(StoreError::from)?;
    store::set_feed_position(&mut conn, FEED, started).await?;
    Ok(StreamRun { since, summary })
}

/// `GET {base}/v2/stream?date=…` (Swedish local time, as the API takes it), read up to [`MAX_STREAM_BYTES`].
async fn fetch(base_url: &str, since: DateTime<Utc>) -> Result<Vec<u8>, StreamError> {
    let local = since.with_timezone(&chrono_tz::Europe::Stockholm).format("%Y-%m-%dT%H:%M:%S");
    let url = format!("{}/v2/stream?date={local}", base_url.trim_end_matches('/'));
    let failed = |e: reqwest::Error| StreamError::Fetch { url: url.clone(), reason: e.to_string() };
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(600)).build().map_err(failed)?;
    let mut response = client.get(&url).header("accept", "application/json").send().await.map_err(failed)?;
    if !response.status().is_success() {
        return Err(StreamError::Status { url, status: response.status().as_u16() });
    }
    if response.content_length().is_some_and(|n| n as usize > MAX_STREAM_BYTES) {
        return Err(StreamError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(part) = response.chunk().await.map_err(failed)? {
        if body.len() + part.len() > MAX_STREAM_BYTES {
            return Err(StreamError::TooLarge);
        }
        body.extend_from_slice(&part);
    }
    Ok(body)
}
