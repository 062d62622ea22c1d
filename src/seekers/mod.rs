//! (being written)

pub mod routes;
