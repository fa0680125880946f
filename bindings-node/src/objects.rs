//! Plain objects: value types copied between JavaScript and the core, with camelCase keys.

use incident_core as core;
use napi_derive::napi;

use crate::enums::{
    Action, ChangeFailure, Channel, OriginKind, ReopenTarget, Role, Scope, State, TriggerKind,
    WorkState, WorkgroupKind,
};
use crate::error::{Fallible, invalid, whole, whole_opt};
use crate::time::Date;

/// Who issues a command, and in which persona.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account.
    pub id: String,
    /// The persona.
    pub role: Role,
}

impl From<Actor> for core::Actor {
    fn from(actor: Actor) -> Self {
        core::Actor::new(actor.id, actor.role.into())
    }
}

impl From<&core::Actor> for Actor {
    fn from(actor: &core::Actor) -> Self {
        Actor {
            id: actor.id.to_string(),
            role: actor.role.into(),
        }
    }
}

/// A new incident reported by a person (portal, phone, e-mail, chat) or an analyst.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct NewIncident {
    /// One line summary; must not be blank.
    pub short_description: String,
    /// Longer description.
    pub description: Option<String>,
    /// The person affected; defaults to the actor.
    pub caller: Option<String>,
    /// The caller's organisation.
    pub organisation: Option<String>,
    /// How it was reported.
    pub channel: Channel,
    /// Category (used by routing).
    pub category: Option<String>,
    /// Subcategory.
    pub subcategory: Option<String>,
    /// Affected service.
    pub service: Option<String>,
    /// Affected configuration item.
    pub configuration_item: Option<String>,
    /// Impact, 1 = highest.
    pub impact: f64,
    /// Urgency, 1 = most urgent.
    pub urgency: f64,
    /// A workgroup chosen by hand; otherwise the routing rules choose.
    pub workgroup: Option<String>,
    /// A skill the work needs, for skill-based routing.
    pub skill: Option<String>,
}

/// Converts a JavaScript number to the core's `u8` fields, refusing what does not fit.
///
/// # Errors
/// `ERR_VALIDATION` as [`whole`].
pub fn small(field: &str, value: f64) -> Fallible<u8> {
    whole(field, value)
}

fn small_opt(field: &str, value: Option<f64>) -> Fallible<Option<u8>> {
    whole_opt(field, value)
}

impl NewIncident {
    /// The core's report.
    ///
    /// # Errors
    /// `ERR_VALIDATION` when impact or urgency do not fit a byte.
    pub fn into_core(self) -> Fallible<core::NewIncident> {
        Ok(core::NewIncident {
            short_description: self.short_description,
            description: self.description.unwrap_or_default(),
            caller: self.caller.map(Into::into),
            organisation: self.organisation,
            channel: self.channel.into(),
            category: self.category,
            subcategory: self.subcategory,
            service: self.service,
            configuration_item: self.configuration_item,
            impact: small("impact", self.impact)?,
            urgency: small("urgency", self.urgency)?,
            workgroup: self.workgroup.map(Into::into),
            skill: self.skill,
        })
    }
}

/// The failure of another process that raises an incident.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Trigger {
    /// Which process failed.
    pub kind: TriggerKind,
    /// The change's id (for `failed_change`).
    pub change_id: Option<String>,
    /// How the change failed (for `failed_change`).
    pub failure: Option<ChangeFailure>,
    /// The request's id (for `failed_service_request`).
    pub request_id: Option<String>,
    /// The affected service.
    pub service: Option<String>,
    /// The affected configuration item.
    pub configuration_item: Option<String>,
    /// Impact, when the other process knows it.
    pub impact: Option<f64>,
    /// Urgency, when the other process knows it.
    pub urgency: Option<f64>,
}

/// An incident raised by automation from another process's failure.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct TriggeredIncident {
    /// What failed.
    pub trigger: Trigger,
    /// One line summary; must not be blank.
    pub short_description: String,
    /// Longer description.
    pub description: Option<String>,
    /// The person affected; defaults to the actor.
    pub caller: Option<String>,
    /// Category, for routing.
    pub category: Option<String>,
}

