//! Deciding commands: the pure heart of the library.
//!
//! [`decide`] checks a command against the incident, the actor, the configuration and `now`
//! and returns the changes it makes, or an error and no change at all. [`execute`] applies
//! those changes to produce the next version and its events.

use chrono::{DateTime, Datelike, Duration, Utc};

use crate::command::{Command, NewIncident, NewTask, Trigger, TriggeredIncident};
use crate::directory::RoutingInput;
use crate::error::Rule;
use crate::event::{Change, Event};
use crate::model::{
    Channel, Feedback, HoldReason, Incident, IncidentId, IncidentNumber, Origin, Resolution, State,
    Task, UserId, WorkOrder, WorkState, WorkgroupId, WorkgroupVisit,
};
use crate::persona::{Action, Actor, Target};
use crate::policy::{DeskConfig, ReopenTarget};
use crate::{Error, Result};

/// A decided command: the incident's next version and the events that lead there.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The incident after the command.
    pub incident: Incident,
    /// The events, all with the new version.
    pub events: Vec<Event>,
}

impl Decision {
    /// Gives an opening decision its number, in the incident and in its opening event, so
    /// that a host can decide first and take a number only for an accepted opening.
    pub fn assign_number(&mut self, number: IncidentNumber) {
        assign_number(&mut self.incident, &mut self.events, number);
    }
}

/// Gives a decided opening its number, in the incident and in its opening event: hosts that
/// decide openings in bulk take numbers only once every opening was accepted.
pub fn assign_number(incident: &mut Incident, events: &mut [Event], number: IncidentNumber) {
    for event in events {
        if let Change::Opened { incident } = &mut event.change {
            incident.number.clone_from(&number);
        }
    }
    incident.number = number;
}

/// Formats the human number the repository hands out: `INC0000001`.
pub fn incident_number(n: u64) -> IncidentNumber {
    // Written by hand: the formatting machinery cost more than the rest of an opening.
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let start = start.min(digits.len() - 7);

    let mut number = [0u8; 23];
    let len = 3 + digits.len() - start;
    number[..3].copy_from_slice(b"INC");
    number[3..len].copy_from_slice(&digits[start..]);
    // ASCII only, so the conversion cannot fail.
    IncidentNumber::from(std::str::from_utf8(&number[..len]).unwrap_or_default())
}

