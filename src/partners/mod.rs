//! Dual career: seekers linked as partners by email invitation, organisations reporting the talents they recruited,
//! the partner pool those talents' partners join, and referrals of partners between HR-network organisations.
//!
//! The partner pool is not stored: a seeker is in it while `in_partner_pool` is on in their profile and they are
//! linked to a talent with a confirmed recruitment ([`pool_members_among`]). Every change that can move a
//! seeker in or out (link, unlink, confirm) queues their profile for the search index in the same transaction.

pub mod directory;
pub mod links;
pub mod model;
pub mod privacy;
pub mod recruits;
pub mod referrals;
pub mod routes;
mod store;
pub mod token;

pub use directory::{
    before_organization_closes, commute_origins, is_in_pool, partner_alert_opt_outs_among, partner_id_of, partner_of,
    pool_members_among, record_partner_alert_opt_out, reindex_seekers, wants_partner_alerts, CommuteOrigin,
};
// The demo seed writes links and recruitments directly (no invitation, no member request).
pub use store::{insert_recruitment, link};
