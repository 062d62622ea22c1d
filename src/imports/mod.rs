//! Importing real job ads: the Public Employment Service's JobSearch/JobStream ads and job boards' schema.org
//! `JobPosting`s become jobs, upserted by (source, external id), withdrawn when removed, their skills read from
//! the text by [`crate::extract`], and the same job from two boards merged into one that lists both (`also_at`).
//!
//! The way in: [`Importer`] (the CLI's `tandem import` and `POST /api/v1/admin/imports`), [`stream::follow`] for
//! the JobStream feed.

pub mod cli;
pub mod duplicates;
pub mod feed;
pub mod jobposting;
pub mod jobtech;
pub mod model;
mod names;
pub mod prepare;
pub mod routes;
mod run;
mod service;
mod store;
pub mod stream;

pub use model::{Format, ImportSummary, Skipped};
pub use run::{ImportError, Importer};
