//! Job postings: organisation members create and edit them (draft, published, closed); anyone reads published
//! ones. [`load_jobs`] renders whole jobs for the search feature's result rows.

pub mod bulk;
pub mod imported;
pub mod model;
pub mod routes;
pub mod service;
mod store;
pub mod view;

pub use service::queue_organization_jobs;
pub use store::load_job;
pub use view::{count_published, load_jobs, published_after, JobView};
