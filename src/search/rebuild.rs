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
use super::document::Source;
use super::fields::Fields;
use super::store;
use crate::db::StoreError;
use crate::outbox;

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
    /// Of `elapsed`, the time spent reading PostgreSQL and building documents (the rest waited on tantivy).
    pub feeding: Duration,
}

impl Rebuilt {
    pub fn documents_per_second(&self) -> f64 {
        (self.candidates + self.jobs) as f64 / self.elapsed.as_secs_f64().max(1e-6)
    }

    /// How fast PostgreSQL fed the rebuild: documents per second of reading and building alone.
    pub fn feed_per_second(&self) -> f64 {
        (self.candidates + self.jobs) as f64 / self.feeding.as_secs_f64().max(1e-6)
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
    let generation = dir.new_generation()?;
    let index = dir::create(&generation)?;
    let threads = threads.max(1);
    let mut sink = Sink {
        writer: index.writer_with_num_threads(threads, threads * 64_000_000)?,
        fields: Fields::of(&index.schema())?,
        written: 0,
        expected: (candidate_total + job_total) as u64,
        feeding: Duration::ZERO,
    };
    let candidates = sink.write_all(conn, Kind::Candidates, stop, progress).await?;
    let jobs = sink.write_all(conn, Kind::Jobs, stop, progress).await?;
    let Sink { mut writer, feeding, .. } = sink;
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&position.to_string());
    commit.commit()?;
    writer.wait_merging_threads()?;
    Ok(Rebuilt { generation, index, position, candidates, jobs, elapsed: started.elapsed(), feeding })
}

#[derive(Clone, Copy)]
enum Kind {
    Candidates,
    Jobs,
}

/// The visible rows of one kind after `after`, in key order.
async fn next_chunk(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    after: Option<Uuid>,
) -> Result<Vec<Box<dyn Source>>, StoreError> {
    Ok(match kind {
        Kind::Candidates => boxed(store::searchable_candidates_after(conn, after, CHUNK).await?),
        Kind::Jobs => boxed(store::published_jobs_after(conn, after, CHUNK).await?),
    })
}

fn boxed<S: Source + 'static>(sources: Vec<S>) -> Vec<Box<dyn Source>> {
    sources.into_iter().map(|s| Box::new(s) as Box<dyn Source>).collect()
}

/// The writer of a rebuild and what it has done so far.
struct Sink {
    writer: IndexWriter,
    fields: Fields,
    written: u64,
    expected: u64,
    feeding: Duration,
}

impl Sink {
    /// Writes every visible row of one kind, chunk by chunk; returns how many.
    async fn write_all(
        &mut self,
        conn: &mut AsyncPgConnection,
        kind: Kind,
        stop: &AtomicBool,
        progress: Progress<'_>,
    ) -> Result<u64, RebuildError> {
        let before = self.written;
        let mut after = None;
        loop {
            check(stop)?;
            let fed = Instant::now();
            let chunk = next_chunk(conn, kind, after).await?;
            let Some(last) = chunk.last() else { break };
            after = Some(last.key());
            let docs: Vec<_> = chunk.iter().filter(|s| s.is_visible()).map(|s| s.document(&self.fields)).collect();
            self.feeding += fed.elapsed();
            for doc in docs {
                self.writer.add_document(doc)?;
                self.written += 1;
            }
            progress(self.written, self.expected);
        }
        Ok(self.written - before)
    }
}

/// Tantivy indexing threads for a rebuild: one per core, up to the eight tantivy allows.
pub fn indexing_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
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
        let rebuilt = rebuild(&mut conn, &dir, indexing_threads(), &AtomicBool::new(false), progress).await?;
        let search = super::SearchIndex::over(rebuilt.index.clone())?;
        search.load_vocabulary(&mut conn).await?;
        anyhow::Ok((rebuilt, search))
    })?;
    let (rebuilt, search) = rebuilt;
    dir.make_current(&rebuilt.generation)?;
    // A running server may still hold the generation it replaces; it removes that one itself when it switches.
    let keep: Vec<&std::path::Path> =
        [Some(rebuilt.generation.as_path()), previous.as_deref()].into_iter().flatten().collect();
    dir.remove_generations_except(&keep);
    search.set_applied(rebuilt.position);
    Ok(Reindexed { rebuilt, search })
}
