//! Many commands in one call: the entry point for bulk work (simulations, migrations,
//! benchmarks) where crossing into native code once per command would cost more than the
//! decisions themselves.
//!
//! Every row still goes through the core: openings through `decide::open` (numbers from the
//! desk's store), the others through `decide::execute_into` with the desk's
//! configuration and the batch's actor, and every event through the SLA engine's clocks.
//! What a batch saves is the traffic: commands are given once in a small table and rows
//! refer to them by index, times come as epoch milliseconds in a `Float64Array`, and the
//! results come back as typed-array columns.

use incident_core::sla::{ClockKind, IncidentClocks, SlaEngine};
use incident_core::{self as core, Commit, Repository, decide};
use napi::Env;
use napi::bindgen_prelude::{Float64Array, Uint8Array, Uint32Array};
use napi_derive::napi;

use crate::command::Command;
use crate::desk::Desk;
use crate::error::{Failure, Fallible, invalid, run};
use crate::objects::Actor;
use crate::time::Date;

/// Rows of commands: row `r` applies `commands[command[r]]` at `at[r]` (epoch ms) to the
/// incident the batch opened `incident[r]`-th (0-based; ignored on opening rows).
#[napi(object)]
#[allow(missing_debug_implementations)] // napi typed arrays are not Debug
pub struct CommandBatch {
    /// The distinct commands the rows refer to.
    pub commands: Vec<Command>,
    /// Per row: index into `commands`.
    pub command: Uint32Array,
    /// Per row: which incident of this batch (in opening order) the command applies to.
    pub incident: Uint32Array,
    /// Per row: when, in epoch milliseconds.
    pub at: Float64Array,
}

/// What to do with a batch's results.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Save the incidents and their audit trails in the desk's store, all or nothing
    /// (default true). Without it the batch is a what-if.
    pub persist: Option<bool>,
}

/// The SLA clocks of a batch's incidents, as columns (one entry per clock), each judged at
/// its incident's last command.
#[napi(object)]
#[allow(missing_debug_implementations)] // napi typed arrays are not Debug
pub struct BatchClocks {
    /// The batch-local incident index.
    pub incident: Uint32Array,
    /// 1 for a resolution clock, 0 for a response clock.
    pub resolution: Uint8Array,
    /// 1 when breached.
    pub breached: Uint8Array,
    /// Elapsed business seconds.
    pub elapsed_seconds: Float64Array,
}

/// What a batch did.
#[napi(object)]
#[allow(missing_debug_implementations)] // napi typed arrays are not Debug
pub struct BatchResult {
    /// Incidents opened.
    pub incidents: u32,
    /// Rows applied.
    pub commands: u32,
    /// The ids of the opened incidents, in opening order.
    pub ids: Vec<String>,
    /// The SLA clocks, when the desk has an SLA configuration.
    pub clocks: Option<BatchClocks>,
}

struct Opened {
    incident: core::Incident,
    /// The audit trail, kept only when the batch is persisted.
    events: Vec<core::Event>,
    /// Each clock's (is resolution, breached, elapsed seconds) at the last command.
    clocks: Vec<(bool, bool, i64)>,
}

/// One opening row and the rows that follow it for the same incident.
struct Plan {
    number: core::IncidentNumber,
    rows: Vec<u32>,
}

#[napi]
impl Desk {
    /// Applies a batch of commands as `actor`, in row order, and stores the result (one
    /// commit per incident, all in one store transaction).
    ///
    /// The batch opens its incidents itself; commands on incidents that exist before the
    /// batch go through [`Desk::execute`] or [`Desk::submit`]. Incidents are independent,
    /// so their rows are decided on several threads; the result is the same as in row
    /// order. Each opening takes a number from the store first (one store call each).
    ///
    /// # Errors
    /// The first refusal in row order, with the row as `err.row` (nothing is stored);
    /// `ERR_VALIDATION` for columns of different lengths, indexes out of range, or invalid
    /// times.
    #[napi]
    pub fn execute_batch(
        &self,
        env: Env,
        actor: Actor,
        batch: CommandBatch,
        options: Option<BatchOptions>,
    ) -> napi::Result<BatchResult> {
        run(&env, || {
            let persist = options.unwrap_or_default().persist.unwrap_or(true);
            let actor: core::Actor = actor.into();
            let mut opened = self.decide_batch(&actor, &batch, persist)?;
            if persist {
                // Numbers are taken only now that every row was accepted, so a refused
                // batch or a what-if run leaves no gap in the numbering.
                let repository = self.inner.repository();
                for o in &mut opened {
                    let number = decide::incident_number(repository.next_number()?);
                    decide::assign_number(&mut o.incident, &mut o.events, number);
                }
                let commits: Vec<Commit<'_>> = opened
                    .iter()
                    .map(|o| Commit::new_incident(&o.incident, &o.events))
                    .collect();
                self.inner.repository().save_batch(&commits)?;
            }
            Ok(self.batch_result(&opened, batch.command.len()))
        })
    }
}

fn row_error(row: usize, error: core::Error) -> Failure {
    Failure::Row {
        row: row as u32,
        error,
    }
}

