//! Builds a whole index from PostgreSQL into a fresh generation: at start when the index is missing or damaged,
//! and for `tandem reindex`. Profiles come in one streaming read and jobs in large keyset chunks; a builder
//! thread turns them into documents for tantivy's indexing threads, so reading, building and indexing overlap.
//! Segments are not merged while the rebuild writes them (see [`compact`]).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use diesel_async::AsyncPgConnection;
use futures_util::{Stream, TryStreamExt};
use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter};

use super::dir::{self, IndexDir};
use super::document::Source;
use super::fields::Fields;
use super::store;
use crate::db::StoreError;
use crate::outbox;

/// Sources handed to the builder at once: few enough hand-overs to cost nothing, small enough to keep memory flat.
const BATCH: usize = 1_000;
/// Batches waiting for the builder before the reader waits in turn.
const QUEUED_BATCHES: usize = 8;
/// Jobs read per keyset query (jobs are a few percent of the documents; they need no stream).
const JOB_CHUNK: i64 = 10_000;
/// Writer memory for a rebuild, shared by its indexing threads: segments are flushed only when a thread's share
/// is full, so a rebuild of a million profiles leaves a handful of large segments.
const WRITER_MEMORY: usize = 1 << 30;
/// More segments than this after a rebuild are merged into one (see [`compact`]).
const MAX_SEGMENTS: usize = 8;
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
    #[error("the document builder thread panicked")]
    Builder,
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
    /// Of `elapsed`, the time spent reading PostgreSQL (the rest the reader waited for the builder and tantivy).
    pub feeding: Duration,
}

impl Rebuilt {
    pub fn documents_per_second(&self) -> f64 {
        (self.candidates + self.jobs) as f64 / self.elapsed.as_secs_f64().max(1e-6)
    }

    /// How fast PostgreSQL fed the rebuild: documents per second of reading alone.
    pub fn feed_per_second(&self) -> f64 {
        (self.candidates + self.jobs) as f64 / self.feeding.as_secs_f64().max(1e-6)
    }
}

/// Called with (documents written, documents expected) as the rebuild goes.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Writes every searchable profile and published job into a fresh generation of `dir`. Runs on a dedicated
/// thread's runtime: handing documents over blocks while the builder and tantivy's threads catch up.
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
    let builder = Builder::start(&index, threads.max(1))?;
    let mut feed = Feed::new(builder, (candidate_total + job_total) as u64, stop, progress);
    let read = feed.read_all(conn).await;
    let Feed { builder, feeding, .. } = feed;
    // The builder's error first: a reader whose hand-over failed stopped because of it.
    let mut writer = builder.finish()?;
    let (candidates, jobs) = read?;
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&position.to_string());
    commit.commit()?;
    compact(&mut writer, &index)?;
    writer.wait_merging_threads()?;
    Ok(Rebuilt { generation, index, position, candidates, jobs, elapsed: started.elapsed(), feeding })
}

/// After the rebuild's commit: one merge of every segment when there are more than [`MAX_SEGMENTS`] (each
/// segment costs a search a little: its own term look-ups and collector pass), else none — merging a large
/// index rewrites all of it, which costs about as much as building it.
fn compact(writer: &mut IndexWriter, index: &Index) -> Result<(), RebuildError> {
    let segments = index.searchable_segment_ids()?;
    if segments.len() > MAX_SEGMENTS {
        writer.merge(&segments).wait()?;
    }
    Ok(())
}

/// What goes to the builder: profiles or jobs, each with what its document is built from.
type Batch = Vec<Box<dyn Source + Send>>;

/// The thread that builds documents and hands them to the writer's indexing threads.
struct Builder {
    batches: mpsc::SyncSender<Batch>,
    thread: JoinHandle<Result<IndexWriter, RebuildError>>,
}

