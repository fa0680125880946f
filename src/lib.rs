//! placeholder

pub mod workload;
