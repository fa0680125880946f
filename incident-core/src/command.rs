//! Commands: every change a host can ask for, serde-serialisable so that queues, HTTP
//! handlers and bindings can carry them as JSON.

use serde::{Deserialize, Serialize};

use crate::model::{ChangeFailure, Channel, Feedback, HoldReason, UserId, WorkState, WorkgroupId};
use crate::persona::Action;

/// A new incident reported by a person (portal, phone, e-mail, chat) or an analyst.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIncident {
    /// One line summary; must not be blank.
    pub short_description: String,
    /// Longer description.
    #[serde(default)]
    pub description: String,
    /// The person affected; defaults to the actor.
    #[serde(default)]
    pub caller: Option<UserId>,
    /// The caller's organisation.
    #[serde(default)]
    pub organisation: Option<String>,
    /// How it was reported.
    pub channel: Channel,
    /// Category.
    #[serde(default)]
    pub category: Option<String>,
    /// Subcategory.
    #[serde(default)]
    pub subcategory: Option<String>,
    /// Affected service.
    #[serde(default)]
    pub service: Option<String>,
    /// Affected configuration item.
    #[serde(default)]
    pub configuration_item: Option<String>,
    /// Impact, 1 = highest.
    pub impact: u8,
    /// Urgency, 1 = most urgent.
    pub urgency: u8,
    /// A workgroup chosen by hand; otherwise the routing rules choose.
    #[serde(default)]
    pub workgroup: Option<WorkgroupId>,
    /// A skill the work needs, for skill-based routing.
    #[serde(default)]
    pub skill: Option<String>,
}

impl NewIncident {
    /// A minimal report: summary, channel, impact and urgency; everything else empty.
    pub fn new(
        short_description: impl Into<String>,
        channel: Channel,
        impact: u8,
        urgency: u8,
    ) -> Self {
        NewIncident {
            short_description: short_description.into(),
            description: String::new(),
            caller: None,
            organisation: None,
            channel,
            category: None,
            subcategory: None,
            service: None,
            configuration_item: None,
            impact,
            urgency,
            workgroup: None,
            skill: None,
        }
    }
}

/// The other process whose failure raises an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    /// A change that failed or was implemented incorrectly.
    FailedChange {
        /// The change's id.
        change_id: String,
        /// How it failed.
        failure: ChangeFailure,
        /// The service the change touched.
        service: Option<String>,
        /// The configuration item it touched.
        #[serde(default)]
        configuration_item: Option<String>,
        /// Impact, when the change process knows it.
        #[serde(default)]
        impact: Option<u8>,
        /// Urgency, when the change process knows it.
        #[serde(default)]
        urgency: Option<u8>,
    },
    /// A service request that could not be fulfilled.
    FailedServiceRequest {
        /// The request's id.
        request_id: String,
        /// The service requested.
        service: Option<String>,
        /// The configuration item involved.
        #[serde(default)]
        configuration_item: Option<String>,
        /// Impact, when known.
        #[serde(default)]
        impact: Option<u8>,
        /// Urgency, when known.
        #[serde(default)]
        urgency: Option<u8>,
    },
}

/// An incident raised by automation from another process's failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggeredIncident {
    /// What failed; gives the causal link, the service and maybe impact and urgency.
    pub trigger: Trigger,
    /// One line summary; must not be blank.
    pub short_description: String,
    /// Longer description.
    #[serde(default)]
    pub description: String,
    /// The person affected (the change owner, the requester); defaults to the actor.
    #[serde(default)]
    pub caller: Option<UserId>,
    /// Category, for routing.
    #[serde(default)]
    pub category: Option<String>,
}

/// Edits to descriptive fields; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DetailsPatch {
    /// New summary.
    pub short_description: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New subcategory.
    pub subcategory: Option<String>,
    /// New service.
    pub service: Option<String>,
    /// New configuration item.
    pub configuration_item: Option<String>,
}

impl DetailsPatch {
    /// Whether the patch sets nothing.
    pub fn is_empty(&self) -> bool {
        *self == DetailsPatch::default()
    }
}

/// A task to create within a work order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTask {
    /// What to do.
    pub title: String,
    /// The work-order workgroup to do it.
    pub workgroup: WorkgroupId,
    /// An analyst of that group, if chosen now.
    #[serde(default)]
    pub assignee: Option<UserId>,
}

