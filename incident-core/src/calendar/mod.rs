//! Business calendars: when the clock of an SLA runs, to the second, across DST.
//!
//! A [`Calendar`] is a set of weekly working windows in the wall time of a named IANA zone,
//! with holidays (one-off or yearly), date-specific overrides, and versions that take effect
//! on later dates. It answers four questions, each in time proportional to the number of
//! windows (in practice: years) crossed, never by stepping minute by minute:
//!
//! - [`Calendar::business_time`]: working time between two instants;
//! - [`Calendar::add_business`] / [`Calendar::sub_business`]: the instant a business duration
//!   after (before) another, used for due dates and warnings;
//! - [`Calendar::is_working`]: whether an instant is inside working time;
//! - [`Calendar::next_working`]: the first working instant at or after another.
//!
//! Arithmetic works on whole seconds: sub-second parts of instants and durations are dropped
//! (instants are floored to their second). Instants from year 0001 to 9998 (UTC) are
//! supported; others give [`Error::Validation`] on the field `instant`.
//!
//! # Daylight saving time
//!
//! A window `[start, end)` of a local date covers every instant from the moment the local
//! clock *first* shows `start` to the moment it *first* shows `end`. Concretely:
//!
//! - a wall time that exists once maps to that instant;
//! - an ambiguous wall time (in the repeated hour of a fall-back) maps to its **first**
//!   occurrence, so a `00:00-10:00` window lasts 11 real hours on a fall-back day, and a
//!   window ending inside the repeated hour ends at its first pass;
//! - a nonexistent wall time (in the gap of a spring-forward) maps to **the first instant
//!   after the gap**, so a `00:00-10:00` window lasts 9 real hours on a spring-forward day,
//!   and a `02:30-04:00` window on a 02:00→03:00 day starts at 03:00.
//!
//! This mapping never decreases, so windows of one day and of consecutive days never
//! overlap in real time and touching windows stay touching (24x7 is continuous).
//!
//! # Example
//! ```
//! use chrono::{DateTime, TimeDelta, Utc, Weekday::*};
//! use incident_core::calendar::Calendar;
//!
//! let office = Calendar::weekly("Europe/Paris", &[Mon, Tue, Wed, Thu, Fri], &["09:00-17:00"])
//!     .unwrap();
//! let opened: DateTime<Utc> = "2026-03-06T09:00:00Z".parse().unwrap(); // Fri 10:00 Paris
//! let due = office.add_business(opened, TimeDelta::hours(8)).unwrap();
//! assert_eq!(due.to_rfc3339(), "2026-03-09T09:00:00+00:00"); // Mon 10:00 Paris
//! assert_eq!(office.business_time(opened, due).unwrap(), TimeDelta::hours(8));
//! ```

mod explain;
mod spec;
mod timeline;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub use explain::{CalendarDay, DayKind, WorkingPeriod};
pub use spec::{
    CalendarSpec, CalendarVersion, DateOverride, Holiday, HolidayDate, TimeOfDay, WeeklySchedule,
    WorkWindow, parse_time_zone,
};

use crate::error::{Error, Result};
use timeline::Timeline;

/// A validated, compiled business calendar.
///
/// Cheap to clone (the compiled form is shared), `Send + Sync`, and (de)serialised as its
/// [`CalendarSpec`]. Working time of each year is compiled on first use and kept, indexed by
/// day, so the first query in a year costs one pass over that year's days and later ones a
/// look at the few working intervals of the days queried.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "CalendarSpec", into = "CalendarSpec")]
pub struct Calendar {
    inner: Arc<Inner>,
}

struct Inner {
    spec: CalendarSpec,
    timeline: Timeline,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("name", &self.inner.spec.name)
            .field("time_zone", &self.inner.spec.time_zone)
            .field("versions", &self.inner.spec.versions.len())
            .finish()
    }
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Self) -> bool {
        self.inner.spec == other.inner.spec
    }
}

impl TryFrom<CalendarSpec> for Calendar {
    type Error = Error;

    fn try_from(spec: CalendarSpec) -> Result<Self> {
        Calendar::new(spec)
    }
}

impl From<Calendar> for CalendarSpec {
    fn from(calendar: Calendar) -> Self {
        calendar.inner.spec.clone()
    }
}

impl Calendar {
    /// Validate and compile a calendar description.
    ///
    /// # Errors
    /// [`Error::Validation`] naming the first broken rule (see [`CalendarSpec::validate`]).
    pub fn new(spec: CalendarSpec) -> Result<Self> {
        spec.validate()?;
        let tz = parse_time_zone(&spec.time_zone)?;
        let timeline = Timeline::compile(&spec, tz);
        Ok(Calendar {
            inner: Arc::new(Inner { spec, timeline }),
        })
    }

    /// The built-in round-the-clock calendar (named `24x7`): every second is working time.
    ///
    /// The zone only matters for explanations, which list local dates.
    ///
    /// # Errors
    /// [`Error::Validation`] when `time_zone` is not an IANA zone name.
    pub fn always_on(time_zone: &str) -> Result<Self> {
        Calendar::new(CalendarSpec {
            name: "24x7".to_owned(),
            time_zone: time_zone.to_owned(),
            versions: vec![CalendarVersion {
                week: WeeklySchedule::always(),
                ..Default::default()
            }],
        })
    }

    /// A calendar with the same windows (written `"HH:MM-HH:MM"`) on each of `days`.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad zone name or window.
    pub fn weekly(time_zone: &str, days: &[Weekday], windows: &[&str]) -> Result<Self> {
        let windows = windows
            .iter()
            .map(|w| w.parse())
            .collect::<Result<Vec<WorkWindow>>>()?;
        Calendar::new(CalendarSpec {
            name: String::new(),
            time_zone: time_zone.to_owned(),
            versions: vec![CalendarVersion {
                week: WeeklySchedule::on_days(days, &windows),
                ..Default::default()
            }],
        })
    }