/// The counter value behind a number in the `INC0000001` form, if it has that form.
///
/// Stores use it to move their counter past numbers that arrive from elsewhere (an import
/// keeps the exporting system's numbers), so that numbers handed out later never collide.
///
/// # Example
/// ```
/// use incident_core::decide::{incident_number, parse_incident_number};
///
/// assert_eq!(parse_incident_number(&incident_number(45)), Some(45));
/// assert_eq!(parse_incident_number("CHG0000045"), None);
/// ```
pub fn parse_incident_number(number: &str) -> Option<u64> {
    let digits = number.strip_prefix("INC")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Opens an incident from [`Command::Open`] or [`Command::OpenFromTrigger`].
///
/// `id` and `number` come from the host (see [`crate::Desk`]), since handing out numbers
/// needs the repository.
///
/// # Errors
/// [`Error::PermissionDenied`], [`Error::Validation`] for blank summaries and impact or
/// urgency outside the matrix, [`Error::NotFound`] for an unknown workgroup, and
/// [`Error::Validation`] when `command` does not open an incident or `now` is outside
/// [`SUPPORTED_INSTANTS`].
pub fn open(
    config: &DeskConfig,
    id: IncidentId,
    number: IncidentNumber,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Decision> {
    let mut events = Vec::with_capacity(1);
    let incident = open_into(config, id, number, actor, command, now, &mut events)?;
    Ok(Decision { incident, events })
}

/// As [`open`], but appends the opening event to a buffer the caller keeps (see
/// [`execute_into`]) and returns the new incident. On error `events` is unchanged.
///
/// # Errors
/// As [`open`].
pub fn open_into(
    config: &DeskConfig,
    id: IncidentId,
    number: IncidentNumber,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
    events: &mut Vec<Event>,
) -> Result<Incident> {
    require_supported("now", now)?;
    let action = command.action(&actor.id, None);
    let target = Target {
        incident: None,
        extra_workgroup: None,
    };
    config
        .permissions
        .authorize(&config.directory, actor, action, target)?;

    let report = match command {
        Command::Open(report) => {
            // An end user reports for themselves; naming another caller or choosing the
            // workgroup is the service desk's job.
            let on_behalf = report.caller.as_ref().is_some_and(|c| *c != actor.id);
            if actor.role == crate::Role::EndUser && (on_behalf || report.workgroup.is_some()) {
                let (actor, role) = (actor.id.clone(), actor.role);
                return Err(Error::PermissionDenied {
                    actor,
                    role,
                    action,
                });
            }
            Opening::from_report(report, actor)
        }
        Command::OpenFromTrigger(triggered) => Opening::from_trigger(triggered, actor, config),
        _ => {
            return Err(Error::validation(
                "command",
                "only open commands create incidents",
            ));
        }
    };
    let incident = report.into_incident(config, id, number, actor, now)?;
    events.push(Event {
        incident_id: id,
        version: 1,
        at: now,
        actor: actor.clone(),
        change: Change::Opened {
            incident: Box::new(incident.clone()),
        },
    });
    Ok(incident)
}

/// The fields of a new incident, whichever way it was reported.
struct Opening {
    short_description: String,
    description: String,
    caller: UserId,
    organisation: Option<String>,
    channel: Channel,
    origin: Origin,
    category: Option<String>,
    subcategory: Option<String>,
    service: Option<String>,
    configuration_item: Option<String>,
    impact: u8,
    urgency: u8,
    workgroup: Option<WorkgroupId>,
    skill: Option<String>,
}

impl Opening {
    fn from_report(report: &NewIncident, actor: &Actor) -> Self {
        Opening {
            short_description: report.short_description.clone(),
            description: report.description.clone(),
            caller: report.caller.clone().unwrap_or_else(|| actor.id.clone()),
            organisation: report.organisation.clone(),
            channel: report.channel,
            origin: Origin::EndUserReport,
            category: report.category.clone(),
            subcategory: report.subcategory.clone(),
            service: report.service.clone(),
            configuration_item: report.configuration_item.clone(),
            impact: report.impact,
            urgency: report.urgency,
            workgroup: report.workgroup.clone(),
            skill: report.skill.clone(),
        }
    }

    fn from_trigger(triggered: &TriggeredIncident, actor: &Actor, config: &DeskConfig) -> Self {
        let (origin, service, item, impact, urgency) = match &triggered.trigger {
            Trigger::FailedChange {
                change_id,
                failure,
                service,
                configuration_item,
                impact,
                urgency,
            } => {
                let origin = Origin::FailedChange {
                    change_id: change_id.clone(),
                    failure: *failure,
                };
                (origin, service, configuration_item, impact, urgency)
            }
            Trigger::FailedServiceRequest {
                request_id,
                service,
                configuration_item,
                impact,
                urgency,
            } => {
                let origin = Origin::FailedServiceRequest {
                    request_id: request_id.clone(),
                };
                (origin, service, configuration_item, impact, urgency)
            }
        };
        Opening {
            short_description: triggered.short_description.clone(),
            description: triggered.description.clone(),
            caller: triggered.caller.clone().unwrap_or_else(|| actor.id.clone()),
            organisation: None,
            channel: Channel::Automation,
            origin,
            category: triggered.category.clone(),
            subcategory: None,
            service: service.clone(),
            configuration_item: item.clone(),
            impact: impact.unwrap_or(config.policy.default_impact),
            urgency: urgency.unwrap_or(config.policy.default_urgency),
            workgroup: None,
            skill: None,
        }
    }

    fn into_incident(
        self,
        config: &DeskConfig,
        id: IncidentId,
        number: IncidentNumber,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Incident> {
        require_text("short_description", &self.short_description)?;
        if self.description.len() > MAX_TEXT_BYTES {
            return Err(Error::validation("description", "longer than 64 KiB"));
        }
        require_text("caller", self.caller.as_str())?;
        let priority = config.priority_matrix.priority(self.impact, self.urgency)?;

        let workgroup = match self.workgroup {
            Some(group) => config.directory.incident_workgroup(&group)?.id.clone(),
            None => {
                let input = RoutingInput {
                    category: self.category.as_deref(),
                    subcategory: self.subcategory.as_deref(),
                    service: self.service.as_deref(),
                    priority,
                    skill: self.skill.as_deref(),
                };
                config.directory.route(&input).workgroup
            }
        };
        // Room for the first reassignment, which most incidents see.
        let mut visits = Vec::with_capacity(2);
        visits.push(WorkgroupVisit {
            workgroup: workgroup.clone(),
            from: now,
            until: None,
        });

        Ok(Incident {
            id,
            number,
            short_description: self.short_description,
            description: self.description,
            caller: self.caller,
            organisation: self.organisation,
            opened_by: actor.id.clone(),
            channel: self.channel,
            origin: self.origin,
            category: self.category,
            subcategory: self.subcategory,
            service: self.service,
            configuration_item: self.configuration_item,
            impact: self.impact,
            urgency: self.urgency,
            priority,
            priority_overridden: false,
            major: false,
            state: State::New,
            hold_reason: None,
            assignment_group: Some(workgroup),
            assignee: None,
            work_orders: Vec::new(),
            resolution: None,
            confirmed: false,
            feedback: None,
            cancel_reason: None,
            reopen_count: 0,
            reassignment_count: 0,
            comments: Vec::new(),
            visits,
            opened_at: now,
            first_assigned_at: None,
            resolved_at: None,
            closed_at: None,
            auto_close_at: None,
            updated_at: now,
            version: 1,
        })
    }
}

/// Decides a command against an existing incident: the changes it makes, or why not.
///
/// Permission is checked first, then the time, then the command's own rules. Nothing is
/// modified: the incident is only read.
///
/// # Errors
/// [`Error::PermissionDenied`], [`Error::InvalidTransition`], [`Error::RuleViolation`],
/// [`Error::Validation`] and [`Error::NotFound`], as the command's documentation says.
pub fn decide(
    config: &DeskConfig,
    incident: &Incident,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Vec<Change>> {
    let mut events = Vec::new();
    record(config, incident, actor, command, now, &mut events)?;
    Ok(events.into_iter().map(|event| event.change).collect())
}

/// Collects a command's changes directly as events of the incident's next version, so that
/// deciding builds each event once, in the caller's buffer.
struct Recorder<'a> {
    events: &'a mut Vec<Event>,
    incident_id: IncidentId,
    version: u64,
    at: DateTime<Utc>,
    actor: &'a Actor,
}

impl Recorder<'_> {
    fn push(&mut self, change: Change) {
        self.events.push(Event {
            incident_id: self.incident_id,
            version: self.version,
            at: self.at,
            actor: self.actor.clone(),
            change,
        });
    }
}

/// Decides `command` and appends its events to `events`; on error `events` is as it was.
fn record(
    config: &DeskConfig,
    incident: &Incident,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
    events: &mut Vec<Event>,
) -> Result<()> {
    let action = command.action(&actor.id, incident.assignment_group.as_ref());
    let extra_workgroup = task_workgroup(incident, command);
    let target = Target {
        incident: Some(incident),
        extra_workgroup,
    };
    config
        .permissions
        .authorize(&config.directory, actor, action, target)?;
    let now = effective_now(config, incident, now)?;

    let ctx = Context {
        config,
        incident,
        actor,
        now,
    };
    let kept = events.len();
    let mut rec = Recorder {
        events,
        incident_id: incident.id,
        version: incident.version + 1,
        at: now,
        actor,
    };
    let decided = ctx.dispatch(&mut rec, command);
    if decided.is_err() {
        rec.events.truncate(kept);
    }
    decided
}

impl Context<'_> {
    fn dispatch(&self, rec: &mut Recorder<'_>, command: &Command) -> Result<()> {
        let (ctx, incident) = (self, self.incident);
        match command {
            Command::Open(_) | Command::OpenFromTrigger(_) => {
                Err(Error::validation("command", "the incident is already open"))
            }
            Command::Comment { text } => ctx.comment(rec, text),
            Command::UpdateDetails(patch) => {
                ctx.require_not_finished(State::Assigned)?;
                if patch.is_empty() {
                    return Err(Error::rule(Rule::NoChange, "the patch sets no field"));
                }
                if let Some(summary) = &patch.short_description {
                    require_text("short_description", summary)?;
                }
                rec.push(Change::DetailsUpdated {
                    patch: Box::new(patch.clone()),
                });
                Ok(())
            }
            Command::SetImpactUrgency { impact, urgency } => {
                ctx.reprioritise(rec, *impact, *urgency)
            }
            Command::OverridePriority { priority } => ctx.override_priority(rec, *priority),
            Command::SetMajor { major } => {
                ctx.require_not_finished(State::Assigned)?;
                if incident.major == *major {
                    return Err(Error::rule(
                        Rule::NoChange,
                        format!("major is already {major}"),
                    ));
                }
                rec.push(Change::MajorSet { major: *major });
                Ok(())
            }
            Command::Assign {
                workgroup,
                assignee,
            } => ctx.assign(rec, workgroup.as_ref(), assignee.as_ref()),
            Command::Route { skill } => ctx.route(rec, skill.as_deref()),
            Command::StartWork => ctx.start_work(rec),
            Command::Hold { reason } => ctx.hold(rec, reason),
            Command::Resume => {
                if incident.state != State::OnHold {
                    return Err(Error::InvalidTransition {
                        from: incident.state,
                        to: State::InProgress,
                    });
                }
                rec.push(ctx.state_change(State::InProgress, None)?);
                Ok(())
            }
            Command::Resolve { code, notes } => ctx.resolve(rec, code, notes),
            Command::Confirm { feedback } => ctx.confirm(rec, feedback.as_ref()),
            Command::GiveFeedback(feedback) => {
                feedback.validate()?;
                if !matches!(incident.state, State::Resolved | State::Closed) {
                    let detail = "feedback is given on resolved or closed incidents";
                    return Err(Error::rule(Rule::CloseNotDue, detail));
                }
                rec.push(Change::FeedbackGiven {
                    feedback: feedback.clone(),
                });
                Ok(())
            }
            Command::Reopen { reason } => ctx.reopen(rec, reason),
            Command::AutoClose => ctx.auto_close(rec),
            Command::Cancel { reason } => ctx.cancel(rec, reason),
            Command::CreateWorkOrder { title, tasks } => ctx.create_work_order(rec, title, tasks),
            Command::UpdateTask {
                work_order,
                task,
                state,
                assignee,
            } => ctx.update_task(rec, *work_order, *task, *state, assignee.as_ref()),
            Command::CancelWorkOrder { work_order, reason } => {
                ctx.cancel_work_order(rec, *work_order, reason)
            }
        }
    }
}

/// Decides a command and applies it, returning the next version and its events.
///
/// # Errors
/// As [`decide`].
///
/// # Example
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use incident_core::*;
///
/// let config = DeskConfig::default();
/// let analyst = Actor::new("root", Role::Administrator);
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
/// let report = Command::Open(NewIncident::new("Printer jam", Channel::Phone, 3, 3));
/// let id = IncidentId::new(t0);
/// let opened = decide::open(&config, id, "INC0000001".into(), &analyst, &report, t0).unwrap();
/// let later = t0 + Duration::minutes(5);
/// let next = execute(&config, &opened.incident, &analyst, &Command::StartWork, later).unwrap();
/// assert_eq!(next.incident.state, State::InProgress);
/// assert_eq!(next.incident.version, 2);
/// ```
pub fn execute(
    config: &DeskConfig,
    incident: &Incident,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Decision> {
    let mut next = incident.clone();
    let events = execute_in_place(config, &mut next, actor, command, now)?;
    Ok(Decision {
        incident: next,
        events,
    })
}

/// As [`execute`], but updates `incident` in place; on error it is left untouched.
///
/// # Errors
/// As [`decide`].
pub fn execute_in_place(
    config: &DeskConfig,
    incident: &mut Incident,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    execute_into(config, incident, actor, command, now, &mut events)?;
    Ok(events)
}

/// As [`execute_in_place`], but appends the events to a buffer the caller keeps.
///
/// For hosts that run streams of commands (replays, imports, batch jobs): with the buffer
/// reused, deciding and applying a command allocates only for the values it records. On
/// error neither `incident` nor `events` changes.
///
/// # Errors
/// As [`decide`].
///
/// # Example
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use incident_core::*;
///
/// let config = DeskConfig::default();
/// let analyst = Actor::new("root", Role::Administrator);
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
/// let report = Command::Open(NewIncident::new("Printer jam", Channel::Phone, 3, 3));
/// let mut incident =
///     decide::open(&config, IncidentId::new(t0), "INC0000001".into(), &analyst, &report, t0)
///         .unwrap()
///         .incident;
/// let mut events = Vec::new();
/// for command in [Command::StartWork, Command::Resume] {
///     let _ = execute_into(&config, &mut incident, &analyst, &command, t0, &mut events);
/// }
/// // Start work was accepted; resuming work that is not on hold was refused.
/// assert_eq!(events.len(), 1);
/// assert_eq!(incident.state, State::InProgress);
/// ```
pub fn execute_into(
    config: &DeskConfig,
    incident: &mut Incident,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
    events: &mut Vec<Event>,
) -> Result<()> {
    let first = events.len();
    record(config, incident, actor, command, now, events)?;
    for event in &events[first..] {
        event.apply_to(incident);
    }
    Ok(())
}

/// The instants, as Unix seconds, at which incidents are opened and changed and their
/// deadlines fall: from the Unix epoch (where the time inside incident ids, UUID v7, starts)
/// up to the end of year 9998 (where calendars end; some hosts cannot represent a date past
/// 9999). Anything outside is refused before it is stored, so every stored instant can be
/// read back by every binding.
pub const SUPPORTED_INSTANTS: std::ops::Range<i64> = 0..253_370_764_800;

/// Refuses an instant outside [`SUPPORTED_INSTANTS`].
fn require_supported(field: &str, at: DateTime<Utc>) -> Result<()> {
    // The same range as `SUPPORTED_INSTANTS`, read from the date's year: no conversion.
    if (1970..=9998).contains(&at.date_naive().year()) {
        return Ok(());
    }
    let reason = format!("{at} is outside the supported years 1970 to 9998");
    Err(Error::validation(field, reason))
}

/// The instant a command on `incident` is decided at.
///
/// Time never runs backwards on an incident, but hosts on several machines have clocks a
/// little apart, and a host that reads its clock before another writer saves can be a
/// moment behind the stored change. Within the policy's tolerance the command counts as
/// made at the incident's last change; beyond it the command is refused.
///
/// # Errors
/// [`Error::Validation`] (field `now`) when `now` is earlier than the incident's last
/// change by more than [`crate::Policy::clock_skew_tolerance_seconds`], or outside
/// [`SUPPORTED_INSTANTS`].
pub fn effective_now(
    config: &DeskConfig,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    require_supported("now", now)?;
    if now >= incident.updated_at {
        return Ok(now);
    }
    let tolerance = Duration::seconds(i64::from(config.policy.clock_skew_tolerance_seconds));
    if incident.updated_at - now <= tolerance {
        return Ok(incident.updated_at);
    }
    let reason = format!(
        "{now} is before the incident's last change at {}",
        incident.updated_at
    );
    Err(Error::validation("now", reason))
}

fn task_workgroup<'a>(incident: &'a Incident, command: &Command) -> Option<&'a WorkgroupId> {
    let Command::UpdateTask {
        work_order, task, ..
    } = command
    else {
        return None;
    };
    let order = incident
        .work_orders
        .iter()
        .find(|w| w.number == *work_order)?;
    order
        .tasks
        .iter()
        .find(|t| t.number == *task)
        .map(|t| &t.workgroup)
}

