//! Seeker profiles: the seeker's own profile (skills from the taxonomy, languages, experience, education, work
//! permit, desired locations), employers' views of searchable candidates, and the seeker's list of those views.

pub mod bulk;
pub mod codes;
pub mod model;
pub mod profiles;
pub mod routes;
pub mod store;
