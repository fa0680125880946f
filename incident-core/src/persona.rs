//! Personas and what each may do: permissions as data, evaluated by a pure function.
//!
//! The same evaluation serves two purposes: refusing a command ([`crate::decide()`] calls
//! [`PermissionTable::authorize`] first) and letting a host grey out a button
//! ([`PermissionTable::permits`]) without trying the command.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::directory::Directory;
use crate::model::{Incident, UserId, WorkgroupId};
use crate::{Error, Result};

/// The persona an actor acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A person using a service: reports and follows own incidents.
    EndUser,
    /// Works incidents of the workgroups they belong to.
    Analyst,
    /// Leads workgroups: assigns, overrides priority, declares major incidents.
    Manager,
    /// A system account of another process (monitoring, change, request fulfilment).
    Automation,
    /// Configures the desk; may do everything.
    Administrator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::EndUser,
        Role::Analyst,
        Role::Manager,
        Role::Automation,
        Role::Administrator,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::EndUser => "end_user",
            Role::Analyst => "analyst",
            Role::Manager => "manager",
            Role::Automation => "automation",
            Role::Administrator => "administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who issues a command, and in which persona.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// The account.
    pub id: UserId,
    /// The persona.
    pub role: Role,
}

impl Actor {
    /// An actor from an id and a role.
    pub fn new(id: impl Into<UserId>, role: Role) -> Self {
        Actor {
            id: id.into(),
            role,
        }
    }
}

/// What a command does, as far as permissions are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Log an incident.
    Open,
    /// Log an incident from a failed change or service request.
    OpenFromTrigger,
    /// See an incident.
    View,
    /// Add to the conversation.
    Comment,
    /// Edit descriptions, category, service, configuration item.
    UpdateDetails,
    /// Change impact or urgency (priority follows).
    Reprioritise,
    /// Set or clear the priority by hand.
    OverridePriority,
    /// Set or clear the major-incident flag.
    SetMajor,
    /// Take an incident of one's own workgroup.
    AssignToSelf,
    /// Choose the analyst within the current workgroup.
    AssignAnalyst,
    /// Send the incident to another workgroup.
    Reassign,
    /// Start or resume work.
    Work,
    /// Put on hold.
    Hold,
    /// Record the fix.
    Resolve,
    /// Confirm the fix (closes the incident), optionally with feedback.
    Confirm,
    /// Rate the service.
    GiveFeedback,
    /// Reopen a resolved (or recently closed) incident.
    Reopen,
    /// Close incidents whose auto-close time has come.
    AutoClose,
    /// Withdraw an incident.
    Cancel,
    /// Create a work order.
    CreateWorkOrder,
    /// Start, finish or cancel a work-order task.
    WorkTask,
    /// Cancel a whole work order.
    CancelWorkOrder,
    /// Change the desk's configuration.
    Configure,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 23] = [
        Action::Open,
        Action::OpenFromTrigger,
        Action::View,
        Action::Comment,
        Action::UpdateDetails,
        Action::Reprioritise,
        Action::OverridePriority,
        Action::SetMajor,
        Action::AssignToSelf,
        Action::AssignAnalyst,
        Action::Reassign,
        Action::Work,
        Action::Hold,
        Action::Resolve,
        Action::Confirm,
        Action::GiveFeedback,
        Action::Reopen,
        Action::AutoClose,
        Action::Cancel,
        Action::CreateWorkOrder,
        Action::WorkTask,
        Action::CancelWorkOrder,
        Action::Configure,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Open => "open",
            Action::OpenFromTrigger => "open_from_trigger",
            Action::View => "view",
            Action::Comment => "comment",
            Action::UpdateDetails => "update_details",
            Action::Reprioritise => "reprioritise",
            Action::OverridePriority => "override_priority",
            Action::SetMajor => "set_major",
            Action::AssignToSelf => "assign_to_self",
            Action::AssignAnalyst => "assign_analyst",
            Action::Reassign => "reassign",
            Action::Work => "work",
            Action::Hold => "hold",
            Action::Resolve => "resolve",
            Action::Confirm => "confirm",
            Action::GiveFeedback => "give_feedback",
            Action::Reopen => "reopen",
            Action::AutoClose => "auto_close",
            Action::Cancel => "cancel",
            Action::CreateWorkOrder => "create_work_order",
            Action::WorkTask => "work_task",
            Action::CancelWorkOrder => "cancel_work_order",
            Action::Configure => "configure",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// On which incidents a grant applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Any incident (or no incident, for opening).
    Any,
    /// Incidents where the actor is the caller.
    OwnIncident,
    /// Incidents of a workgroup the actor is a member or manager of (for task work: the
    /// task's workgroup counts too).
    OwnWorkgroup,
    /// Incidents of a workgroup the actor manages.
    ManagedWorkgroup,
}

