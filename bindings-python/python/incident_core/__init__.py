"""incident_core: IT incident management rules from Rust, typed for Python.

Open and work incidents through a :class:`Desk` (in memory, SQLite or PostgreSQL), compute
SLA clocks with :class:`SlaEngine` and :class:`Calendar`, and replay ServiceNow exports with
:func:`replay_export`. Every rule is decided by the Rust core; refusals raise subclasses of
:class:`IncidentError` carrying the structured fields.
"""

from __future__ import annotations

from . import _native
from .commands import Command, NewTask, Trigger
from .config import Analyst, DeskConfig, Policy, RoutingRule, Workgroup
from .desk import Desk
from .enums import (
    Action,
    ChangeFailure,
    ChangeType,
    Channel,
    CommandType,
    HoldReason,
    Priority,
    ReopenTarget,
    Role,
    Rule,
    State,
    WorkgroupKind,
    WorkState,
)
from .errors import (
    ConfigurationError,
    ConflictError,
    CorruptError,
    IncidentError,
    IncompatibleSchemaError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
    StorageError,
    UnavailableError,
    ValidationError,
)
from .importer import ReplayReport, replay_export
from .model import (
    Actor,
    Comment,
    Event,
    Feedback,
    Incident,
    Origin,
    Outcome,
    Resolution,
    Task,
    WorkgroupVisit,
    WorkOrder,
)
from .script import ClockTotals, ScriptReport, ScriptStep, run_script
from .sla import (
    Calendar,
    ClockKind,
    ClockStage,
    ClockStatus,
    OnPriorityChange,
    OnReopen,
    SlaDefinition,
    SlaEngine,
    TimeZoneSource,
)

__version__: str = _native.__version__

__all__ = [
    "Action",
    "Actor",
    "Analyst",
    "Calendar",
    "ChangeFailure",
    "ChangeType",
    "Channel",
    "ClockKind",
    "ClockStage",
    "ClockStatus",
    "ClockTotals",
    "Command",
    "CommandType",
    "Comment",
    "ConfigurationError",
    "ConflictError",
    "CorruptError",
    "Desk",
    "DeskConfig",
    "Event",
    "Feedback",
    "HoldReason",
    "Incident",
    "IncidentError",
    "IncompatibleSchemaError",
    "InvalidTransitionError",
    "NewTask",
    "NotFoundError",
    "OnPriorityChange",
    "OnReopen",
    "Origin",
    "Outcome",
    "PermissionDeniedError",
    "Policy",
    "Priority",
    "ReopenTarget",
    "ReplayReport",
    "Resolution",
    "Role",
    "RoutingRule",
    "Rule",
    "RuleViolationError",
    "ScriptReport",
    "ScriptStep",
    "SlaDefinition",
    "SlaEngine",
    "State",
    "StorageError",
    "Task",
    "TimeZoneSource",
    "Trigger",
    "UnavailableError",
    "ValidationError",
    "WorkOrder",
    "WorkState",
    "Workgroup",
    "WorkgroupKind",
    "WorkgroupVisit",
    "replay_export",
    "run_script",
]
