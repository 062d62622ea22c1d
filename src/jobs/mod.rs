//! Job postings: organisation members create and edit them (draft, published, closed); anyone reads published
//! ones. `store::load_jobs` renders whole jobs for the search feature's result rows.

pub mod bulk;
pub mod model;
pub mod posting;
pub mod routes;
pub mod store;
