//! `SearchIndex`: the process-wide handle searches go through. It holds the one `IndexReader` (reloaded by the
//! indexer after each commit) and the outbox position the index has applied; while the index is missing or being
//! rebuilt it has no reader and every search answers `SearchError::Unavailable`.
//!
//! Searches are synchronous and CPU-bound: call them from a blocking thread (the HTTP layer uses
//! `search::runner`), or directly from a benchmark.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::de::DeserializeOwned;
use tantivy::collector::DocSetCollector;
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Value;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Score, Searcher, TantivyDocument};
use tokio::sync::watch;
use uuid::Uuid;

use super::cache::SegmentCache;
use super::collect::{self, Total, TOTAL_CAP};
use super::document::{StoredCandidate, StoredJob};
use super::fields::{self, Fields};
use super::job_ranking;
use super::model::{CandidateHit, JobHit};
use super::query::{self, CandidateSearch, JobSearch, QueryBuilder, Statistics, W_REQUIRED};
use super::text::Unit;
use super::vocabulary::Vocabulary;
use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index is being built; try again shortly")]
    Unavailable,
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("a stored search document could not be read: {0}")]
    Damaged(String),
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Unavailable => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// One page of hits and how many match in all: exactly, or when `total_exact` is false at least `total`.
#[derive(Debug)]
pub struct Hits<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub total_exact: bool,
}

/// An open index with its reader: what searches run against.
pub struct Live {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    candidates: SegmentCache<StoredCandidate>,
    jobs: SegmentCache<StoredJob>,
}

/// A candidate search's best documents, how many match (if counted) and its free text's units.
struct RankedCandidates {
    docs: Vec<(Score, DocAddress)>,
    total: Option<Total>,
    units: Vec<Unit>,
}

impl Live {
    /// Opens a reader that reloads only when told to: the indexer reloads it after each commit.
    pub fn new(index: Index) -> tantivy::Result<Self> {
        fields::register_analyzers(&index);
        let fields = Fields::of(&index.schema())?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { index, reader, fields, candidates: SegmentCache::default(), jobs: SegmentCache::default() })
    }

    fn builder<'a>(&'a self, vocabulary: &'a Vocabulary, statistics: &'a Statistics<'a>) -> QueryBuilder<'a> {
        QueryBuilder { index: &self.index, fields: self.fields, vocabulary, statistics }
    }

    /// Makes the latest commit visible and forgets what was kept for segments that are gone.
    pub fn reload(&self) -> tantivy::Result<()> {
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        self.candidates.retain(&searcher);
        self.jobs.retain(&searcher);
        Ok(())
    }

    fn rank_candidates(
        &self,
        searcher: &Searcher,
        vocabulary: &Vocabulary,
        search: &CandidateSearch,
        counted: bool,
    ) -> Result<RankedCandidates, SearchError> {
        let statistics = Statistics::new(searcher, &self.fields)?;
        let plan = self.builder(vocabulary, &statistics).candidates(search);
        let gates = collect::gates(searcher, self.candidates.filters(searcher, &plan.filters)?);
        let scoring = EnableScoring::enabled_from_statistics_provider(&statistics, searcher);
        let weight = plan.ranking.as_ref().map(|q| q.weight(scoring)).transpose()?;
        let wanted = search.offset + search.limit.max(1);
        let (docs, total) = match weight {
            Some(weight) if !plan.prunable => {
                let (docs, total) = collect::top_and_count(searcher, weight.as_ref(), &gates, wanted, TOTAL_CAP)?;
                (docs, counted.then_some(total))
            }
            weight => {
                let docs = collect::top(searcher, weight.as_deref(), &gates, wanted)?;
                let total = if counted {
                    // Counting needs no scores: a weight without them reads no frequencies.
                    let unscored = EnableScoring::disabled_from_searcher(searcher);
                    let weight = plan.ranking.as_ref().map(|q| q.weight(unscored)).transpose()?;
                    Some(collect::count(searcher, weight.as_deref(), &gates, TOTAL_CAP)?)
                } else {
                    None
                };
                (docs, total)
            }
        };
        let docs = docs.into_iter().skip(search.offset).collect();
        Ok(RankedCandidates { docs, total, units: plan.units })
    }

    fn candidate(&self, searcher: &Searcher, address: DocAddress) -> Result<Arc<StoredCandidate>, SearchError> {
        let cards = self.candidates.cards(searcher.segment_reader(address.segment_ord));
        cards.get_or_load(address.doc_id, || self.stored(searcher, address))
    }

    fn job(&self, searcher: &Searcher, address: DocAddress) -> Result<Arc<StoredJob>, SearchError> {
        let cards = self.jobs.cards(searcher.segment_reader(address.segment_ord));
        cards.get_or_load(address.doc_id, || self.stored(searcher, address))
    }

    fn stored<T: DeserializeOwned>(&self, searcher: &Searcher, address: DocAddress) -> Result<T, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = doc.get_first(self.fields.display).and_then(|v| v.as_str()).unwrap_or_default();
        serde_json::from_str(text).map_err(|e| SearchError::Damaged(e.to_string()))
    }
}