impl TriggeredIncident {
    /// The core's triggered report.
    ///
    /// # Errors
    /// `ERR_VALIDATION` when a field the trigger kind needs is missing.
    pub fn into_core(self) -> Fallible<core::TriggeredIncident> {
        let t = self.trigger;
        let impact = small_opt("impact", t.impact)?;
        let urgency = small_opt("urgency", t.urgency)?;
        let trigger = match t.kind {
            TriggerKind::FailedChange => core::Trigger::FailedChange {
                change_id: t.change_id.ok_or_else(|| invalid("changeId", "required"))?,
                failure: t
                    .failure
                    .ok_or_else(|| invalid("failure", "required"))?
                    .into(),
                service: t.service,
                configuration_item: t.configuration_item,
                impact,
                urgency,
            },
            TriggerKind::FailedServiceRequest => core::Trigger::FailedServiceRequest {
                request_id: t
                    .request_id
                    .ok_or_else(|| invalid("requestId", "required"))?,
                service: t.service,
                configuration_item: t.configuration_item,
                impact,
                urgency,
            },
        };
        Ok(core::TriggeredIncident {
            trigger,
            short_description: self.short_description,
            description: self.description.unwrap_or_default(),
            caller: self.caller.map(Into::into),
            category: self.category,
        })
    }
}

/// Edits to descriptive fields; absent fields stay as they are.
#[napi(object)]
#[derive(Debug, Clone, Default)]
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

impl From<DetailsPatch> for core::DetailsPatch {
    fn from(p: DetailsPatch) -> Self {
        core::DetailsPatch {
            short_description: p.short_description,
            description: p.description,
            category: p.category,
            subcategory: p.subcategory,
            service: p.service,
            configuration_item: p.configuration_item,
        }
    }
}

/// A task to create within a work order.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct NewTask {
    /// What to do.
    pub title: String,
    /// The work-order workgroup to do it.
    pub workgroup: String,
    /// An analyst of that group, if chosen now.
    pub assignee: Option<String>,
}

/// The caller's opinion of the service.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Feedback {
    /// 1 (poor) to 5 (excellent).
    pub rating: f64,
    /// Free text.
    pub comment: Option<String>,
}

impl Feedback {
    /// The core's feedback; the range itself is checked by the core.
    ///
    /// # Errors
    /// `ERR_VALIDATION` when the rating does not fit a byte.
    pub fn into_core(self) -> Fallible<core::Feedback> {
        Ok(core::Feedback {
            rating: small("rating", self.rating)?,
            comment: self.comment,
        })
    }
}

impl From<&core::Feedback> for Feedback {
    fn from(f: &core::Feedback) -> Self {
        Feedback {
            rating: f.rating.into(),
            comment: f.comment.clone(),
        }
    }
}

/// A comment in the incident's conversation.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Comment {
    /// Who wrote it.
    pub author: String,
    /// When.
    pub at: Date,
    /// What.
    pub text: String,
}

/// How the fix was recorded.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Resolution code from the host's catalogue.
    pub code: String,
    /// What was done.
    pub notes: String,
    /// Who resolved it.
    pub resolved_by: String,
    /// The workgroup that resolved it.
    pub workgroup: Option<String>,
}

/// One task of a work order.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Task {
    /// 1-based number within its work order.
    pub number: u32,
    /// What to do.
    pub title: String,
    /// The work-order workgroup doing it.
    pub workgroup: String,
    /// The analyst doing it.
    pub assignee: Option<String>,
    /// Progress.
    pub state: WorkState,
}

/// Work spawned by an incident, split into tasks.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct WorkOrder {
    /// 1-based number within the incident.
    pub number: u32,
    /// What it is for.
    pub title: String,
    /// The tasks, in creation order.
    pub tasks: Vec<Task>,
    /// Progress, derived from the tasks.
    pub state: WorkState,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: Date,
}

/// A stay of the incident with one workgroup.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct WorkgroupVisit {
    /// The workgroup.
    pub workgroup: String,
    /// When the incident arrived there.
    pub from: Date,
    /// When it left; absent while it is still there.
    pub until: Option<Date>,
}

