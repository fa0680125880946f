"""Commands: every change a host can ask of an incident, as values.

A :class:`Command` holds the core's JSON form, checked by the core when it is built, so two
commands are equal when the core would read them the same way, and
``Command.from_json(c.to_json()) == c``. Build them with the class methods
(``Command.assign(workgroup="network")``) or from JSON received from a queue.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Union

from . import _native
from ._wire import hold_reason_to_wire, value_of
from .enums import ChangeFailure, Channel, CommandType, HoldReason, WorkState
from .model import Feedback

__all__ = ["Command", "NewTask", "Trigger"]


@dataclasses.dataclass(frozen=True)
class NewTask:
    """A task to create within a work order."""

    title: str
    workgroup: str
    assignee: Optional[str] = None

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form."""
        return {"title": self.title, "workgroup": self.workgroup, "assignee": self.assignee}


@dataclasses.dataclass(frozen=True)
class Trigger:
    """The other process whose failure raises an incident (see ``Command.open_from_trigger``)."""

    kind: str
    fields: Mapping[str, Any]

    @classmethod
    def failed_change(
        cls,
        change_id: str,
        *,
        failure: Union[ChangeFailure, str] = ChangeFailure.FAILED,
        service: Optional[str] = None,
        configuration_item: Optional[str] = None,
        impact: Optional[int] = None,
        urgency: Optional[int] = None,
    ) -> Trigger:
        """A change that failed, was implemented incorrectly or interrupted a service."""
        return cls("failed_change", {
            "change_id": change_id,
            "failure": value_of(failure),
            "service": service,
            "configuration_item": configuration_item,
            "impact": impact,
            "urgency": urgency,
        })

    @classmethod
    def failed_service_request(
        cls,
        request_id: str,
        *,
        service: Optional[str] = None,
        configuration_item: Optional[str] = None,
        impact: Optional[int] = None,
        urgency: Optional[int] = None,
    ) -> Trigger:
        """A service request that could not be fulfilled."""
        return cls("failed_service_request", {
            "request_id": request_id,
            "service": service,
            "configuration_item": configuration_item,
            "impact": impact,
            "urgency": urgency,
        })

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form."""
        return {"kind": self.kind, **self.fields}


class Command:
    """One command in the core's JSON form (``{"type": "assign", ...}``)."""

    __slots__ = ("_wire",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, wire: Mapping[str, Any]) -> None:
        """Checks a command in the core's JSON form (a dict with a ``type`` key).

        Raises:
            ValidationError: when the core cannot read it.
        """
        normalized = _native.normalize_command(json.dumps(dict(wire)))
        self._wire: Dict[str, Any] = json.loads(normalized)

    @property
    def type(self) -> CommandType:
        """Which command this is."""
        return CommandType(self._wire["type"])

    @property
    def fields(self) -> Dict[str, Any]:
        """The command's fields in the core's JSON form (without ``type``)."""
        return {k: v for k, v in self._wire.items() if k != "type"}

    def to_json(self) -> str:
        """The core's JSON form: the same fields and values the core reads and writes (the
        text itself, key order and spacing, may differ from the core's own)."""
        return json.dumps(self._wire)

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form, as a new dict."""
        return dict(self._wire)

    @classmethod
    def from_json(cls, text: str) -> Command:
        """Decodes and checks a command from the core's JSON text.

        Raises:
            ValidationError: when the core cannot read it.
        """
        return cls(json.loads(_native.normalize_command(text)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Command):
            return NotImplemented
        return self._wire == other._wire

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.fields.items())
        return f"Command.{self.type.value}({args})"

    # -- builders, one per command --------------------------------------------------------

    @classmethod
    def _of(cls, kind: CommandType, **fields: Any) -> Command:
        return cls({"type": kind.value, **fields})

    @classmethod
    def open(
        cls,
        short_description: str,
        *,
        impact: int,
        urgency: int,
        channel: Union[Channel, str] = Channel.PORTAL,
        description: str = "",
        caller: Optional[str] = None,
        organisation: Optional[str] = None,
        category: Optional[str] = None,
        subcategory: Optional[str] = None,
        service: Optional[str] = None,
        configuration_item: Optional[str] = None,
        workgroup: Optional[str] = None,
        skill: Optional[str] = None,
    ) -> Command:
        """Log an incident reported by a person; routing picks the workgroup if none."""
        return cls._of(
            CommandType.OPEN,
            short_description=short_description,
            description=description,
            caller=caller,
            organisation=organisation,
            channel=value_of(channel),
            category=category,
            subcategory=subcategory,
            service=service,
            configuration_item=configuration_item,
            impact=impact,
            urgency=urgency,
            workgroup=workgroup,
            skill=skill,
        )

    @classmethod
    def open_from_trigger(
        cls,
        trigger: Trigger,
        short_description: str,
        *,
        description: str = "",
        caller: Optional[str] = None,
        category: Optional[str] = None,
    ) -> Command:
        """Log an incident from a failed change or service request, keeping the link."""
        return cls._of(
            CommandType.OPEN_FROM_TRIGGER,
            trigger=trigger.to_wire(),
            short_description=short_description,
            description=description,
            caller=caller,
            category=category,
        )

    @classmethod
    def comment(cls, text: str) -> Command:
        """Add to the conversation; the caller's comment resumes an incident awaiting them."""
        return cls._of(CommandType.COMMENT, text=text)

    @classmethod
    def update_details(
        cls,
        *,
        short_description: Optional[str] = None,
        description: Optional[str] = None,
        category: Optional[str] = None,
        subcategory: Optional[str] = None,
        service: Optional[str] = None,
        configuration_item: Optional[str] = None,
    ) -> Command:
        """Edit descriptive fields; ``None`` leaves a field as it is."""
        return cls._of(
            CommandType.UPDATE_DETAILS,
            short_description=short_description,
            description=description,
            category=category,
            subcategory=subcategory,
            service=service,
            configuration_item=configuration_item,
        )

    @classmethod
    def set_impact_urgency(
        cls, *, impact: Optional[int] = None, urgency: Optional[int] = None
    ) -> Command:
        """Change impact and/or urgency; the priority follows unless overridden."""
        return cls._of(CommandType.SET_IMPACT_URGENCY, impact=impact, urgency=urgency)

    @classmethod
    def override_priority(cls, priority: Optional[int]) -> Command:
        """Fix the priority by hand, or with ``None`` return to the derived one."""
        return cls._of(CommandType.OVERRIDE_PRIORITY, priority=priority)

    @classmethod
    def set_major(cls, major: bool = True) -> Command:
        """Set or clear the major-incident flag."""
        return cls._of(CommandType.SET_MAJOR, major=major)

    @classmethod
    def assign(cls, *, workgroup: Optional[str] = None, assignee: Optional[str] = None) -> Command:
        """Assign to a workgroup and/or analyst; another workgroup is a reassignment."""
        return cls._of(CommandType.ASSIGN, workgroup=workgroup, assignee=assignee)

    @classmethod
    def route(cls, *, skill: Optional[str] = None) -> Command:
        """Send the incident where the routing rules say."""
        return cls._of(CommandType.ROUTE, skill=skill)

    @classmethod
    def start_work(cls) -> Command:
        """Start work (In Progress)."""
        return cls._of(CommandType.START_WORK)

    @classmethod
    def hold(cls, reason: Union[HoldReason, str]) -> Command:
        """Put on hold with a reason (a :class:`HoldReason` or custom text)."""
        return cls._of(CommandType.HOLD, reason=hold_reason_to_wire(reason))

    @classmethod
    def resume(cls) -> Command:
        """Take off hold (In Progress)."""
        return cls._of(CommandType.RESUME)

    @classmethod
    def resolve(cls, *, code: str, notes: str) -> Command:
        """Record the fix (Resolved)."""
        return cls._of(CommandType.RESOLVE, code=code, notes=notes)

    @classmethod
    def confirm(cls, *, feedback: Optional[Feedback] = None) -> Command:
        """The caller confirms the fix, which closes the incident."""
        wire = None if feedback is None else feedback.to_wire()
        return cls._of(CommandType.CONFIRM, feedback=wire)

    @classmethod
    def give_feedback(cls, rating: int, *, comment: Optional[str] = None) -> Command:
        """The caller rates the service (1..5) of a resolved or closed incident."""
        return cls._of(CommandType.GIVE_FEEDBACK, rating=rating, comment=comment)

    @classmethod
    def reopen(cls, reason: str) -> Command:
        """Reopen a resolved (or, inside the policy window, closed) incident."""
        return cls._of(CommandType.REOPEN, reason=reason)

    @classmethod
    def auto_close(cls) -> Command:
        """Close a resolved incident whose auto-close time has come."""
        return cls._of(CommandType.AUTO_CLOSE)

    @classmethod
    def cancel(cls, reason: str) -> Command:
        """Withdraw an open incident; open work orders are cancelled too."""
        return cls._of(CommandType.CANCEL, reason=reason)

    @classmethod
    def create_work_order(cls, title: str, tasks: Iterable[NewTask]) -> Command:
        """Create a work order with at least one task."""
        return cls._of(
            CommandType.CREATE_WORK_ORDER, title=title, tasks=[t.to_wire() for t in tasks]
        )

    @classmethod
    def update_task(
        cls,
        work_order: int,
        task: int,
        *,
        state: Union[WorkState, str, None] = None,
        assignee: Optional[str] = None,
    ) -> Command:
        """Move a task forward (start, finish, cancel) and/or choose its analyst."""
        return cls._of(
            CommandType.UPDATE_TASK,
            work_order=work_order,
            task=task,
            state=value_of(state),
            assignee=assignee,
        )

    @classmethod
    def cancel_work_order(cls, work_order: int, reason: str) -> Command:
        """Cancel a work order and its unfinished tasks."""
        return cls._of(CommandType.CANCEL_WORK_ORDER, work_order=work_order, reason=reason)


def commands_to_wire(commands: Sequence[Command]) -> str:
    """A JSON list of commands, for batch entry points."""
    return json.dumps([c.to_wire() for c in commands])
