//! Tandem: talent matching for the West Sweden life-science region.
//!
//! Each feature lives in its own folder: `routes.rs` (HTTP) → a service (the rules) → `store.rs` (SQL, private to
//! the feature; every table has one owner) → `model.rs` (types, validation). Other features use only what a
//! feature's `mod.rs` re-exports: read models (`view`), lookups (`directory`), its part of a privacy export or
//! erasure (`privacy`), bulk loaders (`bulk`). Below the features: `state` (AppState), `outbox` (the change feed
//! and its one consumer loop), `workers` (the background workers' lifecycle), `vocab` (shared field types),
//! `extract` (skills read from free text), `error`/`db` (the HTTP and store errors), `app` (the server).
//! `scripts/ownership.py` checks the ownership rule.

pub mod access_log;
pub mod alerts;
pub mod app;
pub mod auth;
pub mod body;
pub mod bulk;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod hygiene;
pub mod imports;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod observability;
pub mod openapi;
pub mod orgs;
pub mod outbox;
pub mod pagination;
pub mod partners;
pub mod places;
pub mod privacy;
pub mod schema;
pub mod search;
pub mod secrets;
pub mod seed;
pub mod seekers;
pub mod state;
pub mod taxonomy;
pub mod throttle;
pub mod vocab;
pub mod workers;
