"""The closed vocabularies of the core as Python enums.

Every member's value is the core's snake_case name (its JSON form), so ``State("on_hold")``
and ``State.ON_HOLD.value`` convert both ways. Members are ``str`` (or ``int`` for
:class:`Priority`) subclasses, so they compare equal to their wire value.
"""

from __future__ import annotations

import enum

__all__ = [
    "Action",
    "ChangeFailure",
    "ChangeType",
    "Channel",
    "CommandType",
    "HoldReason",
    "Priority",
    "ReopenTarget",
    "Role",
    "Rule",
    "State",
    "WorkState",
    "WorkgroupKind",
]


class _Named(str, enum.Enum):
    """A str enum whose ``str()`` is its wire value."""

    def __str__(self) -> str:
        return str(self.value)


class State(_Named):
    """Where an incident is in its lifecycle."""

    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELED = "canceled"


class Priority(enum.IntEnum):
    """Priorities of the default ITIL 3x3 matrix (1 = highest).

    A host's own matrix may give other numbers; incidents then carry plain ``int``s.
    """

    CRITICAL = 1
    HIGH = 2
    MODERATE = 3
    LOW = 4
    PLANNING = 5


class HoldReason(_Named):
    """The built-in reasons for On Hold; any other non-blank text is a custom reason."""

    AWAITING_CALLER = "awaiting_caller"
    AWAITING_CHANGE = "awaiting_change"
    AWAITING_PROBLEM = "awaiting_problem"
    AWAITING_VENDOR = "awaiting_vendor"


class Role(_Named):
    """The persona an actor acts as."""

    END_USER = "end_user"
    ANALYST = "analyst"
    MANAGER = "manager"
    AUTOMATION = "automation"
    ADMINISTRATOR = "administrator"


class Channel(_Named):
    """How an incident reached the service desk."""

    PORTAL = "portal"
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    AUTOMATION = "automation"
    ANALYST = "analyst"


class ChangeFailure(_Named):
    """How a change went wrong, for incidents opened from a failed change."""

    IMPLEMENTED_INCORRECTLY = "implemented_incorrectly"
    FAILED = "failed"
    CAUSED_SERVICE_INTERRUPTION = "caused_service_interruption"


class WorkState(_Named):
    """The state of a work order or of one of its tasks."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class WorkgroupKind(_Named):
    """What a workgroup handles."""

    INCIDENT = "incident"
    WORK_ORDER = "work_order"


class ReopenTarget(_Named):
    """Where a reopened incident goes."""

    RESOLVING_WORKGROUP = "resolving_workgroup"
    ROUTE = "route"


class Action(_Named):
    """What a command does, as far as permissions are concerned."""

    OPEN = "open"
    OPEN_FROM_TRIGGER = "open_from_trigger"
    VIEW = "view"
    COMMENT = "comment"
    UPDATE_DETAILS = "update_details"
    REPRIORITISE = "reprioritise"
    OVERRIDE_PRIORITY = "override_priority"
    SET_MAJOR = "set_major"
    ASSIGN_TO_SELF = "assign_to_self"
    ASSIGN_ANALYST = "assign_analyst"
    REASSIGN = "reassign"
    WORK = "work"
    HOLD = "hold"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    GIVE_FEEDBACK = "give_feedback"
    REOPEN = "reopen"
    AUTO_CLOSE = "auto_close"
    CANCEL = "cancel"
    CREATE_WORK_ORDER = "create_work_order"
    WORK_TASK = "work_task"
    CANCEL_WORK_ORDER = "cancel_work_order"
    CONFIGURE = "configure"


class Rule(_Named):
    """Lifecycle rules that can refuse a command besides the transition table."""

    OPEN_WORK_ORDERS = "open_work_orders"
    REOPEN_WINDOW = "reopen_window"
    CLOSE_NOT_DUE = "close_not_due"
    MAJOR_INCIDENT = "major_incident"
    NOT_A_MEMBER = "not_a_member"
    WRONG_WORKGROUP_KIND = "wrong_workgroup_kind"
    WORK_ORDER_FINISHED = "work_order_finished"
    NO_CHANGE = "no_change"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"


class CommandType(_Named):
    """Every kind of command (the ``type`` tag of its JSON form)."""

    OPEN = "open"
    OPEN_FROM_TRIGGER = "open_from_trigger"
    COMMENT = "comment"
    UPDATE_DETAILS = "update_details"
    SET_IMPACT_URGENCY = "set_impact_urgency"
    OVERRIDE_PRIORITY = "override_priority"
    SET_MAJOR = "set_major"
    ASSIGN = "assign"
    ROUTE = "route"
    START_WORK = "start_work"
    HOLD = "hold"
    RESUME = "resume"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    GIVE_FEEDBACK = "give_feedback"
    REOPEN = "reopen"
    AUTO_CLOSE = "auto_close"
    CANCEL = "cancel"
    CREATE_WORK_ORDER = "create_work_order"
    UPDATE_TASK = "update_task"
    CANCEL_WORK_ORDER = "cancel_work_order"


class ChangeType(_Named):
    """Every kind of event (the ``type`` tag of an event's change)."""

    OPENED = "opened"
    COMMENTED = "commented"
    DETAILS_UPDATED = "details_updated"
    REPRIORITISED = "reprioritised"
    MAJOR_SET = "major_set"
    ASSIGNED = "assigned"
    STATE_CHANGED = "state_changed"
    RESOLUTION_RECORDED = "resolution_recorded"
    CONFIRMED = "confirmed"
    FEEDBACK_GIVEN = "feedback_given"
    REOPENED = "reopened"
    CANCELED = "canceled"
    WORK_ORDER_CREATED = "work_order_created"
    TASK_UPDATED = "task_updated"
    WORK_ORDER_STATE_CHANGED = "work_order_state_changed"


def priority(value: int) -> int:
    """A priority number as :class:`Priority` when the ITIL names cover it."""
    try:
        return Priority(value)
    except ValueError:
        return value
