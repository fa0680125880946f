//! Business calendars and SLA clocks: conversion of their descriptions and results.
//!
//! Calendar descriptions are turned into the core's serde form (windows written
//! `"09:00-17:00"`, dates `"2026-12-24"`, yearly holidays `"12-25"`), so the core parses and
//! checks them exactly as it does JSON configuration files.

use std::collections::HashMap;

use incident_core::calendar::{self as cal, CalendarSpec};
use incident_core::sla as core_sla;
use napi::Env;
use napi_derive::napi;
use serde_json::{Value, json};

use crate::enums::State;
use crate::error::{Fallible, invalid, run, whole};
use crate::objects::small;
use crate::time::Date;

/// The working windows of each day of a normal week, each written `"HH:MM-HH:MM"`; days
/// left out are not worked. `["00:00-24:00"]` is a whole day.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct Week {
    /// Monday.
    pub mon: Option<Vec<String>>,
    /// Tuesday.
    pub tue: Option<Vec<String>>,
    /// Wednesday.
    pub wed: Option<Vec<String>>,
    /// Thursday.
    pub thu: Option<Vec<String>>,
    /// Friday.
    pub fri: Option<Vec<String>>,
    /// Saturday.
    pub sat: Option<Vec<String>>,
    /// Sunday.
    pub sun: Option<Vec<String>>,
}

/// A day off: `"2026-12-25"` once, or `"12-25"` every year.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Holiday {
    /// The local date.
    pub date: String,
    /// A label for explanations.
    pub name: Option<String>,
}

/// Working windows that replace the week's on one local date (empty: closed that day).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct DateOverride {
    /// The local date, `"YYYY-MM-DD"`.
    pub date: String,
    /// The day's windows.
    pub windows: Vec<String>,
    /// A label for explanations.
    pub name: Option<String>,
}

/// The rules of a calendar from one local date on.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CalendarVersion {
    /// First local date this version governs (`"YYYY-MM-DD"`); absent on the first.
    pub effective_from: Option<String>,
    /// The normal week.
    pub week: Option<Week>,
    /// Days off.
    pub holidays: Option<Vec<Holiday>>,
    /// Date-specific windows.
    pub overrides: Option<Vec<DateOverride>>,
}

/// A business calendar: windows in the wall time of an IANA zone, holidays, overrides.
///
/// Give either `versions`, or the first version's `week` / `holidays` / `overrides` directly.
#[napi(object, js_name = "CalendarSpec")]
#[derive(Debug, Clone)]
pub struct CalendarSpecInput {
    /// A label.
    pub name: Option<String>,
    /// IANA zone name such as `"Europe/Paris"`.
    pub time_zone: String,
    /// The normal week (single-version form).
    pub week: Option<Week>,
    /// Days off (single-version form).
    pub holidays: Option<Vec<Holiday>>,
    /// Date-specific windows (single-version form).
    pub overrides: Option<Vec<DateOverride>>,
    /// Versions in increasing `effectiveFrom` order.
    pub versions: Option<Vec<CalendarVersion>>,
}

fn week_json(week: Option<Week>) -> Value {
    let w = week.unwrap_or_default();
    let mut map = serde_json::Map::new();
    let days = [
        ("mon", w.mon),
        ("tue", w.tue),
        ("wed", w.wed),
        ("thu", w.thu),
        ("fri", w.fri),
        ("sat", w.sat),
        ("sun", w.sun),
    ];
    for (key, windows) in days {
        if let Some(windows) = windows {
            map.insert(key.to_owned(), json!(windows));
        }
    }
    Value::Object(map)
}

fn version_json(v: CalendarVersion) -> Value {
    let holidays: Vec<Value> = v
        .holidays
        .unwrap_or_default()
        .into_iter()
        .map(|h| json!({ "date": h.date, "name": h.name.unwrap_or_default() }))
        .collect();
    let overrides: Vec<Value> = v
        .overrides
        .unwrap_or_default()
        .into_iter()
        .map(
            |o| json!({ "date": o.date, "windows": o.windows, "name": o.name.unwrap_or_default() }),
        )
        .collect();
    let mut out =
        json!({ "week": week_json(v.week), "holidays": holidays, "overrides": overrides });
    if let Some(from) = v.effective_from {
        out["effective_from"] = json!(from);
    }
    out
}

