"""Value objects: the incident and what it is made of, the audit trail, outcomes.

They are frozen dataclasses (``repr`` and ``==`` for free) built from the core's JSON form;
``to_json()`` gives that form back unchanged, so values round-trip exactly.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from . import _native
from ._wire import hold_reason_from_wire, optional_instant, parse_instant
from .errors import ValidationError
from .enums import (
    ChangeFailure,
    ChangeType,
    Channel,
    HoldReason,
    Role,
    State,
    WorkState,
    priority,
)

__all__ = [
    "Actor",
    "Comment",
    "Event",
    "Feedback",
    "Incident",
    "Origin",
    "Outcome",
    "Resolution",
    "Task",
    "WorkOrder",
    "WorkgroupVisit",
]



@dataclasses.dataclass(frozen=True)
class Actor:
    """Who issues a command, and in which persona."""

    id: str
    role: Role

    def __post_init__(self) -> None:
        if not isinstance(self.id, str):
            reason = f"an actor's id must be a string, not {type(self.id).__name__}"
            raise ValidationError(f"invalid actor: {reason}", field="actor", reason=reason)
        try:
            role = Role(self.role)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            reason = f"unknown role {self.role!r}; roles are {known}"
            raise ValidationError(f"invalid role: {reason}", field="role", reason=reason) from None
        object.__setattr__(self, "role", role)

    def to_wire(self) -> Dict[str, str]:
        """The core's JSON form."""
        return {"id": self.id, "role": self.role.value}

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Actor:
        """From the core's JSON form."""
        return cls(str(data["id"]), Role(data["role"]))


@dataclasses.dataclass(frozen=True)
class Origin:
    """What caused the incident to be logged: a person, a failed change or request."""

    kind: str
    change_id: Optional[str] = None
    failure: Optional[ChangeFailure] = None
    request_id: Optional[str] = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Origin:
        """From the core's JSON form."""
        failure = data.get("failure")
        return cls(
            kind=data["kind"],
            change_id=data.get("change_id"),
            failure=None if failure is None else ChangeFailure(failure),
            request_id=data.get("request_id"),
        )


@dataclasses.dataclass(frozen=True)
class Resolution:
    """How the fix was recorded."""

    code: str
    notes: str
    resolved_by: str
    workgroup: Optional[str]

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Resolution:
        """From the core's JSON form."""
        return cls(data["code"], data["notes"], data["resolved_by"], data.get("workgroup"))


@dataclasses.dataclass(frozen=True)
class Feedback:
    """The caller's rating (1 poor .. 5 excellent) and optional comment."""

    rating: int
    comment: Optional[str] = None

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form."""
        return {"rating": self.rating, "comment": self.comment}

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Feedback:
        """From the core's JSON form."""
        return cls(int(data["rating"]), data.get("comment"))


@dataclasses.dataclass(frozen=True)
class Comment:
    """A comment in the incident's conversation."""

    author: str
    at: _dt.datetime
    text: str

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Comment:
        """From the core's JSON form."""
        return cls(data["author"], parse_instant(data["at"]), data["text"])


@dataclasses.dataclass(frozen=True)
class Task:
    """One task of a work order, for a work-order workgroup."""

    number: int
    title: str
    workgroup: str
    assignee: Optional[str]
    state: WorkState

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Task:
        """From the core's JSON form."""
        return cls(
            data["number"], data["title"], data["workgroup"], data.get("assignee"),
            WorkState(data["state"]),
        )


@dataclasses.dataclass(frozen=True)
class WorkOrder:
    """Work spawned by an incident, split into tasks; its state follows its tasks."""

    number: int
    title: str
    tasks: Tuple[Task, ...]
    state: WorkState
    created_by: str
    created_at: _dt.datetime

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> WorkOrder:
        """From the core's JSON form."""
        return cls(
            data["number"],
            data["title"],
            tuple(Task.from_wire(t) for t in data["tasks"]),
            WorkState(data["state"]),
            data["created_by"],
            parse_instant(data["created_at"]),
        )


@dataclasses.dataclass(frozen=True)
class WorkgroupVisit:
    """A stay of the incident with one workgroup."""

    workgroup: str
    since: _dt.datetime
    until: Optional[_dt.datetime]

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> WorkgroupVisit:
        """From the core's JSON form."""
        return cls(data["workgroup"], parse_instant(data["from"]), optional_instant(data["until"]))


