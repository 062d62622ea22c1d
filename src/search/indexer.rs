//! The indexer: one named thread that owns the `IndexWriter`. It polls the outbox, reloads each touched
//! profile or job from PostgreSQL (so applying a change twice, or late, still leaves the current state), replaces
//! its document, commits with the outbox position as the commit payload, and reloads the shared reader.
//!
//! It reads the outbox through an [`outbox::Consumer`] (which keeps track of positions that commit out of order);
//! the position it stores, in each commit's payload, is the consumer's watermark.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use tantivy::{IndexWriter, Term};
use uuid::Uuid;

use super::dir::{self, IndexDir, OpenError};
use super::document::Source;
use super::index::Live;
use super::rebuild::{self, RebuildError};
use super::{store, SearchIndex};
use crate::db::StoreError;
use crate::outbox::{self, Batch, Consumer, Entity};

/// How often an idle indexer looks for work.
const POLL: Duration = Duration::from_millis(100);
/// How long to wait after a failure before trying again.
const BACKOFF: Duration = Duration::from_secs(1);
/// Outbox rows read and applied per commit at most.
const BATCH: i64 = 5_000;
/// The indexer's session as `pg_stat_activity` shows it.
const APPLICATION_NAME: &str = "SET application_name = 'tandem-indexer'";
/// Memory for the incremental writer: small, since it commits every few hundred milliseconds.
const WRITER_MEMORY: usize = 32_000_000;

/// The running indexer. Dropping it asks the thread to stop; `stop` also waits for it.
pub struct Indexer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Indexer {
    /// Starts the indexer thread for the index in `index_dir`, fed from the database at `database_url`.
    pub fn start(database_url: &str, index_dir: PathBuf, search: SearchIndex) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let worker =
            Worker { database_url: database_url.to_owned(), dir: IndexDir::new(index_dir), search, stop: stop.clone() };
        let thread = std::thread::Builder::new().name("indexer".to_owned()).spawn(move || worker.run())?;
        Ok(Self { stop, thread: Some(thread) })
    }

    /// Commits what has been applied and stops; blocks until the thread has ended.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the indexer thread panicked");
            }
        }
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Why a step failed: the database connection or the index is then reopened.
#[derive(Debug, thiserror::Error)]
enum Trouble {
    #[error("database: {0}")]
    Database(String),
    #[error("index: {0}")]
    Index(String),
    #[error(transparent)]
    Busy(OpenError),
    #[error("stopping")]
    Stopped,
}

impl From<StoreError> for Trouble {
    fn from(e: StoreError) -> Self {
        Self::Database(e.to_string())
    }
}

impl From<tantivy::TantivyError> for Trouble {
    fn from(e: tantivy::TantivyError) -> Self {
        Self::Index(e.to_string())
    }
}

impl From<RebuildError> for Trouble {
    fn from(e: RebuildError) -> Self {
        match e {
            RebuildError::Store(e) => e.into(),
            RebuildError::Stopped => Self::Stopped,
            other => Self::Index(other.to_string()),
        }
    }
}

/// The index as the indexer holds it: the writer, and the reader searches use.
struct Open {
    generation: PathBuf,
    writer: IndexWriter,
    live: Arc<Live>,
    feed: Consumer,
}

struct Worker {
    database_url: String,
    dir: IndexDir,
    search: SearchIndex,
    stop: Arc<AtomicBool>,
}