/// The longest text a field may hold (64 KiB), so that a runaway client cannot grow an
/// incident's snapshot and every event after it without bound.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The longest one-line summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 240;

fn require_text(field: &str, value: &str) -> Result<()> {
    if value.chars().all(char::is_whitespace) {
        return Err(Error::validation(field, "must not be blank"));
    }
    if value.len() > MAX_TEXT_BYTES {
        let reason = format!("{} bytes is longer than {MAX_TEXT_BYTES}", value.len());
        return Err(Error::validation(field, reason));
    }
    let long = value.len() > MAX_SUMMARY_CHARS && value.chars().count() > MAX_SUMMARY_CHARS;
    if field == "short_description" && long {
        let reason = format!("a summary has at most {MAX_SUMMARY_CHARS} characters");
        return Err(Error::validation(field, reason));
    }
    Ok(())
}

struct Context<'a> {
    config: &'a DeskConfig,
    incident: &'a Incident,
    actor: &'a Actor,
    now: DateTime<Utc>,
}

impl Context<'_> {
    fn state_change(&self, to: State, hold_reason: Option<HoldReason>) -> Result<Change> {
        let from = self.incident.state;
        self.config.transitions.check(from, to)?;
        Ok(Change::StateChanged {
            from,
            to,
            hold_reason,
        })
    }

    /// Refuses commands on resolved, closed or canceled incidents, reporting the attempted
    /// move as a transition to `to`.
    fn require_not_finished(&self, to: State) -> Result<()> {
        let from = self.incident.state;
        if from.is_open() {
            Ok(())
        } else {
            Err(Error::InvalidTransition { from, to })
        }
    }

    fn comment(&self, rec: &mut Recorder<'_>, text: &str) -> Result<()> {
        require_text("text", text)?;
        if self.incident.state == State::Canceled {
            return Err(Error::InvalidTransition {
                from: State::Canceled,
                to: State::Canceled,
            });
        }
        rec.push(Change::Commented {
            text: text.to_owned(),
        });
        let awaiting_caller = self.incident.hold_reason == Some(HoldReason::AwaitingCaller);
        if awaiting_caller && self.actor.id == self.incident.caller {
            rec.push(self.state_change(State::InProgress, None)?);
        }
        Ok(())
    }

    fn reprioritise(
        &self,
        rec: &mut Recorder<'_>,
        impact: Option<u8>,
        urgency: Option<u8>,
    ) -> Result<()> {
        self.require_not_finished(State::Assigned)?;
        let impact = impact.unwrap_or(self.incident.impact);
        let urgency = urgency.unwrap_or(self.incident.urgency);
        let derived = self.config.priority_matrix.priority(impact, urgency)?;
        if (impact, urgency) == (self.incident.impact, self.incident.urgency) {
            return Err(Error::rule(
                Rule::NoChange,
                "impact and urgency are unchanged",
            ));
        }
        let overridden = self.incident.priority_overridden;
        let priority = if overridden {
            self.incident.priority
        } else {
            derived
        };
        rec.push(Change::Reprioritised {
            impact,
            urgency,
            priority,
            overridden,
        });
        Ok(())
    }

    fn override_priority(&self, rec: &mut Recorder<'_>, priority: Option<u8>) -> Result<()> {
        self.require_not_finished(State::Assigned)?;
        let i = self.incident;
        let (priority, overridden) = match priority {
            Some(p) => {
                self.config.priority_matrix.check_priority(p)?;
                (p, true)
            }
            None => (
                self.config.priority_matrix.priority(i.impact, i.urgency)?,
                false,
            ),
        };
        if (priority, overridden) == (i.priority, i.priority_overridden) {
            return Err(Error::rule(Rule::NoChange, "the priority is unchanged"));
        }
        rec.push(Change::Reprioritised {
            impact: i.impact,
            urgency: i.urgency,
            priority,
            overridden,
        });
        Ok(())
    }

    fn assign(
        &self,
        rec: &mut Recorder<'_>,
        workgroup: Option<&WorkgroupId>,
        assignee: Option<&UserId>,
    ) -> Result<()> {
        self.require_not_finished(State::Assigned)?;
        let directory = &self.config.directory;
        let current = self.incident.assignment_group.as_ref();
        let group = match workgroup.or(current) {
            Some(g) => directory.incident_workgroup(g)?.id.clone(),
            None => directory.default_workgroup().clone(),
        };

        // An explicit analyst must belong to the group; a kept one stays only if they do.
        let analyst = match assignee {
            Some(a) if !directory.is_member(&group, a) => {
                let detail = format!("{a} is not a member of {group}");
                return Err(Error::rule(Rule::NotAMember, detail));
            }
            Some(a) => Some(a.clone()),
            None => self
                .incident
                .assignee
                .clone()
                .filter(|a| directory.is_member(&group, a)),
        };
        self.assignment(rec, group, analyst)
    }

    /// The changes for moving to `group` with `analyst`, including New -> Assigned.
    fn assignment(
        &self,
        rec: &mut Recorder<'_>,
        group: WorkgroupId,
        analyst: Option<UserId>,
    ) -> Result<()> {
        let current = self.incident.assignment_group.as_ref();
        let moves = current != Some(&group);
        let unchanged = !moves && analyst == self.incident.assignee;
        if unchanged && self.incident.state != State::New {
            return Err(Error::rule(
                Rule::NoChange,
                format!("already assigned to {group}"),
            ));
        }

        rec.push(Change::Assigned {
            workgroup: Some(group),
            assignee: analyst,
            reassignment: moves && current.is_some() && self.incident.first_assigned_at.is_some(),
        });
        // New work is triaged by assigning it; work in progress that moves to another
        // workgroup waits there to be started again.
        let in_progress_moves = moves && self.incident.state == State::InProgress;
        if self.incident.state == State::New || in_progress_moves {
            rec.push(self.state_change(State::Assigned, None)?);
        }
        Ok(())
    }

    fn route(&self, rec: &mut Recorder<'_>, skill: Option<&str>) -> Result<()> {
        self.require_not_finished(State::Assigned)?;
        let i = self.incident;
        let input = RoutingInput {
            category: i.category.as_deref(),
            subcategory: i.subcategory.as_deref(),
            service: i.service.as_deref(),
            priority: i.priority,
            skill,
        };
        let route = self.config.directory.route(&input);
        let analyst = route
            .analyst
            .or_else(|| i.assignee.clone())
            .filter(|a| self.config.directory.is_member(&route.workgroup, a));
        self.assignment(rec, route.workgroup, analyst)
    }

    fn start_work(&self, rec: &mut Recorder<'_>) -> Result<()> {
        let i = self.incident;
        let is_member = |g: &WorkgroupId| self.config.directory.is_member(g, &self.actor.id);
        let takes_it = i.assignee.is_none() && i.assignment_group.as_ref().is_some_and(is_member);
        if takes_it && matches!(self.actor.role, crate::Role::Analyst | crate::Role::Manager) {
            rec.push(Change::Assigned {
                workgroup: i.assignment_group.clone(),
                assignee: Some(self.actor.id.clone()),
                reassignment: false,
            });
        }
        rec.push(self.state_change(State::InProgress, None)?);
        Ok(())
    }

    fn hold(&self, rec: &mut Recorder<'_>, reason: &HoldReason) -> Result<()> {
        let reason = match reason {
            // A custom reason that arrived as data is read like parsed text: a built-in
            // name in other spelling is that reason, a near miss is refused.
            HoldReason::Custom(name) => {
                require_text("hold_reason", name)?;
                HoldReason::parse(name)?
            }
            built_in => built_in.clone(),
        };
        rec.push(self.state_change(State::OnHold, Some(reason))?);
        Ok(())
    }

    fn resolve(&self, rec: &mut Recorder<'_>, code: &str, notes: &str) -> Result<()> {
        require_text("code", code)?;
        require_text("notes", notes)?;
        let change = self.state_change(State::Resolved, None)?;
        let open_orders = self.incident.open_work_orders().count();
        if self.config.policy.resolve_requires_finished_work_orders && open_orders > 0 {
            let detail = format!("{open_orders} work order(s) are not finished");
            return Err(Error::rule(Rule::OpenWorkOrders, detail));
        }

        let resolution = Resolution {
            code: code.into(),
            notes: notes.to_owned(),
            resolved_by: self.actor.id.clone(),
            workgroup: self.incident.assignment_group.clone(),
        };
        let auto_close_at = match (
            self.incident.major,
            self.config.policy.auto_close_after_days,
        ) {
            (false, Some(days)) => {
                let due = Duration::try_days(i64::from(days))
                    .and_then(|after| self.now.checked_add_signed(after))
                    .filter(|due| SUPPORTED_INSTANTS.contains(&due.timestamp()));
                let out_of_range = || {
                    let reason = format!("{days} days after {} is past the year 9998", self.now);
                    Error::validation("auto_close_after_days", reason)
                };
                Some(due.ok_or_else(out_of_range)?)
            }
            _ => None,
        };
        rec.push(Change::ResolutionRecorded {
            resolution: Box::new(resolution),
            auto_close_at,
        });
        rec.push(change);
        Ok(())
    }

    fn confirm(&self, rec: &mut Recorder<'_>, feedback: Option<&Feedback>) -> Result<()> {
        if let Some(f) = feedback {
            f.validate()?;
        }
        if self.incident.state != State::Resolved {
            return Err(Error::InvalidTransition {
                from: self.incident.state,
                to: State::Closed,
            });
        }
        let change = self.state_change(State::Closed, None)?;
        rec.push(Change::Confirmed {
            feedback: feedback.cloned(),
        });
        rec.push(change);
        Ok(())
    }

    fn reopen(&self, rec: &mut Recorder<'_>, reason: &str) -> Result<()> {
        require_text("reason", reason)?;
        let i = self.incident;
        match i.state {
            State::Resolved => {}
            State::Closed => {
                let window = self.config.policy.reopen_closed_within_days;
                let closed_at = i.closed_at.unwrap_or(i.updated_at);
                let inside =
                    window.is_some_and(|d| self.now - closed_at <= Duration::days(d.into()));
                if !inside {
                    let detail = match window {
                        None => "closed incidents cannot be reopened".to_owned(),
                        Some(d) => format!("closed more than {d} days ago"),
                    };
                    return Err(Error::rule(Rule::ReopenWindow, detail));
                }
            }
            from => {
                return Err(Error::InvalidTransition {
                    from,
                    to: State::Assigned,
                });
            }
        }

        let group = match self.config.policy.reopen_to {
            ReopenTarget::ResolvingWorkgroup => i
                .resolution
                .as_ref()
                .and_then(|r| r.workgroup.clone())
                .or_else(|| i.assignment_group.clone()),
            ReopenTarget::Route => None,
        };
        let group = match group {
            Some(g) if self.config.directory.workgroup(&g).is_some() => g,
            _ => {
                let input = RoutingInput {
                    category: i.category.as_deref(),
                    subcategory: i.subcategory.as_deref(),
                    service: i.service.as_deref(),
                    priority: i.priority,
                    skill: None,
                };
                self.config.directory.route(&input).workgroup
            }
        };
        let moves = i.assignment_group.as_ref() != Some(&group);
        let assignee = i
            .assignee
            .clone()
            .filter(|a| self.config.directory.is_member(&group, a));
        rec.push(Change::Reopened {
            reason: reason.to_owned(),
        });
        rec.push(Change::Assigned {
            workgroup: Some(group),
            assignee,
            reassignment: moves,
        });
        rec.push(self.state_change(State::Assigned, None)?);
        Ok(())
    }

    fn auto_close(&self, rec: &mut Recorder<'_>) -> Result<()> {
        let i = self.incident;
        if i.state != State::Resolved {
            return Err(Error::InvalidTransition {
                from: i.state,
                to: State::Closed,
            });
        }
        if i.major {
            return Err(Error::rule(
                Rule::MajorIncident,
                "major incidents never close by themselves",
            ));
        }
        match i.auto_close_at {
            Some(due) if due <= self.now => {
                rec.push(self.state_change(State::Closed, None)?);
                Ok(())
            }
            Some(due) => Err(Error::rule(
                Rule::CloseNotDue,
                format!("auto-close is due at {due}"),
            )),
            None => Err(Error::rule(
                Rule::CloseNotDue,
                "auto-close is disabled for this incident",
            )),
        }
    }

    fn cancel(&self, rec: &mut Recorder<'_>, reason: &str) -> Result<()> {
        require_text("reason", reason)?;
        let change = self.state_change(State::Canceled, None)?;
        rec.push(Change::Canceled {
            reason: reason.to_owned(),
        });
        for order in self.incident.open_work_orders() {
            cancel_order(rec, order);
        }
        rec.push(change);
        Ok(())
    }

    fn create_work_order(
        &self,
        rec: &mut Recorder<'_>,
        title: &str,
        tasks: &[NewTask],
    ) -> Result<()> {
        self.require_not_finished(State::InProgress)?;
        require_text("title", title)?;
        if tasks.is_empty() {
            return Err(Error::validation(
                "tasks",
                "a work order needs at least one task",
            ));
        }

        let directory = &self.config.directory;
        let mut created = Vec::with_capacity(tasks.len());
        for (n, task) in tasks.iter().enumerate() {
            require_text("task title", &task.title)?;
            let group = directory.work_order_workgroup(&task.workgroup)?;
            if let Some(a) = task
                .assignee
                .as_ref()
                .filter(|a| !directory.is_member(&group.id, a))
            {
                let detail = format!("{a} is not a member of {}", group.id);
                return Err(Error::rule(Rule::NotAMember, detail));
            }
            created.push(Task {
                number: n as u32 + 1,
                title: task.title.clone(),
                workgroup: group.id.clone(),
                assignee: task.assignee.clone(),
                state: WorkState::Open,
            });
        }

        let work_order = WorkOrder {
            number: self.incident.work_orders.len() as u32 + 1,
            title: title.to_owned(),
            tasks: created,
            state: WorkState::Open,
            created_by: self.actor.id.clone(),
            created_at: self.now,
        };
        rec.push(Change::WorkOrderCreated {
            work_order: Box::new(work_order),
        });
        Ok(())
    }

    fn update_task(
        &self,
        rec: &mut Recorder<'_>,
        work_order: u32,
        task: u32,
        state: Option<WorkState>,
        assignee: Option<&UserId>,
    ) -> Result<()> {
        let order = self.work_order(work_order)?;
        let current = order
            .tasks
            .iter()
            .find(|t| t.number == task)
            .ok_or_else(|| Error::not_found("task", format!("{work_order}.{task}")))?;
        if !current.state.is_open() {
            let detail = format!("task {work_order}.{task} is {:?}", current.state);
            return Err(Error::rule(Rule::WorkOrderFinished, detail));
        }
        if let Some(a) =
            assignee.filter(|a| !self.config.directory.is_member(&current.workgroup, a))
        {
            let detail = format!("{a} is not a member of {}", current.workgroup);
            return Err(Error::rule(Rule::NotAMember, detail));
        }
        let new_state = state.unwrap_or(current.state);
        if new_state == WorkState::Open && current.state == WorkState::InProgress {
            return Err(Error::validation(
                "state",
                "a started task cannot go back to open",
            ));
        }
        let new_assignee = assignee.cloned().or_else(|| current.assignee.clone());
        if new_state == current.state && new_assignee == current.assignee {
            return Err(Error::rule(Rule::NoChange, "the task is unchanged"));
        }

        rec.push(Change::TaskUpdated {
            work_order,
            task,
            state: new_state,
            assignee: new_assignee,
        });
        let states = order
            .tasks
            .iter()
            .map(|t| if t.number == task { new_state } else { t.state });
        let order_state = derive_order_state(states);
        if order_state != order.state {
            rec.push(Change::WorkOrderStateChanged {
                work_order,
                state: order_state,
            });
        }
        Ok(())
    }

    fn cancel_work_order(
        &self,
        rec: &mut Recorder<'_>,
        work_order: u32,
        reason: &str,
    ) -> Result<()> {
        require_text("reason", reason)?;
        let order = self.work_order(work_order)?;
        if !order.state.is_open() {
            let detail = format!("work order {work_order} is {:?}", order.state);
            return Err(Error::rule(Rule::WorkOrderFinished, detail));
        }
        cancel_order(rec, order);
        Ok(())
    }

    fn work_order(&self, number: u32) -> Result<&WorkOrder> {
        self.incident
            .work_orders
            .iter()
            .find(|w| w.number == number)
            .ok_or_else(|| Error::not_found("work order", number))
    }
}

