//! Batch entry points: many commands in one native call, each still decided by the core.
//!
//! A Python loop pays the interpreter on every call; these entry points take a whole batch,
//! release the GIL once, and drive the same [`Desk::submit`] a single call would, so every
//! command goes through the core's permission checks, lifecycle rules and store.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use incident_core::decide::{self, incident_number};
use incident_core::sla::{ClockKind, IncidentClocks, SlaEngine};
use incident_core::{
    Actor, Command, Commit, Desk, Error, Event, Incident, IncidentId, Repository, Submission,
    Trigger,
};
use serde::{Deserialize, Serialize};

use crate::convert::{from_json, instant};
use crate::desk::Store;

/// Which incident a step of `execute_many` acts on.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum StepTarget {
    /// The incident returned by an earlier step of the same batch.
    Step(usize),
    /// An incident by id.
    Id(String),
}

/// One step of `execute_many`: target (none to open), command, instant.
pub(crate) type Step = (Option<StepTarget>, Command, String);

/// Runs steps in order; stops at the first refusal, keeping what was saved before it.
///
/// # Errors
/// The first step's refusal, or [`Error::Validation`] for a step referring to a later one.
pub(crate) fn execute_many(
    desk: &Desk<Store>,
    actor: &Actor,
    steps: Vec<Step>,
) -> Result<Vec<Incident>, Error> {
    let mut done: Vec<Incident> = Vec::with_capacity(steps.len());
    for (n, (target, command, now)) in steps.into_iter().enumerate() {
        let incident = match target {
            None => None,
            Some(StepTarget::Id(id)) => Some(id.parse::<IncidentId>()?),
            Some(StepTarget::Step(k)) => {
                Some(done.get(k).map(|i| i.id).ok_or_else(|| Error::Validation {
                    field: "steps".into(),
                    reason: format!("step {n} refers to step {k}, which is not before it"),
                })?)
            }
        };
        let now = instant("now", &now)?;
        let outcome = desk.submit(actor, Submission::new(incident, command), now)?;
        done.push(outcome.incident);
    }
    Ok(done)
}

/// Totals of the SLA clocks of one kind or one definition over a scripted batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct ClockTotals {
    /// How many clocks.
    pub clocks: u64,
    /// How many were breached.
    pub breached: u64,
    /// The sum of their elapsed business seconds.
    pub elapsed_seconds: i64,
}

/// What a scripted batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct ScriptReport {
    /// Incidents opened and worked through the script.
    pub incidents: u64,
    /// Commands accepted, openings included.
    pub commands: u64,
    /// SLA totals by clock kind (`response`, `resolution`).
    pub by_kind: BTreeMap<String, ClockTotals>,
}

/// One actor and command of a script.
pub(crate) type ScriptStep = (Actor, Command);

/// How many incidents a scripted batch decides before saving them in one store batch.
const SAVE_EVERY: usize = 256;

/// Opens one incident per row and works it through the same steps at the row's times.
///
/// A row is `[opened_at_unix_seconds, impact, urgency, gap_1, ..., gap_k]`, one gap in
/// seconds per step, each after the previous command. The opening command's impact and
/// urgency are the row's. With an engine, each incident's clocks are replayed from its
/// events and their outcomes at its last command summed.
///
/// Each command is decided by the core ([`decide::open`], [`decide::execute_into`])
/// against the desk's configuration, exactly as [`Desk::submit`] decides it; the incident
/// stays in memory between its own commands instead of being reloaded, and [`SAVE_EVERY`]
/// incidents at a time go to the store in one atomic [`Repository::save_batch`] (see
/// [`save`]). Scripts carry no idempotency keys. Incidents are numbered from 1 in the batch
/// while they are decided; with `keep` each takes the store's next number once all its
/// commands were accepted. Without `keep` nothing is saved: a what-if run of the same
/// decisions.
///
/// # Errors
/// [`Error::Validation`] for rows of the wrong length or an opening that does not open;
/// the first refusal of any command (the script is expected to be valid for every row),
/// after which the incidents decided before it are saved.
pub(crate) fn run_script(
    desk: &Desk<Store>,
    opening: ScriptStep,
    steps: &[ScriptStep],
    rows: &[i64],
    engine: Option<&SlaEngine>,
    keep: bool,
) -> Result<ScriptReport, Error> {
    let width = 3 + steps.len();
    if !rows.len().is_multiple_of(width) {
        let reason = format!("{} values are not rows of {width}", rows.len());
        return Err(Error::Validation {
            field: "rows".into(),
            reason,
        });
    }
    let (opener, template) = opening;
    let mut report = ScriptReport::default();
    let mut pending: Vec<(Incident, Vec<Event>)> = Vec::with_capacity(SAVE_EVERY);

    for (n, row) in rows.chunks_exact(width).enumerate() {
        let mut worked = work_one(
            desk,
            &opener,
            &template,
            steps,
            row,
            n as u64 + 1,
            &mut pending,
        );
        // A kept incident takes the store's next number only once all its commands were
        // accepted, so a refused row leaves no gap in the numbering.
        if let (true, Ok(_), Some((incident, events))) = (keep, &worked, pending.last_mut()) {
            match desk.repository().next_number() {
                Ok(next) => decide::assign_number(incident, events, incident_number(next)),
                Err(e) => worked = Err(e),
            }
        }
        let clocks = match (worked, engine) {
            (Ok(at), Some(engine)) => add_clocks(&mut report, engine, &pending, at),
            (Ok(_), None) => Ok(()),
            (Err(e), _) => Err(e),
        };
        if let Err(e) = clocks {
            if keep {
                save(desk, &pending)?;
            }
            return Err(e);
        }
        report.incidents += 1;
        report.commands += 1 + steps.len() as u64;
        if !keep {
            pending.clear();
        } else if pending.len() >= SAVE_EVERY {
            save(desk, &pending)?;
            pending.clear();
        }
    }
    save(desk, &pending)?;
    Ok(report)
}