/// What caused the incident to be logged.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Origin {
    /// End-user report, failed change or failed service request.
    pub kind: OriginKind,
    /// The failed change's id.
    pub change_id: Option<String>,
    /// How the change failed.
    pub failure: Option<ChangeFailure>,
    /// The failed request's id.
    pub request_id: Option<String>,
}

impl From<&core::Origin> for Origin {
    fn from(origin: &core::Origin) -> Self {
        let mut out = Origin {
            kind: OriginKind::EndUserReport,
            change_id: None,
            failure: None,
            request_id: None,
        };
        match origin {
            core::Origin::EndUserReport => {}
            core::Origin::FailedChange { change_id, failure } => {
                out.kind = OriginKind::FailedChange;
                out.change_id = Some(change_id.clone());
                out.failure = Some((*failure).into());
            }
            core::Origin::FailedServiceRequest { request_id } => {
                out.kind = OriginKind::FailedServiceRequest;
                out.request_id = Some(request_id.clone());
            }
        }
        out
    }
}

/// An incident, as of one version. A copy: change it through the desk's commands.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Incident {
    /// Identity (UUID v7).
    pub id: String,
    /// Human number such as `INC0000001`.
    pub number: String,
    /// One line summary.
    pub short_description: String,
    /// Longer description.
    pub description: String,
    /// The person affected.
    pub caller: String,
    /// The caller's organisation.
    pub organisation: Option<String>,
    /// Who logged it.
    pub opened_by: String,
    /// How it was reported.
    pub channel: Channel,
    /// Causal link to other processes.
    pub origin: Origin,
    /// Category.
    pub category: Option<String>,
    /// Subcategory.
    pub subcategory: Option<String>,
    /// Affected service.
    pub service: Option<String>,
    /// Affected configuration item.
    pub configuration_item: Option<String>,
    /// Impact, 1 = highest.
    pub impact: u32,
    /// Urgency, 1 = most urgent.
    pub urgency: u32,
    /// Priority, 1 = highest.
    pub priority: u32,
    /// Whether the priority was fixed by hand.
    pub priority_overridden: bool,
    /// Major incident flag.
    pub major: bool,
    /// Lifecycle state.
    pub state: State,
    /// Why it is on hold (a `HoldReason` value or a custom reason), while On Hold.
    pub hold_reason: Option<String>,
    /// The workgroup owning the incident.
    pub assignment_group: Option<String>,
    /// The analyst working it.
    pub assignee: Option<String>,
    /// Work orders spawned by the incident.
    pub work_orders: Vec<WorkOrder>,
    /// The fix, while resolved or closed.
    pub resolution: Option<Resolution>,
    /// Whether the caller confirmed the resolution.
    pub confirmed: bool,
    /// The caller's feedback.
    pub feedback: Option<Feedback>,
    /// Why it was canceled.
    pub cancel_reason: Option<String>,
    /// How many times it was reopened.
    pub reopen_count: u32,
    /// How many times it moved to another workgroup after the first assignment.
    pub reassignment_count: u32,
    /// Times it came back to a workgroup it had already left.
    pub ping_pong_count: u32,
    /// The conversation.
    pub comments: Vec<Comment>,
    /// Every stay with a workgroup, in order.
    pub visits: Vec<WorkgroupVisit>,
    /// When it was opened.
    pub opened_at: Date,
    /// When it first reached a workgroup.
    pub first_assigned_at: Option<Date>,
    /// When it was last resolved.
    pub resolved_at: Option<Date>,
    /// When it was closed or canceled.
    pub closed_at: Option<Date>,
    /// When it closes by itself if the caller does not answer.
    pub auto_close_at: Option<Date>,
    /// When it last changed.
    pub updated_at: Date,
    /// Grows by one with every accepted command; pass it back as `expectedVersion`.
    pub version: i64,
}

fn date_opt(at: Option<chrono::DateTime<chrono::Utc>>) -> Option<Date> {
    at.map(Date)
}

