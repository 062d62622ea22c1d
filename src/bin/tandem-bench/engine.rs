//! The tantivy side: rebuild the index from PostgreSQL through the search module, then time in-process
//! candidate searches.

use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tandem::search::dir::{open, IndexDir};
use tandem::search::query::{CandidateSearch, WantedSkill};
use tandem::search::rebuild::reindex;
use tandem::search::SearchIndex;

use crate::queries::Query;
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

/// Rebuilds the index in `dir` from the database, as `tandem reindex` does, and searches the result.
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

/// The search the HTTP layer would build for this query: any of the skills, or the text; top 20.
fn candidate_search(query: &Query) -> CandidateSearch {
    match query {
        Query::Skills(skills) => CandidateSearch {
            skills: skills
                .iter()
                .map(|s| WantedSkill { skill_id: Some(s.id.clone()), name: s.name.clone(), required: false })
                .collect(),
            limit: 20,
            ..CandidateSearch::default()
        },
        Query::Text(text) => CandidateSearch { text: Some(text.clone()), limit: 20, ..CandidateSearch::default() },
    }
}

/// How much of a search is timed.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// What `GET /candidates` gets: the top 20 with the total, stored fields and explanations.
    Full,
    /// The top 20 scores and addresses alone: the same work as the PostgreSQL query, which returns ids.
    Ranking,
}

/// Runs `queries` one after another on a blocking thread, timing each; returns the latencies and mean hits.
pub async fn time(
    index: &SearchIndex,
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
            let search = candidate_search(query);
            let started = Instant::now();
            hits += match mode {
                Mode::Full => index.search_candidates(&search)?.items.len(),
                Mode::Ranking => index.rank_candidates(&search)?.len(),
            };
            samples.push(started.elapsed());
        }
        let count = samples.len().max(1) as f64;
        Ok((Latency::of(samples), hits as f64 / count))
    })
    .await?
}

/// Opens the index a previous run built in `dir`, if there is one.
pub fn open_existing(dir: &Path) -> anyhow::Result<Option<SearchIndex>> {
    let Some(generation) = IndexDir::new(dir).current() else { return Ok(None) };
    Ok(Some(SearchIndex::over(open(&generation)?)?))
}
