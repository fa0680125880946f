//! The incident and the values it is made of.
//!
//! Fields are public so that hosts and bindings can read them without accessors, but an
//! incident only ever changes through [`crate::decide()`]: a host that edits fields by hand
//! and saves the result bypasses every rule and the audit trail.

use std::fmt;

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Identity of an incident: a UUID v7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncidentId(pub Uuid);

impl IncidentId {
    /// A new id whose time part is `now`, so ids created later sort later.
    pub fn new(now: DateTime<Utc>) -> Self {
        let secs = now.timestamp().max(0) as u64;
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, now.timestamp_subsec_nanos());
        IncidentId(Uuid::new_v7(ts))
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for IncidentId {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        Uuid::parse_str(s)
            .map(IncidentId)
            .map_err(|e| crate::Error::validation("incident_id", e.to_string()))
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Ids up to 24 bytes are kept inline, so copying one into every event and visit
        /// costs no allocation.
        #[derive(
            Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(CompactString);

        impl $name {
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The id as an owned `String`.
            pub fn into_string(self) -> String {
                self.0.into_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.0.as_str()
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(CompactString::from(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(CompactString::from(s))
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                $name(CompactString::from(s.as_str()))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.into_string()
            }
        }
    };
}

string_id!(
    /// A person or system account: caller, analyst, manager, automation, administrator.
    UserId
);
string_id!(
    /// A workgroup (assignment group), for incidents or for work-order tasks.
    WorkgroupId
);
string_id!(
    /// The human number of an incident, `INC0000001` when the desk hands it out; imported
    /// incidents keep the number of the system they come from.
    IncidentNumber
);

string_id!(
    /// A resolution (close) code from the host's catalogue.
    ResolutionCode
);

impl PartialEq<str> for IncidentNumber {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for IncidentNumber {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Where an incident is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Logged, not yet taken by a workgroup.
    New,
    /// With a workgroup (and maybe an analyst), work not started.
    Assigned,
    /// Being worked on.
    InProgress,
    /// Waiting on someone else; see [`HoldReason`].
    OnHold,
    /// A fix is in place; waiting for the caller's confirmation or auto-close.
    Resolved,
    /// Finished for good (unless policy allows a reopen from Closed).
    Closed,
    /// Withdrawn; terminal.
    Canceled,
}

impl State {
    /// Every state, in lifecycle order.
    pub const ALL: [State; 7] = [
        State::New,
        State::Assigned,
        State::InProgress,
        State::OnHold,
        State::Resolved,
        State::Closed,
        State::Canceled,
    ];

    /// Whether work on the incident is still expected (not resolved, closed or canceled).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::New | State::Assigned | State::InProgress | State::OnHold
        )
    }

    /// The snake_case name used in JSON, Python and Node.
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Assigned => "assigned",
            State::InProgress => "in_progress",
            State::OnHold => "on_hold",
            State::Resolved => "resolved",
            State::Closed => "closed",
            State::Canceled => "canceled",
        }
    }

    /// Parses the snake_case name.
    ///
    /// # Errors
    /// [`crate::Error::Validation`] for an unknown name.
    pub fn parse(name: &str) -> crate::Result<Self> {
        State::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| crate::Error::validation("state", format!("unknown state {name:?}")))
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an incident is On Hold. The reason decides what takes it off hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// Waiting for the caller; the caller's next update resumes work.
    AwaitingCaller,
    /// Waiting for a change to be implemented.
    AwaitingChange,
    /// Waiting for a problem investigation.
    AwaitingProblem,
    /// Waiting for a supplier.
    AwaitingVendor,
    /// Any other named reason a host defines.
    Custom(String),
}

impl HoldReason {
    /// The snake_case name, or the custom reason's own text.
    pub fn as_str(&self) -> &str {
        match self {
            HoldReason::AwaitingCaller => "awaiting_caller",
            HoldReason::AwaitingChange => "awaiting_change",
            HoldReason::AwaitingProblem => "awaiting_problem",
            HoldReason::AwaitingVendor => "awaiting_vendor",
            HoldReason::Custom(name) => name,
        }
    }

