//! Importing job ads from other sources: duplicate detection across sources.

pub mod duplicates;
