//! The seeker's and every user's rights over their data: an export of everything held about them, and erasure.
//! Privacy owns no table: each feature exports and erases its own part (`auth::privacy`, `seekers::privacy`,
//! `partners::privacy`, `mail::privacy`), and [`service`] puts them together.

pub mod model;
pub mod routes;
pub mod service;
