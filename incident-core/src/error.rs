//! The one error type of the core.
//!
//! Every refusal is a variant carrying the values that caused it, so that hosts and bindings
//! can react by kind (see [`Error::kind`] and [`ErrorKind::code`]) instead of parsing
//! messages. A refused command never changes anything: errors are returned before any event
//! is produced.

use serde::{Deserialize, Serialize};

use crate::model::{IncidentId, State, UserId};
use crate::persona::{Action, Role};

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in incident-core and in the stores built on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field or argument is malformed or out of range.
    #[error("invalid {field}: {reason}")]
    Validation {
        /// The offending field, in the command's own naming.
        field: String,
        /// Why it was refused.
        reason: String,
    },

    /// The lifecycle does not allow moving from one state to another.
    #[error("an incident cannot go from {from} to {to}")]
    InvalidTransition {
        /// The incident's current state.
        from: State,
        /// The state the command asked for.
        to: State,
    },

    /// A lifecycle rule other than the transition table refused the command.
    #[error("{rule}: {detail}")]
    RuleViolation {
        /// Which rule.
        rule: Rule,
        /// A human-readable explanation with the values involved.
        detail: String,
    },

    /// The actor's role does not allow the action on this incident.
    #[error("{actor} ({role}) may not {action}")]
    PermissionDenied {
        /// Who tried.
        actor: UserId,
        /// In which role.
        role: Role,
        /// What they tried.
        action: Action,
    },

    /// Another writer saved the incident first: reload and decide again.
    #[error("incident {incident} is at version {actual}, not {expected}")]
    Conflict {
        /// The incident written concurrently.
        incident: IncidentId,
        /// The version the writer decided against.
        expected: u64,
        /// The version found in the store.
        actual: u64,
    },

    /// Something referenced by id does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// What kind of thing was looked up (incident, workgroup, analyst, work order, ...).
        entity: String,
        /// The id that was looked up.
        id: String,
    },

    /// A configuration (matrix, transition table, directory, calendar...) is inconsistent.
    #[error("invalid configuration: {reason}")]
    Configuration {
        /// What is inconsistent.
        reason: String,
    },

    /// A store failed for a reason outside the domain (I/O, database error).
    #[error("storage failure: {message}")]
    Storage {
        /// The store's own description of the failure.
        message: String,
    },

    /// The store cannot be reached right now; the same call may work later.
    #[error("store unavailable: {message}")]
    Unavailable {
        /// Why the store could not be reached.
        message: String,
    },

    /// Stored data is not what this version of the library wrote or can read.
    #[error("corrupt or foreign data: {detail}")]
    Corrupt {
        /// What was found instead of the expected data.
        detail: String,
    },

    /// Stored data was written by a newer schema than this library understands.
    #[error("schema version {found} is newer than the supported {supported}")]
    IncompatibleSchema {
        /// The schema version found in the store.
        found: i64,
        /// The newest schema version this library knows.
        supported: i64,
    },
}

/// Lifecycle rules that can refuse a command besides the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rule {
    /// Resolving needs every work order to be done or cancelled (by policy).
    OpenWorkOrders,
    /// Reopening a closed incident is only allowed inside the policy's window.
    ReopenWindow,
    /// Only the caller's confirmation or a due auto-close closes an incident.
    CloseNotDue,
    /// Major incidents are never closed automatically.
    MajorIncident,
    /// An analyst must be a member of the workgroup they are assigned in.
    NotAMember,
    /// Work orders' tasks go to work-order workgroups, incidents to incident workgroups.
    WrongWorkgroupKind,
    /// A work order or task is already finished.
    WorkOrderFinished,
    /// The command would change nothing (for example assigning the current assignee).
    NoChange,
    /// An idempotency key was used before for a different command.
    IdempotencyKeyReused,
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Rule::OpenWorkOrders => "open work orders",
            Rule::ReopenWindow => "reopen window",
            Rule::CloseNotDue => "close not allowed",
            Rule::MajorIncident => "major incident",
            Rule::NotAMember => "not a member",
            Rule::WrongWorkgroupKind => "wrong workgroup kind",
            Rule::WorkOrderFinished => "work order finished",
            Rule::NoChange => "no change",
            Rule::IdempotencyKeyReused => "idempotency key reused",
        };
        f.write_str(text)
    }
}

/// The kind of an [`Error`], stable across releases, for mapping into other languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Validation`].
    Validation,
    /// See [`Error::InvalidTransition`].
    InvalidTransition,
    /// See [`Error::RuleViolation`].
    RuleViolation,
    /// See [`Error::PermissionDenied`].
    PermissionDenied,
    /// See [`Error::Conflict`].
    Conflict,
    /// See [`Error::NotFound`].
    NotFound,
    /// See [`Error::Configuration`].
    Configuration,
    /// See [`Error::Storage`].
    Storage,
    /// See [`Error::Unavailable`].
    Unavailable,
    /// See [`Error::Corrupt`].
    Corrupt,
    /// See [`Error::IncompatibleSchema`].
    IncompatibleSchema,
}

impl ErrorKind {
    /// A constant, machine-readable code such as `ERR_CONFLICT`, used as `err.code` in Node.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Validation => "ERR_VALIDATION",
            ErrorKind::InvalidTransition => "ERR_INVALID_TRANSITION",
            ErrorKind::RuleViolation => "ERR_RULE_VIOLATION",
            ErrorKind::PermissionDenied => "ERR_PERMISSION_DENIED",
            ErrorKind::Conflict => "ERR_CONFLICT",
            ErrorKind::NotFound => "ERR_NOT_FOUND",
            ErrorKind::Configuration => "ERR_CONFIGURATION",
            ErrorKind::Storage => "ERR_STORAGE",
            ErrorKind::Unavailable => "ERR_UNAVAILABLE",
            ErrorKind::Corrupt => "ERR_CORRUPT",
            ErrorKind::IncompatibleSchema => "ERR_INCOMPATIBLE_SCHEMA",
        }
    }
}

impl Error {
    /// The error's kind, for mapping without matching on every field.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Validation { .. } => ErrorKind::Validation,
            Error::InvalidTransition { .. } => ErrorKind::InvalidTransition,
            Error::RuleViolation { .. } => ErrorKind::RuleViolation,
            Error::PermissionDenied { .. } => ErrorKind::PermissionDenied,
            Error::Conflict { .. } => ErrorKind::Conflict,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Configuration { .. } => ErrorKind::Configuration,
            Error::Storage { .. } => ErrorKind::Storage,
            Error::Unavailable { .. } => ErrorKind::Unavailable,
            Error::Corrupt { .. } => ErrorKind::Corrupt,
            Error::IncompatibleSchema { .. } => ErrorKind::IncompatibleSchema,
        }
    }

    /// Shorthand for [`ErrorKind::code`] of this error.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// Whether retrying the same call later may succeed (a conflict or a lost connection).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Conflict { .. } | Error::Unavailable { .. })
    }

    pub(crate) fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn rule(rule: Rule, detail: impl Into<String>) -> Self {
        Error::RuleViolation {
            rule,
            detail: detail.into(),
        }
    }

    pub(crate) fn not_found(entity: &str, id: impl ToString) -> Self {
        Error::NotFound {
            entity: entity.to_owned(),
            id: id.to_string(),
        }
    }

    pub(crate) fn config(reason: impl Into<String>) -> Self {
        Error::Configuration {
            reason: reason.into(),
        }
    }
}