fn id_opt<T: ToString>(id: &Option<T>) -> Option<String> {
    id.as_ref().map(ToString::to_string)
}

impl From<&core::Incident> for Incident {
    fn from(i: &core::Incident) -> Self {
        Incident {
            id: i.id.to_string(),
            number: i.number.to_string(),
            short_description: i.short_description.clone(),
            description: i.description.clone(),
            caller: i.caller.to_string(),
            organisation: i.organisation.clone(),
            opened_by: i.opened_by.to_string(),
            channel: i.channel.into(),
            origin: (&i.origin).into(),
            category: i.category.clone(),
            subcategory: i.subcategory.clone(),
            service: i.service.clone(),
            configuration_item: i.configuration_item.clone(),
            impact: i.impact.into(),
            urgency: i.urgency.into(),
            priority: i.priority.into(),
            priority_overridden: i.priority_overridden,
            major: i.major,
            state: i.state.into(),
            hold_reason: i.hold_reason.as_ref().map(|r| r.as_str().to_owned()),
            assignment_group: id_opt(&i.assignment_group),
            assignee: id_opt(&i.assignee),
            work_orders: i.work_orders.iter().map(work_order).collect(),
            resolution: i.resolution.as_ref().map(|r| Resolution {
                code: r.code.to_string(),
                notes: r.notes.clone(),
                resolved_by: r.resolved_by.to_string(),
                workgroup: id_opt(&r.workgroup),
            }),
            confirmed: i.confirmed,
            feedback: i.feedback.as_ref().map(Into::into),
            cancel_reason: i.cancel_reason.clone(),
            reopen_count: i.reopen_count,
            reassignment_count: i.reassignment_count,
            ping_pong_count: i.ping_pong_count(),
            comments: i
                .comments
                .iter()
                .map(|c| Comment {
                    author: c.author.to_string(),
                    at: Date(c.at),
                    text: c.text.clone(),
                })
                .collect(),
            visits: i
                .visits
                .iter()
                .map(|v| WorkgroupVisit {
                    workgroup: v.workgroup.to_string(),
                    from: Date(v.from),
                    until: date_opt(v.until),
                })
                .collect(),
            opened_at: Date(i.opened_at),
            first_assigned_at: date_opt(i.first_assigned_at),
            resolved_at: date_opt(i.resolved_at),
            closed_at: date_opt(i.closed_at),
            auto_close_at: date_opt(i.auto_close_at),
            updated_at: Date(i.updated_at),
            version: i.version as i64,
        }
    }
}

fn work_order(w: &core::WorkOrder) -> WorkOrder {
    WorkOrder {
        number: w.number,
        title: w.title.clone(),
        tasks: w
            .tasks
            .iter()
            .map(|t| Task {
                number: t.number,
                title: t.title.clone(),
                workgroup: t.workgroup.to_string(),
                assignee: id_opt(&t.assignee),
                state: t.state.into(),
            })
            .collect(),
        state: w.state.into(),
        created_by: w.created_by.to_string(),
        created_at: Date(w.created_at),
    }
}

/// One entry of the audit trail: who changed what, when, producing which version.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Event {
    /// The incident.
    pub incident_id: String,
    /// The version the change produced.
    pub version: i64,
    /// When.
    pub at: Date,
    /// Who.
    pub actor: Actor,
    /// What changed: `type` names the change (`state_changed`, `assigned`, ...) and the other
    /// keys carry its values, in camelCase, as in the core's JSON.
    #[napi(ts_type = "{ type: string; [key: string]: unknown }")]
    pub change: serde_json::Value,
}

impl From<&core::Event> for Event {
    fn from(e: &core::Event) -> Self {
        let change = serde_json::to_value(&e.change).unwrap_or(serde_json::Value::Null);
        Event {
            incident_id: e.incident_id.to_string(),
            version: e.version as i64,
            at: Date(e.at),
            actor: (&e.actor).into(),
            change: camel_keys(change),
        }
    }
}

/// Renames object keys from the core's snake_case to camelCase, recursively.
pub fn camel_keys(value: serde_json::Value) -> serde_json::Value {
    camel_keys_except(value, &[])
}

