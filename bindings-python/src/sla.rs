//! Business calendars and SLA clocks, exchanged with Python in the core's serde form.

use std::fmt;

use chrono::TimeDelta;
use incident_core::calendar::{Calendar, CalendarSpec};
use incident_core::sla::{IncidentClocks, SlaConfig, SlaEngine};
use incident_core::{Error, Event};
use pyo3::prelude::*;

use crate::convert::{from_json, instant, to_json};
use crate::desk::PyDesk;
use crate::error::{attached, detached};

/// A business calendar (weekly windows in an IANA zone, holidays, overrides, versions).
#[pyclass(frozen, module = "incident_core._native", name = "Calendar")]
pub(crate) struct PyCalendar {
    calendar: Calendar,
}

impl fmt::Debug for PyCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PyCalendar").finish_non_exhaustive()
    }
}

#[pymethods]
impl PyCalendar {
    /// A calendar from its spec in the core's serde form.
    #[new]
    fn new(py: Python<'_>, spec_json: String) -> PyResult<Self> {
        attached(py, || {
            let spec: CalendarSpec = from_json("calendar", &spec_json)?;
            Ok(PyCalendar {
                calendar: Calendar::new(spec)?,
            })
        })
    }

    /// The spec, normalised, in the core's serde form.
    fn spec_json(&self, py: Python<'_>) -> PyResult<String> {
        attached(py, || to_json(self.calendar.spec()))
    }

    /// Business seconds between two instants (negative when `end` is before `start`).
    fn business_seconds(&self, py: Python<'_>, start: String, end: String) -> PyResult<i64> {
        attached(py, || {
            let start = instant("start", &start)?;
            let end = instant("end", &end)?;
            Ok(self.calendar.business_time(start, end)?.num_seconds())
        })
    }

    /// The instant `seconds` of business time after `start` (before, when negative).
    fn add_business_seconds(
        &self,
        py: Python<'_>,
        start: String,
        seconds: i64,
    ) -> PyResult<String> {
        attached(py, || {
            let start = instant("start", &start)?;
            let magnitude = seconds.checked_abs().and_then(TimeDelta::try_seconds);
            let duration = magnitude.ok_or_else(|| Error::Validation {
                field: "duration".into(),
                reason: format!("{seconds} s is out of range"),
            })?;
            let at = if seconds >= 0 {
                self.calendar.add_business(start, duration)?
            } else {
                self.calendar.sub_business(start, duration)?
            };
            Ok(at.to_rfc3339())
        })
    }

    /// Whether the instant is inside working time.
    fn is_working(&self, py: Python<'_>, at: String) -> PyResult<bool> {
        attached(py, || self.calendar.is_working(instant("at", &at)?))
    }

    /// The first working instant at or after `at`.
    fn next_working(&self, py: Python<'_>, at: String) -> PyResult<String> {
        attached(py, || {
            Ok(self
                .calendar
                .next_working(instant("at", &at)?)?
                .to_rfc3339())
        })
    }
}

/// SLA definitions and calendars, computing clocks from an incident's events.
#[pyclass(frozen, module = "incident_core._native", name = "SlaEngine")]
pub(crate) struct PySlaEngine {
    pub(crate) engine: SlaEngine,
}

impl fmt::Debug for PySlaEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PySlaEngine").finish_non_exhaustive()
    }
}

fn events(json: &str) -> Result<Vec<Event>, Error> {
    from_json("events", json)
}

#[pymethods]
impl PySlaEngine {
    /// An engine from an SLA configuration in the core's serde form.
    #[new]
    fn new(py: Python<'_>, config_json: String) -> PyResult<Self> {
        attached(py, || {
            let config: SlaConfig =
                serde_json::from_str(&config_json).map_err(|e| Error::Configuration {
                    reason: e.to_string(),
                })?;
            Ok(PySlaEngine {
                engine: SlaEngine::new(config)?,
            })
        })
    }

    /// The configuration, normalised, in the core's serde form.
    fn config_json(&self, py: Python<'_>) -> PyResult<String> {
        attached(py, || to_json(self.engine.config()))
    }

    /// Every clock's status at `now`, from an incident's events (JSON list).
    fn status(&self, py: Python<'_>, events_json: String, now: String) -> PyResult<String> {
        detached(py, || {
            let clocks = self.engine.replay(&events(&events_json)?)?;
            to_json(&self.engine.status(&clocks, instant("now", &now)?)?)
        })
    }

    /// As `status`, reading the incident's events from a desk's store.
    fn status_of(
        &self,
        py: Python<'_>,
        desk: &PyDesk,
        id: String,
        now: String,
    ) -> PyResult<String> {
        detached(py, || {
            let events = desk.desk.events(id.parse()?)?;
            let clocks = self.engine.replay(&events)?;
            to_json(&self.engine.status(&clocks, instant("now", &now)?)?)
        })
    }

    /// Why clock number `clock` is due when it is: spans counted, pauses, matching.
    fn explain(
        &self,
        py: Python<'_>,
        events_json: String,
        clock: usize,
        now: String,
    ) -> PyResult<String> {
        detached(py, || {
            let events = events(&events_json)?;
            to_json(&self.engine.explain(&events, clock, instant("now", &now)?)?)
        })
    }

    /// The next instant a clock of any of the incidents reaches a warning, due or breach
    /// point, for arming one timer; `None` when nothing is pending.
    fn next_due_instant(
        &self,
        py: Python<'_>,
        event_lists_json: String,
        now: String,
    ) -> PyResult<Option<String>> {
        detached(py, || {
            let lists: Vec<Vec<Event>> = from_json("events", &event_lists_json)?;
            let clocks = lists
                .iter()
                .map(|events| self.engine.replay(events))
                .collect::<Result<Vec<IncidentClocks>, Error>>()?;
            let next = self
                .engine
                .next_due_instant(&clocks, instant("now", &now)?)?;
            Ok(next.map(|t| t.to_rfc3339()))
        })
    }
}
