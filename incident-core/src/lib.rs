//! incident-core: the rules of IT incident management, with no I/O and no global clock.
//!
//! An incident is logged (by an end user, an analyst or automation), gets a priority from
//! impact x urgency, is routed to a workgroup, worked, maybe put on hold, may spawn work
//! orders, is resolved, confirmed and closed, and can be reopened. Each change is a
//! [`Command`] decided against the incident, the [`Actor`], the [`DeskConfig`] and `now`;
//! an accepted command yields [`Event`]s, the audit trail, from which the incident can be
//! rebuilt exactly ([`Incident::replay`]).
//!
//! The crate owns every rule and does no I/O: storage sits behind the [`Repository`]
//! trait (an in-memory one ships here; SQLite and PostgreSQL live in their own crates), and
//! the [`Desk`] ties repository and configuration together for hosts.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use incident_core::*;
//!
//! let desk = Desk::in_memory(DeskConfig::default());
//! let caller = Actor::new("ann", Role::EndUser);
//! let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
//! let report = NewIncident::new("Cannot print", Channel::Portal, 3, 2);
//! let incident = desk.open(&caller, Command::Open(report), t0).unwrap();
//! assert_eq!((incident.state, incident.priority), (State::New, 4));
//!
//! // A caller cannot resolve their own incident: a typed error, nothing changed.
//! let resolve = Command::Resolve { code: "done".into(), notes: "it works".into() };
//! let refused = desk.execute(&caller, incident.id, resolve, t0 + Duration::minutes(1));
//! assert_eq!(refused.unwrap_err().code(), "ERR_PERMISSION_DENIED");
//! ```
#![deny(missing_docs)]

pub mod calendar;
pub mod command;
pub mod decide;
pub mod desk;
pub mod directory;
pub mod error;
pub mod event;
pub mod lifecycle;
pub mod model;
pub mod persona;
pub mod policy;
pub mod priority;
pub mod repo;
pub mod sla;

pub use command::{Command, DetailsPatch, NewIncident, NewTask, Trigger, TriggeredIncident};
pub use decide::{Decision, decide, execute, execute_in_place, execute_into};
pub use desk::{Desk, Outcome, Submission};
pub use directory::{
    Analyst, Directory, Route, RoutingInput, RoutingRule, Workgroup, WorkgroupKind,
};
pub use error::{Error, ErrorKind, Result, Rule};
pub use event::{Change, Event};
pub use lifecycle::TransitionTable;
pub use model::{
    ChangeFailure, Channel, Comment, Feedback, HoldReason, Incident, IncidentId, IncidentNumber,
    Origin, Resolution, ResolutionCode, State, Task, UserId, WorkOrder, WorkState, WorkgroupId,
    WorkgroupVisit,
};
pub use persona::{Action, Actor, Grant, PermissionTable, Role, Scope};
pub use policy::{DeskConfig, Policy, ReopenTarget};
pub use priority::PriorityMatrix;
pub use repo::{Commit, IdempotencyRecord, InMemoryRepository, IncidentQuery, Repository};

/// The README's Rust example, compiled and run as a doctest so it cannot go stale.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
