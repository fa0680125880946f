//! The native desk: the core's [`Desk`] over any repository, exchanging JSON in the core's
//! serde form with the Python package, which turns it into typed objects.

use std::fmt;

use incident_core::{
    Actor, Command, Desk, DeskConfig, IncidentId, IncidentQuery, InMemoryRepository, Repository,
    Submission,
};
use pyo3::prelude::*;

use crate::convert::{from_json, instant, to_json};
use crate::error::{attached, detached};

/// Every store behind one type, so that one Python class serves them all.
pub(crate) type Store = Box<dyn Repository>;

/// The core's desk, shared by every Python thread that holds it.
///
/// `frozen`: the class has no mutable Python-side state, so pyo3 needs no borrow flag and
/// methods may run on several threads at once; the repository does its own locking.
#[pyclass(frozen, module = "incident_core._native", name = "Desk")]
pub(crate) struct PyDesk {
    pub(crate) desk: Desk<Store>,
}

impl fmt::Debug for PyDesk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PyDesk").finish_non_exhaustive()
    }
}

fn config(json: Option<String>) -> Result<DeskConfig, incident_core::Error> {
    match json {
        Some(json) => from_json("config", &json),
        None => Ok(DeskConfig::default()),
    }
}

fn incident_id(text: &str) -> Result<IncidentId, incident_core::Error> {
    text.parse()
}

impl PyDesk {
    pub(crate) fn over(store: Store, config: DeskConfig) -> Self {
        PyDesk {
            desk: Desk::new(store, config),
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
        Ok(PyDesk::over(Box::new(InMemoryRepository::new()), config))
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
