//! Events: the audit trail. Each accepted command yields one or more events; applying them
//! in order rebuilds the incident exactly.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::DetailsPatch;
use crate::model::{
    Comment, Feedback, HoldReason, Incident, IncidentId, Resolution, State, UserId, WorkOrder,
    WorkState, WorkgroupId, WorkgroupVisit,
};
use crate::persona::Actor;
use crate::{Error, Result};

/// What changed. Events carry resulting values, never rules: applying one is plain
/// assignment, so a replay cannot decide differently from the original decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// The incident as it was created.
    Opened {
        /// Its first snapshot (version 1).
        incident: Box<Incident>,
    },
    /// A comment was added.
    Commented {
        /// The text.
        text: String,
    },
    /// Descriptive fields were edited.
    DetailsUpdated {
        /// The edits (boxed, like the other large and rare values, so that every event
        /// stays small to move).
        patch: Box<DetailsPatch>,
    },
    /// Impact, urgency or priority changed.
    Reprioritised {
        /// New impact.
        impact: u8,
        /// New urgency.
        urgency: u8,
        /// New priority.
        priority: u8,
        /// Whether the priority is now fixed by hand.
        overridden: bool,
    },
    /// The major-incident flag changed.
    MajorSet {
        /// New flag.
        major: bool,
    },
    /// The workgroup and/or analyst changed.
    Assigned {
        /// New workgroup.
        workgroup: Option<WorkgroupId>,
        /// New analyst.
        assignee: Option<UserId>,
        /// Whether this moved the incident from one workgroup to another.
        reassignment: bool,
    },
    /// The lifecycle state changed.
    StateChanged {
        /// Previous state.
        from: State,
        /// New state.
        to: State,
        /// The hold reason when `to` is On Hold.
        hold_reason: Option<HoldReason>,
    },
    /// The fix was recorded.
    ResolutionRecorded {
        /// The fix.
        resolution: Box<Resolution>,
        /// When the incident closes by itself, if ever.
        auto_close_at: Option<DateTime<Utc>>,
    },
    /// The caller confirmed the fix.
    Confirmed {
        /// Feedback given with it.
        feedback: Option<Feedback>,
    },
    /// The caller rated the service.
    FeedbackGiven {
        /// The rating.
        feedback: Feedback,
    },
    /// The incident was reopened; the resolution is cleared.
    Reopened {
        /// Why.
        reason: String,
    },
    /// The incident was withdrawn.
    Canceled {
        /// Why.
        reason: String,
    },
    /// A work order was created.
    WorkOrderCreated {
        /// The work order with its tasks.
        work_order: Box<WorkOrder>,
    },
    /// A task changed state and/or analyst.
    TaskUpdated {
        /// Work-order number.
        work_order: u32,
        /// Task number.
        task: u32,
        /// New state.
        state: WorkState,
        /// New analyst.
        assignee: Option<UserId>,
    },
    /// A work order's state changed (it follows its tasks, or was cancelled).
    WorkOrderStateChanged {
        /// Work-order number.
        work_order: u32,
        /// New state.
        state: WorkState,
    },
}