impl Worker {
    fn run(self) {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                tracing::error!(error = %e, "the indexer cannot start its runtime; search stays unavailable");
                return;
            }
        };
        runtime.block_on(self.run_until_stopped());
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    async fn run_until_stopped(&self) {
        let mut conn: Option<AsyncPgConnection> = None;
        let mut open: Option<Open> = None;
        while !self.stopping() {
            match self.step(&mut conn, &mut open).await {
                Ok(true) => {}
                Ok(false) => tokio::time::sleep(POLL).await,
                Err(Trouble::Stopped) => break,
                Err(trouble) => {
                    tracing::warn!(error = %trouble, "indexer: will retry");
                    match trouble {
                        Trouble::Database(_) => conn = None,
                        _ => open = None,
                    }
                    self.pause(BACKOFF).await;
                }
            }
        }
        // Everything applied was committed with its batch; dropping the writer releases the lock.
        drop(open);
    }

    /// Sleeps, waking early to stop.
    async fn pause(&self, duration: Duration) {
        let until = Instant::now() + duration;
        while !self.stopping() && Instant::now() < until {
            tokio::time::sleep(POLL).await;
        }
    }

    /// One round: make sure the index is open and current, then apply one batch. True if there may be more.
    async fn step(&self, conn: &mut Option<AsyncPgConnection>, open: &mut Option<Open>) -> Result<bool, Trouble> {
        if conn.is_none() {
            let mut fresh =
                AsyncPgConnection::establish(&self.database_url).await.map_err(|e| Trouble::Database(e.to_string()))?;
            // Named, so an operator (or a test) can tell the indexer's session from the pool's.
            fresh.batch_execute(APPLICATION_NAME).await.map_err(|e| Trouble::Database(e.to_string()))?;
            *conn = Some(fresh);
        }
        let Some(conn) = conn.as_mut() else { return Ok(false) };
        let current = self.dir.current();
        if open.as_ref().is_none_or(|o| Some(&o.generation) != current.as_ref()) {
            let replaced = open.take().map(|o| o.generation);
            *open = Some(self.open_or_rebuild(conn).await?);
            if let (Some(old), Some(new)) = (replaced, open.as_ref()) {
                if old != new.generation {
                    tracing::info!(generation = %new.generation.display(), "switched to a rebuilt index");
                    self.dir.remove_generations_except(&[&new.generation]);
                }
            }
        }
        let Some(open) = open.as_mut() else { return Ok(false) };
        self.apply_batch(conn, open).await
    }

    /// Opens the current generation, or rebuilds it from PostgreSQL if it is missing, damaged, or claims
    /// changes this database never made. Searches answer "unavailable" meanwhile.
    async fn open_or_rebuild(&self, conn: &mut AsyncPgConnection) -> Result<Open, Trouble> {
        match self.open_current(conn).await {
            Ok(open) => return Ok(open),
            Err(Trouble::Index(reason)) => tracing::warn!(%reason, "the search index cannot be used; rebuilding it"),
            Err(other) => return Err(other),
        }
        self.search.publish(None);
        let mut logged = Instant::now();
        let mut report = |done: u64, total: u64| {
            if logged.elapsed() > Duration::from_secs(5) {
                tracing::info!(done, total, "rebuilding the search index");
                logged = Instant::now();
            }
        };
        let rebuilt = rebuild::rebuild(conn, &self.dir, rebuild::indexing_threads(), &self.stop, &mut report).await?;
        tracing::info!(
            candidates = rebuilt.candidates,
            jobs = rebuilt.jobs,
            per_second = rebuilt.documents_per_second() as u64,
            fed_per_second = rebuilt.feed_per_second() as u64,
            "rebuilt the search index"
        );
        self.dir.make_current(&rebuilt.generation).map_err(|e| Trouble::Index(e.to_string()))?;
        self.dir.remove_generations_except(&[&rebuilt.generation]);
        drop(rebuilt);
        self.open_current(conn).await
    }

    async fn open_current(&self, conn: &mut AsyncPgConnection) -> Result<Open, Trouble> {
        let generation = self.dir.current().ok_or(Trouble::Index(OpenError::Missing.to_string()))?;
        let index = dir::open(&generation).map_err(|e| Trouble::Index(e.to_string()))?;
        let committed = dir::committed_position(&index).map_err(|e| Trouble::Index(e.to_string()))?;
        if committed > outbox::last_issued(conn).await? {
            return Err(Trouble::Index(format!("it has applied change {committed}, which this database never made")));
        }
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Trouble::Busy(OpenError::Busy(generation.clone())),
            other => Trouble::Index(other.to_string()),
        })?;
        let live = Arc::new(Live::new(index)?);
        // Synonyms come from the taxonomy as it is when the index opens.
        self.search.load_vocabulary(conn).await?;
        self.search.publish(Some(live.clone()));
        self.search.set_applied(committed);
        Ok(Open { generation, writer, live, feed: Consumer::new(committed, BATCH) })
    }

    /// Reads the next changes, applies and commits them, and makes them visible. True if there may be more.
    ///
    /// The position moves only once the batch is committed: a batch that fails half-way (its connection lost,
    /// say) is thrown out of the writer and read again, never skipped.
    async fn apply_batch(&self, conn: &mut AsyncPgConnection, open: &mut Open) -> Result<bool, Trouble> {
        let batch = open.feed.next(conn).await?;
        let full = batch.full();
        let changed = !batch.changes.is_empty();
        if changed {
            if let Err(trouble) = apply_and_commit(conn, open, &batch).await {
                // The next commit must not carry half of this batch under a later position.
                open.writer.rollback()?;
                return Err(trouble);
            }
        }
        let moves = batch.moves();
        open.feed.commit(batch);
        if changed {
            open.live.reload()?;
        } else if !moves {
            return Ok(full);
        }
        self.search.set_applied(open.feed.watermark());
        Ok(full)
    }
}

/// Applies the batch's changes and commits them with its watermark as the position the index has reached.
async fn apply_and_commit(conn: &mut AsyncPgConnection, open: &mut Open, batch: &Batch) -> Result<(), Trouble> {
    apply(conn, open, &batch.ids(Entity::Candidate), &batch.ids(Entity::Job)).await?;
    let mut commit = open.writer.prepare_commit()?;
    commit.set_payload(&batch.watermark().to_string());
    commit.commit()?;
    Ok(())
}

/// Replaces the documents of the given candidates and jobs with their current state (or nothing).
async fn apply(
    conn: &mut AsyncPgConnection,
    open: &mut Open,
    candidate_ids: &[Uuid],
    job_ids: &[Uuid],
) -> Result<(), Trouble> {
    let mut sources: Vec<Box<dyn Source>> = Vec::with_capacity(candidate_ids.len() + job_ids.len());
    sources.extend(store::candidates_by_id(conn, candidate_ids).await?.into_iter().map(|c| Box::new(c) as _));
    sources.extend(store::jobs_by_id(conn, job_ids).await?.into_iter().map(|j| Box::new(j) as _));
    let f = open.live.fields;
    for id in candidate_ids.iter().chain(job_ids) {
        open.writer.delete_term(Term::from_field_text(f.id, &id.to_string()));
    }
    for source in sources.iter().filter(|s| s.is_visible()) {
        open.writer.add_document(source.document(&f))?;
    }
    Ok(())
}
