//! The tantivy side: rebuild the index from PostgreSQL through the search module, then time in-process
//! candidate searches.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tandem::app::AppState;
use tandem::search::query::{CandidateSearch, WantedSkill};
use tandem::search::SearchIndex;

use crate::queries::Query;
use crate::stats::Latency;

/// What building the index cost.
#[derive(Clone, Debug, Serialize)]
pub struct IndexBuild {
    pub documents: u64,
    pub seconds: f64,
    pub bytes: u64,
}

impl IndexBuild {
    pub fn documents_per_second(&self) -> f64 {
        self.documents as f64 / self.seconds.max(1e-9)
    }
}

/// Rebuilds the index in `dir` from the database, as `tandem reindex` does.
pub async fn build(state: &AppState, dir: &Path) -> anyhow::Result<(SearchIndex, IndexBuild)> {
    let _ = (state, dir, Instant::now());
    anyhow::bail!("the search module's rebuild is not available yet")
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

/// Runs `queries` one after another on a blocking thread, timing each; returns the latencies and mean hits.
pub async fn time(index: &SearchIndex, queries: Vec<Query>) -> anyhow::Result<(Latency, f64)> {
    let index = index.clone();
    tokio::task::spawn_blocking(move || {
        let mut samples = Vec::with_capacity(queries.len());
        let mut hits = 0;
        for query in &queries {
            let search = candidate_search(query);
            let started = Instant::now();
            hits += index.search_candidates(&search)?.items.len();
            samples.push(started.elapsed());
        }
        Ok((Latency::of(samples), hits as f64 / queries.len().max(1) as f64))
    })
    .await?
}
