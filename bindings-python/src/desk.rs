//! The native desk: the core's [`Desk`] over any repository, exchanging JSON in the core's
//! serde form with the Python package, which turns it into typed objects.

use std::fmt;

use incident_core::{
    Actor, Command, Desk, DeskConfig, InMemoryRepository, IncidentId, IncidentQuery, Repository,
    Submission,
};
use pyo3::prelude::*;

use crate::convert::{from_json, instant, to_json};
use crate::error::{attached, detached};
use crate::script;
use crate::sla::PySlaEngine;

/// Every store behind one type, so that one Python class serves them all.
pub(crate) type Store = std::sync::Arc<dyn Repository>;

/// The core's desk, shared by every Python thread that holds it.
///
/// `frozen`: the class has no mutable Python-side state, so pyo3 needs no borrow flag and
/// methods may run on several threads at once; the repository does its own locking.
#[pyclass(frozen, module = "incident_core._native", name = "Desk")]
pub(crate) struct PyDesk {
    pub(crate) desk: Desk<Store>,
    location: String,
}

impl fmt::Debug for PyDesk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PyDesk").finish_non_exhaustive()
    }
}

fn config(json: Option<String>) -> Result<DeskConfig, incident_core::Error> {
    // The whole document is configuration: a refusal is a configuration error, whether serde
    // or the core's own checks (directory, matrix, transition table) found it.
    match json {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| incident_core::Error::Configuration {
                reason: e.to_string(),
            })
        }
        None => Ok(DeskConfig::default()),
    }
}

fn incident_id(text: &str) -> Result<IncidentId, incident_core::Error> {
    text.parse()
}

impl PyDesk {
    pub(crate) fn over(store: Store, config: DeskConfig, location: String) -> Self {
        PyDesk {
            desk: Desk::new(store, config),
            location,
        }
    }
}

#[pymethods]
impl PyDesk {
    /// A desk over a fresh in-memory repository.
    #[new]
    #[pyo3(signature = (config_json=None))]
    fn new(py: Python<'_>, config_json: Option<String>) -> PyResult<Self> {
        let config = attached(py, || config(config_json))?;
        let store = std::sync::Arc::new(InMemoryRepository::new());
        Ok(PyDesk::over(store, config, "in memory".to_owned()))
    }

    /// A desk over a SQLite file (created if needed) or a `postgresql://` URL.
    #[staticmethod]
    #[pyo3(signature = (location, config_json=None))]
    fn connect(py: Python<'_>, location: String, config_json: Option<String>) -> PyResult<Self> {
        detached(py, || {
            let config = config(config_json)?;
            let store = open_store(&location)?;
            Ok(PyDesk::over(store, config, location))
        })
    }

    /// Where the incidents are kept, for `repr`.
    fn location(&self) -> String {
        self.location.clone()
    }

    /// The same desk (same store and configuration) with SLA clocks computed by `sla`.
    fn with_sla(&self, sla: &PySlaEngine) -> Self {
        PyDesk {
            desk: self.desk.clone().with_sla(sla.engine.clone()),
            location: self.location.clone(),
        }
    }

    /// Every SLA clock of the incident at `now` (needs `with_sla`), as JSON.
    fn sla_status(&self, py: Python<'_>, id: String, now: String) -> PyResult<String> {
        detached(py, || {
            to_json(
                &self
                    .desk
                    .sla_status(incident_id(&id)?, instant("now", &now)?)?,
            )
        })
    }

    /// Why clock number `clock` of the incident is due when it is (needs `with_sla`).
    fn explain_deadline(
        &self,
        py: Python<'_>,
        id: String,
        clock: usize,
        now: String,
    ) -> PyResult<String> {
        detached(py, || {
            let now = instant("now", &now)?;
            to_json(&self.desk.explain_deadline(incident_id(&id)?, clock, now)?)
        })
    }

    /// The next warning, due or breach instant over the open incidents (needs `with_sla`).
    fn next_sla_due(&self, py: Python<'_>, now: String) -> PyResult<Option<String>> {
        detached(py, || {
            let next = self.desk.next_sla_due(instant("now", &now)?)?;
            Ok(next.map(|t| t.to_rfc3339()))
        })
    }

    /// The configuration in the core's serde form.
    fn config_json(&self, py: Python<'_>) -> PyResult<String> {
        attached(py, || to_json(self.desk.config()))
    }

    /// Submits a command; returns `{"incident", "events", "replayed"}`.
    fn submit(
        &self,
        py: Python<'_>,
        actor_json: String,
        submission_json: String,
        now: String,
    ) -> PyResult<String> {
        detached(py, || {
            let actor: Actor = from_json("actor", &actor_json)?;
            let submission: Submission = from_json("submission", &submission_json)?;
            let now = instant("now", &now)?;
            let outcome = self.desk.submit(&actor, submission, now)?;
            to_json(&serde_json::json!({
                "incident": outcome.incident,
                "events": outcome.events,
                "replayed": outcome.replayed,
            }))
        })
    }

