"""Business calendars and SLA clocks: exact business time, deadlines and breaches.

Calendars are weekly working windows in local wall time of an IANA zone, with holidays and
date overrides; every operation is computed by the core, exactly to the second and across
DST changes. An :class:`SlaEngine` holds calendars and SLA/OLA definitions and computes an
incident's clocks from its events.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._wire import instant, optional_instant, parse_instant, value_of
from .enums import State, _Named
from .errors import ValidationError
from .model import Event

__all__ = [
    "Calendar",
    "ClockKind",
    "ClockStage",
    "ClockStatus",
    "OnPriorityChange",
    "OnReopen",
    "SlaDefinition",
    "SlaEngine",
    "TimeZoneSource",
    "Warning",
]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = _DAYS[:5]
"""Monday to Friday, the default working days."""


class ClockKind(_Named):
    """What a clock measures."""

    RESPONSE = "response"
    RESOLUTION = "resolution"


class ClockStage(_Named):
    """Where a clock stands."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"


class OnReopen(_Named):
    """What a reopen does to the resolution clock."""

    RESUME = "resume"
    RESTART = "restart"
    FIRST_RESOLVE_ONLY = "first_resolve_only"


class OnPriorityChange(_Named):
    """What a change of the matching definition (e.g. a new priority) does to a clock."""

    CARRY_ELAPSED = "carry_elapsed"
    RESTART = "restart"
    RETROACTIVE = "retroactive"


class TimeZoneSource(_Named):
    """Whose time zone the calendar's wall times are read in."""

    CALENDAR = "calendar"
    CALLER = "caller"
    WORKGROUP = "workgroup"


def _seconds(value: _dt.timedelta, name: str) -> int:
    if not isinstance(value, _dt.timedelta):
        raise TypeError(f"{name} must be a timedelta, not {type(value).__name__}")
    if value % _dt.timedelta(seconds=1):
        reason = f"{value} is not a whole number of seconds"
        raise ValidationError(f"invalid {name}: {reason}", field=name, reason=reason)
    return int(value.total_seconds())


def _holiday(day: Union[_dt.date, str]) -> Dict[str, Any]:
    """A holiday: a ``date`` (once) or ``"MM-DD"`` text (every year)."""
    text = day.isoformat() if isinstance(day, _dt.date) else str(day)
    return {"date": text}