/// Every change a host can ask of an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Log an incident reported by a person.
    Open(NewIncident),
    /// Log an incident from a failed change or service request, keeping the causal link.
    OpenFromTrigger(TriggeredIncident),
    /// Add to the conversation. A caller's comment on an incident awaiting the caller
    /// resumes work.
    Comment {
        /// The text; must not be blank.
        text: String,
    },
    /// Edit descriptive fields.
    UpdateDetails(DetailsPatch),
    /// Change impact and/or urgency; the priority follows unless overridden.
    SetImpactUrgency {
        /// New impact.
        #[serde(default)]
        impact: Option<u8>,
        /// New urgency.
        #[serde(default)]
        urgency: Option<u8>,
    },
    /// Fix the priority by hand, or with `None` return to the derived priority.
    OverridePriority {
        /// The priority to set.
        priority: Option<u8>,
    },
    /// Set or clear the major-incident flag.
    SetMajor {
        /// The new flag.
        major: bool,
    },
    /// Assign to a workgroup and/or analyst. Moving to another workgroup is a reassignment.
    Assign {
        /// The workgroup; `None` keeps the current one.
        #[serde(default)]
        workgroup: Option<WorkgroupId>,
        /// The analyst; `None` keeps the current one if they belong to the workgroup.
        #[serde(default)]
        assignee: Option<UserId>,
    },
    /// Send the incident where the routing rules say, optionally asking for a skill.
    Route {
        /// A skill the work needs.
        #[serde(default)]
        skill: Option<String>,
    },
    /// Start work (In Progress).
    StartWork,
    /// Put on hold, with a reason.
    Hold {
        /// Why.
        reason: HoldReason,
    },
    /// Take off hold (In Progress).
    Resume,
    /// Record the fix (Resolved).
    Resolve {
        /// Resolution code; must not be blank.
        code: String,
        /// What was done; must not be blank.
        notes: String,
    },
    /// The caller confirms the fix, which closes the incident.
    Confirm {
        /// Optional feedback given with the confirmation.
        #[serde(default)]
        feedback: Option<Feedback>,
    },
    /// The caller rates the service of a resolved or closed incident.
    GiveFeedback(Feedback),
    /// Reopen a resolved (or, within the policy window, closed) incident.
    Reopen {
        /// Why; must not be blank.
        reason: String,
    },
    /// Close a resolved incident whose auto-close time has come.
    AutoClose,
    /// Withdraw an open incident; open work orders are cancelled too.
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
    /// Move a task forward (start, finish, cancel) and/or choose its analyst.
    UpdateTask {
        /// Work-order number.
        work_order: u32,
        /// Task number within the work order.
        task: u32,
        /// The task's new state; `None` leaves it.
        #[serde(default)]
        state: Option<WorkState>,
        /// The analyst; `None` leaves it.
        #[serde(default)]
        assignee: Option<UserId>,
    },
    /// Cancel a work order and its unfinished tasks.
    CancelWorkOrder {
        /// Work-order number.
        work_order: u32,
        /// Why; must not be blank.
        reason: String,
    },
}

impl Command {
    /// The action a permission check looks at. Assignment depends on the incident: it is
    /// [`Action::AssignToSelf`] when the actor takes it in the current workgroup,
    /// [`Action::Reassign`] when the workgroup changes, [`Action::AssignAnalyst`] otherwise.
    pub fn action(&self, actor: &UserId, current_group: Option<&WorkgroupId>) -> Action {
        match self {
            Command::Open(_) => Action::Open,
            Command::OpenFromTrigger(_) => Action::OpenFromTrigger,
            Command::Comment { .. } => Action::Comment,
            Command::UpdateDetails(_) => Action::UpdateDetails,
            Command::SetImpactUrgency { .. } => Action::Reprioritise,
            Command::OverridePriority { .. } => Action::OverridePriority,
            Command::SetMajor { .. } => Action::SetMajor,
            Command::Assign {
                workgroup,
                assignee,
            } => {
                let moves = workgroup.as_ref().is_some_and(|g| Some(g) != current_group);
                if moves {
                    Action::Reassign
                } else if assignee.as_ref() == Some(actor) {
                    Action::AssignToSelf
                } else {
                    Action::AssignAnalyst
                }
            }
            Command::Route { .. } => Action::Reassign,
            Command::StartWork | Command::Resume => Action::Work,
            Command::Hold { .. } => Action::Hold,
            Command::Resolve { .. } => Action::Resolve,
            Command::Confirm { .. } => Action::Confirm,
            Command::GiveFeedback(_) => Action::GiveFeedback,
            Command::Reopen { .. } => Action::Reopen,
            Command::AutoClose => Action::AutoClose,
            Command::Cancel { .. } => Action::Cancel,
            Command::CreateWorkOrder { .. } => Action::CreateWorkOrder,
            Command::UpdateTask { .. } => Action::WorkTask,
            Command::CancelWorkOrder { .. } => Action::CancelWorkOrder,
        }
    }

    /// Decodes a command from JSON.
    ///
    /// # Errors
    /// [`crate::Error::Validation`] (field `command`) with serde's explanation.
    pub fn from_json(json: &str) -> crate::Result<Self> {
        serde_json::from_str(json).map_err(|e| crate::Error::validation("command", e.to_string()))
    }

    /// Encodes the command as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("commands always serialise")
    }
}
