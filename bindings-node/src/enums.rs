//! String enums: the core's snake_case names, typed in TypeScript.
//!
//! An unknown string is refused by napi's conversion before any core code runs.

use incident_core as core;
use napi_derive::napi;

/// Conversions both ways between a binding enum and the core's enum of the same variants.
macro_rules! convert {
    ($name:ident = $core:path { $($variant:ident),+ }) => {
        impl From<$name> for $core {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => <$core>::$variant),+
                }
            }
        }

        impl From<$core> for $name {
            fn from(value: $core) -> Self {
                match value {
                    $(<$core>::$variant => $name::$variant),+
                }
            }
        }
    };
}

/// Where an incident is in its lifecycle.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Logged, not yet taken by a workgroup.
    New,
    /// With a workgroup (and maybe an analyst), work not started.
    Assigned,
    /// Being worked on.
    InProgress,
    /// Waiting on someone else (see the hold reason).
    OnHold,
    /// A fix is in place; waiting for the caller's confirmation or auto-close.
    Resolved,
    /// Finished.
    Closed,
    /// Withdrawn; terminal.
    Canceled,
}

/// How the incident reached the service desk.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The persona an actor acts as.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A person using a service: reports and follows own incidents.
    EndUser,
    /// Works incidents of the workgroups they belong to.
    Analyst,
    /// Leads workgroups: assigns, overrides priority, declares major incidents.
    Manager,
    /// A system account of another process.
    Automation,
    /// Configures the desk; may do everything.
    Administrator,
}

/// What a command does, as far as permissions are concerned.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Change impact or urgency.
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
    /// Confirm the fix (closes the incident).
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

/// The state of a work order or of one of its tasks.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// How a change went wrong, for incidents opened from a failed change.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeFailure {
    /// Implemented, but not as planned.
    ImplementedIncorrectly,
    /// The change failed.
    Failed,
    /// The change caused an interruption of service.
    CausedServiceInterruption,
}

/// What a workgroup handles.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkgroupKind {
    /// Owns incidents.
    Incident,
    /// Does work-order tasks.
    WorkOrder,
}

/// Where a reopened incident goes.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReopenTarget {
    /// Back to the workgroup that resolved it.
    ResolvingWorkgroup,
    /// Through the routing rules again.
    Route,
}

/// On which incidents a permission grant applies.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any incident (or none, for opening).
    Any,
    /// Incidents where the actor is the caller.
    OwnIncident,
    /// Incidents of a workgroup the actor belongs to (or manages).
    OwnWorkgroup,
    /// Incidents of a workgroup the actor manages.
    ManagedWorkgroup,
}

/// The built-in reasons for On Hold; any other non-blank text is a custom reason.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    /// Waiting for the caller; the caller's next comment resumes work.
    AwaitingCaller,
    /// Waiting for a change to be implemented.
    AwaitingChange,
    /// Waiting for a problem investigation.
    AwaitingProblem,
    /// Waiting for a supplier.
    AwaitingVendor,
}

/// What kind of process failure raised an incident.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerKind {
    /// A change that failed or was implemented incorrectly.
    FailedChange,
    /// A service request that could not be fulfilled.
    FailedServiceRequest,
}

/// What caused the incident to be logged.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginKind {
    /// Reported by a person.
    EndUserReport,
    /// Raised because a change failed.
    FailedChange,
    /// Raised because a service request could not be fulfilled.
    FailedServiceRequest,
}

convert!(
    State = core::State {
        New,
        Assigned,
        InProgress,
        OnHold,
        Resolved,
        Closed,
        Canceled
    }
);
convert!(
    Channel = core::Channel {
        Portal,
        Phone,
        Email,
        Chat,
        Automation,
        Analyst
    }
);
convert!(
    Role = core::Role {
        EndUser,
        Analyst,
        Manager,
        Automation,
        Administrator
    }
);
convert!(
    Action = core::Action {
        Open,
        OpenFromTrigger,
        View,
        Comment,
        UpdateDetails,
        Reprioritise,
        OverridePriority,
        SetMajor,
        AssignToSelf,
        AssignAnalyst,
        Reassign,
        Work,
        Hold,
        Resolve,
        Confirm,
        GiveFeedback,
        Reopen,
        AutoClose,
        Cancel,
        CreateWorkOrder,
        WorkTask,
        CancelWorkOrder,
        Configure
    }
);
convert!(
    WorkState = core::WorkState {
        Open,
        InProgress,
        Done,
        Cancelled
    }
);
convert!(
    ChangeFailure = core::ChangeFailure {
        ImplementedIncorrectly,
        Failed,
        CausedServiceInterruption
    }
);
convert!(
    WorkgroupKind = core::WorkgroupKind {
        Incident,
        WorkOrder
    }
);
convert!(
    ReopenTarget = core::ReopenTarget {
        ResolvingWorkgroup,
        Route
    }
);
convert!(
    Scope = core::Scope {
        Any,
        OwnIncident,
        OwnWorkgroup,
        ManagedWorkgroup
    }
);