/// Decides one row's opening and steps; pushes the incident's final snapshot with every
/// event, and returns the instant of the last command.
fn work_one(
    desk: &Desk<Store>,
    opener: &Actor,
    template: &Command,
    steps: &[ScriptStep],
    row: &[i64],
    number: u64,
    pending: &mut Vec<(Incident, Vec<Event>)>,
) -> Result<DateTime<Utc>, Error> {
    let config = desk.config();
    let mut at = unix("rows", row[0])?;
    let command = with_impact_urgency(template, level(row[1])?, level(row[2])?)?;
    let number = incident_number(number);
    let opened = decide::open(config, IncidentId::new(at), number, opener, &command, at)?;
    let mut incident = opened.incident;
    let mut events = opened.events;

    for ((actor, command), gap) in steps.iter().zip(&row[3..]) {
        at = at
            .checked_add_signed(seconds(*gap)?)
            .ok_or_else(|| Error::Validation {
                field: "rows".into(),
                reason: format!("{at} plus {gap} s is not a representable instant"),
            })?;
        decide::execute_into(config, &mut incident, actor, command, at, &mut events)?;
    }
    pending.push((incident, events));
    Ok(at)
}

/// Saves decided incidents in one atomic batch: per incident one commit from version 0
/// holding its final snapshot and every event of its commands, which is what the stores
/// make of the chain of per-command commits `Desk::submit` would save.
fn save(desk: &Desk<Store>, decided: &[(Incident, Vec<Event>)]) -> Result<(), Error> {
    let commits: Vec<Commit<'_>> = decided
        .iter()
        .map(|(incident, events)| Commit::new_incident(incident, events))
        .collect();
    desk.repository().save_batch(&commits)
}

/// Adds the outcomes at `at` of the clocks of the last incident decided.
fn add_clocks(
    report: &mut ScriptReport,
    engine: &SlaEngine,
    pending: &[(Incident, Vec<Event>)],
    at: DateTime<Utc>,
) -> Result<(), Error> {
    let mut clocks = IncidentClocks::new();
    if let Some((_, events)) = pending.last() {
        for event in events {
            engine.apply(&mut clocks, event)?;
        }
    }
    for clock in clocks.clocks() {
        let outcome = engine.outcome(clock, at)?;
        let kind = match outcome.kind {
            ClockKind::Response => "response",
            ClockKind::Resolution => "resolution",
        };
        let totals = report.by_kind.entry(kind.to_owned()).or_default();
        totals.clocks += 1;
        totals.breached += u64::from(outcome.is_breached());
        totals.elapsed_seconds += outcome.elapsed_seconds;
    }
    Ok(())
}

fn with_impact_urgency(template: &Command, impact: u8, urgency: u8) -> Result<Command, Error> {
    let mut command = template.clone();
    match &mut command {
        Command::Open(report) => {
            report.impact = impact;
            report.urgency = urgency;
        }
        Command::OpenFromTrigger(triggered) => match &mut triggered.trigger {
            Trigger::FailedChange {
                impact: i,
                urgency: u,
                ..
            }
            | Trigger::FailedServiceRequest {
                impact: i,
                urgency: u,
                ..
            } => {
                *i = Some(impact);
                *u = Some(urgency);
            }
        },
        _ => {
            return Err(Error::Validation {
                field: "opening".into(),
                reason: "the script's first command must open an incident".into(),
            });
        }
    }
    Ok(command)
}

