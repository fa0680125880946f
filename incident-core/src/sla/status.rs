//! Queries on clocks: stage, elapsed and remaining time, due and warning instants, the next
//! instant a host must wake up for, and explanations of deadlines.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::definition::{ClockKind, ClockScope, Threshold};
use super::engine::{IncidentClocks, SlaClock, SlaEngine};
use crate::calendar::{CalendarDay, to_datetime};
use crate::error::{Error, Result};
use crate::event::Event;

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStage {
    /// Counting, within target.
    Running,
    /// Not counting (a pause state), within target.
    Paused,
    /// Stopped within target.
    Met,
    /// Elapsed business time is strictly greater than the target (running, paused or
    /// stopped).
    Breached,
    /// Stopped without a result: incident canceled, definition replaced, no longer
    /// applicable, or disabled. Breach flags are cleared.
    Cancelled,
}

/// The allocation-free summary of a clock at an instant (see [`SlaEngine::outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClockOutcome {
    /// Response or resolution.
    pub kind: ClockKind,
    /// Where the clock stands.
    pub stage: ClockStage,
    /// Business seconds counted.
    pub elapsed_seconds: i64,
    /// Business seconds allowed.
    pub target_seconds: i64,
    /// When the clock stopped, if it did.
    pub stopped_at: Option<DateTime<Utc>>,
}

impl ClockOutcome {
    /// Whether the clock is breached (never true for a cancelled clock).
    pub fn is_breached(&self) -> bool {
        self.stage == ClockStage::Breached
    }
}

/// A warning point of a clock and when it falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WarningStatus {
    /// The configured threshold.
    pub threshold: Threshold,
    /// The elapsed business seconds at which it falls.
    pub elapsed_seconds: i64,
    /// When it was (or, for a running clock, will be) reached; `None` when the clock is
    /// paused or stopped before reaching it.
    pub at: Option<DateTime<Utc>>,
    /// Whether it has been reached.
    pub reached: bool,
}

/// Everything a screen or a binding shows about one clock at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockStatus {
    /// Id of the definition measured.
    pub definition: String,
    /// Its label.
    pub name: String,
    /// Response or resolution.
    pub kind: ClockKind,
    /// SLA, or the OLA of a workgroup.
    pub scope: ClockScope,
    /// Where it stands.
    pub stage: ClockStage,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it stopped (or was cancelled by a disabled definition), if it did.
    pub stopped_at: Option<DateTime<Utc>>,
    /// Business seconds allowed.
    pub target_seconds: i64,
    /// Business seconds counted.
    pub elapsed_seconds: i64,
    /// `target - elapsed`: negative once breached.
    pub remaining_seconds: i64,
    /// When elapsed reaches the target: past, or projected for a running clock; `None` for
    /// a paused or stopped clock that has not reached it.
    pub due_at: Option<DateTime<Utc>>,
    /// When the clock was (or, running, will be) breached: one business second after
    /// `due_at`. Kept as history on a cancelled clock, whose stage is not breached.
    pub breached_at: Option<DateTime<Utc>>,
    /// The warning points.
    pub warnings: Vec<WarningStatus>,
    /// Name of the calendar (and zone variant) it counts with.
    pub calendar: String,
}

/// A stretch of counted time in an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedSpan {
    /// Start.
    pub from: DateTime<Utc>,
    /// End (the query instant for the running stretch).
    pub to: DateTime<Utc>,
    /// Business seconds counted.
    pub business_seconds: i64,
}

/// A pause in an explanation, with the business time it did not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseSpan {
    /// When the clock stopped counting.
    pub from: DateTime<Utc>,
    /// When it counted again (or the query instant while still paused).
    pub to: DateTime<Utc>,
    /// Business seconds of the calendar inside the pause, credited to the incident.
    pub business_seconds_credited: i64,
}

/// Why a clock's deadline is where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineExplanation {
    /// The clock's status at the query instant.
    pub status: ClockStatus,
    /// Which definition matched and why (conditions, first match in order).
    pub matched: String,
    /// Ids of the definitions of this kind and scope that precede it in the configuration:
    /// tried first, they did not apply (conditions or disabled).
    pub skipped_definitions: Vec<String>,
    /// The calendar's zone.
    pub time_zone: String,
    /// The stretches counted.
    pub counted: Vec<CountedSpan>,
    /// The pauses and the business time they credited.
    pub pauses: Vec<PauseSpan>,
    /// Day by day from the clock's start (at most ten years back) to its due instant, stop
    /// or the query instant: windows counted, holidays and overrides.
    pub days: Vec<CalendarDay>,
}

impl SlaEngine {
    /// Full status of every clock of an incident at `now`, oldest clock first.
    ///
    /// # Errors
    /// [`Error::Validation`] when `now` or a projected instant is outside the calendars'
    /// range.
    pub fn status(&self, clocks: &IncidentClocks, now: DateTime<Utc>) -> Result<Vec<ClockStatus>> {
        clocks
            .clocks()
            .iter()
            .map(|c| self.clock_status(c, now))
            .collect()
    }