impl CalendarSpecInput {
    /// The core's calendar, validated and compiled.
    ///
    /// # Errors
    /// `ERR_VALIDATION` naming the first broken rule (bad zone, window, date, order).
    pub fn into_core(self) -> Fallible<cal::Calendar> {
        let versions: Vec<Value> = match self.versions {
            Some(list) => list.into_iter().map(version_json).collect(),
            None => vec![version_json(CalendarVersion {
                effective_from: None,
                week: self.week,
                holidays: self.holidays,
                overrides: self.overrides,
            })],
        };
        let spec = json!({
            "name": self.name.unwrap_or_default(),
            "time_zone": self.time_zone,
            "versions": versions,
        });
        let spec: CalendarSpec =
            serde_json::from_value(spec).map_err(|e| invalid("calendar", e.to_string()))?;
        Ok(cal::Calendar::new(spec)?)
    }
}

/// A validated business calendar, for arithmetic on business time (whole seconds).
#[napi]
#[derive(Debug, Clone)]
pub struct Calendar {
    inner: cal::Calendar,
}

#[napi]
impl Calendar {
    /// Checks and compiles a calendar description.
    ///
    /// # Errors
    /// `ERR_VALIDATION` naming the first broken rule.
    #[napi(constructor)]
    pub fn new(env: Env, spec: CalendarSpecInput) -> napi::Result<Self> {
        run(&env, || {
            Ok(Calendar {
                inner: spec.into_core()?,
            })
        })
    }

    /// The round-the-clock calendar in a zone: every second is working time.
    ///
    /// # Errors
    /// `ERR_VALIDATION` for an unknown zone.
    #[napi(factory)]
    pub fn always_on(env: Env, time_zone: String) -> napi::Result<Self> {
        run(&env, || {
            Ok(Calendar {
                inner: cal::Calendar::always_on(&time_zone)?,
            })
        })
    }

    /// Business seconds between two instants (negative when `to` is before `from`).
    ///
    /// # Errors
    /// `ERR_VALIDATION` for instants outside years 1-9998.
    #[napi]
    pub fn business_seconds(&self, env: Env, from: Date, to: Date) -> napi::Result<i64> {
        run(&env, || {
            Ok(self.inner.business_time(from.0, to.0)?.num_seconds())
        })
    }

    /// The instant `seconds` of business time after `from` (before, when negative).
    ///
    /// # Errors
    /// `ERR_VALIDATION` when the result falls outside the supported range.
    #[napi]
    pub fn add_business_seconds(&self, env: Env, from: Date, seconds: f64) -> napi::Result<Date> {
        run(&env, || {
            Ok(Date(self.inner.add_business(from.0, seconds_of(seconds)?)?))
        })
    }

    /// The instant `seconds` of business time before `to`.
    ///
    /// # Errors
    /// As [`Calendar::add_business_seconds`].
    #[napi]
    pub fn sub_business_seconds(&self, env: Env, to: Date, seconds: f64) -> napi::Result<Date> {
        run(&env, || {
            Ok(Date(self.inner.sub_business(to.0, seconds_of(seconds)?)?))
        })
    }

    /// Whether an instant is inside working time.
    ///
    /// # Errors
    /// `ERR_VALIDATION` for instants outside the supported range.
    #[napi]
    pub fn is_working(&self, env: Env, at: Date) -> napi::Result<bool> {
        run(&env, || Ok(self.inner.is_working(at.0)?))
    }

    /// The first working instant at or after `at`.
    ///
    /// # Errors
    /// As [`Calendar::is_working`].
    #[napi]
    pub fn next_working(&self, env: Env, at: Date) -> napi::Result<Date> {
        run(&env, || Ok(Date(self.inner.next_working(at.0)?)))
    }
}