/// As [`camel_keys`], but the objects under the keys in `maps` are maps whose own keys
/// (workgroup names, kinds) are data and stay as they are; their values are converted.
pub fn camel_keys_except(value: serde_json::Value, maps: &[&str]) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::Object(inner) if maps.contains(&k.as_str()) => Value::Object(
                            inner
                                .into_iter()
                                .map(|(ik, iv)| (ik, camel_keys_except(iv, maps)))
                                .collect(),
                        ),
                        other => camel_keys_except(other, maps),
                    };
                    (camel(&k), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| camel_keys_except(v, maps))
                .collect(),
        ),
        other => other,
    }
}

fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Which incidents a query returns; absent criteria match everything. Ordered by number.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct IncidentQuery {
    /// Any of these states.
    pub states: Option<Vec<State>>,
    /// Assigned to this workgroup.
    pub workgroup: Option<String>,
    /// Assigned to this analyst.
    pub assignee: Option<String>,
    /// Reported by (or for) this caller.
    pub caller: Option<String>,
    /// With this major-incident flag.
    pub major: Option<bool>,
    /// Resolved, and due to auto-close at or before this instant.
    pub auto_close_due_by: Option<Date>,
    /// At most this many.
    pub limit: Option<f64>,
}

impl IncidentQuery {
    /// The core's query.
    ///
    /// # Errors
    /// `ERR_VALIDATION` when `limit` is not a whole number within `u32`.
    pub fn into_core(self) -> Fallible<core::IncidentQuery> {
        let q = self;
        Ok(core::IncidentQuery {
            states: q
                .states
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            workgroup: q.workgroup.map(Into::into),
            assignee: q.assignee.map(Into::into),
            caller: q.caller.map(Into::into),
            major: q.major,
            auto_close_due_by: q.auto_close_due_by.map(|d| d.0),
            limit: whole_opt::<u32>("limit", q.limit)?.map(|l| l as usize),
        })
    }
}

/// A team of analysts, with skills and the categories and services it covers.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Workgroup {
    /// Identity.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Incident (default) or work-order group.
    pub kind: Option<WorkgroupKind>,
    /// Analysts in the group.
    pub members: Option<Vec<String>>,
    /// Managers of the group (members by right).
    pub managers: Option<Vec<String>>,
    /// Skills the group offers.
    pub skills: Option<Vec<String>>,
    /// Categories the group covers.
    pub categories: Option<Vec<String>>,
    /// Services the group supports.
    pub services: Option<Vec<String>>,
    /// IANA time zone of the group's location.
    pub time_zone: Option<String>,
}

fn ids<T: From<String>>(list: Option<Vec<String>>) -> Vec<T> {
    list.unwrap_or_default().into_iter().map(T::from).collect()
}

impl From<Workgroup> for core::Workgroup {
    fn from(w: Workgroup) -> Self {
        let kind = w.kind.map_or(core::WorkgroupKind::Incident, Into::into);
        let mut group = core::Workgroup::new(w.id, w.name, kind);
        group.members = ids(w.members);
        group.managers = ids(w.managers);
        group.skills = w.skills.unwrap_or_default();
        group.categories = w.categories.unwrap_or_default();
        group.services = w.services.unwrap_or_default();
        group.time_zone = w.time_zone;
        group
    }
}

impl From<&core::Workgroup> for Workgroup {
    fn from(w: &core::Workgroup) -> Self {
        let strings = |v: &[core::UserId]| Some(v.iter().map(|u| u.to_string()).collect());
        Workgroup {
            id: w.id.to_string(),
            name: w.name.clone(),
            kind: Some(w.kind.into()),
            members: strings(&w.members),
            managers: strings(&w.managers),
            skills: Some(w.skills.clone()),
            categories: Some(w.categories.clone()),
            services: Some(w.services.clone()),
            time_zone: w.time_zone.clone(),
        }
    }
}

/// An analyst's profile, for skill-based routing.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Analyst {
    /// Identity.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Skills.
    pub skills: Option<Vec<String>>,
}