@dataclasses.dataclass(frozen=True)
class Incident:
    """An incident as the core decided it; it only changes through a :class:`Desk`."""

    id: str
    number: str
    short_description: str
    description: str
    caller: str
    organisation: Optional[str]
    opened_by: str
    channel: Channel
    origin: Origin
    category: Optional[str]
    subcategory: Optional[str]
    service: Optional[str]
    configuration_item: Optional[str]
    impact: int
    urgency: int
    priority: int
    priority_overridden: bool
    major: bool
    state: State
    hold_reason: Union[HoldReason, str, None]
    assignment_group: Optional[str]
    assignee: Optional[str]
    work_orders: Tuple[WorkOrder, ...]
    resolution: Optional[Resolution]
    confirmed: bool
    feedback: Optional[Feedback]
    cancel_reason: Optional[str]
    reopen_count: int
    reassignment_count: int
    comments: Tuple[Comment, ...]
    visits: Tuple[WorkgroupVisit, ...]
    opened_at: _dt.datetime
    first_assigned_at: Optional[_dt.datetime]
    resolved_at: Optional[_dt.datetime]
    closed_at: Optional[_dt.datetime]
    auto_close_at: Optional[_dt.datetime]
    updated_at: _dt.datetime
    version: int
    _wire: Mapping[str, Any] = dataclasses.field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> Incident:
        """From the core's JSON form (a decoded dict)."""
        resolution = d.get("resolution")
        feedback = d.get("feedback")
        return cls(
            id=d["id"],
            number=d["number"],
            short_description=d["short_description"],
            description=d["description"],
            caller=d["caller"],
            organisation=d.get("organisation"),
            opened_by=d["opened_by"],
            channel=Channel(d["channel"]),
            origin=Origin.from_wire(d["origin"]),
            category=d.get("category"),
            subcategory=d.get("subcategory"),
            service=d.get("service"),
            configuration_item=d.get("configuration_item"),
            impact=d["impact"],
            urgency=d["urgency"],
            priority=priority(d["priority"]),
            priority_overridden=d["priority_overridden"],
            major=d["major"],
            state=State(d["state"]),
            hold_reason=hold_reason_from_wire(d.get("hold_reason")),
            assignment_group=d.get("assignment_group"),
            assignee=d.get("assignee"),
            work_orders=tuple(WorkOrder.from_wire(w) for w in d["work_orders"]),
            resolution=None if resolution is None else Resolution.from_wire(resolution),
            confirmed=d["confirmed"],
            feedback=None if feedback is None else Feedback.from_wire(feedback),
            cancel_reason=d.get("cancel_reason"),
            reopen_count=d["reopen_count"],
            reassignment_count=d["reassignment_count"],
            comments=tuple(Comment.from_wire(c) for c in d["comments"]),
            visits=tuple(WorkgroupVisit.from_wire(v) for v in d["visits"]),
            opened_at=parse_instant(d["opened_at"]),
            first_assigned_at=optional_instant(d.get("first_assigned_at")),
            resolved_at=optional_instant(d.get("resolved_at")),
            closed_at=optional_instant(d.get("closed_at")),
            auto_close_at=optional_instant(d.get("auto_close_at")),
            updated_at=parse_instant(d["updated_at"]),
            version=d["version"],
            _wire=d,
        )

    @classmethod
    def from_json(cls, text: str) -> Incident:
        """From the core's JSON text."""
        return cls.from_wire(json.loads(text))

    def to_json(self) -> str:
        """The core's JSON form: the same fields and values the core reads and writes (the
        text itself, key order and spacing, may differ from the core's own)."""
        return json.dumps(self._wire)


def _change_data(kind: ChangeType, data: Dict[str, Any]) -> Dict[str, Any]:
    """Typed values for the fields of a change; the rest stays as decoded JSON."""
    out: Dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            out[key] = None
        elif key == "incident":
            out[key] = Incident.from_wire(value)
        elif key in ("from", "to"):
            out[key] = State(value)
        elif key == "hold_reason":
            out[key] = hold_reason_from_wire(value)
        elif key == "auto_close_at":
            out[key] = parse_instant(value)
        elif key == "resolution":
            out[key] = Resolution.from_wire(value)
        elif key == "feedback":
            out[key] = Feedback.from_wire(value)
        elif key == "work_order" and isinstance(value, dict):
            out[key] = WorkOrder.from_wire(value)
        elif key == "state":
            out[key] = WorkState(value)
        elif key == "priority":
            out[key] = priority(value)
        else:
            out[key] = value
    return out


@dataclasses.dataclass(frozen=True)
class Event:
    """One entry of the audit trail: who changed what, when, producing which version.

    ``data`` holds the change's fields by their core names (``from``/``to`` states for
    ``state_changed``, ``incident`` for ``opened`` ...), with typed values.
    """

    incident_id: str
    version: int
    at: _dt.datetime
    actor: Actor
    type: ChangeType
    data: Mapping[str, Any]
    _wire: Mapping[str, Any] = dataclasses.field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> Event:
        """From the core's JSON form (a decoded dict)."""
        change = dict(d["change"])
        kind = ChangeType(change.pop("type"))
        return cls(
            incident_id=d["incident_id"],
            version=d["version"],
            at=parse_instant(d["at"]),
            actor=Actor.from_wire(d["actor"]),
            type=kind,
            data=_change_data(kind, change),
            _wire=d,
        )

    @classmethod
    def from_json(cls, text: str) -> Event:
        """Decodes and checks an event in the core's JSON form.

        Raises:
            ValidationError: when the text is not an event the core can read.
        """
        return cls.from_wire(json.loads(_native.normalize_event(text)))

    def to_json(self) -> str:
        """The core's JSON form: the same fields and values the core reads and writes (the
        text itself, key order and spacing, may differ from the core's own)."""
        return json.dumps(self._wire)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a submission did: the incident afterwards and the events produced.

    ``replayed`` is true when the idempotency key had been seen and nothing was done; the
    events are then the first submission's.
    """

    incident: Incident
    events: Tuple[Event, ...]
    replayed: bool

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> Outcome:
        """From the native module's JSON form."""
        return cls(
            Incident.from_wire(d["incident"]),
            tuple(Event.from_wire(e) for e in d["events"]),
            bool(d["replayed"]),
        )
