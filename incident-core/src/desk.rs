//! The desk: the service a host calls. It ties a repository, the configuration and the
//! host's clock value together: load, decide, save, with idempotency and optimistic
//! concurrency.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::decide::{self, Decision, incident_number};
use crate::event::Event;
use crate::model::{Incident, IncidentId, IncidentNumber, State};
use crate::persona::{Action, Actor, Target};
use crate::policy::DeskConfig;
use crate::repo::{Commit, IdempotencyRecord, InMemoryRepository, IncidentQuery, Repository};
use crate::sla::{ClockStatus, DeadlineExplanation, SlaEngine};
use crate::{Error, Result};

/// A command with what the desk needs around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// The incident to act on; `None` for the commands that open one.
    #[serde(default)]
    pub incident: Option<IncidentId>,
    /// What to do.
    pub command: Command,
    /// A key that makes retries safe: a second submission with the same key by the same
    /// actor has no effect and returns the first one's outcome. Keys belong to the actor
    /// who used them, so one caller's key neither blocks nor reveals another's.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// The version the host showed to its user; a different stored version is a
    /// [`Error::Conflict`] instead of a silent overwrite of what the user did not see.
    #[serde(default)]
    pub expected_version: Option<u64>,
}

impl Submission {
    /// A submission acting on `incident` (or opening one, with `None`).
    pub fn new(incident: Option<IncidentId>, command: Command) -> Self {
        Submission {
            incident,
            command,
            idempotency_key: None,
            expected_version: None,
        }
    }
}

/// What a submission did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The incident afterwards.
    pub incident: Incident,
    /// The events the command produced (for a replayed key: the first time's events).
    pub events: Vec<Event>,
    /// Whether the idempotency key had been seen and nothing was done this time.
    pub replayed: bool,
}

/// The incident-management service: repository + configuration.
///
/// Time is always an argument, so hosts (and tests) control the clock.
///
/// # Example
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use incident_core::*;
///
/// let desk = Desk::in_memory(DeskConfig::default());
/// let ann = Actor::new("ann", Role::EndUser);
/// let admin = Actor::new("root", Role::Administrator);
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
///
/// let incident = desk
///     .open(&ann, Command::Open(NewIncident::new("Mail is down", Channel::Portal, 1, 2)), t0)
///     .unwrap();
/// assert_eq!(incident.number, "INC0000001");
/// assert_eq!(incident.priority, 2);
///
/// let resolve = Command::Resolve { code: "fixed".into(), notes: "restarted".into() };
/// let incident = desk.execute(&admin, incident.id, resolve, t0 + Duration::hours(1)).unwrap();
/// assert_eq!(incident.state, State::Resolved);
///
/// // The caller may not resolve, and a refused command changes nothing.
/// let err = desk.execute(&ann, incident.id, Command::Resume, t0 + Duration::hours(2));
/// assert!(matches!(err, Err(Error::PermissionDenied { .. })));
/// assert_eq!(desk.incident(incident.id).unwrap().version, incident.version);
/// ```
#[derive(Debug, Clone)]
pub struct Desk<R = InMemoryRepository> {
    repository: R,
    config: Arc<DeskConfig>,
    sla: Option<Arc<SlaEngine>>,
}

impl Desk<InMemoryRepository> {
    /// A desk over a fresh in-memory repository.
    pub fn in_memory(config: DeskConfig) -> Self {
        Desk::new(InMemoryRepository::new(), config)
    }
}

impl<R: Repository> Desk<R> {
    /// A desk over `repository`.
    pub fn new(repository: R, config: DeskConfig) -> Self {
        Desk {
            repository,
            config: Arc::new(config),
            sla: None,
        }
    }

    /// The same desk with SLA clocks: [`Desk::sla_status`] and friends use `engine`.
    pub fn with_sla(mut self, engine: SlaEngine) -> Self {
        self.sla = Some(Arc::new(engine));
        self
    }

    /// The SLA engine, if the desk has one.
    pub fn sla(&self) -> Option<&SlaEngine> {
        self.sla.as_deref()
    }

    fn sla_engine(&self) -> Result<&SlaEngine> {
        self.sla
            .as_deref()
            .ok_or_else(|| Error::config("this desk has no SLA definitions"))
    }

    /// Every SLA and OLA clock of the incident at `now`, computed from its events.
    ///
    /// # Errors
    /// [`Error::Configuration`] when the desk has no SLA engine, [`Error::NotFound`] for an
    /// unknown incident, as [`SlaEngine::status`] otherwise.
    pub fn sla_status(&self, id: IncidentId, now: DateTime<Utc>) -> Result<Vec<ClockStatus>> {
        let engine = self.sla_engine()?;
        let clocks = engine.replay(&self.events(id)?)?;
        engine.status(&clocks, now)
    }

