//! The `Desk` and `Store` handles.

use std::sync::Arc;

use incident_core::sla::SlaEngine;
use incident_core::{self as core, Repository};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Task};
use napi_derive::napi;

use crate::command::{Command, Submission, parse_id};
use crate::enums::Action;
use crate::error::{Failure, Fallible, guard, run, to_napi, whole};
use crate::input::{convert, convert_opt, known_keys};
use crate::objects::{
    self, Actor, DeskConfig, Event, Incident, IncidentQuery, NewIncident, Outcome,
    TriggeredIncident,
};
use crate::sla::{ClockStatus, status_of};
use crate::time::Date;

/// The properties of `DeskConfig`, to refuse misspelt ones.
const DESK_CONFIG_KEYS: &[&str] = &[
    "policy",
    "priorityMatrix",
    "directory",
    "sla",
    "transitions",
    "terminalStates",
    "grants",
];

/// The properties of `IncidentQuery`: a misspelt filter would otherwise match everything.
const QUERY_KEYS: &[&str] = &[
    "states",
    "workgroup",
    "assignee",
    "caller",
    "major",
    "autoCloseDueBy",
    "limit",
];

/// The core desk over whichever store the host chose.
pub type CoreDesk = core::Desk<Arc<dyn Repository>>;

/// Where incidents are kept: in memory, or a SQLite file.
///
/// A store may be shared by several desks (for example with different configurations).
#[napi]
pub struct Store {
    pub(crate) repository: Arc<dyn Repository>,
    /// The same store, when it is SQLite (for its own checks).
    pub(crate) sqlite: Option<Arc<incident_store_sqlite::SqliteRepository>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

#[napi]
impl Store {
    /// A fresh store in memory; its incidents are gone when the process ends.
    #[napi(factory)]
    pub fn in_memory() -> Self {
        Store {
            repository: Arc::new(core::InMemoryRepository::new()),
            sqlite: None,
        }
    }
}

/// The incident-management service: a store plus a configuration.
///
/// Time is always an argument (`now`), so hosts and tests control the clock. Methods
/// throw `Error`s with a stable `code` (see the README); `*Async` methods run on libuv's
/// thread pool and return promises, for stores whose work should not block the event loop.
#[napi]
pub struct Desk {
    pub(crate) inner: CoreDesk,
    pub(crate) sla: Option<Arc<SlaEngine>>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("config", self.inner.config())
            .finish()
    }
}

