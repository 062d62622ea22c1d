//! Data for trying Tandem out (`seed --demo`) and for load tests and benchmarks (`seed --synthetic N`).

pub mod demo;
pub mod synthetic;