/// A routing rule: when every condition it sets matches, the incident goes to `workgroup`.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct RoutingRule {
    /// Name, for explanations.
    pub name: String,
    /// Matches this category only.
    pub category: Option<String>,
    /// Matches this subcategory only.
    pub subcategory: Option<String>,
    /// Matches this service only.
    pub service: Option<String>,
    /// Matches priorities from 1 up to this number.
    pub max_priority: Option<f64>,
    /// Matches when the routing asks for this skill.
    pub skill: Option<String>,
    /// Where matching incidents go.
    pub workgroup: String,
    /// An analyst to assign as well.
    pub analyst: Option<String>,
}

/// Workgroups, analysts, routing rules and the default workgroup.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Directory {
    /// The workgroups.
    pub workgroups: Vec<Workgroup>,
    /// Analysts' profiles.
    pub analysts: Option<Vec<Analyst>>,
    /// Routing rules, first match wins.
    pub rules: Option<Vec<RoutingRule>>,
    /// Where unmatched incidents go.
    pub default_workgroup: String,
}

impl Directory {
    /// The core's directory, checked.
    ///
    /// # Errors
    /// `ERR_CONFIGURATION` as `Directory::new` in the core.
    pub fn into_core(self) -> Fallible<core::Directory> {
        let analysts = self
            .analysts
            .unwrap_or_default()
            .into_iter()
            .map(|a| core::Analyst {
                id: a.id.into(),
                name: a.name,
                skills: a.skills.unwrap_or_default(),
            })
            .collect();
        let mut rules = Vec::new();
        for r in self.rules.unwrap_or_default() {
            rules.push(core::RoutingRule {
                name: r.name,
                category: r.category,
                subcategory: r.subcategory,
                service: r.service,
                max_priority: small_opt("maxPriority", r.max_priority)?,
                skill: r.skill,
                workgroup: r.workgroup.into(),
                analyst: r.analyst.map(Into::into),
            });
        }
        let groups = self.workgroups.into_iter().map(Into::into).collect();
        let default = self.default_workgroup.into();
        Ok(core::Directory::new(groups, analysts, rules, default)?)
    }
}

/// Lifecycle options; every absent field keeps the core's default.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Days after resolution at which an unconfirmed incident closes by itself (default 7).
    pub auto_close_after_days: Option<f64>,
    /// Set to false to disable auto-close.
    pub auto_close: Option<bool>,
    /// Days after closure during which a closed incident may be reopened (default: never).
    pub reopen_closed_within_days: Option<f64>,
    /// Whether resolving needs every work order finished (default true).
    pub resolve_requires_finished_work_orders: Option<bool>,
    /// Where a reopened incident goes (default: the resolving workgroup).
    pub reopen_to: Option<ReopenTarget>,
    /// Impact used when a trigger gives none (default 2).
    pub default_impact: Option<f64>,
    /// Urgency used when a trigger gives none (default 2).
    pub default_urgency: Option<f64>,
}

impl Policy {
    /// The core's policy: defaults where absent.
    ///
    /// # Errors
    /// `ERR_VALIDATION` for numbers that do not fit.
    pub fn into_core(self) -> Fallible<core::Policy> {
        let mut policy = core::Policy::default();
        if let Some(days) = whole_opt("autoCloseAfterDays", self.auto_close_after_days)? {
            policy.auto_close_after_days = Some(days);
        }
        if self.auto_close == Some(false) {
            policy.auto_close_after_days = None;
        }
        policy.reopen_closed_within_days =
            whole_opt("reopenClosedWithinDays", self.reopen_closed_within_days)?;
        if let Some(flag) = self.resolve_requires_finished_work_orders {
            policy.resolve_requires_finished_work_orders = flag;
        }
        if let Some(target) = self.reopen_to {
            policy.reopen_to = target.into();
        }
        if let Some(impact) = small_opt("defaultImpact", self.default_impact)? {
            policy.default_impact = impact;
        }
        if let Some(urgency) = small_opt("defaultUrgency", self.default_urgency)? {
            policy.default_urgency = urgency;
        }
        Ok(policy)
    }
}