    /// Full status of one clock at `now`.
    ///
    /// # Errors
    /// As [`SlaEngine::status`].
    pub fn clock_status(&self, clock: &SlaClock, now: DateTime<Utc>) -> Result<ClockStatus> {
        let outcome = self.outcome(clock, now)?;
        let definition = self.definition(clock);
        let target = definition.target_seconds;
        let elapsed = outcome.elapsed_seconds;
        let open = outcome.stopped_at.is_none();

        // Instants are projected only while the clock runs; otherwise only reached ones.
        let when = |value: i64| -> Result<Option<DateTime<Utc>>> {
            if elapsed >= value || (open && clock.running_since.is_some()) {
                Ok(self.instant_at(clock, value)?.map(to_datetime))
            } else {
                Ok(None)
            }
        };
        let warnings = definition
            .warnings
            .iter()
            .map(|&threshold| {
                let at_elapsed = threshold.elapsed_at(target);
                Ok(WarningStatus {
                    threshold,
                    elapsed_seconds: at_elapsed,
                    at: when(at_elapsed)?,
                    reached: elapsed >= at_elapsed,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        Ok(ClockStatus {
            definition: definition.id.clone(),
            name: definition.name.clone(),
            kind: definition.kind,
            scope: definition.scope.clone(),
            stage: outcome.stage,
            started_at: to_datetime(clock.started_at),
            stopped_at: outcome.stopped_at,
            target_seconds: target,
            elapsed_seconds: elapsed,
            remaining_seconds: target - elapsed,
            due_at: when(target)?,
            breached_at: when(target + 1)?,
            warnings,
            calendar: self.calendar_names[clock.calendar as usize].clone(),
        })
    }

    /// The earliest instant after `now` at which any running clock of these incidents
    /// reaches a warning point, its target, or its breach: arm one timer for it instead
    /// of polling. `None` when no clock is running.
    ///
    /// # Errors
    /// As [`SlaEngine::status`].
    pub fn next_due_instant<'a>(
        &self,
        incidents: impl IntoIterator<Item = &'a IncidentClocks>,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        let t = now.timestamp();
        let mut next: Option<i64> = None;
        for clock in incidents.into_iter().flat_map(|c| c.clocks()) {
            if clock.end.is_some() || clock.running_since.is_none() {
                continue;
            }
            let outcome = self.outcome(clock, now)?;
            if matches!(outcome.stage, ClockStage::Cancelled | ClockStage::Met) {
                continue;
            }
            let definition = self.definition(clock);
            let target = definition.target_seconds;
            let points = definition.warnings.iter().map(|w| w.elapsed_at(target));
            for value in points.chain([target, target + 1]) {
                if value <= outcome.elapsed_seconds {
                    continue;
                }
                if let Some(at) = self.instant_at(clock, value)?.filter(|&at| at > t) {
                    next = Some(next.map_or(at, |n| n.min(at)));
                }
            }
        }
        Ok(next.map(to_datetime))
    }

    /// Explain the deadline of the incident's clock number `clock` (as in
    /// [`IncidentClocks::clocks`]) at `now`, replaying its events.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such clock; otherwise as [`SlaEngine::replay`]
    /// and [`crate::calendar::Calendar::explain`].
    pub fn explain(
        &self,
        events: &[Event],
        clock: usize,
        now: DateTime<Utc>,
    ) -> Result<DeadlineExplanation> {
        let clocks = self.replay_explained(events)?;
        let c = clocks
            .clocks()
            .get(clock)
            .ok_or_else(|| Error::not_found("clock", clock))?;
        let status = self.clock_status(c, now)?;
        let definition = self.definition(c);
        let calendar = self.calendar(c.calendar);
        let t = now.timestamp();

        let skipped_definitions = self
            .config()
            .definitions
            .iter()
            .take(c.definition as usize)
            .filter(|d| d.kind == definition.kind && d.scope == definition.scope)
            .map(|d| d.id.clone())
            .collect();

        let mut counted = Vec::new();
        let mut pauses = Vec::new();
        let mut last_end: Option<i64> = None;
        let spans = c
            .segments
            .iter()
            .map(|s| (s.from, s.to, s.seconds, s.calendar));
        let running = c
            .running_since
            .filter(|&f| f <= t)
            .map(|f| (f, t, c.calendar));
        let running = running
            .map(|(f, to, cal)| Ok((f, to, self.calendar(cal).business_seconds(f, to)?, cal)))
            .transpose()?;
        for (from, to, seconds, cal) in spans.chain(running) {
            if let Some(end) = last_end.filter(|&e| e < from) {
                let credited = self.calendar(cal).business_seconds(end, from)?;
                pauses.push(PauseSpan {
                    from: to_datetime(end),
                    to: to_datetime(from),
                    business_seconds_credited: credited,
                });
            }
            counted.push(CountedSpan {
                from: to_datetime(from),
                to: to_datetime(to),
                business_seconds: seconds,
            });
            last_end = Some(to);
        }
        if let Some(end) =
            last_end.filter(|&e| e < t && c.end.is_none() && c.running_since.is_none())
        {
            pauses.push(PauseSpan {
                from: to_datetime(end),
                to: now,
                business_seconds_credited: calendar.business_seconds(end, t)?,
            });
        }

        let until = status
            .due_at
            .or(status.stopped_at)
            .unwrap_or(now)
            .max(status.started_at);
        // Calendar explanations cover at most ten years: keep the most recent ones.
        let from = status.started_at.max(until - chrono::TimeDelta::days(3650));
        let days = calendar.explain(from, until)?;
        let matched = clocks
            .reasons
            .as_ref()
            .and_then(|r| r.get(clock).cloned())
            .unwrap_or_default();
        Ok(DeadlineExplanation {
            status,
            matched,
            skipped_definitions,
            time_zone: calendar.time_zone().name().to_owned(),
            counted,
            pauses,
            days,
        })
    }
}
