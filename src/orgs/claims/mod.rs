//! Claims of unclaimed organisations (those imports made from ads): an employer asks, an operator approves and the
//! employer becomes the organisation's admin, or declines.

pub mod model;
pub mod routes;
pub mod service;
mod store;