/// A duration in whole seconds, refused when not an integer or when chrono cannot represent
/// it.
fn seconds_of(seconds: f64) -> Fallible<chrono::TimeDelta> {
    let seconds: i64 = whole("seconds", seconds)?;
    chrono::TimeDelta::try_seconds(seconds)
        .ok_or_else(|| invalid("seconds", format!("{seconds} s is out of range")))
}

/// What a clock measures.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockKind {
    /// From opening (or assignment, for an OLA) until work starts.
    Response,
    /// From opening (or assignment) until resolved, minus paused time.
    Resolution,
}

/// Where a clock stands.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStage {
    /// Counting, within target.
    Running,
    /// Not counting (a pause state), within target.
    Paused,
    /// Stopped within target.
    Met,
    /// Elapsed business time is strictly greater than the target.
    Breached,
    /// Stopped without a result (canceled, replaced, disabled).
    Cancelled,
}

/// What a reopen does to a resolution clock.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnReopen {
    /// Continue the same clock (default).
    Resume,
    /// Start a new clock at the reopen.
    Restart,
    /// Only the first resolution counts.
    FirstResolveOnly,
}

/// What a change of the matching definition (a priority change) does to a running clock.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnPriorityChange {
    /// Keep the elapsed time, judge it against the new target (default).
    CarryElapsed,
    /// Start a new clock from zero at the change.
    Restart,
    /// Recompute as if the new definition had applied from the start.
    Retroactive,
}

/// Whose wall clock a definition's calendar follows.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZoneSource {
    /// The calendar's own zone (default).
    Calendar,
    /// The caller's zone (`callerTimeZones`).
    Caller,
    /// The workgroup's zone (`workgroupTimeZones`).
    Workgroup,
}

/// A warning point: a percentage of the target, or seconds before it is reached.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Threshold {
    /// Percentage of the target elapsed.
    pub percent: Option<f64>,
    /// Business seconds before the target.
    pub before_due_seconds: Option<f64>,
}

impl Threshold {
    fn into_core(self) -> Fallible<core_sla::Threshold> {
        match (self.percent, self.before_due_seconds) {
            (Some(p), None) => Ok(core_sla::Threshold::Percent(whole("percent", p)?)),
            (None, Some(s)) => Ok(core_sla::Threshold::BeforeDueSeconds(whole(
                "beforeDueSeconds",
                s,
            )?)),
            _ => Err(invalid(
                "warnings",
                "give exactly one of percent, beforeDueSeconds",
            )),
        }
    }

    fn from_core(t: core_sla::Threshold) -> Self {
        match t {
            core_sla::Threshold::Percent(p) => Threshold {
                percent: Some(p.into()),
                before_due_seconds: None,
            },
            core_sla::Threshold::BeforeDueSeconds(s) => Threshold {
                percent: None,
                before_due_seconds: Some(s as f64),
            },
        }
    }
}

/// One SLA or OLA commitment; tried in order, first match per kind and scope applies.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct SlaDefinition {
    /// Stable identifier, unique in a configuration.
    pub id: String,
    /// Label for screens and explanations.
    pub name: Option<String>,
    /// Response or resolution.
    pub kind: ClockKind,
    /// The workgroup whose OLA this is; absent for the customer SLA.
    pub workgroup: Option<String>,
    /// Business seconds allowed; breached when elapsed is strictly greater.
    pub target_seconds: f64,
    /// Name of a calendar in `SlaConfig.calendars`.
    pub calendar: String,
    /// Applies to these priorities only.
    pub priorities: Option<Vec<f64>>,
    /// Applies to these services only.
    pub services: Option<Vec<String>>,
    /// Applies to these categories only.
    pub categories: Option<Vec<String>>,
    /// Applies to callers of these organisations only.
    pub organisations: Option<Vec<String>>,
    /// States that pause the clock (default On Hold; resolution also Resolved, Closed).
    pub pause_states: Option<Vec<State>>,
    /// Warning points (default 50 %, 75 %, 100 %).
    pub warnings: Option<Vec<Threshold>>,
    /// Whose wall clock the calendar follows.
    pub time_zone: Option<TimeZoneSource>,
    /// Reopen policy.
    pub on_reopen: Option<OnReopen>,
    /// Policy when this definition replaces another on a running clock.
    pub on_priority_change: Option<OnPriorityChange>,
    /// From this instant on the definition is disabled.
    pub disabled_from: Option<Date>,
}