/// One allowed state change of the lifecycle.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Transition {
    /// From this state.
    pub from: State,
    /// To this state.
    pub to: State,
}

/// One line of the permission table: a role may do an action within a scope.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Grant {
    /// The persona.
    pub role: Role,
    /// The action.
    pub action: Action,
    /// On which incidents.
    pub scope: Scope,
}

/// The configuration a desk decides against; absent parts keep the core's defaults.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct DeskConfig {
    /// Lifecycle options.
    pub policy: Option<Policy>,
    /// Rows of priorities, one row per impact (default: ITIL 3x3).
    pub priority_matrix: Option<Vec<Vec<f64>>>,
    /// Workgroups, analysts and routing (default: one empty `service-desk` group).
    pub directory: Option<Directory>,
    /// SLA and OLA definitions with their calendars; without it the desk has no clocks.
    pub sla: Option<crate::sla::SlaConfig>,
    /// The allowed state changes, to tighten the lifecycle (default: the standard one).
    /// Checked when the desk is built: every state reachable from New, terminal states
    /// without exits.
    pub transitions: Option<Vec<Transition>>,
    /// States with no exits, with `transitions` (default: none besides those of the table).
    pub terminal_states: Option<Vec<State>>,
    /// The permission table, replacing the default personas' grants.
    pub grants: Option<Vec<Grant>>,
}

impl DeskConfig {
    /// The core's configuration.
    ///
    /// # Errors
    /// `ERR_CONFIGURATION` or `ERR_VALIDATION` as the core checks the parts.
    pub fn into_core(self) -> Fallible<core::DeskConfig> {
        let mut config = core::DeskConfig::default();
        if let Some(policy) = self.policy {
            config.policy = policy.into_core()?;
        }
        if let Some(rows) = self.priority_matrix {
            let mut cells = Vec::with_capacity(rows.len());
            for row in rows {
                let row: Fallible<Vec<u8>> = row
                    .into_iter()
                    .map(|p| small("priorityMatrix", p))
                    .collect();
                cells.push(row?);
            }
            config.priority_matrix = core::PriorityMatrix::new(cells)?;
        }
        if let Some(directory) = self.directory {
            config.directory = directory.into_core()?;
        }
        if let Some(transitions) = self.transitions {
            let pairs = transitions
                .into_iter()
                .map(|t| (t.from.into(), t.to.into()));
            let terminal = self.terminal_states.unwrap_or_default();
            let terminal = terminal.into_iter().map(Into::into);
            config.transitions = core::TransitionTable::new(pairs, terminal)?;
        } else if self.terminal_states.is_some() {
            return Err(invalid("terminalStates", "give them with transitions"));
        }
        if let Some(grants) = self.grants {
            let grants = grants
                .into_iter()
                .map(|g| core::Grant {
                    role: g.role.into(),
                    action: g.action.into(),
                    scope: g.scope.into(),
                })
                .collect();
            config.permissions = core::PermissionTable::new(grants);
        }
        Ok(config)
    }
}

/// What a submission did.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The incident afterwards.
    pub incident: Incident,
    /// The events the command produced.
    pub events: Vec<Event>,
    /// Whether the idempotency key had been seen and nothing was done this time.
    pub replayed: bool,
}

/// The actions of the permission table that `actor` may take, for greying out buttons.
pub fn actions(list: Vec<core::Action>) -> Vec<Action> {
    list.into_iter().map(Into::into).collect()
}

/// A JSON value handed to JavaScript as a plain object, for results without a fixed shape.
#[derive(Debug, Clone)]
pub struct Json(pub serde_json::Value);

impl napi::bindgen_prelude::TypeName for Json {
    fn type_name() -> &'static str {
        "Record<string, unknown>"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl napi::bindgen_prelude::ToNapiValue for Json {
    unsafe fn to_napi_value(
        env: napi::sys::napi_env,
        value: Self,
    ) -> napi::Result<napi::sys::napi_value> {
        // SAFETY: forwarded as is from napi's own call.
        unsafe { serde_json::Value::to_napi_value(env, value.0) }
    }
}
