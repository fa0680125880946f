//! Reads incident exports of a ServiceNow instance and replays them through `incident-core`.
//!
//! An export such as the published UCI "incident management process enriched event log" has
//! one row per update of an incident, each holding the incident's state after the update. The
//! importer streams such a file (gzip or plain CSV, see [`ExportReader`]), types every row
//! ([`ImportRow`]), and reports rows it cannot read with their line number ([`Unreadable`]),
//! never panicking on bad input.
//!
//! [`replay()`] then turns each incident's rows into the core's commands (open, assign, start,
//! hold with a reason, resolve with a code, close, reopen, impact/urgency changes), decided
//! under the instance's priority matrix and the core's lifecycle, and writes the incidents with
//! their audit trail to any [`incident_core::Repository`]. The [`ReplayReport`] counts what
//! the strict lifecycle refused (anomalies, with line numbers), checks the derived priority and
//! the reopen count against every row, and gives per-workgroup figures.
//!
//! # How rows become commands
//!
//! For each row, in file order per incident, the replay first applies field changes, then the
//! assignment, then the state (a reopen comes first when the incident was finished):
//!
//! | export | core |
//! | --- | --- |
//! | first row of an incident | `Open` at `opened_at`, with the row's group, caller, category |
//! | impact / urgency changed | `SetImpactUrgency` (the priority follows the matrix) |
//! | group set, changed, or first taken up | `Assign` (analyst kept only if a member) |
//! | `Active` | `StartWork`, or `Resume` from hold, or `Reopen` + `StartWork` |
//! | `Awaiting User Info` / `Vendor` / `Problem` | `Hold` awaiting caller / vendor / problem |
//! | `Awaiting Evidence` (any other `Awaiting ...`) | `Hold` with that custom reason |
//! | `Resolved` | `Resolve` with `closed_code` |
//! | `Closed` | `AutoClose` once due, else `Confirm` |
//! | `Canceled` | `Cancel` |
//!
//! Every command is decided by the core under the default lifecycle and permissions (the
//! row's `sys_updated_by` acts as an administrator, since the source instance already
//! authorised the update), the instance's priority matrix and auto-close delay. A refusal is
//! an [`Anomaly`]; in [`Mode::Lenient`] the replay then takes the legal steps that reach the
//! export's state where there are some (counted as repairs): resolving before a close,
//! starting work before a hold from New, a placeholder code for a resolution without one, and
//! reopening a closed incident under a migration policy with a reopen window.
//!
//! ```
//! use incident_core::InMemoryRepository;
//! use incident_import::{Export, ExportReader, Mode, ReplayOptions, replay};
//!
//! let csv = "number,incident_state,reopen_count,sys_updated_at,impact,urgency,priority,\
//!            assignment_group,assigned_to,closed_code\n\
//!            INC1,New,0,1/3/2016 09:00,2 - Medium,2 - Medium,3 - Moderate,Group 1,?,code 6\n\
//!            INC1,Active,0,1/3/2016 09:30,2 - Medium,2 - Medium,3 - Moderate,Group 1,Ann,code 6\n\
//!            INC1,Resolved,0,1/3/2016 11:00,1 - High,2 - Medium,2 - High,Group 1,Ann,code 6\n";
//! let export = Export::read(ExportReader::from_reader(csv.as_bytes())?, Mode::Lenient)?;
//! let store = InMemoryRepository::new();
//! let report = replay(&export, &store, &ReplayOptions::default())?;
//! assert_eq!((report.incidents, report.priority_mismatches), (1, 0));
//! assert_eq!(report.groups["Group 1"].resolved, 1);
//! # Ok::<(), incident_import::Error>(())
//! ```
#![deny(missing_docs)]

mod error;
pub mod instance;
pub mod reader;
pub mod replay;
pub mod report;
pub mod row;
pub mod value;

pub use error::Error;
pub use reader::ExportReader;
pub use replay::{Export, ReplayOptions, replay, replay_file};
pub use report::{Anomaly, GroupReport, PriorityMismatch, ReopenMismatch, ReplayReport};
pub use row::{ImportRow, Text, Unreadable, UnreadableReason};
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