impl Change {
    /// A one-line, human-readable account of the change, for timelines and audit views.
    pub fn describe(&self) -> String {
        match self {
            Change::Opened { incident } => format!(
                "opened {} ({:?}, priority {}) for {} in {}",
                incident.number,
                incident.channel,
                incident.priority,
                incident.caller,
                incident
                    .assignment_group
                    .as_ref()
                    .map_or("no workgroup", |g| g.as_str()),
            ),
            Change::Commented { text } => format!("commented: {text}"),
            Change::DetailsUpdated { .. } => "updated the details".to_owned(),
            Change::Reprioritised {
                impact,
                urgency,
                priority,
                overridden,
            } => {
                let how = if *overridden { " (set by hand)" } else { "" };
                format!("impact {impact}, urgency {urgency}: priority {priority}{how}")
            }
            Change::MajorSet { major: true } => "declared a major incident".to_owned(),
            Change::MajorSet { major: false } => "cleared the major-incident flag".to_owned(),
            Change::Assigned {
                workgroup,
                assignee,
                reassignment,
            } => {
                let verb = if *reassignment {
                    "reassigned to"
                } else {
                    "assigned to"
                };
                let group = workgroup.as_ref().map_or("no workgroup", |g| g.as_str());
                match assignee {
                    Some(a) => format!("{verb} {group} / {a}"),
                    None => format!("{verb} {group}"),
                }
            }
            Change::StateChanged {
                from,
                to,
                hold_reason: Some(reason),
            } => {
                format!("{from} -> {to} ({})", reason.as_str())
            }
            Change::StateChanged {
                from,
                to,
                hold_reason: None,
            } => format!("{from} -> {to}"),
            Change::ResolutionRecorded { resolution, .. } => {
                format!(
                    "resolved with {:?}: {}",
                    resolution.code.as_str(),
                    resolution.notes
                )
            }
            Change::Confirmed { feedback: Some(f) } => {
                format!("confirmed the resolution, rating {}/5", f.rating)
            }
            Change::Confirmed { feedback: None } => "confirmed the resolution".to_owned(),
            Change::FeedbackGiven { feedback } => {
                format!("rated the service {}/5", feedback.rating)
            }
            Change::Reopened { reason } => format!("reopened: {reason}"),
            Change::Canceled { reason } => format!("canceled: {reason}"),
            Change::WorkOrderCreated { work_order } => format!(
                "created work order {} \"{}\" with {} task(s)",
                work_order.number,
                work_order.title,
                work_order.tasks.len()
            ),
            Change::TaskUpdated {
                work_order,
                task,
                state,
                ..
            } => {
                format!("task {work_order}.{task} is now {}", state.as_str())
            }
            Change::WorkOrderStateChanged { work_order, state } => {
                format!("work order {work_order} is now {}", state.as_str())
            }
        }
    }
}

/// One entry of the audit trail: who changed what, when, producing which version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The incident.
    pub incident_id: IncidentId,
    /// The incident version this event produced; the command was decided against
    /// `version - 1`. Events of one command share a version.
    pub version: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who, in which persona.
    pub actor: Actor,
    /// What.
    pub change: Change,
}

impl Event {
    /// Applies the event to an incident. Only the replay and the decision use this; it
    /// trusts the event (it was decided by the core).
    pub fn apply_to(&self, incident: &mut Incident) {
        let at = self.at;
        match &self.change {
            Change::Opened { incident: first } => *incident = (**first).clone(),
            Change::Commented { text } => incident.comments.push(Comment {
                author: self.actor.id.clone(),
                at,
                text: text.clone(),
            }),
            Change::DetailsUpdated { patch } => apply_patch(incident, patch),
            Change::Reprioritised {
                impact,
                urgency,
                priority,
                overridden,
            } => {
                incident.impact = *impact;
                incident.urgency = *urgency;
                incident.priority = *priority;
                incident.priority_overridden = *overridden;
            }
            Change::MajorSet { major } => incident.major = *major,
            Change::Assigned {
                workgroup,
                assignee,
                reassignment,
            } => {
                if *workgroup != incident.assignment_group {
                    move_to(incident, workgroup.clone(), at);
                }
                incident.assignee = assignee.clone();
                incident.reassignment_count += u32::from(*reassignment);
                incident.first_assigned_at.get_or_insert(at);
            }
            Change::StateChanged {
                to, hold_reason, ..
            } => {
                incident.state = *to;
                incident.hold_reason = hold_reason.clone();
                match to {
                    State::Resolved => incident.resolved_at = Some(at),
                    State::Closed | State::Canceled => {
                        incident.closed_at = Some(at);
                        incident.auto_close_at = None;
                    }
                    _ => {}
                }
            }
            Change::ResolutionRecorded {
                resolution,
                auto_close_at,
            } => {
                incident.resolution = Some(Resolution::clone(resolution));
                incident.auto_close_at = *auto_close_at;
            }
            Change::Confirmed { feedback } => {
                incident.confirmed = true;
                if feedback.is_some() {
                    incident.feedback = feedback.clone();
                }
            }
            Change::FeedbackGiven { feedback } => incident.feedback = Some(feedback.clone()),
            Change::Reopened { .. } => {
                incident.reopen_count += 1;
                incident.resolution = None;
                incident.confirmed = false;
                incident.auto_close_at = None;
                incident.closed_at = None;
            }
            Change::Canceled { reason } => incident.cancel_reason = Some(reason.clone()),
            Change::WorkOrderCreated { work_order } => {
                incident.work_orders.push(WorkOrder::clone(work_order))
            }
            Change::TaskUpdated {
                work_order,
                task,
                state,
                assignee,
            } => {
                let order = work_order_mut(incident, *work_order);
                if let Some(t) = order.and_then(|o| o.tasks.iter_mut().find(|t| t.number == *task))
                {
                    t.state = *state;
                    t.assignee = assignee.clone();
                }
            }
            Change::WorkOrderStateChanged { work_order, state } => {
                if let Some(order) = work_order_mut(incident, *work_order) {
                    order.state = *state;
                }
            }
        }
        incident.updated_at = at;
        incident.version = self.version;
    }
}