fn level(value: i64) -> Result<u8, Error> {
    u8::try_from(value).map_err(|_| Error::Validation {
        field: "rows".into(),
        reason: format!("impact or urgency {value} is out of range"),
    })
}

fn unix(field: &str, value: i64) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp(value, 0).ok_or_else(|| Error::Validation {
        field: field.into(),
        reason: format!("{value} is not a representable instant"),
    })
}

fn seconds(value: i64) -> Result<TimeDelta, Error> {
    match TimeDelta::try_seconds(value) {
        Some(gap) if value >= 0 => Ok(gap),
        _ => Err(Error::Validation {
            field: "rows".into(),
            reason: format!("gap {value} s is negative or out of range"),
        }),
    }
}

/// Decodes the steps of a script from JSON: a list of `[actor, command]` pairs.
///
/// # Errors
/// [`Error::Validation`] naming `field`.
pub(crate) fn script_steps(field: &str, json: &str) -> Result<Vec<ScriptStep>, Error> {
    from_json(field, json)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use incident_core::{
        Channel, DeskConfig, Directory, InMemoryRepository, IncidentQuery, NewIncident, Role,
        State, Workgroup, WorkgroupKind,
    };

    use super::*;

    fn desk() -> Desk<Store> {
        let directory = Directory::single(Workgroup::new(
            "service-desk",
            "Service desk",
            WorkgroupKind::Incident,
        ));
        Desk::new(
            Arc::new(InMemoryRepository::new()),
            DeskConfig::with_directory(directory),
        )
    }

    fn script() -> (ScriptStep, Vec<ScriptStep>) {
        let admin = Actor::new("root", Role::Administrator);
        let report = NewIncident::new("x", Channel::Phone, 3, 3);
        let steps = vec![
            (admin.clone(), Command::StartWork),
            (
                admin.clone(),
                Command::Resolve {
                    code: "fixed".into(),
                    notes: "ok".into(),
                },
            ),
        ];
        ((admin, Command::Open(report)), steps)
    }

    #[test]
    fn kept_scripts_store_every_incident_with_its_trail() {
        let desk = desk();
        let (opening, steps) = script();
        let rows = [1_800_000_000, 1, 2, 60, 60, 1_800_000_600, 3, 3, 60, 120];
        let report = run_script(&desk, opening, &steps, &rows, None, true).unwrap();
        assert_eq!((report.incidents, report.commands), (2, 6));

        let stored = desk.query(&IncidentQuery::default()).unwrap();
        assert_eq!(stored.len(), 2);
        assert_eq!((stored[0].priority, stored[1].priority), (2, 5));
        assert!(stored.iter().all(|i| i.state == State::Resolved));
        let trail = desk.events(stored[0].id).unwrap();
        assert_eq!(Incident::replay(&trail).unwrap(), stored[0]);
    }

    #[test]
    fn what_if_scripts_store_nothing() {
        let desk = desk();
        let (opening, steps) = script();
        let rows = [1_800_000_000, 1, 2, 60, 60];
        let report = run_script(&desk, opening, &steps, &rows, None, false).unwrap();
        assert_eq!(report.incidents, 1);
        assert!(desk.query(&IncidentQuery::default()).unwrap().is_empty());
    }

    #[test]
    fn a_refusal_keeps_the_incidents_decided_before_it() {
        let desk = desk();
        let (opening, mut steps) = script();
        steps.push((Actor::new("ann", Role::EndUser), Command::StartWork));
        let rows = [1_800_000_000, 1, 2, 60, 60, 60];
        let refused = run_script(&desk, opening, &steps, &rows, None, true).unwrap_err();
        assert_eq!(refused.code(), "ERR_PERMISSION_DENIED");
        assert!(desk.query(&IncidentQuery::default()).unwrap().is_empty());
    }

    #[test]
    fn malformed_rows_are_validation_errors() {
        let desk = desk();
        let (opening, steps) = script();
        for rows in [&[1, 2][..], &[0, 1, 1, -5, 60], &[0, 1, 1, i64::MAX, 60]] {
            let error = run_script(&desk, opening.clone(), &steps, rows, None, true);
            assert_eq!(error.unwrap_err().code(), "ERR_VALIDATION", "{rows:?}");
        }
    }
}
