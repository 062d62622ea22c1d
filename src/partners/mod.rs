//! Dual career: seekers linked as partners by email invitation, organisations reporting the talents they recruited,
//! the partner pool those talents' partners join, and referrals of partners between HR-network organisations.
//!
//! The partner pool is not stored: a seeker is in it while `in_partner_pool` is on in their profile and they are
//! linked to a talent with a confirmed recruitment ([`store::pool_members_among`]). Every change that can move a
//! seeker in or out (link, unlink, confirm) queues their profile for the search index in the same transaction.

pub mod links;
pub mod model;
pub mod privacy;
pub mod recruits;
pub mod referrals;
pub mod routes;
pub mod store;
pub mod token;

pub use store::{insert_recruitment, link, reindex_seekers};
