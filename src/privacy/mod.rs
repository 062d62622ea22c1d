//! The seeker's and every user's rights over their data: an export of everything held about them, and erasure.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
