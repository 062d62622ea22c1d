//! Organisations, their members and contact points, and membership of the HR network.

pub mod bulk;
pub mod extract;
pub mod model;
pub mod routes;
pub mod store;

pub use extract::{OrgAdmin, OrgMember};