impl SlaDefinition {
    fn into_core(self) -> Fallible<core_sla::SlaDefinition> {
        let kind = match self.kind {
            ClockKind::Response => core_sla::ClockKind::Response,
            ClockKind::Resolution => core_sla::ClockKind::Resolution,
        };
        let mut d = core_sla::SlaDefinition::new(
            self.id,
            kind,
            whole("targetSeconds", self.target_seconds)?,
            self.calendar,
        );
        d.name = self.name.unwrap_or_default();
        if let Some(group) = self.workgroup {
            d = d.for_workgroup(group);
        }
        let priorities: Fallible<Vec<u8>> = self
            .priorities
            .unwrap_or_default()
            .into_iter()
            .map(|p| small("priorities", p))
            .collect();
        d.applies_to.priorities = priorities?;
        d.applies_to.services = self.services.unwrap_or_default();
        d.applies_to.categories = self.categories.unwrap_or_default();
        d.applies_to.organisations = self.organisations.unwrap_or_default();
        d.pause_states = self
            .pause_states
            .map(|states| states.into_iter().map(Into::into).collect());
        if let Some(warnings) = self.warnings {
            d.warnings = warnings
                .into_iter()
                .map(Threshold::into_core)
                .collect::<Fallible<_>>()?;
        }
        d.time_zone = match self.time_zone.unwrap_or(TimeZoneSource::Calendar) {
            TimeZoneSource::Calendar => core_sla::TimeZoneSource::Calendar,
            TimeZoneSource::Caller => core_sla::TimeZoneSource::Caller,
            TimeZoneSource::Workgroup => core_sla::TimeZoneSource::Workgroup,
        };
        d.on_reopen = match self.on_reopen.unwrap_or(OnReopen::Resume) {
            OnReopen::Resume => core_sla::OnReopen::Resume,
            OnReopen::Restart => core_sla::OnReopen::Restart,
            OnReopen::FirstResolveOnly => core_sla::OnReopen::FirstResolveOnly,
        };
        d.on_priority_change = match self
            .on_priority_change
            .unwrap_or(OnPriorityChange::CarryElapsed)
        {
            OnPriorityChange::CarryElapsed => core_sla::OnPriorityChange::CarryElapsed,
            OnPriorityChange::Restart => core_sla::OnPriorityChange::Restart,
            OnPriorityChange::Retroactive => core_sla::OnPriorityChange::Retroactive,
        };
        d.disabled_from = self.disabled_from.map(|d| d.0);
        Ok(d)
    }
}

/// Calendars, definitions and zones: what the SLA clocks are computed with.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct SlaConfig {
    /// Calendars by name.
    pub calendars: HashMap<String, CalendarSpecInput>,
    /// Definitions, in matching order.
    pub definitions: Vec<SlaDefinition>,
    /// IANA zone of callers, for `timeZone: 'caller'`.
    pub caller_time_zones: Option<HashMap<String, String>>,
    /// IANA zone of workgroups, for `timeZone: 'workgroup'`.
    pub workgroup_time_zones: Option<HashMap<String, String>>,
}

