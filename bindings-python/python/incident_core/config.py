"""Desk configuration: workgroups, analysts, routing, lifecycle policy, priority matrix.

These are plain value objects turned into the core's JSON form; the core checks them when a
:class:`~incident_core.Desk` is built and raises ``ConfigurationError`` when they are
inconsistent. Permission and transition tables keep the core's defaults unless given in the
core's JSON form.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from typing import Any, Dict, Mapping, Optional, Sequence, Union

from . import _native
from ._wire import value_of, whole_days
from .enums import ReopenTarget, WorkgroupKind

__all__ = ["Analyst", "DeskConfig", "Policy", "RoutingRule", "Workgroup"]



@dataclasses.dataclass(frozen=True)
class Workgroup:
    """A team of analysts with the skills, categories and services it covers."""

    id: str
    name: str = ""
    kind: Union[WorkgroupKind, str] = WorkgroupKind.INCIDENT
    members: Sequence[str] = ()
    managers: Sequence[str] = ()
    skills: Sequence[str] = ()
    categories: Sequence[str] = ()
    services: Sequence[str] = ()
    time_zone: Optional[str] = None

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form."""
        return {
            "id": self.id,
            "name": self.name or self.id,
            "kind": value_of(self.kind),
            "members": list(self.members),
            "managers": list(self.managers),
            "skills": list(self.skills),
            "categories": list(self.categories),
            "services": list(self.services),
            "time_zone": self.time_zone,
        }


@dataclasses.dataclass(frozen=True)
class Analyst:
    """An analyst's profile, for skill-based routing."""

    id: str
    name: str = ""
    skills: Sequence[str] = ()

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form."""
        return {"id": self.id, "name": self.name or self.id, "skills": list(self.skills)}


@dataclasses.dataclass(frozen=True)
class RoutingRule:
    """When every condition set matches, the incident goes to ``workgroup``."""

    name: str
    workgroup: str
    category: Optional[str] = None
    subcategory: Optional[str] = None
    service: Optional[str] = None
    max_priority: Optional[int] = None
    skill: Optional[str] = None
    analyst: Optional[str] = None

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Policy:
    """Lifecycle options; each default is the common, cautious choice.

    Durations are ``timedelta`` values of whole days (the core counts them in days).
    """

    auto_close_after: Optional[_dt.timedelta] = _dt.timedelta(days=7)
    reopen_closed_within: Optional[_dt.timedelta] = None
    resolve_requires_finished_work_orders: bool = True
    reopen_to: Union[ReopenTarget, str] = ReopenTarget.RESOLVING_WORKGROUP
    default_impact: int = 2
    default_urgency: int = 2

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form."""
        return {
            "auto_close_after_days": whole_days(self.auto_close_after, "auto_close_after"),
            "reopen_closed_within_days": whole_days(
                self.reopen_closed_within, "reopen_closed_within"
            ),
            "resolve_requires_finished_work_orders": self.resolve_requires_finished_work_orders,
            "reopen_to": value_of(self.reopen_to),
            "default_impact": self.default_impact,
            "default_urgency": self.default_urgency,
        }


@dataclasses.dataclass(frozen=True)
class DeskConfig:
    """Everything a decision is made against besides the incident, the actor and the time.

    With no ``workgroups`` the core's default directory is used (one ``service-desk``
    workgroup). ``priority_matrix`` is rows of priorities, one row per impact.
    ``permissions`` and ``transitions`` take the core's JSON form when given.
    """

    workgroups: Optional[Sequence[Workgroup]] = None
    default_workgroup: Optional[str] = None
    analysts: Sequence[Analyst] = ()
    routing_rules: Sequence[RoutingRule] = ()
    policy: Policy = Policy()
    priority_matrix: Optional[Sequence[Sequence[int]]] = None
    permissions: Optional[Mapping[str, Any]] = None
    transitions: Optional[Mapping[str, Any]] = None

    def to_wire(self) -> Dict[str, Any]:
        """The core's JSON form."""
        wire: Dict[str, Any] = {"policy": self.policy.to_wire()}
        if self.workgroups is not None:
            groups = list(self.workgroups)
            default = self.default_workgroup or (groups[0].id if groups else "")
            wire["directory"] = {
                "workgroups": [g.to_wire() for g in groups],
                "analysts": [a.to_wire() for a in self.analysts],
                "rules": [r.to_wire() for r in self.routing_rules],
                "default_workgroup": default,
            }
        if self.priority_matrix is not None:
            wire["priority_matrix"] = [list(row) for row in self.priority_matrix]
        if self.permissions is not None:
            wire["permissions"] = dict(self.permissions)
        if self.transitions is not None:
            wire["transitions"] = dict(self.transitions)
        return wire

    def to_json(self) -> str:
        """The core's JSON text, checked and completed with the core's defaults.

        Raises:
            ConfigurationError: when the configuration is inconsistent.
            ValidationError: when a value has the wrong form.
        """
        return _native.normalize_config(json.dumps(self.to_wire()))