#[napi]
impl Desk {
    /// A desk over `store` (default: a fresh in-memory store) with `config` (default: the
    /// core's defaults).
    ///
    /// # Errors
    /// `ERR_CONFIGURATION` or `ERR_VALIDATION` when the configuration is inconsistent.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "DeskConfig | undefined | null")] config: Option<Unknown<'_>>,
        store: Option<&Store>,
    ) -> napi::Result<Self> {
        run(&env, || {
            if let Some(value) = config {
                known_keys(&env, "config", value, DESK_CONFIG_KEYS)?;
            }
            let config: Option<DeskConfig> = convert_opt(&env, "config", config)?;
            let mut config = config.unwrap_or_default();
            let sla = config.sla.take().map(|s| s.into_engine()).transpose()?;
            let config = config.into_core()?;
            let repository = match store {
                Some(store) => store.repository.clone(),
                None => Arc::new(core::InMemoryRepository::new()),
            };
            Ok(Desk {
                inner: core::Desk::new(repository, config),
                sla: sla.map(Arc::new),
            })
        })
    }

    /// Opens an incident reported by a person.
    ///
    /// # Errors
    /// `ERR_PERMISSION_DENIED`, `ERR_VALIDATION` (blank summary, impact or urgency outside
    /// the matrix), `ERR_NOT_FOUND` (unknown workgroup), store failures.
    #[napi]
    pub fn open(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        #[napi(ts_arg_type = "NewIncident")] report: Unknown<'_>,
        now: Date,
    ) -> napi::Result<Incident> {
        run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            let report: NewIncident = convert(&env, "report", report)?;
            let command = core::Command::Open(report.into_core()?);
            let incident = self.inner.open(&actor.into(), command, now.0)?;
            Ok((&incident).into())
        })
    }

    /// Opens an incident from a failed change or service request, keeping the causal link.
    ///
    /// # Errors
    /// As [`Desk::open`].
    #[napi]
    pub fn open_from_trigger(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        #[napi(ts_arg_type = "TriggeredIncident")] incident: Unknown<'_>,
        now: Date,
    ) -> napi::Result<Incident> {
        run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            let incident: TriggeredIncident = convert(&env, "incident", incident)?;
            let command = core::Command::OpenFromTrigger(incident.into_core()?);
            let incident = self.inner.open(&actor.into(), command, now.0)?;
            Ok((&incident).into())
        })
    }

    /// Applies a command to an incident and returns the incident afterwards.
    ///
    /// # Errors
    /// `ERR_NOT_FOUND`, `ERR_PERMISSION_DENIED`, `ERR_INVALID_TRANSITION`,
    /// `ERR_RULE_VIOLATION`, `ERR_VALIDATION`, `ERR_CONFLICT`, store failures.
    #[napi]
    pub fn execute(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        #[napi(ts_arg_type = "string")] incident_id: Unknown<'_>,
        #[napi(ts_arg_type = "Command")] command: Unknown<'_>,
        now: Date,
    ) -> napi::Result<Incident> {
        run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            let incident_id: String = convert(&env, "incidentId", incident_id)?;
            let command: Command = convert(&env, "command", command)?;
            let id = parse_id(&incident_id)?;
            let command = command.into_core()?;
            let incident = self.inner.execute(&actor.into(), id, command, now.0)?;
            Ok((&incident).into())
        })
    }

    /// Submits a command with an idempotency key and/or the expected version.
    ///
    /// # Errors
    /// As [`Desk::execute`], plus `ERR_RULE_VIOLATION` (rule `idempotency_key_reused`) when
    /// the key was used for another command.
    #[napi]
    pub fn submit(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        #[napi(ts_arg_type = "Submission")] submission: Unknown<'_>,
        now: Date,
    ) -> napi::Result<Outcome> {
        run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            let submission: Submission = convert(&env, "submission", submission)?;
            let outcome = self
                .inner
                .submit(&actor.into(), submission.into_core()?, now.0)?;
            Ok(outcome_of(&outcome))
        })
    }

    /// As [`Desk::submit`], on the thread pool.
    #[napi(ts_return_type = "Promise<Outcome>")]
    pub fn submit_async(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        #[napi(ts_arg_type = "Submission")] submission: Unknown<'_>,
        now: Date,
    ) -> napi::Result<AsyncTask<OutcomeJob>> {
        let (actor, submission) = run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            let submission: Submission = convert(&env, "submission", submission)?;
            Ok((core::Actor::from(actor), submission.into_core()?))
        })?;
        let desk = self.inner.clone();
        Ok(AsyncTask::new(OutcomeJob::new(move || {
            Ok(desk.submit(&actor, submission, now.0)?)
        })))
    }

    /// The incident, whoever asks (for hosts that check visibility themselves).
    ///
    /// # Errors
    /// `ERR_NOT_FOUND`, store failures.
    #[napi]
    pub fn incident(&self, env: Env, incident_id: String) -> napi::Result<Incident> {
        run(&env, || {
            let incident = self.inner.incident(parse_id(&incident_id)?)?;
            Ok((&incident).into())
        })
    }

    /// The incident with a human number such as `INC0000042`.
    ///
    /// # Errors
    /// `ERR_NOT_FOUND`, store failures.
    #[napi]
    pub fn incident_by_number(&self, env: Env, number: String) -> napi::Result<Incident> {
        run(&env, || {
            Ok((&self.inner.incident_by_number(&number)?).into())
        })
    }

    /// The incident, if `actor` may see it (an end user sees their own only).
    ///
    /// # Errors
    /// `ERR_PERMISSION_DENIED`, `ERR_NOT_FOUND`, store failures.
    #[napi]
    pub fn view(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        incident_id: String,
    ) -> napi::Result<Incident> {
        run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            let incident = self.inner.view(&actor.into(), parse_id(&incident_id)?)?;
            Ok((&incident).into())
        })
    }

    /// As [`Desk::view`], on the thread pool.
    #[napi(ts_return_type = "Promise<Incident>")]
    pub fn view_async(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        incident_id: String,
    ) -> napi::Result<AsyncTask<IncidentJob>> {
        let (actor, id) = run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            Ok((core::Actor::from(actor), parse_id(&incident_id)?))
        })?;
        let desk = self.inner.clone();
        Ok(AsyncTask::new(IncidentJob::new(move || {
            Ok(desk.view(&actor, id)?)
        })))
    }

    /// The incident's audit trail, in order.
    ///
    /// # Errors
    /// `ERR_NOT_FOUND`, store failures.
    #[napi]
    pub fn events(&self, env: Env, incident_id: String) -> napi::Result<Vec<Event>> {
        run(&env, || {
            let events = self.inner.events(parse_id(&incident_id)?)?;
            Ok(events.iter().map(Into::into).collect())
        })
    }

    /// As [`Desk::events`], on the thread pool.
    #[napi(ts_return_type = "Promise<Array<Event>>")]
    pub fn events_async(
        &self,
        env: Env,
        incident_id: String,
    ) -> napi::Result<AsyncTask<EventsJob>> {
        let id = run(&env, || parse_id(&incident_id))?;
        let desk = self.inner.clone();
        Ok(AsyncTask::new(EventsJob::new(move || Ok(desk.events(id)?))))
    }

    /// Incidents matching a query, by number.
    ///
    /// # Errors
    /// `ERR_VALIDATION` for a malformed query or an unknown property (a misspelt filter
    /// would otherwise match everything); store failures.
    #[napi]
    pub fn query(
        &self,
        env: Env,
        #[napi(ts_arg_type = "IncidentQuery | undefined | null")] query: Option<Unknown<'_>>,
    ) -> napi::Result<Vec<Incident>> {
        run(&env, || {
            if let Some(value) = query {
                known_keys(&env, "query", value, QUERY_KEYS)?;
            }
            let query: Option<IncidentQuery> = convert_opt(&env, "query", query)?;
            let found = self.inner.query(&query.unwrap_or_default().into_core()?)?;
            Ok(found.iter().map(Into::into).collect())
        })
    }

    /// As [`Desk::query`], on the thread pool.
    #[napi(ts_return_type = "Promise<Array<Incident>>")]
    pub fn query_async(
        &self,
        env: Env,
        #[napi(ts_arg_type = "IncidentQuery | undefined | null")] query: Option<Unknown<'_>>,
    ) -> napi::Result<AsyncTask<IncidentsJob>> {
        let desk = self.inner.clone();
        let query = run(&env, || {
            if let Some(value) = query {
                known_keys(&env, "query", value, QUERY_KEYS)?;
            }
            let query: Option<IncidentQuery> = convert_opt(&env, "query", query)?;
            query.unwrap_or_default().into_core()
        })?;
        Ok(AsyncTask::new(IncidentsJob::new(move || {
            Ok(desk.query(&query)?)
        })))
    }

    /// Closes every resolved incident whose auto-close time has come, as `actor`; returns
    /// the closed ones.
    ///
    /// # Errors
    /// `ERR_PERMISSION_DENIED` when `actor` may not auto-close; store failures.
    #[napi]
    pub fn close_due(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        now: Date,
    ) -> napi::Result<Vec<Incident>> {
        run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            let closed = self.inner.close_due(&actor.into(), now.0)?;
            Ok(closed.iter().map(Into::into).collect())
        })
    }

    /// The actions `actor` may take on the incident (or, without one, when opening), from
    /// the permission table: for showing only the buttons that can work. The lifecycle may
    /// still refuse a permitted action (for example resolving a closed incident).
    ///
    /// # Errors
    /// `ERR_NOT_FOUND` for an unknown incident, store failures.
    #[napi]
    pub fn permitted_actions(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        incident_id: Option<String>,
    ) -> napi::Result<Vec<Action>> {
        run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            let incident = match incident_id {
                Some(id) => Some(self.inner.incident(parse_id(&id)?)?),
                None => None,
            };
            let actions = self
                .inner
                .permitted_actions(&actor.into(), incident.as_ref());
            Ok(objects::actions(actions))
        })
    }

    /// Whether the core would accept `command` from `actor` on the incident at `now`,
    /// without changing anything: permission and lifecycle rules both apply, so a host can
    /// show exactly the buttons that work (use placeholder texts for reasons and codes).
    ///
    /// # Errors
    /// `ERR_NOT_FOUND` for an unknown incident, `ERR_VALIDATION` for a malformed command,
    /// store failures; a refusal by the rules is `false`, not an error.
    #[napi]
    pub fn accepts(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Actor")] actor: Unknown<'_>,
        #[napi(ts_arg_type = "string")] incident_id: Unknown<'_>,
        #[napi(ts_arg_type = "Command")] command: Unknown<'_>,
        now: Date,
    ) -> napi::Result<bool> {
        run(&env, || {
            let actor: Actor = convert(&env, "actor", actor)?;
            let incident_id: String = convert(&env, "incidentId", incident_id)?;
            let command: Command = convert(&env, "command", command)?;
            let incident = self.inner.incident(parse_id(&incident_id)?)?;
            let command = command.into_core()?;
            let config = self.inner.config();
            Ok(core::decide(config, &incident, &actor.into(), &command, now.0).is_ok())
        })
    }

    /// Every SLA and OLA clock of the incident at `now`, oldest first, recomputed from its
    /// audit trail.
    ///
    /// # Errors
    /// `ERR_CONFIGURATION` when the desk has no SLA configuration, `ERR_NOT_FOUND`, store
    /// failures.
    #[napi]
    pub fn sla_status(
        &self,
        env: Env,
        incident_id: String,
        now: Date,
    ) -> napi::Result<Vec<ClockStatus>> {
        run(&env, || {
            let engine = self.engine()?;
            clock_statuses(&self.inner, &engine, parse_id(&incident_id)?, now)
        })
    }

    /// As [`Desk::sla_status`], on the thread pool.
    #[napi(ts_return_type = "Promise<Array<ClockStatus>>")]
    pub fn sla_status_async(
        &self,
        env: Env,
        incident_id: String,
        now: Date,
    ) -> napi::Result<AsyncTask<ClocksJob>> {
        let (engine, id) = run(&env, || Ok((self.engine()?, parse_id(&incident_id)?)))?;
        let desk = self.inner.clone();
        Ok(AsyncTask::new(ClocksJob::new(move || {
            clock_statuses(&desk, &engine, id, now)
        })))
    }

    /// The earliest instant after `now` at which a running clock of the matching incidents
    /// (default: every open incident) reaches a warning, its target or its breach: arm one
    /// timer for it instead of polling. `null` when no clock runs.
    ///
    /// # Errors
    /// `ERR_CONFIGURATION` without SLA configuration, store failures.
    #[napi]
    pub fn next_due_instant(
        &self,
        env: Env,
        now: Date,
        #[napi(ts_arg_type = "IncidentQuery | undefined | null")] query: Option<Unknown<'_>>,
    ) -> napi::Result<Option<Date>> {
        run(&env, || {
            let query: Option<IncidentQuery> = convert_opt(&env, "query", query)?;
            let engine = self.engine()?;
            let mut query = query.unwrap_or_default().into_core()?;
            if query.states.is_empty() {
                query.states = core::State::ALL
                    .into_iter()
                    .filter(|s| s.is_open())
                    .collect();
            }
            let mut all = Vec::new();
            for incident in self.inner.query(&query)? {
                all.push(engine.replay(&self.inner.events(incident.id)?)?);
            }
            Ok(engine.next_due_instant(all.iter(), now.0)?.map(Date))
        })
    }

    /// Explains the deadline of the incident's clock number `clock` (see
    /// `ClockStatus.index`) at `now`: the definition that matched and why, the windows
    /// counted, pauses, holidays and overrides skipped. Keys are camelCase, instants ISO
    /// strings.
    ///
    /// # Errors
    /// `ERR_CONFIGURATION` without SLA configuration, `ERR_NOT_FOUND` for an unknown
    /// incident or clock, store failures.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn explain_deadline(
        &self,
        env: Env,
        incident_id: String,
        clock: f64,
        now: Date,
    ) -> napi::Result<serde_json::Value> {
        run(&env, || {
            let clock: u32 = whole("clock", clock)?;
            let engine = self.engine()?;
            let events = self.inner.events(parse_id(&incident_id)?)?;
            let explanation = engine.explain(&events, clock as usize, now.0)?;
            let value = serde_json::to_value(&explanation)
                .map_err(|e| crate::error::invalid("explanation", e.to_string()))?;
            Ok(objects::camel_keys(value))
        })
    }
}

