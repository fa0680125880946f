//! Day-by-day account of how working time was counted, for deadline explanations.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::spec::{CalendarSpec, TimeOfDay, WorkWindow};
use super::timeline::{DaySource, Timeline};
use super::to_datetime;
use crate::error::{Error, Result};

/// Longest span [`super::Calendar::explain`] walks, in days.
const MAX_EXPLAIN_DAYS: i64 = 3_660;

/// What decided a local date's working windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// The weekly schedule of the version in force.
    Weekly,
    /// A holiday: no working time.
    Holiday,
    /// A date override replaced the weekly windows.
    Override,
}

/// A stretch of working time that was counted, as real instants and the local window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingPeriod {
    /// The local window the stretch belongs to (touching windows are shown merged).
    pub window: WorkWindow,
    /// First counted instant.
    pub start: DateTime<Utc>,
    /// First instant after the stretch.
    pub end: DateTime<Utc>,
}

/// One local date of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// The local date in the calendar's zone.
    pub date: NaiveDate,
    /// Whether weekly windows, a holiday or an override applied.
    pub kind: DayKind,
    /// The holiday's or override's name, empty otherwise.
    pub label: String,
    /// Index of the calendar version in force that day.
    pub version: usize,
    /// The working time counted that day, within the span asked.
    pub periods: Vec<WorkingPeriod>,
    /// Total counted seconds that day.
    pub seconds: i64,
}

pub(crate) fn explain(
    spec: &CalendarSpec,
    timeline: &Timeline,
    from: i64,
    to: i64,
) -> Result<Vec<CalendarDay>> {
    // Both ends are checked by computing the business time between them.
    timeline.between(from, to)?;
    let (from, to) = (from.min(to), from.max(to));
    if (to - from) / 86_400 > MAX_EXPLAIN_DAYS {
        return Err(Error::validation(
            "span",
            "explanations cover at most ten years",
        ));
    }

    let local = |t: i64| {
        timeline
            .tz
            .from_utc_datetime(&to_datetime(t).naive_utc())
            .date_naive()
    };
    let (first, last) = (local(from), local(to));
    let mut date = first.pred_opt().unwrap_or(first);
    let mut days = Vec::new();
    while date <= last.succ_opt().unwrap_or(last) {
        let (windows, source) = timeline.day(date);
        let version = timeline.version_index(date);
        let mut periods = Vec::new();
        for &(s, e) in windows {
            let start = timeline.wall_to_instant(date, s).max(from);
            let end = timeline.wall_to_instant(date, e).min(to);
            if start < end {
                let window = WorkWindow {
                    start: TimeOfDay::from_seconds(s)?,
                    end: TimeOfDay::from_seconds(e)?,
                };
                periods.push(WorkingPeriod {
                    window,
                    start: to_datetime(start),
                    end: to_datetime(end),
                });
            }
        }

        let (kind, label) = match source {
            DaySource::Weekly => (DayKind::Weekly, String::new()),
            DaySource::Holiday(i) => (
                DayKind::Holiday,
                spec.versions[version].holidays[i].name.clone(),
            ),
            DaySource::Override(i) => (
                DayKind::Override,
                spec.versions[version].overrides[i].name.clone(),
            ),
        };
        let in_span = first <= date && date <= last;
        if !periods.is_empty() || (in_span && kind != DayKind::Weekly) {
            let seconds = periods
                .iter()
                .map(|p| (p.end - p.start).num_seconds())
                .sum();
            days.push(CalendarDay {
                date,
                kind,
                label,
                version,
                periods,
                seconds,
            });
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    Ok(days)
}
