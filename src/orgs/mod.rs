//! Organisations, their members and contact points, and membership of the HR network.

pub mod extract;
mod membership;
pub mod model;
pub mod routes;
pub mod store;

pub use extract::{OrgAdmin, OrgMember};
pub use membership::{has_membership, is_member, is_network_member, organizations_of};