fn apply_patch(incident: &mut Incident, patch: &DetailsPatch) {
    let set = |field: &mut String, value: &Option<String>| {
        if let Some(v) = value {
            field.clone_from(v);
        }
    };
    set(&mut incident.short_description, &patch.short_description);
    set(&mut incident.description, &patch.description);
    let set_opt = |field: &mut Option<String>, value: &Option<String>| {
        if value.is_some() {
            field.clone_from(value);
        }
    };
    set_opt(&mut incident.category, &patch.category);
    set_opt(&mut incident.subcategory, &patch.subcategory);
    set_opt(&mut incident.service, &patch.service);
    set_opt(&mut incident.configuration_item, &patch.configuration_item);
}

fn move_to(incident: &mut Incident, workgroup: Option<WorkgroupId>, at: DateTime<Utc>) {
    if let Some(open) = incident.visits.last_mut().filter(|v| v.until.is_none()) {
        open.until = Some(at);
    }
    if let Some(group) = &workgroup {
        incident.visits.push(WorkgroupVisit {
            workgroup: group.clone(),
            from: at,
            until: None,
        });
    }
    incident.assignment_group = workgroup;
}

fn work_order_mut(incident: &mut Incident, number: u32) -> Option<&mut WorkOrder> {
    incident.work_orders.iter_mut().find(|w| w.number == number)
}

impl Incident {
    /// Rebuilds an incident from its events.
    ///
    /// # Errors
    /// [`Error::Corrupt`] when the list is empty, does not start with
    /// [`Change::Opened`], mixes incidents, or its versions do not grow by one per command.
    ///
    /// # Example
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use incident_core::{Actor, Channel, Command, Desk, Incident, NewIncident, Role};
    ///
    /// let desk = Desk::in_memory(Default::default());
    /// let user = Actor::new("ann", Role::EndUser);
    /// let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    /// let report = NewIncident::new("VPN down", Channel::Portal, 2, 2);
    /// let incident = desk.open(&user, Command::Open(report), now).unwrap();
    /// let events = desk.events(incident.id).unwrap();
    /// assert_eq!(Incident::replay(&events).unwrap(), incident);
    /// ```
    pub fn replay(events: &[Event]) -> Result<Incident> {
        let first = events.first().ok_or_else(|| corrupt("no events"))?;
        let Change::Opened { incident } = &first.change else {
            return Err(corrupt("the first event is not the opening"));
        };
        let mut current = (**incident).clone();
        for event in &events[1..] {
            if event.incident_id != current.id {
                return Err(corrupt("events of another incident"));
            }
            if event.version != current.version && event.version != current.version + 1 {
                let detail = format!("version {} after {}", event.version, current.version);
                return Err(corrupt(&detail));
            }
            event.apply_to(&mut current);
        }
        Ok(current)
    }
}

fn corrupt(detail: &str) -> Error {
    Error::Corrupt {
        detail: format!("event log: {detail}"),
    }
}