fn cancel_order(rec: &mut Recorder<'_>, order: &WorkOrder) {
    for task in order.tasks.iter().filter(|t| t.state.is_open()) {
        rec.push(Change::TaskUpdated {
            work_order: order.number,
            task: task.number,
            state: WorkState::Cancelled,
            assignee: task.assignee.clone(),
        });
    }
    rec.push(Change::WorkOrderStateChanged {
        work_order: order.number,
        state: WorkState::Cancelled,
    });
}

/// A work order is open until a task starts, in progress while any task is unfinished, done
/// when all are finished and one is done, cancelled when all were cancelled.
fn derive_order_state(tasks: impl Iterator<Item = WorkState>) -> WorkState {
    let (mut open, mut started, mut done) = (false, false, false);
    for state in tasks {
        match state {
            WorkState::Open => open = true,
            WorkState::InProgress => started = true,
            WorkState::Done => done = true,
            WorkState::Cancelled => {}
        }
    }
    match (open, started, done) {
        (_, true, _) | (true, false, true) => WorkState::InProgress,
        (true, false, false) => WorkState::Open,
        (false, false, true) => WorkState::Done,
        (false, false, false) => WorkState::Cancelled,
    }
}

/// The action a permission table would be asked about for a command on an incident; a
/// convenience for hosts that grey out buttons per command.
pub fn action_of(command: &Command, actor: &Actor, incident: Option<&Incident>) -> Action {
    command.action(
        &actor.id,
        incident.and_then(|i| i.assignment_group.as_ref()),
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::Role;

    #[test]
    fn instants_outside_the_supported_years_are_refused_before_anything_is_decided() {
        let config = DeskConfig::default();
        let admin = Actor::new("root", Role::Administrator);
        let report = Command::Open(NewIncident::new("Printer jam", Channel::Phone, 3, 3));
        let open_at = |at: DateTime<Utc>| {
            let id = IncidentId::new(at);
            open(&config, id, "INC1".into(), &admin, &report, at)
        };
        let before_1970 = Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap();
        let year_9999 = Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0).unwrap();
        for at in [before_1970, year_9999] {
            let refused = open_at(at).unwrap_err();
            assert!(matches!(refused, Error::Validation { ref field, .. } if field == "now"));
        }
        let first = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        let last = Utc.with_ymd_and_hms(9998, 12, 31, 23, 59, 59).unwrap();
        for at in [first, last] {
            assert!(open_at(at).is_ok(), "{at}");
            assert!(SUPPORTED_INSTANTS.contains(&at.timestamp()));
        }
        assert!(!SUPPORTED_INSTANTS.contains(&before_1970.timestamp()));
        assert!(!SUPPORTED_INSTANTS.contains(&year_9999.timestamp()));

        // Late in 9998 an incident works, but a resolution whose automatic close would
        // fall in 9999 is refused rather than stored with a date no host can read back.
        let late = Utc.with_ymd_and_hms(9998, 12, 30, 0, 0, 0).unwrap();
        let mut incident = open_at(late).unwrap().incident;
        execute_in_place(&config, &mut incident, &admin, &Command::StartWork, late).unwrap();
        let resolve = Command::Resolve {
            code: "fixed".into(),
            notes: "done".into(),
        };
        let refused = execute_in_place(&config, &mut incident, &admin, &resolve, late);
        let field = match refused {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        };
        assert_eq!(field, "auto_close_after_days");
        let refused = execute_in_place(&config, &mut incident, &admin, &resolve, year_9999);
        assert!(matches!(refused, Err(Error::Validation { ref field, .. }) if field == "now"));
    }

    #[test]
    fn numbers_have_at_least_seven_digits() {
        for n in [0, 1, 45, 9_999_999, 10_000_000, 123_456_789, u64::MAX] {
            assert_eq!(incident_number(n).as_str(), format!("INC{n:07}"));
            assert_eq!(parse_incident_number(&incident_number(n)), Some(n));
        }
    }

    #[test]
    fn a_refused_command_leaves_the_buffer_and_the_incident_as_they_were() {
        // Without On Hold -> In Progress, the caller's answer is recorded as a comment and
        // then refused when it would resume the work: the comment must not stay behind.
        let mut config = DeskConfig::default();
        let transitions = config.transitions.transitions().into_iter();
        let kept = transitions.filter(|&t| t != (State::OnHold, State::InProgress));
        config.transitions = crate::TransitionTable::new(kept, [State::Canceled]).unwrap();
        let admin = Actor::new("root", Role::Administrator);
        let ann = Actor::new("ann", Role::EndUser);
        let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let report = Command::Open(NewIncident::new("Printer jam", Channel::Portal, 3, 3));
        let opened = open(
            &config,
            IncidentId::new(t0),
            "INC1".into(),
            &ann,
            &report,
            t0,
        );
        let mut incident = opened.unwrap().incident;
        let mut events = Vec::new();
        let hold = Command::Hold {
            reason: HoldReason::AwaitingCaller,
        };
        for command in [Command::StartWork, hold] {
            execute_into(&config, &mut incident, &admin, &command, t0, &mut events).unwrap();
        }

        let before = (incident.clone(), events.clone());
        let answer = Command::Comment {
            text: "It is the third floor printer".into(),
        };
        let refused = execute_into(&config, &mut incident, &ann, &answer, t0, &mut events);

        assert!(matches!(refused, Err(Error::InvalidTransition { .. })));
        assert_eq!((incident, events), before);
    }
}
