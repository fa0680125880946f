//! Node.js binding of incident-core, built with napi-rs.
//!
//! The binding is thin: it converts types (camelCase objects, `Date`s, string enums) and maps
//! errors (one helper, [`error::to_napi`]); every rule stays in the core.
#![deny(missing_docs)]

pub mod batch;
pub mod command;
pub mod desk;
pub mod enums;
pub mod error;
pub mod input;
pub mod objects;
pub mod sla;
pub mod store;
pub mod time;
