//! SLA and OLA definitions: what is measured, against which target and calendar, for which
//! incidents, and how reopen and priority changes are treated.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, parse_time_zone};
use crate::error::{Error, Result};
use crate::model::{State, UserId, WorkgroupId};

/// What a clock measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// From opening (or assignment, for an OLA) until work starts: the first move to In
    /// Progress, or the first comment by an analyst or manager.
    Response,
    /// From opening (or assignment) until Resolved, minus paused time.
    Resolution,
}

/// Whose commitment a clock measures.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(tag = "level", rename_all = "snake_case")]
pub enum ClockScope {
    /// The customer-facing SLA: runs from opening whatever the workgroup.
    #[default]
    Sla,
    /// A workgroup's OLA: runs from assignment to the workgroup until it leaves.
    Ola {
        /// The workgroup the OLA binds.
        workgroup: WorkgroupId,
    },
}

/// Which incidents a definition applies to. Every non-empty list must contain the
/// incident's value; empty lists match anything, so a definition with no conditions is a
/// fallback.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Applicability {
    /// Priorities (1 = highest).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub priorities: Vec<u8>,
    /// Affected services.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Categories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Callers' organisations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<String>,
}

/// The incident attributes a definition is matched against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MatchInput<'a> {
    pub(crate) priority: u8,
    pub(crate) service: Option<&'a str>,
    pub(crate) category: Option<&'a str>,
    pub(crate) organisation: Option<&'a str>,
}

fn contains(list: &[String], value: Option<&str>) -> bool {
    list.is_empty() || value.is_some_and(|v| list.iter().any(|x| x == v))
}

impl Applicability {
    pub(crate) fn matches(&self, input: &MatchInput<'_>) -> bool {
        (self.priorities.is_empty() || self.priorities.contains(&input.priority))
            && contains(&self.services, input.service)
            && contains(&self.categories, input.category)
            && contains(&self.organisations, input.organisation)
    }

    /// Why the definition matched, in words, for explanations.
    pub(crate) fn reason(&self, input: &MatchInput<'_>) -> String {
        let mut parts = Vec::new();
        if !self.priorities.is_empty() {
            parts.push(format!(
                "priority {} in {:?}",
                input.priority, self.priorities
            ));
        }
        let mut text = |name: &str, list: &[String], value: Option<&str>| {
            if !list.is_empty() {
                parts.push(format!(
                    "{name} {:?} in {list:?}",
                    value.unwrap_or_default()
                ));
            }
        };
        text("service", &self.services, input.service);
        text("category", &self.categories, input.category);
        text("organisation", &self.organisations, input.organisation);
        if parts.is_empty() {
            "no conditions (fallback)".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// What a reopen does to a resolution clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnReopen {
    /// Continue the same clock; time spent Resolved or Closed is not counted.
    #[default]
    Resume,
    /// Keep the finished clock as history and start a new one at the reopen.
    Restart,
    /// Only the first resolution counts; a reopen starts nothing.
    FirstResolveOnly,
}

/// What a change of the matching definition (typically a priority change) does to a clock.
///
/// The policy of the newly matched definition applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnPriorityChange {
    /// Keep the business time elapsed so far and judge it against the new target.
    #[default]
    CarryElapsed,
    /// Supersede the clock and start a new one, from zero, at the change.
    Restart,
    /// Recompute the clock as if the new definition had applied from the start (its
    /// calendar, target and warnings), with the same pauses.
    Retroactive,
}

/// Where the wall clock of a definition's calendar comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeZoneSource {
    /// The calendar's own zone.
    #[default]
    Calendar,
    /// The caller's zone ([`SlaConfig::caller_time_zones`]), else the calendar's.
    Caller,
    /// The workgroup's zone ([`SlaConfig::workgroup_time_zones`]): the OLA's workgroup, or
    /// for an SLA the workgroup assigned when the clock starts; else the calendar's.
    Workgroup,
}

/// A warning point of a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// When this percentage of the target has elapsed (rounded down to the second).
    Percent(u32),
    /// This many business seconds before the target is reached.
    BeforeDueSeconds(i64),
}

impl Threshold {
    /// The elapsed business seconds at which the warning falls, for a target.
    pub fn elapsed_at(self, target: i64) -> i64 {
        match self {
            Threshold::Percent(p) => {
                let v = i128::from(target) * i128::from(p) / 100;
                i64::try_from(v).unwrap_or(i64::MAX)
            }
            Threshold::BeforeDueSeconds(s) => target.saturating_sub(s).max(0),
        }
    }
}

fn default_warnings() -> Vec<Threshold> {
    vec![
        Threshold::Percent(50),
        Threshold::Percent(75),
        Threshold::Percent(100),
    ]
}

fn is_default_warnings(w: &[Threshold]) -> bool {
    w == default_warnings().as_slice()
}

