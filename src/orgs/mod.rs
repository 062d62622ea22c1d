//! Organisations, their members and contact points, and membership of the HR network.

pub mod extract;
pub mod model;
pub mod routes;
pub mod store;

pub use extract::{OrgAdmin, OrgMember};
pub use store::{
    add_member, approve_request, close_organization, create_organization, organizations_of, promote_to_admin,
    request_network, sole_adminships, update_member, JoinRequest, SoleAdminship,
};