    /// Parses a built-in name, written in any case and with `_`, `-`, a space or nothing
    /// between its words (`Awaiting Caller`, `awaiting-caller`); any other non-blank text
    /// becomes a [`HoldReason::Custom`].
    ///
    /// # Errors
    /// [`crate::Error::Validation`] for a blank reason, and for a near miss of a built-in name
    /// (`awaiting_` followed by anything else, or one or two letters away from a built-in
    /// name): a mistyped `awaiting_caller` would never resume on the caller's answer, so it
    /// is refused rather than kept as a new reason.
    pub fn parse(name: &str) -> crate::Result<Self> {
        const BUILT_IN: [(&str, HoldReason); 4] = [
            ("awaitingcaller", HoldReason::AwaitingCaller),
            ("awaitingchange", HoldReason::AwaitingChange),
            ("awaitingproblem", HoldReason::AwaitingProblem),
            ("awaitingvendor", HoldReason::AwaitingVendor),
        ];
        if name.trim().is_empty() {
            return Err(crate::Error::validation(
                "hold_reason",
                "a reason is required",
            ));
        }

        let words: String = name
            .trim()
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        if let Some((_, reason)) = BUILT_IN.iter().find(|(built_in, _)| *built_in == words) {
            return Ok(reason.clone());
        }
        let near_miss = BUILT_IN
            .iter()
            .any(|(built_in, _)| edit_distance(built_in, &words) <= 2);
        if name.starts_with("awaiting_") || near_miss {
            let reason = format!(
                "unknown reason {name:?}; built-in reasons are awaiting_caller, \
                 awaiting_change, awaiting_problem and awaiting_vendor"
            );
            return Err(crate::Error::validation("hold_reason", reason));
        }
        Ok(HoldReason::Custom(name.to_owned()))
    }
}

/// Letters to insert, delete or replace to turn `a` into `b` (Levenshtein), for short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let replaced = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = replaced.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// How the incident reached the service desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The self-service portal.
    Portal,
    /// A phone call.
    Phone,
    /// An e-mail.
    Email,
    /// A chat session.
    Chat,
    /// A monitoring or process integration.
    Automation,
    /// Logged directly by an analyst.
    Analyst,
}

/// How a change went wrong, for incidents opened from a failed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeFailure {
    /// The change was implemented, but not as planned.
    ImplementedIncorrectly,
    /// The change failed.
    Failed,
    /// The change caused an interruption of service.
    CausedServiceInterruption,
}

/// What caused the incident to be logged: the causal link to other processes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Reported by a person.
    EndUserReport,
    /// Raised because a change failed.
    FailedChange {
        /// The change's id in the change process.
        change_id: String,
        /// How it failed.
        failure: ChangeFailure,
    },
    /// Raised because a service request could not be fulfilled.
    FailedServiceRequest {
        /// The request's id in the request process.
        request_id: String,
    },
}

/// How the fix was recorded when the incident was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// A resolution code from the host's catalogue ("solved (workaround)", "code 5", ...).
    pub code: ResolutionCode,
    /// What was done.
    pub notes: String,
    /// Who resolved it.
    pub resolved_by: UserId,
    /// The workgroup that resolved it; a reopen goes back there by default.
    pub workgroup: Option<WorkgroupId>,
}

/// The caller's opinion of the service, given with or after the confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// 1 (poor) to 5 (excellent).
    pub rating: u8,
    /// Free text, optional.
    pub comment: Option<String>,
}

impl Feedback {
    /// Checks the rating range.
    ///
    /// # Errors
    /// [`crate::Error::Validation`] when the rating is not within 1..=5.
    pub fn validate(&self) -> crate::Result<()> {
        if !(1..=5).contains(&self.rating) {
            return Err(crate::Error::validation(
                "rating",
                format!("{} is not within 1..=5", self.rating),
            ));
        }
        Ok(())
    }
}

/// A comment in the incident's conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// Who wrote it.
    pub author: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub text: String,
}

/// The state of a work order or of one of its tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkState {
    /// Created, not started.
    Open,
    /// Someone works on it.
    InProgress,
    /// Finished.
    Done,
    /// Withdrawn.
    Cancelled,
}

impl WorkState {
    /// The snake_case name used in JSON, Python and Node.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkState::Open => "open",
            WorkState::InProgress => "in_progress",
            WorkState::Done => "done",
            WorkState::Cancelled => "cancelled",
        }
    }

    /// Whether the work still has to be finished.
    pub fn is_open(self) -> bool {
        matches!(self, WorkState::Open | WorkState::InProgress)
    }
}

/// One task of a work order, handled by a specialised work-order workgroup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// 1-based number within its work order.
    pub number: u32,
    /// What to do.
    pub title: String,
    /// The work-order workgroup doing it.
    pub workgroup: WorkgroupId,
    /// The analyst doing it, if chosen.
    pub assignee: Option<UserId>,
    /// Progress.
    pub state: WorkState,
}