impl SlaConfig {
    /// The core's engine, validated.
    ///
    /// # Errors
    /// `ERR_VALIDATION` or `ERR_NOT_FOUND` as the core checks the configuration.
    pub fn into_engine(self) -> Fallible<core_sla::SlaEngine> {
        let mut config = core_sla::SlaConfig::default();
        for (name, spec) in self.calendars {
            config.calendars.insert(name, spec.into_core()?);
        }
        for definition in self.definitions {
            config.definitions.push(definition.into_core()?);
        }
        for (user, zone) in self.caller_time_zones.unwrap_or_default() {
            config.caller_time_zones.insert(user.into(), zone);
        }
        for (group, zone) in self.workgroup_time_zones.unwrap_or_default() {
            config.workgroup_time_zones.insert(group.into(), zone);
        }
        Ok(core_sla::SlaEngine::new(config)?)
    }
}

/// A warning point of a clock and when it falls.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct WarningStatus {
    /// The threshold.
    pub threshold: Threshold,
    /// Elapsed business seconds at which it falls.
    pub elapsed_seconds: i64,
    /// When it falls (or fell); absent when the clock stopped before.
    pub at: Option<Date>,
    /// Whether it has been reached.
    pub reached: bool,
}

/// One clock of an incident at an instant.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ClockStatus {
    /// Position of the clock among the incident's clocks (for `explainDeadline`).
    pub index: u32,
    /// The definition's id.
    pub definition: String,
    /// The definition's label.
    pub name: String,
    /// Response or resolution.
    pub kind: ClockKind,
    /// The workgroup, for an OLA; absent for the SLA.
    pub workgroup: Option<String>,
    /// Where the clock stands.
    pub stage: ClockStage,
    /// When it started.
    pub started_at: Date,
    /// When it stopped.
    pub stopped_at: Option<Date>,
    /// Business seconds allowed.
    pub target_seconds: i64,
    /// Business seconds counted.
    pub elapsed_seconds: i64,
    /// Business seconds left (negative once breached).
    pub remaining_seconds: i64,
    /// When the target is (or was) reached, if the clock runs on.
    pub due_at: Option<Date>,
    /// When it breached.
    pub breached_at: Option<Date>,
    /// Warning points.
    pub warnings: Vec<WarningStatus>,
    /// The calendar used.
    pub calendar: String,
}

/// Converts a clock kind.
pub fn kind_of(kind: core_sla::ClockKind) -> ClockKind {
    match kind {
        core_sla::ClockKind::Response => ClockKind::Response,
        core_sla::ClockKind::Resolution => ClockKind::Resolution,
    }
}

/// Converts a clock stage.
pub fn stage_of(stage: core_sla::ClockStage) -> ClockStage {
    match stage {
        core_sla::ClockStage::Running => ClockStage::Running,
        core_sla::ClockStage::Paused => ClockStage::Paused,
        core_sla::ClockStage::Met => ClockStage::Met,
        core_sla::ClockStage::Breached => ClockStage::Breached,
        core_sla::ClockStage::Cancelled => ClockStage::Cancelled,
    }
}

/// The JavaScript form of a clock's status.
pub fn status_of(index: usize, s: &core_sla::ClockStatus) -> ClockStatus {
    ClockStatus {
        index: index as u32,
        definition: s.definition.clone(),
        name: s.name.clone(),
        kind: kind_of(s.kind),
        workgroup: match &s.scope {
            core_sla::ClockScope::Ola { workgroup } => Some(workgroup.to_string()),
            _ => None,
        },
        stage: stage_of(s.stage),
        started_at: Date(s.started_at),
        stopped_at: s.stopped_at.map(Date),
        target_seconds: s.target_seconds,
        elapsed_seconds: s.elapsed_seconds,
        remaining_seconds: s.remaining_seconds,
        due_at: s.due_at.map(Date),
        breached_at: s.breached_at.map(Date),
        warnings: s
            .warnings
            .iter()
            .map(|w| WarningStatus {
                threshold: Threshold::from_core(w.threshold),
                elapsed_seconds: w.elapsed_seconds,
                at: w.at.map(Date),
                reached: w.reached,
            })
            .collect(),
        calendar: s.calendar.clone(),
    }
}
