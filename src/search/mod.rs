//! The skills index: tantivy documents for candidates and jobs, kept in step with PostgreSQL through the
//! index outbox, and the explainable searches over them.

pub mod outbox;