/// Work spawned by an incident, split into tasks for specialised workgroups.
///
/// Its state follows its tasks: in progress once a task starts, done once every task is
/// finished (and at least one done), cancelled when cancelled explicitly or when every task
/// was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkOrder {
    /// 1-based number within the incident.
    pub number: u32,
    /// What the work order is for.
    pub title: String,
    /// The tasks, in creation order.
    pub tasks: Vec<Task>,
    /// Progress, derived from the tasks.
    pub state: WorkState,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A stay of the incident with one workgroup, for ping-pong detection and time per group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkgroupVisit {
    /// The workgroup.
    pub workgroup: WorkgroupId,
    /// When the incident arrived there.
    pub from: DateTime<Utc>,
    /// When it left; `None` while it is still there.
    pub until: Option<DateTime<Utc>>,
}

/// An unplanned interruption or degradation of an IT service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Identity (UUID v7).
    pub id: IncidentId,
    /// The human number handed out by the repository, e.g. `INC0000001`.
    pub number: IncidentNumber,
    /// One line summary.
    pub short_description: String,
    /// Longer description.
    pub description: String,
    /// The person affected.
    pub caller: UserId,
    /// The caller's organisation, used to pick SLA definitions.
    pub organisation: Option<String>,
    /// Who logged it (the caller, an analyst or an automation account).
    pub opened_by: UserId,
    /// How it was reported.
    pub channel: Channel,
    /// Causal link to other processes.
    pub origin: Origin,
    /// Category, used by routing and SLA definitions.
    pub category: Option<String>,
    /// Subcategory.
    pub subcategory: Option<String>,
    /// The affected service.
    pub service: Option<String>,
    /// The affected configuration item.
    pub configuration_item: Option<String>,
    /// Impact, 1 = highest.
    pub impact: u8,
    /// Urgency, 1 = most urgent.
    pub urgency: u8,
    /// Priority, 1 = highest: derived from impact and urgency unless overridden.
    pub priority: u8,
    /// Set when an allowed actor fixed the priority by hand; derivation then stops.
    pub priority_overridden: bool,
    /// Major incident flag: only managers change it; such incidents never auto-close.
    pub major: bool,
    /// Lifecycle state.
    pub state: State,
    /// Why it is on hold; `Some` exactly while the state is On Hold.
    pub hold_reason: Option<HoldReason>,
    /// The workgroup owning the incident.
    pub assignment_group: Option<WorkgroupId>,
    /// The analyst working it, a member of the assignment group.
    pub assignee: Option<UserId>,
    /// Work orders spawned by the incident.
    pub work_orders: Vec<WorkOrder>,
    /// The fix, while resolved or closed.
    pub resolution: Option<Resolution>,
    /// Whether the caller confirmed the resolution.
    pub confirmed: bool,
    /// The caller's feedback, if given.
    pub feedback: Option<Feedback>,
    /// Why it was canceled, if it was.
    pub cancel_reason: Option<String>,
    /// How many times it was reopened.
    pub reopen_count: u32,
    /// How many times it moved to another workgroup after the first assignment.
    pub reassignment_count: u32,
    /// The conversation.
    pub comments: Vec<Comment>,
    /// Every stay with a workgroup, in order.
    pub visits: Vec<WorkgroupVisit>,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it first reached a workgroup.
    pub first_assigned_at: Option<DateTime<Utc>>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was closed or canceled.
    pub closed_at: Option<DateTime<Utc>>,
    /// When it closes by itself if the caller does not answer (set on resolve by policy).
    pub auto_close_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Grows by one with every accepted command; the optimistic-concurrency token.
    pub version: u64,
}

impl Incident {
    /// The work orders that still have to be finished.
    pub fn open_work_orders(&self) -> impl Iterator<Item = &WorkOrder> {
        self.work_orders.iter().filter(|w| w.state.is_open())
    }

    /// How many times the incident came back to a workgroup it had already left.
    pub fn ping_pong_count(&self) -> u32 {
        let mut count = 0;
        for (i, visit) in self.visits.iter().enumerate() {
            if self.visits[..i]
                .iter()
                .any(|v| v.workgroup == visit.workgroup)
            {
                count += 1;
            }
        }
        count
    }

    /// Seconds spent with each workgroup, in order of first arrival. The current stay counts
    /// until the incident was resolved (while resolved or closed) or canceled, else `now`.
    pub fn time_per_workgroup(&self, now: DateTime<Utc>) -> Vec<(WorkgroupId, i64)> {
        let finished_at = match self.state {
            State::Resolved | State::Closed => self.resolved_at,
            State::Canceled => self.closed_at,
            _ => None,
        };
        let mut totals: Vec<(WorkgroupId, i64)> = Vec::new();
        for visit in &self.visits {
            let end = visit.until.or(finished_at).unwrap_or(now);
            let seconds = (end - visit.from).num_seconds().max(0);
            match totals.iter_mut().find(|(g, _)| *g == visit.workgroup) {
                Some((_, total)) => *total += seconds,
                None => totals.push((visit.workgroup.clone(), seconds)),
            }
        }
        totals
    }
}
