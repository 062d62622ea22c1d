//! Organisations, their members and contact points, membership of the HR network, and the unclaimed organisations
//! imports make from ads' employers until a real employer claims one.

pub mod bulk;
pub mod claims;
pub mod extract;
pub mod imported;
mod imported_store;
mod membership;
pub mod model;
pub mod routes;
pub mod service;
mod store;

pub use extract::{OrgAdmin, OrgEditor, OrgMember};
pub use imported::{ImportedEmployer, UnusableEmployer, IMPORTED_SECTOR};
pub use membership::{is_member, member_of, MemberOf};
pub use model::{Membership, OrganizationSummary};
pub use service::{
    add_member, approve_request, close_organization, create_organization, find_or_create_unclaimed,
    find_or_create_unclaimed_many, find_organization, is_network_member, members, membership_of, organization_exists,
    organizations_of, promote_to_admin, request_network, sole_adminships, summaries, update_member, EmployerError,
    JoinRequest, SoleAdminship,
};