/// One SLA or OLA commitment.
///
/// Definitions are tried in the order of [`SlaConfig::definitions`]; for each kind and
/// scope the first enabled one whose [`Applicability`] matches the incident applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaDefinition {
    /// Stable identifier, unique in a configuration.
    pub id: String,
    /// Label for screens and explanations.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Response or resolution.
    pub kind: ClockKind,
    /// SLA, or OLA of a workgroup.
    #[serde(default)]
    pub scope: ClockScope,
    /// Business seconds allowed; breached when elapsed is strictly greater.
    pub target_seconds: i64,
    /// Name of the calendar in [`SlaConfig::calendars`].
    pub calendar: String,
    /// Which incidents it applies to.
    #[serde(default)]
    pub applies_to: Applicability,
    /// States in which the clock does not run. `None` means the default: On Hold, plus
    /// Resolved and Closed for resolution clocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_states: Option<Vec<State>>,
    /// Warning points; default 50 %, 75 % and 100 %.
    #[serde(
        default = "default_warnings",
        skip_serializing_if = "is_default_warnings"
    )]
    pub warnings: Vec<Threshold>,
    /// Whose wall clock the calendar follows.
    #[serde(default)]
    pub time_zone: TimeZoneSource,
    /// Reopen policy (resolution clocks).
    #[serde(default)]
    pub on_reopen: OnReopen,
    /// Policy when this definition replaces another on a running clock.
    #[serde(default)]
    pub on_priority_change: OnPriorityChange,
    /// From this instant on the definition is disabled: it matches no new clock, its open
    /// clocks show as cancelled and their breach flags clear; their history is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_from: Option<DateTime<Utc>>,
}

impl SlaDefinition {
    /// A definition with the defaults: SLA scope, no conditions, default pauses, warnings
    /// and policies.
    pub fn new(
        id: impl Into<String>,
        kind: ClockKind,
        target_seconds: i64,
        calendar: impl Into<String>,
    ) -> Self {
        SlaDefinition {
            id: id.into(),
            name: String::new(),
            kind,
            scope: ClockScope::Sla,
            target_seconds,
            calendar: calendar.into(),
            applies_to: Applicability::default(),
            pause_states: None,
            warnings: default_warnings(),
            time_zone: TimeZoneSource::Calendar,
            on_reopen: OnReopen::Resume,
            on_priority_change: OnPriorityChange::CarryElapsed,
            disabled_from: None,
        }
    }

    /// The same definition restricted to priorities.
    pub fn for_priorities(mut self, priorities: &[u8]) -> Self {
        self.applies_to.priorities = priorities.to_vec();
        self
    }

    /// The same definition as the OLA of a workgroup.
    pub fn for_workgroup(mut self, workgroup: impl Into<WorkgroupId>) -> Self {
        self.scope = ClockScope::Ola {
            workgroup: workgroup.into(),
        };
        self
    }

    /// Whether the clock pauses in `state`.
    pub fn pauses_in(&self, state: State) -> bool {
        match &self.pause_states {
            Some(states) => states.contains(&state),
            None => match self.kind {
                ClockKind::Response => state == State::OnHold,
                ClockKind::Resolution => {
                    matches!(state, State::OnHold | State::Resolved | State::Closed)
                }
            },
        }
    }
}

/// Longest target accepted: one hundred years of business time.
const MAX_TARGET_SECONDS: i64 = 100 * 366 * 86_400;

/// Calendars, definitions and zones: everything the SLA engine is configured with.
///
/// ```
/// use incident_core::calendar::Calendar;
/// use incident_core::sla::{ClockKind, SlaConfig, SlaDefinition, SlaEngine};
///
/// let mut config = SlaConfig::default();
/// config.calendars.insert("24x7".into(), Calendar::always_on("UTC").unwrap());
/// config.definitions.push(SlaDefinition::new("p1-fix", ClockKind::Resolution, 4 * 3600, "24x7")
///     .for_priorities(&[1]));
/// let engine = SlaEngine::new(config).unwrap();
/// assert_eq!(engine.config().definitions.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaConfig {
    /// Calendars by name.
    pub calendars: BTreeMap<String, Calendar>,
    /// Definitions, in matching order.
    pub definitions: Vec<SlaDefinition>,
    /// IANA zone of callers, for [`TimeZoneSource::Caller`].
    pub caller_time_zones: BTreeMap<UserId, String>,
    /// IANA zone of workgroups, for [`TimeZoneSource::Workgroup`].
    pub workgroup_time_zones: BTreeMap<WorkgroupId, String>,
}

impl SlaConfig {
    /// Check the configuration, reporting the first problem.
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty or repeated id, a target that is not positive or
    /// longer than a century, a threshold out of range, or a bad zone name;
    /// [`Error::NotFound`] for a definition naming an unknown calendar.
    pub fn validate(&self) -> Result<()> {
        let mut ids = std::collections::BTreeSet::new();
        for d in &self.definitions {
            let field = |f: &str| format!("definitions[{}].{f}", d.id);
            if d.id.trim().is_empty() {
                return Err(Error::validation(
                    "definitions.id",
                    "an id must not be blank",
                ));
            }
            if !ids.insert(d.id.as_str()) {
                return Err(Error::validation(field("id"), "the id is used twice"));
            }
            if !(1..=MAX_TARGET_SECONDS).contains(&d.target_seconds) {
                return Err(Error::validation(
                    field("target_seconds"),
                    format!("{} is not within 1 s to 100 years", d.target_seconds),
                ));
            }
            if !self.calendars.contains_key(&d.calendar) {
                return Err(Error::not_found("calendar", &d.calendar));
            }
            for w in &d.warnings {
                let ok = match *w {
                    Threshold::Percent(p) => (1..=1000).contains(&p),
                    Threshold::BeforeDueSeconds(s) => (0..=d.target_seconds).contains(&s),
                };
                if !ok {
                    return Err(Error::validation(
                        field("warnings"),
                        format!("{w:?} is out of range"),
                    ));
                }
            }
        }
        for zone in self
            .caller_time_zones
            .values()
            .chain(self.workgroup_time_zones.values())
        {
            parse_time_zone(zone)?;
        }
        Ok(())
    }
}
