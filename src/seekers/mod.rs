//! Seeker profiles: the seeker's own profile (skills from the taxonomy, languages, experience, education, work
//! permit, desired locations), employers' views of searchable candidates, and the seeker's list of those views.
//!
//! Other features read profiles through [`view`] (re-exported here): whole profiles in bulk, and the seeker
//! behind a candidate id under a [`Visibility`] rule.

pub mod bulk;
pub mod directory;
pub mod model;
pub mod privacy;
pub mod routes;
pub mod service;
mod store;
pub mod view;

pub use model::Visibility;
pub use view::{
    count_profiles, every_seeker, profile_of_user, profiles_after, profiles_by_candidate, seeker_by_candidate,
    seekers_among, stream_profiles, SeekerRef, SeekerView,
};
