//! Builds a whole index from PostgreSQL into a fresh generation: at start when the index is missing or damaged,
//! and for `tandem reindex`. Profiles and jobs are read in keyset chunks while tantivy's own threads index the
//! previous chunk.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel_async::AsyncPgConnection;
use tantivy::{Index, IndexWriter};
use uuid::Uuid;

use super::dir::{self, IndexDir};
use super::document::SkillLabels;
use super::fields::Fields;
use super::{outbox, store};
use crate::db::StoreError;

/// Rows read per query; large enough to amortise round trips, small enough to keep memory flat.
const CHUNK: i64 = 2_000;
/// The longest a rebuild waits for transactions that were writing when it began.
const SETTLE_LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("index directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("stopped before it finished")]
    Stopped,
}

/// A finished rebuild: the new generation (not yet current) and what it holds.
pub struct Rebuilt {
    pub generation: PathBuf,
    pub index: Index,
    /// Every outbox change up to here is reflected.
    pub position: i64,
    pub candidates: u64,
    pub jobs: u64,
    pub elapsed: Duration,
}

impl Rebuilt {
    pub fn documents_per_second(&self) -> f64 {
        (self.candidates + self.jobs) as f64 / self.elapsed.as_secs_f64().max(1e-6)
    }
}

/// Called with (documents written, documents expected) as the rebuild goes.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Writes every searchable profile and published job into a fresh generation of `dir`. Runs on a dedicated
/// thread's runtime: tantivy may block while its indexing threads catch up.
pub async fn rebuild(
    conn: &mut AsyncPgConnection,
    dir: &IndexDir,
    threads: usize,
    stop: &AtomicBool,
    progress: Progress<'_>,
) -> Result<Rebuilt, RebuildError> {
    let started = Instant::now();
    let position = settled_head(conn, stop).await?;
    let (candidate_total, job_total) = store::count_visible(conn).await?;
    let expected = (candidate_total + job_total) as u64;
    let generation = dir.new_generation()?;
    let index = dir::create(&generation)?;
    let fields = Fields::of(&index.schema())?;
    let mut writer: IndexWriter = index.writer_with_num_threads(threads.max(1), threads.max(1) * 64_000_000)?;
    let mut labels = SkillLabels::new();
    let mut written = 0u64;

    let mut after: Option<Uuid> = None;
    loop {
        check(stop)?;
        let chunk = store::searchable_candidates_after(conn, after, CHUNK).await?;
        let Some(last) = chunk.last() else { break };
        after = Some(last.candidate_id);
        let ids = chunk.iter().flat_map(|c| c.skills.iter().filter_map(|s| s.skill_id.clone()));
        add_missing_labels(conn, &mut labels, ids).await?;
        for candidate in chunk.iter().filter(|c| c.is_visible()) {
            writer.add_document(candidate.document(&fields, &labels))?;
            written += 1;
        }
        progress(written, expected);
    }
    let candidates = written;

    let mut after: Option<Uuid> = None;
    loop {
        check(stop)?;
        let chunk = store::published_jobs_after(conn, after, CHUNK).await?;
        let Some(last) = chunk.last() else { break };
        after = Some(last.id);
        let ids = chunk.iter().flat_map(|j| j.skills.iter().filter_map(|s| s.skill_id.clone()));
        add_missing_labels(conn, &mut labels, ids).await?;
        for job in chunk.iter().filter(|j| j.is_visible()) {
            writer.add_document(job.document(&fields, &labels))?;
            written += 1;
        }
        progress(written, expected);
    }

    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&position.to_string());
    commit.commit()?;
    writer.wait_merging_threads()?;
    Ok(Rebuilt { generation, index, position, candidates, jobs: written - candidates, elapsed: started.elapsed() })
}

fn check(stop: &AtomicBool) -> Result<(), RebuildError> {
    if stop.load(Ordering::Relaxed) {
        Err(RebuildError::Stopped)
    } else {
        Ok(())
    }
}

/// The outbox position a rebuild can claim: the highest committed change, once every transaction that might
/// still commit a lower one has ended (their changes are then visible to the reads that follow).
async fn settled_head(conn: &mut AsyncPgConnection, stop: &AtomicBool) -> Result<i64, RebuildError> {
    // In this order: a transaction holding a position below `head` had its id before `head` committed, so
    // below the `xmax` read afterwards.
    let head = outbox::head(conn).await?;
    let (_, xmax) = outbox::snapshot_bounds(conn).await?;
    let since = Instant::now();
    loop {
        let (xmin, _) = outbox::snapshot_bounds(conn).await?;
        if xmin >= xmax {
            return Ok(head);
        }
        if since.elapsed() > SETTLE_LIMIT {
            tracing::warn!("transactions older than the rebuild are still open; indexing from position {head} anyway");
            return Ok(head);
        }
        check(stop)?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn add_missing_labels(
    conn: &mut AsyncPgConnection,
    labels: &mut SkillLabels,
    ids: impl Iterator<Item = String>,
) -> Result<(), StoreError> {
    let mut missing: Vec<String> = ids.filter(|id| !labels.contains_key(id)).collect();
    missing.sort();
    missing.dedup();
    let found = store::skill_labels(conn, &missing).await?;
    for id in missing {
        labels.insert(id, Vec::new());
    }
    labels.extend(found);
    Ok(())
}

/// A rebuild made current, with a handle searching it.
pub struct Reindexed {
    pub rebuilt: Rebuilt,
    pub search: super::SearchIndex,
}

/// `tandem reindex`: rebuilds the index under `index_dir` from the database at `database_url` into a fresh
/// generation, then swaps it in (a running server switches to it on its next poll). Blocking: it runs its own
/// runtime, so call it from a plain or `spawn_blocking` thread.
pub fn reindex(database_url: &str, index_dir: &std::path::Path, progress: Progress<'_>) -> anyhow::Result<Reindexed> {
    use diesel_async::AsyncConnection;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let dir = IndexDir::new(index_dir);
    let previous = dir.current();
    let rebuilt = runtime.block_on(async {
        let mut conn = AsyncPgConnection::establish(database_url).await?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        anyhow::Ok(rebuild(&mut conn, &dir, threads, &AtomicBool::new(false), progress).await?)
    })?;
    dir.make_current(&rebuilt.generation)?;
    // A running server may still hold the generation it replaces; it removes that one itself when it switches.
    let keep: Vec<&std::path::Path> =
        [Some(rebuilt.generation.as_path()), previous.as_deref()].into_iter().flatten().collect();
    dir.remove_generations_except(&keep);
    let search = super::SearchIndex::over(rebuilt.index.clone())?;
    search.set_applied(rebuilt.position);
    Ok(Reindexed { rebuilt, search })
}