    /// Submits `[target, command, now]` steps in order (target: null to open, an incident
    /// id, or the index of an earlier step); returns the incident after each, as JSON.
    fn execute_many(
        &self,
        py: Python<'_>,
        actor_json: String,
        steps_json: String,
    ) -> PyResult<String> {
        detached(py, || {
            let actor: Actor = from_json("actor", &actor_json)?;
            let steps: Vec<script::Step> = from_json("steps", &steps_json)?;
            to_json(&script::execute_many(&self.desk, &actor, steps)?)
        })
    }

    /// Opens one incident per row and works it through a script (see `script::run_script`);
    /// returns the report as JSON.
    #[pyo3(signature = (opening_json, steps_json, rows, sla=None, keep=true))]
    fn run_script(
        &self,
        py: Python<'_>,
        opening_json: String,
        steps_json: String,
        rows: Vec<i64>,
        sla: Option<&PySlaEngine>,
        keep: bool,
    ) -> PyResult<String> {
        detached(py, || {
            let opening: script::ScriptStep = from_json("opening", &opening_json)?;
            let steps = script::script_steps("steps", &steps_json)?;
            let engine = sla.map(|s| &s.engine);
            let report = script::run_script(&self.desk, opening, &steps, &rows, engine, keep)?;
            to_json(&report)
        })
    }

    /// Replays a ServiceNow export file (CSV or gzip) into this desk's store; returns the
    /// importer's report as JSON.
    #[pyo3(signature = (path, options_json=None))]
    fn replay_export(
        &self,
        py: Python<'_>,
        path: String,
        options_json: Option<String>,
    ) -> PyResult<String> {
        detached(py, || {
            crate::import::replay_file(self.desk.repository(), &path, options_json.as_deref())
        })
    }

    /// The incident with this id (UUID text).
    fn incident(&self, py: Python<'_>, id: String) -> PyResult<String> {
        detached(py, || to_json(&self.desk.incident(incident_id(&id)?)?))
    }

    /// The incident with this human number.
    fn incident_by_number(&self, py: Python<'_>, number: String) -> PyResult<String> {
        detached(py, || to_json(&self.desk.incident_by_number(&number)?))
    }

    /// The incident, if the actor may see it.
    fn view(&self, py: Python<'_>, actor_json: String, id: String) -> PyResult<String> {
        detached(py, || {
            let actor: Actor = from_json("actor", &actor_json)?;
            to_json(&self.desk.view(&actor, incident_id(&id)?)?)
        })
    }

    /// The incident's audit trail, a JSON list of events.
    fn events(&self, py: Python<'_>, id: String) -> PyResult<String> {
        detached(py, || to_json(&self.desk.events(incident_id(&id)?)?))
    }

    /// Incidents matching a query in the core's serde form; a JSON list.
    fn query(&self, py: Python<'_>, query_json: String) -> PyResult<String> {
        detached(py, || {
            let query: IncidentQuery = from_json("query", &query_json)?;
            to_json(&self.desk.query(&query)?)
        })
    }

    /// Closes the resolved incidents whose auto-close time has come; a JSON list.
    fn close_due(&self, py: Python<'_>, actor_json: String, now: String) -> PyResult<String> {
        detached(py, || {
            let actor: Actor = from_json("actor", &actor_json)?;
            to_json(&self.desk.close_due(&actor, instant("now", &now)?)?)
        })
    }

    /// The actions the actor may take on the incident (or when opening, with `None`).
    #[pyo3(signature = (actor_json, id=None))]
    fn permitted_actions(
        &self,
        py: Python<'_>,
        actor_json: String,
        id: Option<String>,
    ) -> PyResult<Vec<String>> {
        detached(py, || {
            let actor: Actor = from_json("actor", &actor_json)?;
            let incident = match id {
                Some(id) => Some(self.desk.incident(incident_id(&id)?)?),
                None => None,
            };
            let actions = self.desk.permitted_actions(&actor, incident.as_ref());
            Ok(actions.iter().map(|a| a.as_str().to_owned()).collect())
        })
    }
}

fn open_store(location: &str) -> Result<Store, incident_core::Error> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        let store = incident_store_postgres::PostgresRepository::open(location)?;
        return Ok(std::sync::Arc::new(store));
    }
    let store = incident_store_sqlite::SqliteRepository::open(location)?;
    Ok(std::sync::Arc::new(store))
}

/// Checks a command against the core's serde form and returns it normalised.
#[pyfunction]
pub(crate) fn normalize_command(py: Python<'_>, json: String) -> PyResult<String> {
    attached(py, || Ok(Command::from_json(&json)?.to_json()))
}

/// Checks an event against the core's serde form and returns it normalised.
#[pyfunction]
pub(crate) fn normalize_event(py: Python<'_>, json: String) -> PyResult<String> {
    attached(py, || {
        to_json(&from_json::<incident_core::Event>("event", &json)?)
    })
}

/// Checks a desk configuration and returns it normalised.
#[pyfunction]
pub(crate) fn normalize_config(py: Python<'_>, json: String) -> PyResult<String> {
    attached(py, || to_json(&config(Some(json))?))
}
