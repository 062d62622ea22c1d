//! Tandem's integration tests: the real server over HTTP, each test with its own PostgreSQL database.

mod alerts;
mod auth;
mod crash;
mod demo;
mod faults;
mod hardening_auth;
mod hardening_privacy;
mod hardening_search;
mod helpers;
mod http_errors;
mod jobs;
mod mail;
mod matcher_thread;
mod metrics;
mod openapi;
mod orgs;
mod partner_alerts;
mod partners;
mod privacy;
mod profiles;
mod search;
mod search_http;
mod search_semantics;
mod skills;
mod smtp;
mod synthetic;
