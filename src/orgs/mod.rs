//! Organisations, their members and contact points, and membership of the HR network.

pub mod bulk;
pub mod extract;
mod membership;
pub mod model;
pub mod routes;
pub mod service;
mod store;

pub use extract::{OrgAdmin, OrgMember};
pub use membership::{is_member, member_of, MemberOf};
pub use model::{Membership, OrganizationSummary};
pub use service::{
    add_member, approve_request, close_organization, create_organization, find_organization, is_network_member,
    members, membership_of, organization_exists, organizations_of, promote_to_admin, request_network, sole_adminships,
    summaries, update_member, JoinRequest, SoleAdminship,
};