    /// This calendar with `holidays` added to every version: a shorthand for setting up.
    ///
    /// # Errors
    /// Never in practice; the result is validated like any calendar.
    pub fn with_holidays(&self, holidays: impl IntoIterator<Item = Holiday>) -> Result<Self> {
        let mut spec = self.inner.spec.clone();
        let holidays: Vec<Holiday> = holidays.into_iter().collect();
        for version in &mut spec.versions {
            version.holidays.extend(holidays.iter().cloned());
        }
        Calendar::new(spec)
    }

    /// This calendar with date overrides added to every version.
    ///
    /// # Errors
    /// [`Error::Validation`] when an override is malformed or repeats a date.
    pub fn with_overrides(
        &self,
        overrides: impl IntoIterator<Item = DateOverride>,
    ) -> Result<Self> {
        let mut spec = self.inner.spec.clone();
        let overrides: Vec<DateOverride> = overrides.into_iter().collect();
        for version in &mut spec.versions {
            version.overrides.extend(overrides.iter().cloned());
        }
        Calendar::new(spec)
    }

    /// This calendar edited from a date on: `version` governs its `effective_from` date and
    /// later, earlier dates keep their rules (finished clocks do not move).
    ///
    /// # Errors
    /// [`Error::Validation`] when `version` has no `effective_from` or does not start after
    /// the last existing version.
    pub fn with_version(&self, version: CalendarVersion) -> Result<Self> {
        let mut spec = self.inner.spec.clone();
        spec.versions.push(version);
        Calendar::new(spec)
    }

    /// The description this calendar was built from.
    pub fn spec(&self) -> &CalendarSpec {
        &self.inner.spec
    }

    /// The calendar's label.
    pub fn name(&self) -> &str {
        &self.inner.spec.name
    }

    /// The zone whose wall clock the windows follow.
    pub fn time_zone(&self) -> Tz {
        self.inner.timeline.tz
    }

    /// Working time in `[from, to)`; negative when `to` is before `from`.
    ///
    /// # Errors
    /// [`Error::Validation`] when an instant is outside the years 0001 to 9998.
    pub fn business_time(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<TimeDelta> {
        self.business_seconds(from.timestamp(), to.timestamp())
            .map(TimeDelta::seconds)
    }

    /// [`Calendar::business_time`] on Unix seconds, the form the SLA engine and bindings use.
    ///
    /// # Errors
    /// As [`Calendar::business_time`].
    pub fn business_seconds(&self, from: i64, to: i64) -> Result<i64> {
        self.inner.timeline.between(from, to)
    }

    /// The earliest instant at which `duration` of working time has passed since `from`.
    ///
    /// `add_business(t, 0)` is `t`. When the duration runs out exactly at the end of a
    /// window, the answer is that end (not the start of the next window). A negative
    /// duration is the same as [`Calendar::sub_business`] with its absolute value.
    ///
    /// # Errors
    /// [`Error::Validation`] when an instant or the result leaves the years 0001 to 9998;
    /// [`Error::Configuration`] when the calendar has no working time at all.
    pub fn add_business(&self, from: DateTime<Utc>, duration: TimeDelta) -> Result<DateTime<Utc>> {
        let t = self.add_business_seconds(from.timestamp(), duration.num_seconds())?;
        Ok(to_datetime(t))
    }

    /// [`Calendar::add_business`] on Unix seconds.
    ///
    /// # Errors
    /// As [`Calendar::add_business`].
    pub fn add_business_seconds(&self, from: i64, seconds: i64) -> Result<i64> {
        self.inner.timeline.add(from, seconds)
    }

    /// The latest instant at or before `to` such that `duration` of working time lies
    /// between it and `to`. Used for "warn one business hour before the deadline".
    ///
    /// # Errors
    /// As [`Calendar::add_business`].
    pub fn sub_business(&self, to: DateTime<Utc>, duration: TimeDelta) -> Result<DateTime<Utc>> {
        let seconds = duration
            .num_seconds()
            .checked_neg()
            .ok_or_else(|| Error::validation("business_duration", "duration too large"))?;
        Ok(to_datetime(
            self.add_business_seconds(to.timestamp(), seconds)?,
        ))
    }

    /// Whether `at` is inside working time (windows are closed at the start, open at the end).
    ///
    /// # Errors
    /// [`Error::Validation`] when `at` is outside the years 0001 to 9998.
    pub fn is_working(&self, at: DateTime<Utc>) -> Result<bool> {
        self.inner.timeline.is_working(at.timestamp())
    }

    /// The first working instant at or after `at` (`at` itself when it is working).
    ///
    /// # Errors
    /// [`Error::Validation`] when `at` is out of range; [`Error::Configuration`] when no
    /// working time follows before year 9999.
    pub fn next_working(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>> {
        self.inner
            .timeline
            .next_working(at.timestamp())
            .map(to_datetime)
    }

    /// Day by day, how the working time in `[from, to)` was counted: windows, holidays and
    /// overrides, in local dates. For explanations of a deadline; not meant for hot paths.
    ///
    /// # Errors
    /// [`Error::Validation`] when an instant is out of range or the span exceeds ten years.
    pub fn explain(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<CalendarDay>> {
        explain::explain(
            &self.inner.spec,
            &self.inner.timeline,
            from.timestamp(),
            to.timestamp(),
        )
    }
}

/// Instant from Unix seconds known to be in the supported range.
pub(crate) fn to_datetime(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}
