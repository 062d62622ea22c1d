//! Organisations, their members and contact points, and membership of the HR network.

pub mod routes;
pub mod store;
