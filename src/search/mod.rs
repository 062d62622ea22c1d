//! The skills index: tantivy documents for candidates and jobs, kept in step with PostgreSQL through the
//! index outbox, and the explainable searches over them.
//!
//! In-process use (a benchmark, say): build a [`CandidateSearch`] or [`JobSearch`] and call
//! [`SearchIndex::search_candidates`] / [`SearchIndex::search_jobs`]; [`rebuild::rebuild`] bulk-loads an index
//! from PostgreSQL.

pub mod cache;
pub mod collect;
pub mod dir;
pub mod document;
pub mod fields;
pub mod index;
pub mod indexer;
pub mod job_ranking;
pub mod language;
pub mod model;
pub mod query;
pub mod rebuild;
pub mod routes;
pub mod runner;
pub mod service;
pub mod stemming;
mod store;
pub mod text;
pub mod vocabulary;

pub use index::{Hits, SearchError, SearchIndex};
pub use indexer::Indexer;
pub use query::{CandidateSearch, JobSearch};
pub use runner::SearchRunner;
pub use store::searchable_candidate_ids;

#[cfg(test)]
mod tests;