    /// Why clock number `clock` (as listed by [`Desk::sla_status`]) is due when it is.
    ///
    /// # Errors
    /// As [`Desk::sla_status`], and [`Error::NotFound`] for an unknown clock.
    pub fn explain_deadline(
        &self,
        id: IncidentId,
        clock: usize,
        now: DateTime<Utc>,
    ) -> Result<DeadlineExplanation> {
        self.sla_engine()?.explain(&self.events(id)?, clock, now)
    }

    /// The earliest instant after `now` at which a clock of an open incident reaches a
    /// warning, its target or its breach: a host arms one timer for it.
    ///
    /// This reads the events of every open incident, which suits desks with thousands of
    /// open incidents; hosts with far more keep the instant per incident themselves.
    ///
    /// # Errors
    /// As [`Desk::sla_status`].
    pub fn next_sla_due(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let engine = self.sla_engine()?;
        let open = [
            State::New,
            State::Assigned,
            State::InProgress,
            State::OnHold,
            State::Resolved,
        ];
        let query = IncidentQuery {
            states: open.to_vec(),
            ..IncidentQuery::default()
        };
        let mut clocks = Vec::new();
        for incident in self.repository.query(&query)? {
            clocks.push(engine.replay(&self.repository.events(incident.id)?)?);
        }
        engine.next_due_instant(&clocks, now)
    }

    /// The configuration decisions are made against.
    pub fn config(&self) -> &DeskConfig {
        &self.config
    }

    /// The repository.
    pub fn repository(&self) -> &R {
        &self.repository
    }

    /// Opens an incident with [`Command::Open`] or [`Command::OpenFromTrigger`].
    ///
    /// # Errors
    /// As [`decide::open`], plus store failures.
    pub fn open(&self, actor: &Actor, command: Command, now: DateTime<Utc>) -> Result<Incident> {
        Ok(self
            .submit(actor, Submission::new(None, command), now)?
            .incident)
    }

    /// Applies a command to an incident and returns it afterwards.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown incident, as [`decide::decide`] for refusals,
    /// [`Error::Conflict`] when another writer saved first, and store failures.
    pub fn execute(
        &self,
        actor: &Actor,
        incident: IncidentId,
        command: Command,
        now: DateTime<Utc>,
    ) -> Result<Incident> {
        Ok(self
            .submit(actor, Submission::new(Some(incident), command), now)?
            .incident)
    }

    /// Submits a command with idempotency key and expected version.
    ///
    /// # Errors
    /// As [`Desk::execute`], plus [`Error::RuleViolation`] when the idempotency key was
    /// used before for a different command.
    pub fn submit(
        &self,
        actor: &Actor,
        submission: Submission,
        now: DateTime<Utc>,
    ) -> Result<Outcome> {
        self.submit_attempt(actor, &submission, now, 1)
    }

    fn submit_attempt(
        &self,
        actor: &Actor,
        submission: &Submission,
        now: DateTime<Utc>,
        attempt: u32,
    ) -> Result<Outcome> {
        let digest = submission
            .idempotency_key
            .as_ref()
            .map(|_| digest(actor, submission));
        let scoped_key = submission
            .idempotency_key
            .as_ref()
            .map(|key| format!("{}\u{1f}{key}", actor.id));
        if let (Some(key), Some(digest)) = (&scoped_key, &digest)
            && let Some(record) = self.repository.idempotency(key)?
        {
            return self.replayed(record, digest);
        }

        let decision = match submission.incident {
            None => {
                // Decide first, so that a refused opening does not use up a number.
                let id = IncidentId::new(now);
                let command = &submission.command;
                let mut decision = decide::open(
                    &self.config,
                    id,
                    IncidentNumber::default(),
                    actor,
                    command,
                    now,
                )?;
                decision.assign_number(incident_number(self.repository.next_number()?));
                decision
            }
            Some(id) => {
                let mut current = self.load(id)?;
                if let Some(expected) = submission.expected_version
                    && expected != current.version
                {
                    let actual = current.version;
                    return Err(Error::Conflict {
                        incident: id,
                        expected,
                        actual,
                    });
                }
                // The loaded snapshot is ours: decide on it in place instead of on a copy.
                let command = &submission.command;
                let events =
                    decide::execute_in_place(&self.config, &mut current, actor, command, now)?;
                Decision {
                    incident: current,
                    events,
                }
            }
        };

        let record = scoped_key
            .zip(digest)
            .map(|(key, digest)| IdempotencyRecord {
                key,
                incident: decision.incident.id,
                version: decision.incident.version,
                digest,
            });
        let commit = Commit {
            incident: &decision.incident,
            expected_version: decision.incident.version - 1,
            events: &decision.events,
            idempotency: record.as_ref(),
        };
        match self.repository.save(commit) {
            // An imported incident took the number between next_number and save: open again
            // with the next one (the store has moved its counter past it).
            Err(Error::Validation { field, .. })
                if field == "number" && submission.incident.is_none() && attempt < 3 =>
            {
                self.submit_attempt(actor, submission, now, attempt + 1)
            }
            Ok(()) => Ok(Outcome {
                incident: decision.incident,
                events: decision.events,
                replayed: false,
            }),
            // A concurrent retry with the same key won the race: report its outcome.
            Err(Error::RuleViolation {
                rule: crate::error::Rule::IdempotencyKeyReused,
                ..
            }) if record.is_some() => {
                let record = record.expect("checked above");
                let stored = self.repository.idempotency(&record.key)?;
                let stored = stored.ok_or_else(|| Error::Storage {
                    message: "key vanished".into(),
                })?;
                self.replayed(stored, &record.digest)
            }
            Err(e) => Err(e),
        }
    }

