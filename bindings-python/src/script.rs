//! Batch entry points: many commands in one native call, each still decided by the core.
//!
//! A Python loop pays the interpreter on every call; these entry points take a whole batch,
//! release the GIL once, and drive the same [`Desk::submit`] a single call would, so every
//! command goes through the core's permission checks, lifecycle rules and store.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use incident_core::sla::{ClockKind, SlaEngine};
use incident_core::{
    Actor, Command, Desk, Error, Event, Incident, IncidentId, Submission, Trigger,
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
            Some(StepTarget::Step(k)) => Some(done.get(k).map(|i| i.id).ok_or_else(|| {
                Error::Validation {
                    field: "steps".into(),
                    reason: format!("step {n} refers to step {k}, which is not before it"),
                }
            })?),
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

/// Opens one incident per row and works it through the same steps at the row's times.
///
/// A row is `[opened_at_unix_seconds, impact, urgency, gap_1, ..., gap_k]`, one gap in
/// seconds per step, each after the previous command. The opening command's impact and
/// urgency are the row's. With an engine, each incident's clocks are replayed from its
/// events and their outcomes at its last command summed.
///
/// # Errors
/// [`Error::Validation`] for rows of the wrong length or an opening that does not open;
/// the first refusal of any command (the script is expected to be valid for every row).
pub(crate) fn run_script(
    desk: &Desk<Store>,
    opening: ScriptStep,
    steps: &[ScriptStep],
    rows: &[i64],
    engine: Option<&SlaEngine>,
) -> Result<ScriptReport, Error> {
    let width = 3 + steps.len();
    if rows.len() % width != 0 {
        let reason = format!("{} values are not rows of {width}", rows.len());
        return Err(Error::Validation {
            field: "rows".into(),
            reason,
        });
    }
    let (opener, template) = opening;
    let mut report = ScriptReport::default();
    let mut events: Vec<Event> = Vec::with_capacity(steps.len() + 4);

    for row in rows.chunks_exact(width) {
        let mut at = unix("rows", row[0])?;
        let command = with_impact_urgency(&template, level(row[1])?, level(row[2])?)?;
        let outcome = desk.submit(&opener, Submission::new(None, command), at)?;
        let id = outcome.incident.id;
        events.clear();
        events.extend(outcome.events);

        for ((actor, command), gap) in steps.iter().zip(&row[3..]) {
            at += seconds(*gap)?;
            let outcome = desk.submit(actor, Submission::new(Some(id), command.clone()), at)?;
            events.extend(outcome.events);
        }
        report.incidents += 1;
        report.commands += 1 + steps.len() as u64;

        if let Some(engine) = engine {
            add_clocks(&mut report, engine, &events, at)?;
        }
    }
    Ok(report)
}

fn add_clocks(
    report: &mut ScriptReport,
    engine: &SlaEngine,
    events: &[Event],
    at: DateTime<Utc>,
) -> Result<(), Error> {
    let clocks = engine.replay(events)?;
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
