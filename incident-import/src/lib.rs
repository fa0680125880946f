//! Reads incident exports of a ServiceNow instance and replays them through `incident-core`.
//!
//! An export such as the published UCI "incident management process enriched event log" has
//! one row per update of an incident, each holding the incident's state after the update. The
//! importer streams such a file (gzip or plain CSV, see [`ExportReader`]), types every row
//! ([`ImportRow`]), and reports rows it cannot read with their line number ([`Unreadable`]),
//! never panicking on bad input.
#![deny(missing_docs)]

mod error;
pub mod reader;
pub mod row;
pub mod value;

pub use error::Error;
pub use reader::ExportReader;
pub use row::{ImportRow, Unreadable, UnreadableReason};
pub use value::{ExportHoldReason, ExportState};

/// How an import treats what it cannot take as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// For migrations: count unreadable rows and refused transitions, and carry on.
    #[default]
    Lenient,
    /// For checking an export: stop at the first unreadable row or refused transition.
    Strict,
}
