//! Commands as a tagged union (`{ type: 'resolve', code, notes }`), converted to the core's.

use incident_core as core;
use napi_derive::napi;

use crate::enums::WorkState;
use crate::error::{Fallible, whole, whole_opt};
use crate::objects::{DetailsPatch, Feedback, NewIncident, NewTask, TriggeredIncident};

/// Every change a host can ask of an incident; `type` names it, as in the core's JSON.
#[napi(discriminant = "type", discriminant_case = "snake_case")]
#[derive(Debug, Clone)]
pub enum Command {
    /// Log an incident reported by a person.
    Open {
        /// The report.
        report: NewIncident,
    },
    /// Log an incident from a failed change or service request.
    OpenFromTrigger {
        /// The trigger and summary.
        incident: TriggeredIncident,
    },
    /// Add to the conversation; a caller's comment on an incident awaiting them resumes work.
    Comment {
        /// The text; must not be blank.
        text: String,
    },
    /// Edit descriptive fields.
    UpdateDetails {
        /// The edits.
        patch: DetailsPatch,
    },
    /// Change impact and/or urgency; the priority follows unless overridden.
    SetImpactUrgency {
        /// New impact.
        impact: Option<f64>,
        /// New urgency.
        urgency: Option<f64>,
    },
    /// Fix the priority by hand, or without `priority` return to the derived one.
    OverridePriority {
        /// The priority to set.
        priority: Option<f64>,
    },
    /// Set or clear the major-incident flag.
    SetMajor {
        /// The new flag.
        major: bool,
    },
    /// Assign to a workgroup and/or analyst.
    Assign {
        /// The workgroup; absent keeps the current one.
        workgroup: Option<String>,
        /// The analyst; absent keeps the current one if they belong to the workgroup.
        assignee: Option<String>,
    },
    /// Send the incident where the routing rules say.
    Route {
        /// A skill the work needs.
        skill: Option<String>,
    },
    /// Start work (In Progress).
    StartWork,
    /// Put on hold with a reason: a `HoldReason` value or a custom text.
    Hold {
        /// Why.
        #[napi(ts_type = "HoldReason | string")]
        reason: String,
    },
    /// Take off hold.
    Resume,
    /// Record the fix.
    Resolve {
        /// Resolution code; must not be blank.
        code: String,
        /// What was done; must not be blank.
        notes: String,
    },
    /// The caller confirms the fix, which closes the incident.
    Confirm {
        /// Optional feedback given with the confirmation.
        feedback: Option<Feedback>,
    },
    /// The caller rates the service of a resolved or closed incident.
    GiveFeedback {
        /// The rating.
        feedback: Feedback,
    },
    /// Reopen a resolved (or, within the policy window, closed) incident.
    Reopen {
        /// Why; must not be blank.
        reason: String,
    },
    /// Close a resolved incident whose auto-close time has come.
    AutoClose,
    /// Withdraw an open incident.
    Cancel {
        /// Why; must not be blank.
        reason: String,
    },
    /// Create a work order with its tasks.
    CreateWorkOrder {
        /// What it is for.
        title: String,
        /// At least one task.
        tasks: Vec<NewTask>,
    },
    /// Move a task forward and/or choose its analyst.
    UpdateTask {
        /// Work-order number.
        work_order: f64,
        /// Task number within the work order.
        task: f64,
        /// The task's new state.
        state: Option<WorkState>,
        /// The analyst.
        assignee: Option<String>,
    },
    /// Cancel a work order and its unfinished tasks.
    CancelWorkOrder {
        /// Work-order number.
        work_order: f64,
        /// Why; must not be blank.
        reason: String,
    },
}

fn small_opt(field: &str, value: Option<f64>) -> Fallible<Option<u8>> {
    whole_opt(field, value)
}

impl Command {
    /// The core's command.
    ///
    /// # Errors
    /// `ERR_VALIDATION` for numbers out of range and a blank hold reason.
    pub fn into_core(self) -> Fallible<core::Command> {
        use core::Command as C;
        Ok(match self {
            Command::Open { report } => C::Open(report.into_core()?),
            Command::OpenFromTrigger { incident } => C::OpenFromTrigger(incident.into_core()?),
            Command::Comment { text } => C::Comment { text },
            Command::UpdateDetails { patch } => C::UpdateDetails(patch.into()),
            Command::SetImpactUrgency { impact, urgency } => C::SetImpactUrgency {
                impact: small_opt("impact", impact)?,
                urgency: small_opt("urgency", urgency)?,
            },
            Command::OverridePriority { priority } => C::OverridePriority {
                priority: small_opt("priority", priority)?,
            },
            Command::SetMajor { major } => C::SetMajor { major },
            Command::Assign {
                workgroup,
                assignee,
            } => C::Assign {
                workgroup: workgroup.map(Into::into),
                assignee: assignee.map(Into::into),
            },
            Command::Route { skill } => C::Route { skill },
            Command::StartWork => C::StartWork,
            Command::Hold { reason } => C::Hold {
                reason: core::HoldReason::parse(&reason)?,
            },
            Command::Resume => C::Resume,
            Command::Resolve { code, notes } => C::Resolve { code, notes },
            Command::Confirm { feedback } => C::Confirm {
                feedback: feedback.map(Feedback::into_core).transpose()?,
            },
            Command::GiveFeedback { feedback } => C::GiveFeedback(feedback.into_core()?),
            Command::Reopen { reason } => C::Reopen { reason },
            Command::AutoClose => C::AutoClose,
            Command::Cancel { reason } => C::Cancel { reason },
            Command::CreateWorkOrder { title, tasks } => C::CreateWorkOrder {
                title,
                tasks: tasks
                    .into_iter()
                    .map(|t| core::NewTask {
                        title: t.title,
                        workgroup: t.workgroup.into(),
                        assignee: t.assignee.map(Into::into),
                    })
                    .collect(),
            },
            Command::UpdateTask {
                work_order,
                task,
                state,
                assignee,
            } => C::UpdateTask {
                work_order: whole("workOrder", work_order)?,
                task: whole("task", task)?,
                state: state.map(Into::into),
                assignee: assignee.map(Into::into),
            },
            Command::CancelWorkOrder { work_order, reason } => C::CancelWorkOrder {
                work_order: whole("workOrder", work_order)?,
                reason,
            },
        })
    }
}

/// A command with what the desk needs around it: target, idempotency key, expected version.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Submission {
    /// The incident to act on (its id); absent for the commands that open one.
    pub incident: Option<String>,
    /// What to do.
    pub command: Command,
    /// Makes retries safe: a second submission with the same key has no effect and returns
    /// the first one's outcome.
    pub idempotency_key: Option<String>,
    /// The version the host showed its user; a different stored version is `ERR_CONFLICT`.
    pub expected_version: Option<f64>,
}

impl Submission {
    /// The core's submission.
    ///
    /// # Errors
    /// `ERR_VALIDATION` for a malformed incident id, a negative version, or a bad command.
    pub fn into_core(self) -> Fallible<core::Submission> {
        let incident = self.incident.as_deref().map(parse_id).transpose()?;
        let expected_version = whole_opt("expectedVersion", self.expected_version)?;
        Ok(core::Submission {
            incident,
            command: self.command.into_core()?,
            idempotency_key: self.idempotency_key,
            expected_version,
        })
    }
}

/// Parses an incident id.
///
/// # Errors
/// `ERR_VALIDATION` (field `incident_id`) for a malformed UUID.
pub fn parse_id(id: &str) -> Fallible<core::IncidentId> {
    Ok(id.parse()?)
}