    fn replayed(&self, record: IdempotencyRecord, digest: &str) -> Result<Outcome> {
        if record.digest != digest {
            let key = record
                .key
                .split_once('\u{1f}')
                .map_or(record.key.as_str(), |(_, k)| k);
            let detail = format!("key {key:?} was used for another command");
            return Err(Error::rule(
                crate::error::Rule::IdempotencyKeyReused,
                detail,
            ));
        }
        let incident = self.load(record.incident)?;
        let mut events = self.repository.events(record.incident)?;
        events.retain(|e| e.version == record.version);
        Ok(Outcome {
            incident,
            events,
            replayed: true,
        })
    }

    fn load(&self, id: IncidentId) -> Result<Incident> {
        self.repository
            .load(id)?
            .ok_or_else(|| Error::not_found("incident", id))
    }

    /// The incident, whoever asks (for hosts that check visibility themselves).
    ///
    /// # Errors
    /// [`Error::NotFound`], store failures.
    pub fn incident(&self, id: IncidentId) -> Result<Incident> {
        self.load(id)
    }

    /// The incident with a human number such as `INC0000042`.
    ///
    /// # Errors
    /// [`Error::NotFound`], store failures.
    pub fn incident_by_number(&self, number: &str) -> Result<Incident> {
        self.repository
            .load_by_number(number)?
            .ok_or_else(|| Error::not_found("incident", number))
    }

    /// The incident, if `actor` may see it (an end user sees their own only).
    ///
    /// # Errors
    /// [`Error::PermissionDenied`], [`Error::NotFound`], store failures.
    pub fn view(&self, actor: &Actor, id: IncidentId) -> Result<Incident> {
        let incident = self.load(id)?;
        let target = Target {
            incident: Some(&incident),
            extra_workgroup: None,
        };
        let directory = &self.config.directory;
        self.config
            .permissions
            .authorize(directory, actor, Action::View, target)?;
        Ok(incident)
    }

    /// The incident's audit trail.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown incident, store failures.
    pub fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
        let events = self.repository.events(id)?;
        if events.is_empty() {
            return Err(Error::not_found("incident", id));
        }
        Ok(events)
    }

    /// Incidents matching a query.
    ///
    /// # Errors
    /// Store failures.
    pub fn query(&self, query: &IncidentQuery) -> Result<Vec<Incident>> {
        self.repository.query(query)
    }

    /// Closes every resolved incident whose auto-close time has come, as `actor`.
    /// Incidents changed concurrently are left for the next run; the closed ones are
    /// returned.
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] when `actor` may not auto-close; store failures.
    pub fn close_due(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Vec<Incident>> {
        let directory = &self.config.directory;
        let target = Target {
            incident: None,
            extra_workgroup: None,
        };
        self.config
            .permissions
            .authorize(directory, actor, Action::AutoClose, target)?;

        let query = IncidentQuery {
            auto_close_due_by: Some(now),
            ..IncidentQuery::default()
        };
        let mut closed = Vec::new();
        for incident in self.repository.query(&query)? {
            match self.execute(actor, incident.id, Command::AutoClose, now) {
                Ok(done) => closed.push(done),
                Err(e) if e.is_retryable() || e.kind() == crate::ErrorKind::RuleViolation => {}
                Err(e) => return Err(e),
            }
        }
        Ok(closed)
    }

    /// The actions `actor` may take on `incident` (or, with `None`, when opening), for
    /// greying out buttons.
    pub fn permitted_actions(&self, actor: &Actor, incident: Option<&Incident>) -> Vec<Action> {
        self.config
            .permissions
            .permitted_actions(&self.config.directory, actor, incident)
    }
}

/// A stable digest (FNV-1a, 64 bits) of who submitted what, to recognise a retried key.
fn digest(actor: &Actor, submission: &Submission) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let text = format!(
        "{}|{}|{:?}|{}",
        actor.id,
        actor.role,
        submission.incident,
        submission.command.to_json()
    );
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}
