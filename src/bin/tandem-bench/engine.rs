//! The tantivy side, and every call the benchmark makes into the search engine (kept here so that an engine change
//! is adapted in one file): rebuild the index from PostgreSQL, open an earlier one, build the searches the HTTP
//! layer would build, time them, and run the real indexer for the freshness figure.

use std::path::Path;
use std::time::{Duration, Instant};

use diesel_async::AsyncConnection;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tandem::search::dir::{open, IndexDir};
use tandem::search::query::{CandidateFilter, CandidateSearch, JobSearch, WantedLanguage, WantedSkill};
use tandem::search::rebuild::reindex;
use tandem::search::{Indexer, SearchIndex};
use uuid::Uuid;

use crate::queries::{Class, Query, Target};
use crate::stats::Latency;

/// What building the index cost.
#[derive(Clone, Debug, Serialize)]
pub struct IndexBuild {
    pub candidates: u64,
    pub jobs: u64,
    /// From the first read to the last merge, jobs included.
    pub seconds: f64,
    /// The generation directory after merging.
    pub bytes: u64,
}

impl IndexBuild {
    /// Profiles a second, charging the jobs' share of the time to the profiles too.
    pub fn profiles_per_second(&self) -> f64 {
        self.candidates as f64 / self.seconds.max(1e-9)
    }
}

/// Rebuilds the index in `dir` from the database, as `tandem reindex` does (through `rebuild::rebuild`), and
/// searches the result.
pub async fn build(database_url: &str, dir: &Path) -> anyhow::Result<(SearchIndex, IndexBuild)> {
    let (url, dir) = (database_url.to_owned(), dir.to_owned());
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {human_pos}/{human_len} documents ({per_sec}, {eta} left)")
    {
        bar.set_style(style);
    }
    let shown = bar.clone();
    let reindexed = tokio::task::spawn_blocking(move || {
        reindex(&url, &dir, &mut |done, total| {
            shown.set_length(total);
            shown.set_position(done);
        })
    })
    .await??;
    bar.finish();
    let rebuilt = &reindexed.rebuilt;
    let build = IndexBuild {
        candidates: rebuilt.candidates,
        jobs: rebuilt.jobs,
        seconds: rebuilt.elapsed.as_secs_f64(),
        bytes: crate::directory_size(&rebuilt.generation),
    };
    Ok((reindexed.search, build))
}

/// Opens the index a previous run built in `dir`, if there is one, with the taxonomy's synonyms from `url`.
pub async fn open_existing(url: &str, dir: &Path) -> anyhow::Result<Option<(SearchIndex, u64)>> {
    let Some(generation) = IndexDir::new(dir).current() else { return Ok(None) };
    let bytes = crate::directory_size(&generation);
    let index = SearchIndex::over(open(&generation)?)?;
    let mut conn = diesel_async::AsyncPgConnection::establish(url).await?;
    index.load_vocabulary(&mut conn).await?;
    Ok(Some((index, bytes)))
}

fn wanted(query: &Query) -> Vec<WantedSkill> {
    query
        .skills
        .iter()
        .map(|s| WantedSkill { skill_id: Some(s.id.clone()), name: s.name.clone(), required: false })
        .collect()
}

/// The search `GET /candidates` builds for this query: any of the skills, every word of the text, the filters;
/// top 20.
fn candidate_search(query: &Query) -> CandidateSearch {
    CandidateSearch {
        text: query.text.clone(),
        skills: wanted(query),
        filter: CandidateFilter {
            country: query.country.clone(),
            languages: query
                .language
                .iter()
                .map(|(code, level)| WantedLanguage { code: code.clone(), level: Some(level.clone()) })
                .collect(),
            ..CandidateFilter::default()
        },
        limit: 20,
        ..CandidateSearch::default()
    }
}

/// The search `GET /jobs` builds for this query; top 20.
fn job_search(query: &Query) -> JobSearch {
    JobSearch { text: query.text.clone(), skills: wanted(query), limit: 20, ..JobSearch::default() }
}

/// How much of a search is timed.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// What the API gets: the top 20 with the total, stored fields and explanations.
    Full,
    /// The top 20 scores and addresses alone: the same work as the PostgreSQL query, which returns ids. Candidates
    /// only (the engine has no ranking-only job search).
    Ranking,
}

/// One search; returns the hits.
fn search_once(index: &SearchIndex, class: Class, query: &Query, mode: Mode) -> anyhow::Result<usize> {
    Ok(match (class.target(), mode) {
        (Target::Candidates, Mode::Full) => index.search_candidates(&candidate_search(query))?.items.len(),
        (Target::Candidates, Mode::Ranking) => index.rank_candidates(&candidate_search(query))?.len(),
        (Target::Jobs, _) => index.search_jobs(&job_search(query))?.items.len(),
    })
}

/// Runs `queries` one after another on a blocking thread, timing each; returns the latencies and mean hits.
pub async fn time(
    index: &SearchIndex,
    class: Class,
    queries: Vec<Query>,
    mode: Mode,
    budget: Option<Duration>,
) -> anyhow::Result<(Latency, f64)> {
    let index = index.clone();
    tokio::task::spawn_blocking(move || {
        let mut samples = Vec::with_capacity(queries.len());
        let mut hits = 0;
        let began = Instant::now();
        for query in &queries {
            if budget.is_some_and(|b| began.elapsed() > b) {
                break;
            }
            let started = Instant::now();
            hits += search_once(&index, class, query, mode)?;
            samples.push(started.elapsed());
        }
        let count = samples.len().max(1) as f64;
        Ok((Latency::of(samples), hits as f64 / count))
    })
    .await?
}

/// The real indexer on the index in `dir`, as `tandem serve` runs it, with the handle searches go through; it is
/// ready once the index is open and has applied every change committed so far (`head`).
pub async fn start_indexer(
    database_url: &str,
    dir: &Path,
    head: i64,
    timeout: Duration,
) -> anyhow::Result<(Indexer, SearchIndex)> {
    let search = SearchIndex::new();
    let indexer = Indexer::start(database_url, dir.to_owned(), search.clone())?;
    anyhow::ensure!(search.wait_available(timeout).await, "the indexer did not open the index within {timeout:?}");
    anyhow::ensure!(search.wait_for(head, timeout).await, "the indexer did not catch up within {timeout:?}");
    Ok((indexer, search))
}

/// Waits until searches reflect every outbox change up to `position`.
pub async fn wait_for(search: &SearchIndex, position: i64, timeout: Duration) -> bool {
    search.wait_for(position, timeout).await
}

/// Whether a free-text search for `word` finds the candidate.
pub fn finds(search: &SearchIndex, word: &str, candidate_id: Uuid) -> anyhow::Result<bool> {
    let query = CandidateSearch { text: Some(word.to_owned()), limit: 20, ..CandidateSearch::default() };
    Ok(search.search_candidates(&query)?.items.iter().any(|hit| hit.candidate_id == candidate_id))
}