impl Builder {
    fn start(index: &Index, threads: usize) -> Result<Self, RebuildError> {
        let writer: IndexWriter = index.writer_with_num_threads(threads, WRITER_MEMORY)?;
        // Merging while writing would rewrite the same postings several times over; see `compact`.
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let fields = Fields::of(&index.schema())?;
        let (batches, received) = mpsc::sync_channel::<Batch>(QUEUED_BATCHES);
        let thread =
            std::thread::Builder::new().name("index-rebuild".into()).spawn(move || build(writer, &fields, received))?;
        Ok(Self { batches, thread })
    }

    /// Hands a batch over, waiting while the builder is behind; false if it stopped (see [`Builder::finish`]).
    fn send(&self, batch: Batch) -> bool {
        self.batches.send(batch).is_ok()
    }

    /// Waits until every batch handed over is with the writer, and returns it.
    fn finish(self) -> Result<IndexWriter, RebuildError> {
        drop(self.batches);
        self.thread.join().map_err(|_| RebuildError::Builder)?
    }
}

fn build(writer: IndexWriter, fields: &Fields, batches: mpsc::Receiver<Batch>) -> Result<IndexWriter, RebuildError> {
    for batch in batches {
        for source in batch {
            writer.add_document(source.document(fields))?;
        }
    }
    Ok(writer)
}

/// The reading side of a rebuild: fills batches from PostgreSQL and hands them to the builder.
struct Feed<'a, 'p> {
    builder: Builder,
    batch: Batch,
    sent: u64,
    expected: u64,
    feeding: Duration,
    stop: &'a AtomicBool,
    progress: Progress<'p>,
}

impl<'a, 'p> Feed<'a, 'p> {
    fn new(builder: Builder, expected: u64, stop: &'a AtomicBool, progress: Progress<'p>) -> Self {
        Self { builder, batch: Vec::with_capacity(BATCH), sent: 0, expected, feeding: Duration::ZERO, stop, progress }
    }

    /// Reads every visible profile, then every published job; returns how many of each.
    async fn read_all(&mut self, conn: &mut AsyncPgConnection) -> Result<(u64, u64), RebuildError> {
        let candidates = self.read_stream(store::stream_visible_candidates(conn).await?).await?;
        let before = self.sent;
        let mut after = None;
        loop {
            let started = Instant::now();
            let chunk = store::published_jobs_after(conn, after, JOB_CHUNK).await?;
            self.feeding += started.elapsed();
            let Some(last) = chunk.last() else { break };
            after = Some(last.key());
            for job in chunk {
                self.push(Box::new(job))?;
            }
        }
        self.flush()?;
        Ok((candidates, self.sent - before))
    }

    /// Hands over every source of `stream`; returns how many were visible.
    async fn read_stream<S: Source + Send + 'static>(
        &mut self,
        stream: impl Stream<Item = Result<S, StoreError>>,
    ) -> Result<u64, RebuildError> {
        let before = self.sent;
        let mut stream = std::pin::pin!(stream);
        loop {
            let started = Instant::now();
            let next = stream.try_next().await?;
            self.feeding += started.elapsed();
            let Some(source) = next else { break };
            self.push(Box::new(source))?;
        }
        self.flush()?;
        Ok(self.sent - before)
    }

    fn push(&mut self, source: Box<dyn Source + Send>) -> Result<(), RebuildError> {
        if source.is_visible() {
            self.batch.push(source);
        }
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Hands the batch so far to the builder. A builder that stopped has its reason in `finish`, which the
    /// caller reaches on this error.
    fn flush(&mut self) -> Result<(), RebuildError> {
        check(self.stop)?;
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        let count = batch.len() as u64;
        if !self.builder.send(batch) {
            return Err(RebuildError::Builder);
        }
        self.sent += count;
        (self.progress)(self.sent, self.expected);
        Ok(())
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
        anyhow::Ok(rebuild(&mut conn, &dir, indexing_threads(), &AtomicBool::new(false), progress).await?)
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