/// One line of the permission table: a role may do an action within a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The persona.
    pub role: Role,
    /// The action.
    pub action: Action,
    /// Where.
    pub scope: Scope,
}

/// The permission table. A role may do an action when any grant for the pair has a scope
/// that covers the incident.
///
/// # Example
/// ```
/// use incident_core::{Action, PermissionTable, Role};
///
/// let table = PermissionTable::default();
/// assert!(table.grants_role(Role::EndUser, Action::Confirm));
/// assert!(!table.grants_role(Role::EndUser, Action::Resolve));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "GrantList", into = "GrantList")]
pub struct PermissionTable {
    grants: Vec<Grant>,
    /// For each role and action, the scopes granted as a bit set: every command checks a
    /// permission, so the check is one lookup instead of a scan of the grants.
    scopes: [[u8; Action::ALL.len()]; Role::ALL.len()],
}

/// The serialised form of a [`PermissionTable`]: its grants.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct GrantList {
    grants: Vec<Grant>,
}

impl From<GrantList> for PermissionTable {
    fn from(list: GrantList) -> Self {
        PermissionTable::new(list.grants)
    }
}

impl From<PermissionTable> for GrantList {
    fn from(table: PermissionTable) -> Self {
        GrantList {
            grants: table.grants,
        }
    }
}

const SCOPES: [Scope; 4] = [
    Scope::Any,
    Scope::OwnIncident,
    Scope::OwnWorkgroup,
    Scope::ManagedWorkgroup,
];

fn position<T: PartialEq>(all: &[T], item: &T) -> usize {
    all.iter().position(|x| x == item).unwrap_or(0)
}

/// What a permission check needs to know about the incident and the command.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The incident acted on; `None` when opening.
    pub incident: Option<&'a Incident>,
    /// A further workgroup the command touches (a task's work-order workgroup), which counts
    /// for [`Scope::OwnWorkgroup`].
    pub extra_workgroup: Option<&'a WorkgroupId>,
}

impl PermissionTable {
    /// A table from its grants; order does not matter and repeats are harmless.
    pub fn new(grants: Vec<Grant>) -> Self {
        let mut scopes = [[0u8; Action::ALL.len()]; Role::ALL.len()];
        for g in &grants {
            let cell =
                &mut scopes[position(&Role::ALL, &g.role)][position(&Action::ALL, &g.action)];
            *cell |= 1 << position(&SCOPES, &g.scope);
        }
        PermissionTable { grants, scopes }
    }