class Calendar:
    """A business calendar; immutable, shareable between threads.

    >>> cal = Calendar.weekly("Europe/Paris", windows=["09:00-17:00"])
    >>> cal.business_time(
    ...     _dt.datetime(2026, 3, 6, 9, tzinfo=_dt.timezone.utc),
    ...     _dt.datetime(2026, 3, 6, 12, tzinfo=_dt.timezone.utc),
    ... )
    datetime.timedelta(seconds=7200)
    """

    __slots__ = ("_native",)

    def __init__(self, spec: Mapping[str, Any]) -> None:
        """A calendar from the core's JSON form (``time_zone``, ``versions``...).

        Raises:
            ValidationError, ConfigurationError: for an unknown zone or malformed windows.
        """
        self._native = _native.Calendar(json.dumps(dict(spec)))

    @classmethod
    def weekly(
        cls,
        time_zone: str,
        *,
        days: Iterable[str] = WEEKDAYS,
        windows: Iterable[str] = ("09:00-17:00",),
        holidays: Iterable[Union[_dt.date, str]] = (),
        overrides: Mapping[_dt.date, Sequence[str]] = {},
        name: str = "",
    ) -> Calendar:
        """Working ``windows`` (``"HH:MM-HH:MM"``, local wall time) on ``days``
        (``"mon"``..``"sun"``), minus ``holidays``; ``overrides`` give a date its own
        windows (an empty list makes it a day off)."""
        window_list = list(windows)
        week = {day: list(window_list) for day in days}
        version = {
            "week": week,
            "holidays": [_holiday(h) for h in holidays],
            "overrides": [
                {"date": day.isoformat(), "windows": list(w)} for day, w in overrides.items()
            ],
        }
        return cls({"name": name, "time_zone": time_zone, "versions": [version]})

    @classmethod
    def always_on(cls, time_zone: str = "UTC") -> Calendar:
        """24x7 (time zone only matters for explanations)."""
        return cls.weekly(time_zone, days=_DAYS, windows=["00:00-24:00"], name="24x7")

    @property
    def spec(self) -> Dict[str, Any]:
        """The calendar in the core's JSON form."""
        return dict(json.loads(self._native.spec_json()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Calendar):
            return NotImplemented
        return self.spec == other.spec

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        spec = self.spec
        return f"Calendar(time_zone={spec['time_zone']!r}, versions={len(spec['versions'])})"

    def business_time(self, start: _dt.datetime, end: _dt.datetime) -> _dt.timedelta:
        """Business time between two instants (negative when ``end`` is before)."""
        seconds = self._native.business_seconds(instant(start, "start"), instant(end, "end"))
        return _dt.timedelta(seconds=seconds)

    def add_business(self, start: _dt.datetime, duration: _dt.timedelta) -> _dt.datetime:
        """The instant ``duration`` of business time after ``start`` (before if negative)."""
        text = self._native.add_business_seconds(
            instant(start, "start"), _seconds(duration, "duration")
        )
        return parse_instant(text)

    def sub_business(self, end: _dt.datetime, duration: _dt.timedelta) -> _dt.datetime:
        """The instant ``duration`` of business time before ``end``."""
        return self.add_business(end, -duration)

    def is_working(self, at: _dt.datetime) -> bool:
        """Whether ``at`` is inside working time."""
        return self._native.is_working(instant(at, "at"))

    def next_working(self, at: _dt.datetime) -> _dt.datetime:
        """The first working instant at or after ``at``."""
        return parse_instant(self._native.next_working(instant(at, "at")))


@dataclasses.dataclass(frozen=True)
class SlaDefinition:
    """What is measured, against which target and calendar, for which incidents.

    ``workgroup`` makes it an OLA of that workgroup (its clock runs while the incident is
    there). Empty condition lists match everything; the first matching definition of a
    kind applies, so put fallbacks last. ``warnings`` are percents of the target (ints) or
    ``timedelta``s before the due instant.
    """

    id: str
    kind: Union[ClockKind, str]
    target: _dt.timedelta
    calendar: str
    name: str = ""
    workgroup: Optional[str] = None
    priorities: Sequence[int] = ()
    services: Sequence[str] = ()
    categories: Sequence[str] = ()
    organisations: Sequence[str] = ()
    pause_states: Optional[Sequence[Union[State, str]]] = None
    warnings: Sequence[Union[int, _dt.timedelta]] = (50, 75, 100)
    time_zone: Union[TimeZoneSource, str] = TimeZoneSource.CALENDAR
    on_reopen: Union[OnReopen, str] = OnReopen.RESUME
    on_priority_change: Union[OnPriorityChange, str] = OnPriorityChange.CARRY_ELAPSED
    disabled_from: Optional[_dt.datetime] = None

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form."""
        scope: Dict[str, Any] = (
            {"level": "sla"}
            if self.workgroup is None
            else {"level": "ola", "workgroup": self.workgroup}
        )
        warnings: List[Any] = [
            {"percent": w}
            if isinstance(w, int)
            else {"before_due_seconds": _seconds(w, "warnings")}
            for w in self.warnings
        ]
        wire: Dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "kind": value_of(self.kind),
            "scope": scope,
            "target_seconds": _seconds(self.target, "target"),
            "calendar": self.calendar,
            "applies_to": {
                "priorities": list(self.priorities),
                "services": list(self.services),
                "categories": list(self.categories),
                "organisations": list(self.organisations),
            },
            "warnings": warnings,
            "time_zone": value_of(self.time_zone),
            "on_reopen": value_of(self.on_reopen),
            "on_priority_change": value_of(self.on_priority_change),
        }
        if self.pause_states is not None:
            wire["pause_states"] = [value_of(s) for s in self.pause_states]
        if self.disabled_from is not None:
            wire["disabled_from"] = instant(self.disabled_from, "disabled_from")
        return wire


@dataclasses.dataclass(frozen=True)
class Warning:
    """A warning point of a clock: when it is (or would be) reached."""

    elapsed: _dt.timedelta
    at: Optional[_dt.datetime]
    reached: bool
    threshold: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class ClockStatus:
    """A clock at an instant: stage, elapsed and remaining business time, deadlines."""

    definition: str
    name: str
    kind: ClockKind
    workgroup: Optional[str]
    stage: ClockStage
    started_at: _dt.datetime
    stopped_at: Optional[_dt.datetime]
    target: _dt.timedelta
    elapsed: _dt.timedelta
    remaining: _dt.timedelta
    due_at: Optional[_dt.datetime]
    breached_at: Optional[_dt.datetime]
    warnings: Tuple[Warning, ...]
    calendar: str

    @property
    def breached(self) -> bool:
        """Whether elapsed business time is strictly greater than the target."""
        return self.stage == ClockStage.BREACHED

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> ClockStatus:
        """From the core's JSON form."""
        seconds = _dt.timedelta
        return cls(
            definition=d["definition"],
            name=d["name"],
            kind=ClockKind(d["kind"]),
            workgroup=d["scope"].get("workgroup"),
            stage=ClockStage(d["stage"]),
            started_at=parse_instant(d["started_at"]),
            stopped_at=optional_instant(d.get("stopped_at")),
            target=seconds(seconds=d["target_seconds"]),
            elapsed=seconds(seconds=d["elapsed_seconds"]),
            remaining=seconds(seconds=d["remaining_seconds"]),
            due_at=optional_instant(d.get("due_at")),
            breached_at=optional_instant(d.get("breached_at")),
            warnings=tuple(
                Warning(
                    seconds(seconds=w["elapsed_seconds"]),
                    optional_instant(w.get("at")),
                    w["reached"],
                    w["threshold"],
                )
                for w in d["warnings"]
            ),
            calendar=d["calendar"],
        )


def _events_json(events: Iterable[Event]) -> str:
    return "[" + ",".join(e.to_json() for e in events) + "]"


class SlaEngine:
    """Calendars by name plus ordered SLA/OLA definitions; computes clocks from events.

    Raises:
        ConfigurationError: when a definition names an unknown calendar, ids repeat, ...
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        calendars: Mapping[str, Calendar],
        definitions: Sequence[SlaDefinition],
        *,
        caller_time_zones: Mapping[str, str] = {},
        workgroup_time_zones: Mapping[str, str] = {},
    ) -> None:
        config = {
            "calendars": {name: cal.spec for name, cal in calendars.items()},
            "definitions": [d.to_wire() for d in definitions],
            "caller_time_zones": dict(caller_time_zones),
            "workgroup_time_zones": dict(workgroup_time_zones),
        }
        self._native = _native.SlaEngine(json.dumps(config))

    def status(self, events: Sequence[Event], *, now: _dt.datetime) -> List[ClockStatus]:
        """Every clock of an incident at ``now``, from its events (see ``Desk.events``)."""
        text = self._native.status(_events_json(events), instant(now, "now"))
        return [ClockStatus.from_wire(d) for d in json.loads(text)]

    def status_of(self, desk: Any, incident: Any, *, now: _dt.datetime) -> List[ClockStatus]:
        """As :meth:`status`, reading the events from ``desk`` without converting them."""
        ident = incident if isinstance(incident, str) else incident.id
        text = self._native.status_of(desk._native, ident, instant(now, "now"))
        return [ClockStatus.from_wire(d) for d in json.loads(text)]

    def explain(self, events: Sequence[Event], clock: int, *, now: _dt.datetime) -> Dict[str, Any]:
        """Why clock number ``clock`` (index in :meth:`status`) is due when it is: the
        definition matched and why, spans counted, pauses credited, calendar days."""
        text = self._native.explain(_events_json(events), clock, instant(now, "now"))
        return dict(json.loads(text))

    def next_due_instant(
        self, incidents: Iterable[Sequence[Event]], *, now: _dt.datetime
    ) -> Optional[_dt.datetime]:
        """The next warning, due or breach instant over all the incidents' clocks, so a
        host arms one timer instead of polling; ``None`` when nothing is pending."""
        lists = "[" + ",".join(_events_json(events) for events in incidents) + "]"
        return optional_instant(self._native.next_due_instant(lists, instant(now, "now")))
