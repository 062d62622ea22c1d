//! Job postings: organisation members create and edit them (draft, published, closed); anyone reads published
//! ones. `store::load_jobs` renders whole jobs for the search feature's result rows.

pub mod model;
pub mod posting;
pub mod routes;
pub mod store;
pub mod view;

pub use view::{count_published, load_jobs, published_after, JobView};