    /// The grants the table was built from.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    fn scopes(&self, role: Role, action: Action) -> u8 {
        self.scopes[role as usize][action as usize]
    }

    /// Whether the role has any grant for the action, whatever the scope.
    pub fn grants_role(&self, role: Role, action: Action) -> bool {
        self.scopes(role, action) != 0
    }

    /// Whether `actor` may do `action` on `incident` (`None` for opening): for greying out.
    pub fn permits(
        &self,
        directory: &Directory,
        actor: &crate::Actor,
        action: Action,
        incident: Option<&Incident>,
    ) -> bool {
        let target = Target {
            incident,
            extra_workgroup: None,
        };
        self.authorize(directory, actor, action, target).is_ok()
    }

    /// Every action `actor` may take on `incident` now (permission only, not the lifecycle).
    pub fn permitted_actions(
        &self,
        directory: &Directory,
        actor: &crate::Actor,
        incident: Option<&Incident>,
    ) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| self.permits(directory, actor, *a, incident))
            .collect()
    }

    /// Checks a permission.
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] when no grant covers the actor, action and target.
    pub fn authorize(
        &self,
        directory: &Directory,
        actor: &crate::Actor,
        action: Action,
        target: Target<'_>,
    ) -> Result<()> {
        let granted = self.scopes(actor.role, action);
        let allowed = SCOPES
            .iter()
            .enumerate()
            .filter(|(bit, _)| granted & (1 << bit) != 0)
            .any(|(_, scope)| scope_covers(*scope, directory, &actor.id, target));
        if allowed {
            Ok(())
        } else {
            Err(Error::PermissionDenied {
                actor: actor.id.clone(),
                role: actor.role,
                action,
            })
        }
    }
}

fn scope_covers(scope: Scope, directory: &Directory, actor: &UserId, target: Target<'_>) -> bool {
    let group = target.incident.and_then(|i| i.assignment_group.as_ref());
    match scope {
        Scope::Any => true,
        Scope::OwnIncident => target.incident.is_none_or(|i| i.caller == *actor),
        Scope::OwnWorkgroup => {
            let in_group =
                |g: Option<&WorkgroupId>| g.is_some_and(|g| directory.is_member(g, actor));
            target.incident.is_none() || in_group(group) || in_group(target.extra_workgroup)
        }
        Scope::ManagedWorkgroup => {
            target.incident.is_none() || group.is_some_and(|g| directory.is_manager(g, actor))
        }
    }
}

impl Default for PermissionTable {
    /// The personas of a typical service desk:
    /// - end user: opens incidents, sees and comments on own, confirms or reopens own resolved
    ///   incident, gives feedback;
    /// - analyst: works incidents of own workgroups (assign to self, hold, resolve, work orders,
    ///   reassign) and tasks of own work-order workgroups;
    /// - manager: what an analyst may do, on managed workgroups, plus choosing the analyst,
    ///   overriding priority and the major-incident flag;
    /// - automation: opens (also from triggers), updates fields, comments, auto-closes;
    /// - administrator: everything, including configuration.
    fn default() -> Self {
        use Action::*;
        use Scope::*;
        let mut grants = Vec::new();
        let mut grant = |role, actions: &[Action], scope| {
            grants.extend(actions.iter().map(|&action| Grant {
                role,
                action,
                scope,
            }));
        };
        grant(Role::EndUser, &[Open], Any);
        grant(
            Role::EndUser,
            &[View, Comment, Confirm, GiveFeedback, Reopen],
            OwnIncident,
        );

        let analyst_work = [
            View,
            Comment,
            UpdateDetails,
            Reprioritise,
            AssignToSelf,
            Reassign,
            Work,
            Hold,
            Resolve,
            Cancel,
            CreateWorkOrder,
            WorkTask,
            CancelWorkOrder,
        ];
        grant(Role::Analyst, &[Open], Any);
        grant(Role::Analyst, &analyst_work, OwnWorkgroup);
        grant(Role::Analyst, &[Reopen], OwnWorkgroup);

        grant(Role::Manager, &[Open, View], Any);
        grant(Role::Manager, &analyst_work, ManagedWorkgroup);
        grant(
            Role::Manager,
            &[AssignAnalyst, OverridePriority, SetMajor, Reopen],
            ManagedWorkgroup,
        );

        grant(
            Role::Automation,
            &[Open, OpenFromTrigger, View, Comment, AutoClose],
            Any,
        );
        grant(Role::Automation, &[UpdateDetails, Reprioritise], Any);

        grant(Role::Administrator, &Action::ALL, Any);
        PermissionTable::new(grants)
    }
}