impl Desk {
    fn engine(&self) -> Fallible<Arc<SlaEngine>> {
        self.sla.clone().ok_or_else(|| {
            Failure::Core(core::Error::Configuration {
                reason: "the desk has no SLA configuration (DeskConfig.sla)".into(),
            })
        })
    }
}

fn clock_statuses(
    desk: &CoreDesk,
    engine: &SlaEngine,
    id: core::IncidentId,
    now: Date,
) -> Fallible<Vec<ClockStatus>> {
    let clocks = engine.replay(&desk.events(id)?)?;
    let statuses = engine.status(&clocks, now.0)?;
    Ok(statuses
        .iter()
        .enumerate()
        .map(|(i, s)| status_of(i, s))
        .collect())
}

/// The JavaScript form of a core outcome.
pub fn outcome_of(outcome: &core::Outcome) -> Outcome {
    Outcome {
        incident: (&outcome.incident).into(),
        events: outcome.events.iter().map(Into::into).collect(),
        replayed: outcome.replayed,
    }
}

/// Defines a thread-pool job: core work in `compute`, conversion (or the error) in `resolve`.
macro_rules! job {
    ($(#[$doc:meta])* $name:ident, $output:ty => $js:ty, $convert:expr) => {
        $(#[$doc])*
        pub struct $name {
            work: Option<Box<dyn FnOnce() -> Fallible<$output> + Send>>,
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl $name {
            /// Wraps the work to run on the thread pool.
            pub fn new(work: impl FnOnce() -> Fallible<$output> + Send + 'static) -> Self {
                $name {
                    work: Some(Box::new(work)),
                }
            }
        }

        #[napi]
        impl Task for $name {
            type Output = Fallible<$output>;
            type JsValue = $js;

            fn compute(&mut self) -> napi::Result<Self::Output> {
                let work = self.work.take();
                Ok(guard(move || match work {
                    Some(work) => work(),
                    None => Err(Failure::Panic("job ran twice".into())),
                }))
            }

            fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<$js> {
                let convert: fn(&$output) -> $js = $convert;
                output.map(|o| convert(&o)).map_err(|f| to_napi(&env, f))
            }
        }
    };
}

job!(
    /// A submission run on the thread pool.
    OutcomeJob,
    core::Outcome => Outcome,
    outcome_of
);
job!(
    /// An incident read on the thread pool.
    IncidentJob,
    core::Incident => Incident,
    |i| i.into()
);
job!(
    /// A query run on the thread pool.
    IncidentsJob,
    Vec<core::Incident> => Vec<Incident>,
    |list| list.iter().map(Into::into).collect()
);
job!(
    /// An audit trail read on the thread pool.
    EventsJob,
    Vec<core::Event> => Vec<Event>,
    |list| list.iter().map(Into::into).collect()
);
job!(
    /// SLA clocks computed on the thread pool.
    ClocksJob,
    Vec<ClockStatus> => Vec<ClockStatus>,
    |list| list.clone()
);
