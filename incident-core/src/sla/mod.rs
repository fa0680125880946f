//! SLA and OLA clocks: response and resolution times measured in business time, exactly to
//! the second, derived from an incident's events.
//!
//! An [`SlaEngine`] holds the [`SlaConfig`]: named [`Calendar`](crate::calendar::Calendar)s
//! and an ordered list of [`SlaDefinition`]s. Applying an incident's [`Event`]s (all at once
//! with [`SlaEngine::replay`], or one by one with [`SlaEngine::apply`]) yields its
//! [`IncidentClocks`]; queries then give each clock's [`ClockStatus`] at an instant, the
//! [`SlaEngine::next_due_instant`] over many incidents, and a [`DeadlineExplanation`].
//!
//! # Rules
//!
//! - **Matching.** For each kind (response, resolution) and scope (the SLA, or the OLA of the
//!   workgroup holding the incident) the first enabled definition whose conditions match
//!   applies. A definition without conditions is a fallback.
//! - **Response** runs from opening (OLA: assignment) until the first move to In Progress,
//!   the first comment by an analyst or manager, or a resolution.
//! - **Resolution** runs from opening (OLA: assignment) until Resolved (or Closed), paused
//!   in the definition's pause states (default On Hold; Resolved and Closed are never
//!   counted either).
//! - **OLA** clocks stop when the incident leaves the workgroup; the SLA keeps running.
//! - **Reopen** ([`OnReopen`]): resume the same clock (default), restart a new one, or
//!   keep the first resolution only.
//! - **Priority change** (or any change of the matching definition, such as a new
//!   service; [`OnPriorityChange`] of the new definition): carry the elapsed time (default),
//!   restart from zero, or recompute retroactively.
//! - **Breach** is `elapsed > target` on whole business seconds, never a rounded percentage.
//! - **Disabling** a definition (`disabled_from`) shows its clocks still open at that
//!   instant as cancelled, with no breach, from then on; their history stays.
//!
//! Clocks depend only on the events and the configuration, so replaying the same log under
//! other definitions is a what-if, and replaying after a calendar edit is a recomputation.
//!
//! [`Event`]: crate::event::Event
//!
//! # Example
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use incident_core::calendar::Calendar;
//! use incident_core::sla::{ClockKind, ClockStage, SlaConfig, SlaDefinition, SlaEngine};
//! use incident_core::*;
//!
//! let mut sla = SlaConfig::default();
//! sla.calendars.insert("24x7".into(), Calendar::always_on("UTC").unwrap());
//! sla.definitions.push(SlaDefinition::new("fix", ClockKind::Resolution, 3600, "24x7"));
//! let engine = SlaEngine::new(sla).unwrap();
//!
//! let config = DeskConfig::default();
//! let admin = Actor::new("root", Role::Administrator);
//! let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
//! let report = Command::Open(NewIncident::new("VPN down", Channel::Phone, 2, 2));
//! let opened =
//!     decide::open(&config, IncidentId::new(t0), "INC0000001".into(), &admin, &report, t0)
//!         .unwrap();
//! let clocks = engine.replay(&opened.events).unwrap();
//! let status = engine.status(&clocks, t0 + Duration::minutes(90)).unwrap();
//! assert_eq!(status[0].stage, ClockStage::Breached);
//! assert_eq!(status[0].due_at, Some(t0 + Duration::hours(1)));
//! assert_eq!(engine.next_due_instant([&clocks], t0).unwrap(), Some(t0 + Duration::minutes(30)));
//! ```

mod definition;
mod engine;
mod status;

#[cfg(test)]
mod tests;

pub use definition::{
    Applicability, ClockKind, ClockScope, OnPriorityChange, OnReopen, SlaConfig, SlaDefinition,
    Threshold, TimeZoneSource,
};
pub use engine::{IncidentClocks, SlaClock, SlaEngine};
pub use status::{
    ClockOutcome, ClockStage, ClockStatus, CountedSpan, DeadlineExplanation, PauseSpan,
    WarningStatus,
};