impl Desk {
    /// Checks the columns and groups the rows by incident, numbering the openings from 1 in
    /// the batch (a persisted batch takes the store's numbers once all rows are accepted).
    fn plan_batch(&self, batch: &CommandBatch, commands: &[core::Command]) -> Fallible<Vec<Plan>> {
        let rows = batch.command.len();
        if batch.incident.len() != rows || batch.at.len() != rows {
            return Err(invalid(
                "batch",
                "command, incident and at differ in length",
            ));
        }
        let mut plans: Vec<Plan> = Vec::new();
        for row in 0..rows {
            if Date::from_millis(batch.at[row]).is_none() {
                return Err(row_error(row, validation("at", "not a valid time")));
            }
            let command = commands
                .get(batch.command[row] as usize)
                .ok_or_else(|| row_error(row, validation("command", "index out of range")))?;
            if matches!(
                command,
                core::Command::Open(_) | core::Command::OpenFromTrigger(_)
            ) {
                let number = decide::incident_number(plans.len() as u64 + 1);
                plans.push(Plan {
                    number,
                    rows: vec![row as u32],
                });
            } else {
                let plan = plans
                    .get_mut(batch.incident[row] as usize)
                    .ok_or_else(|| row_error(row, validation("incident", "index out of range")))?;
                plan.rows.push(row as u32);
            }
        }
        Ok(plans)
    }

    fn decide_batch(
        &self,
        actor: &core::Actor,
        batch: &CommandBatch,
        persist: bool,
    ) -> Fallible<Vec<Opened>> {
        let commands = batch
            .commands
            .iter()
            .map(|c| c.clone().into_core())
            .collect::<Fallible<Vec<_>>>()?;
        let plans = self.plan_batch(batch, &commands)?;

        let work = Work {
            config: self.inner.config(),
            engine: self.sla.as_deref(),
            actor,
            commands: &commands,
            command: &batch.command,
            at: &batch.at,
            persist,
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if threads < 2 || plans.len() < 2048 {
            return plans.iter().map(|p| work.incident(p)).collect();
        }

        // Incidents are independent: decide contiguous chunks on scoped threads. The first
        // error in row order is the smallest-row error of the chunks, since every row before
        // it in every chunk was accepted.
        let size = plans.len().div_ceil(threads);
        let parts: Vec<Fallible<Vec<Opened>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = plans
                .chunks(size)
                .map(|chunk| {
                    let work = &work;
                    scope.spawn(move || {
                        crate::error::guard(|| chunk.iter().map(|p| work.incident(p)).collect())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Failure::Panic("batch worker".into())))
                })
                .collect()
        });
        let mut opened = Vec::with_capacity(plans.len());
        let mut first_error: Option<Failure> = None;
        for part in parts {
            match part {
                Ok(list) => opened.extend(list),
                Err(e) if first_error.as_ref().is_none_or(|f| row_of(&e) < row_of(f)) => {
                    first_error = Some(e);
                }
                Err(_) => {}
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(opened),
        }
    }

    fn batch_result(&self, opened: &[Opened], rows: usize) -> BatchResult {
        let ids = opened.iter().map(|o| o.incident.id.to_string()).collect();
        let clocks = self.sla.as_ref().map(|_| {
            let (mut incident, mut resolution, mut breached, mut elapsed) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (i, o) in opened.iter().enumerate() {
                for &(is_resolution, is_breached, seconds) in &o.clocks {
                    incident.push(i as u32);
                    resolution.push(u8::from(is_resolution));
                    breached.push(u8::from(is_breached));
                    elapsed.push(seconds as f64);
                }
            }
            BatchClocks {
                incident: incident.into(),
                resolution: resolution.into(),
                breached: breached.into(),
                elapsed_seconds: elapsed.into(),
            }
        });
        BatchResult {
            incidents: opened.len() as u32,
            commands: rows as u32,
            ids,
            clocks,
        }
    }
}

fn row_of(failure: &Failure) -> u32 {
    match failure {
        Failure::Row { row, .. } => *row,
        _ => u32::MAX,
    }
}

/// What every worker needs to decide incidents of a batch.
struct Work<'a> {
    config: &'a core::DeskConfig,
    engine: Option<&'a SlaEngine>,
    actor: &'a core::Actor,
    commands: &'a [core::Command],
    command: &'a [u32],
    at: &'a [f64],
    persist: bool,
}

impl Work<'_> {
    /// Opens one incident and applies its rows, feeding its SLA clocks.
    fn incident(&self, plan: &Plan) -> Fallible<Opened> {
        let mut incident: Option<core::Incident> = None;
        let mut events = Vec::new();
        let mut clocks = IncidentClocks::new();
        for &row in &plan.rows {
            let r = row as usize;
            let at = Date::from_millis(self.at[r])
                .ok_or_else(|| row_error(r, validation("at", "not a valid time")))?
                .0;
            let command = &self.commands[self.command[r] as usize];
            let first = events.len();
            match incident.as_mut() {
                None => {
                    let id = core::IncidentId::new(at);
                    let number = plan.number.clone();
                    let decision = decide::open(self.config, id, number, self.actor, command, at)
                        .map_err(|e| row_error(r, e))?;
                    incident = Some(decision.incident);
                    events.extend(decision.events);
                }
                Some(current) => {
                    decide::execute_into(
                        self.config,
                        current,
                        self.actor,
                        command,
                        at,
                        &mut events,
                    )
                    .map_err(|e| row_error(r, e))?;
                }
            }
            if let Some(engine) = self.engine {
                for event in &events[first..] {
                    engine
                        .apply(&mut clocks, event)
                        .map_err(|e| row_error(r, e))?;
                }
            }
            if !self.persist {
                events.clear();
            }
        }

        let incident = incident.ok_or_else(|| invalid("batch", "an incident without rows"))?;
        let mut outcomes = Vec::new();
        if let Some(engine) = self.engine {
            for clock in clocks.clocks() {
                let outcome = engine.outcome(clock, incident.updated_at)?;
                outcomes.push((
                    outcome.kind == ClockKind::Resolution,
                    outcome.is_breached(),
                    outcome.elapsed_seconds,
                ));
            }
        }
        Ok(Opened {
            incident,
            events,
            clocks: outcomes,
        })
    }
}

fn validation(field: &str, reason: &str) -> core::Error {
    core::Error::Validation {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}
