//! Running an import: the input is split into ads and each ad prepared on a thread of its own, while the async
//! side writes the prepared chunks, one transaction each. A fault in the database stops the run; every chunk
//! written before it stays written, and running the same input again picks up where it stopped.

use std::sync::Arc;

use diesel_async::AsyncPgConnection;
use tokio::sync::mpsc;

use super::feed::{each_ad, FeedError};
use super::jobtech::Concepts;
use super::model::{Format, ImportSummary};
use super::prepare::{Item, Preparer};
use super::service::write_chunk;
use crate::db::{DbPool, StoreError};
use crate::extract::SkillExtractor;

/// Ads a transaction writes.
const CHUNK: usize = 500;
/// Prepared chunks waiting for the writer; the preparing thread waits when this many are queued.
const QUEUED_CHUNKS: usize = 2;

/// Ads written before the planner's statistics are first refreshed; then after four times as many, and so on
/// (a few sampling passes per import, whatever its size).
const FIRST_STATISTICS: usize = 2_000;

/// Keeps lookups by many keys on their indexes as an import grows the tables fast (see the functions called).
async fn refresh_statistics(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    crate::jobs::imported::refresh_statistics(conn).await?;
    super::store::refresh_statistics(conn).await
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Feed(#[from] FeedError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the thread preparing ads failed: {0}")]
    Worker(String),
    #[error("the skill extractor could not be built: {0}")]
    Extractor(#[from] crate::extract::BuildError),
}

/// What preparing ads needs from the taxonomy, loaded once: the skill extractor (every label of every skill) and
/// the JobTech concepts that name places and languages.
#[derive(Clone)]
pub struct Importer {
    preparer: Preparer,
}

impl Importer {
    /// Loads the taxonomy's labels and concepts and builds the extractor on a thread of its own.
    pub async fn load(conn: &mut AsyncPgConnection) -> Result<Self, ImportError> {
        let labels = crate::taxonomy::extraction_labels(conn).await?;
        let concepts: Concepts = crate::taxonomy::jobtech_concepts(conn)
            .await?
            .into_iter()
            .map(|(id, kind, label)| (id, (kind, label)))
            .collect();
        let extractor = tokio::task::spawn_blocking(move || SkillExtractor::new(labels))
            .await
            .map_err(|e| ImportError::Worker(e.to_string()))??;
        Ok(Self { preparer: Preparer::new(Arc::new(extractor), Arc::new(concepts)) })
    }

    /// Imports every ad in `input`; `progress` hears the number of ads written so far after each chunk.
    pub async fn import(
        &self,
        pool: &DbPool,
        format: Format,
        input: Vec<u8>,
        mut progress: impl FnMut(usize),
    ) -> Result<ImportSummary, ImportError> {
        let (sender, mut chunks) = mpsc::channel::<Vec<Item>>(QUEUED_CHUNKS);
        let preparer = self.preparer.clone();
        let reader = tokio::task::spawn_blocking(move || prepare_all(&preparer, format, &input, &sender));
        let mut summary = ImportSummary::default();
        let mut written = 0;
        let mut next_statistics = FIRST_STATISTICS;
        while let Some(chunk) = chunks.recv().await {
            let mut conn = pool.get().await.map_err(StoreError::from)?;
            summary.add(write_chunk(&mut conn, &chunk).await?);
            written += chunk.len();
            if written >= next_statistics {
                refresh_statistics(&mut conn).await?;
                next_statistics *= 4;
            }
            progress(written);
        }
        reader.await.map_err(|e| ImportError::Worker(e.to_string()))??;
        Ok(summary)
    }
}

/// Splits and prepares every ad, sending chunks to the writer; stops early if the writer has gone.
fn prepare_all(
    preparer: &Preparer,
    format: Format,
    input: &[u8],
    sender: &mpsc::Sender<Vec<Item>>,
) -> Result<(), FeedError> {
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut writer_gone = false;
    let read = each_ad(format, input, |position, value| {
        if writer_gone {
            return;
        }
        chunk.push(preparer.prepare(format, position, value));
        if chunk.len() == CHUNK {
            writer_gone = sender.blocking_send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_err();
        }
    });
    // The ads read before a fault in the input are imported all the same.
    if !chunk.is_empty() && !writer_gone {
        let _ = sender.blocking_send(chunk);
    }
    read
}
