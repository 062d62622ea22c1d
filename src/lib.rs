//! Tandem: talent matching for the West Sweden life-science region.
//!
//! Each feature lives in its own folder with `routes.rs` (HTTP), `model.rs` (types and validation) and
//! `store.rs` (queries). `app` assembles them; `config`, `db` and `error` are the shared plumbing.

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
pub mod hygiene;
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