struct Shared {
    live: RwLock<Option<Arc<Live>>>,
    /// The taxonomy's labels, for synonyms in free text.
    vocabulary: RwLock<Arc<Vocabulary>>,
    /// Every outbox change up to this position is visible to searches.
    applied: watch::Sender<i64>,
}

/// Cheap to clone; every clone sees the same index.
#[derive(Clone)]
pub struct SearchIndex {
    shared: Arc<Shared>,
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl SearchIndex {
    /// A handle with no index yet: searches answer `Unavailable` until an indexer publishes one.
    pub fn new() -> Self {
        let (applied, _) = watch::channel(0);
        Self { shared: Arc::new(Shared { live: RwLock::new(None), vocabulary: RwLock::new(Arc::default()), applied }) }
    }

    /// A handle over an index that is already built, e.g. one made in memory for a test or a benchmark.
    pub fn over(index: Index) -> tantivy::Result<Self> {
        let handle = Self::new();
        handle.publish(Some(Arc::new(Live::new(index)?)));
        Ok(handle)
    }

    pub fn is_available(&self) -> bool {
        self.live().is_ok()
    }

    /// Waits until an index is open, at most `timeout`; true if it is.
    pub async fn wait_available(&self, timeout: Duration) -> bool {
        let until = tokio::time::Instant::now() + timeout;
        while !self.is_available() && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.is_available()
    }

    fn live(&self) -> Result<Arc<Live>, SearchError> {
        let slot = self.shared.live.read().map_err(|_| SearchError::Unavailable)?;
        slot.clone().ok_or(SearchError::Unavailable)
    }

    /// Puts an index in service, or (with `None`) takes it out while it is rebuilt.
    pub fn publish(&self, live: Option<Arc<Live>>) {
        if let Ok(mut slot) = self.shared.live.write() {
            *slot = live;
        }
    }

    /// Makes the latest commit visible to searches.
    pub fn reload(&self) -> Result<(), SearchError> {
        Ok(self.live()?.reload()?)
    }

    /// Puts the taxonomy's labels in service for free-text synonyms.
    pub fn set_vocabulary(&self, vocabulary: Vocabulary) {
        if let Ok(mut slot) = self.shared.vocabulary.write() {
            *slot = Arc::new(vocabulary);
        }
    }

    /// Loads the taxonomy's labels from the database and puts them in service.
    pub async fn load_vocabulary(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
    ) -> Result<(), crate::db::StoreError> {
        let labels = crate::taxonomy::every_label(conn).await?;
        self.set_vocabulary(Vocabulary::new(labels));
        Ok(())
    }

    fn vocabulary(&self) -> Arc<Vocabulary> {
        self.shared.vocabulary.read().map(|v| v.clone()).unwrap_or_default()
    }

    pub(crate) fn set_applied(&self, position: i64) {
        self.shared.applied.send_if_modified(|p| {
            let changed = *p != position;
            *p = position;
            changed
        });
    }

    /// The outbox position searches reflect.
    pub fn applied(&self) -> i64 {
        *self.shared.applied.borrow()
    }

    /// Waits until searches reflect every outbox change up to `position`; false if `timeout` passes first.
    pub async fn wait_for(&self, position: i64, timeout: Duration) -> bool {
        let mut rx = self.shared.applied.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|p| *p >= position)).await.is_ok_and(|r| r.is_ok())
    }

    /// Waits until searches reflect every change committed to PostgreSQL so far: the test hook that makes
    /// asynchronous indexing deterministic.
    pub async fn catch_up(&self, pool: &crate::db::DbPool, timeout: Duration) -> anyhow::Result<()> {
        let mut conn = pool.get().await?;
        let head = crate::outbox::head(&mut conn).await?;
        if self.wait_for(head, timeout).await {
            Ok(())
        } else {
            anyhow::bail!("the index reached outbox position {} of {head} within {timeout:?}", self.applied())
        }
    }

    /// Ranked, explained candidates for `search`.
    pub fn search_candidates(&self, search: &CandidateSearch) -> Result<Hits<CandidateHit>, SearchError> {
        let live = self.live()?;
        let searcher = live.reader.searcher();
        let ranked = live.rank_candidates(&searcher, &self.vocabulary(), search, true)?;
        let items = ranked
            .docs
            .into_iter()
            .map(|(score, address)| {
                let c = live.candidate(&searcher, address)?;
                let explanation = query::explain_candidate(&c, search, &ranked.units, score);
                let c = StoredCandidate::clone(&c);
                Ok(CandidateHit {
                    candidate_id: c.candidate_id,
                    headline: c.headline,
                    skills: c.skills,
                    languages: c.languages,
                    location: c.location,
                    available_from: c.available_from,
                    score: query::round(score),
                    explanation,
                })
            })
            .collect::<Result<_, SearchError>>()?;
        let total = ranked.total.unwrap_or(Total { total: 0, exact: true });
        Ok(Hits { items, total: total.total, total_exact: total.exact })
    }

    /// The engine's share of [`Self::search_candidates`]: the same query's top scores and document addresses, with
    /// no total, stored fields or explanations. Benchmarks set it beside a PostgreSQL query that returns ids only.
    pub fn rank_candidates(&self, search: &CandidateSearch) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        let live = self.live()?;
        let searcher = live.reader.searcher();
        Ok(live.rank_candidates(&searcher, &self.vocabulary(), search, false)?.docs)
    }

    /// Published, open jobs for `search`: ranked and explained when it has text or skills, else newest first.
    pub fn search_jobs(&self, search: &JobSearch) -> Result<Hits<JobHit>, SearchError> {
        let live = self.live()?;
        let searcher = live.reader.searcher();
        let vocabulary = self.vocabulary();
        let statistics = Statistics::new(&searcher, &live.fields)?;
        let plan = live.builder(&vocabulary, &statistics).jobs(search);
        let page = (search.offset, search.limit);
        let ranked =
            job_ranking::run(&searcher, &live.jobs, &statistics, &plan, page, search.rank_by_missing_required)?;
        let items = ranked
            .docs
            .into_iter()
            .map(|(rank, address)| {
                let job = live.job(&searcher, address)?;
                let scored = search.is_ranked().then(|| {
                    let score = rank.map_or(0.0, |r| r + missing_offset(&job, search));
                    (query::round(score), query::explain_job(&job, search, &plan.units, score))
                });
                Ok(job_hit(StoredJob::clone(&job), scored))
            })
            .collect::<Result<_, SearchError>>()?;
        Ok(Hits { items, total: ranked.total.total, total_exact: ranked.total.exact })
    }

    /// The ids of every document of one kind (`candidate` or `job`), for checks that the index matches the
    /// database.
    pub fn document_ids(&self, kind: &str) -> Result<HashSet<Uuid>, SearchError> {
        let live = self.live()?;
        let searcher = live.reader.searcher();
        let query = tantivy::query::TermQuery::new(
            tantivy::Term::from_field_text(live.fields.kind, kind),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let addresses = searcher.search(&query, &DocSetCollector)?;
        let mut ids = HashSet::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc.get_first(live.fields.id).and_then(|v| v.as_str()).unwrap_or_default();
            ids.insert(id.parse().map_err(|_| SearchError::Damaged(format!("document id {id:?}")))?);
        }
        Ok(ids)
    }
}

/// What the ranking took off for the job's required skills, to report the plain score.
fn missing_offset(job: &StoredJob, search: &JobSearch) -> Score {
    if !search.rank_by_missing_required {
        return 0.0;
    }
    W_REQUIRED * job.skills.iter().filter(|s| s.required && s.skill_id.is_some()).count() as Score
}

fn job_hit(job: StoredJob, scored: Option<(f32, super::model::Explanation)>) -> JobHit {
    let (score, explanation) = scored.unzip();
    JobHit {
        id: job.id,
        title: job.title,
        organization: job.organization,
        location: job.location,
        remote: job.remote,
        sector: job.sector,
        employment_type: job.employment_type,
        published_at: job.published_at,
        closes_at: job.closes_at,
        skills: job.skills,
        score,
        explanation,
    }
}
