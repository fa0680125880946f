"""The desk: the service an automation script calls to open, work and query incidents."""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
    overload,
)

from . import _native
from ._wire import instant, now_or, optional_instant, value_of
from .commands import Command, NewTask, Trigger
from .config import DeskConfig
from .enums import Action, ChangeFailure, Channel, HoldReason, State, WorkState
from .errors import ValidationError
from .importer import ReplayReport, replay_export
from .model import Actor, Event, Feedback, Incident, Outcome
from .script import ScriptReport, ScriptStep, run_script
from .sla import ClockStatus, SlaEngine

__all__ = ["Desk"]

IncidentRef = Union[Incident, str]
"""An incident, or its id (UUID text)."""

def _incident_id(incident: IncidentRef) -> str:
    return incident.id if isinstance(incident, Incident) else str(incident)


def _target(ref: Union[IncidentRef, int, None]) -> Union[str, int, None]:
    if ref is None or isinstance(ref, int):
        return ref
    return _incident_id(ref)


class _HybridOpen:
    """``Desk.open(location)`` opens a store; ``desk.open(actor, ...)`` opens an incident.

    The issue text asks for both names; :meth:`Desk.connect` and :meth:`Desk.open_incident`
    are the unambiguous spellings.
    """

    @overload
    def __get__(self, desk: None, owner: type) -> Callable[..., Desk]: ...

    @overload
    def __get__(self, desk: Desk, owner: type) -> Callable[..., Incident]: ...

    def __get__(self, desk: Optional[Desk], owner: type) -> Callable[..., Any]:
        if desk is None:
            return owner.connect  # type: ignore[no-any-return, attr-defined]
        return desk.open_incident


class Desk:
    """Incident management over a store: every rule is decided by the core.

    ``Desk()`` keeps incidents in memory; ``Desk.open("incidents.db")`` uses SQLite and
    ``Desk.open("postgresql://...")`` PostgreSQL. Methods take the acting :class:`Actor`
    first; ``now`` defaults to the current time and must be timezone-aware when given.
    A desk may be shared by threads: store and decision work runs without the GIL.
    """

    open = _HybridOpen()

    def __init__(
        self, config: Optional[DeskConfig] = None, *, sla: Optional[SlaEngine] = None
    ) -> None:
        """A desk over a fresh in-memory store; with ``sla``, :meth:`sla_status` and
        friends compute the incidents' SLA clocks.

        Raises:
            ConfigurationError: when ``config`` is inconsistent.
        """
        native = _native.Desk(None if config is None else json.dumps(config.to_wire()))
        self._native = native if sla is None else native.with_sla(sla._native)

    @classmethod
    def connect(
        cls,
        location: Union[str, "os.PathLike[str]"],
        *,
        config: Optional[DeskConfig] = None,
        sla: Optional[SlaEngine] = None,
    ) -> Desk:
        """A desk over a SQLite file (created if needed) or a ``postgresql://`` URL.

        Raises:
            StorageError, UnavailableError: when the store cannot be opened.
            IncompatibleSchemaError: when it was written by a newer version.
        """
        desk = cls.__new__(cls)
        config_json = None if config is None else json.dumps(config.to_wire())
        native = _native.Desk.connect(os.fspath(location), config_json)
        desk._native = native if sla is None else native.with_sla(sla._native)
        return desk

    def __repr__(self) -> str:
        return f"<incident_core.Desk {self._native.location()}>"

    # -- generic entry points -------------------------------------------------------------

    def submit(
        self,
        actor: Actor,
        command: Command,
        *,
        incident: Optional[IncidentRef] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
        now: Optional[_dt.datetime] = None,
    ) -> Outcome:
        """Submits a command with retry safety and optimistic concurrency.

        A second submission with the same ``idempotency_key`` does nothing and returns the
        first one's outcome (``replayed=True``). With ``expected_version``, a different
        stored version raises :class:`ConflictError` instead of overwriting.
        """
        submission = {
            "incident": None if incident is None else _incident_id(incident),
            "command": _command_wire(command),
            "idempotency_key": idempotency_key,
            "expected_version": expected_version,
        }
        text = self._native.submit(
            _actor_json(actor), json.dumps(submission), now_or(now)
        )
        return Outcome.from_wire(json.loads(text))

    def execute(
        self,
        actor: Actor,
        incident: IncidentRef,
        command: Command,
        *,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
        now: Optional[_dt.datetime] = None,
    ) -> Incident:
        """Applies a command to an incident and returns the incident afterwards."""
        return self.submit(
            actor,
            command,
            incident=incident,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
            now=now,
        ).incident

    def execute_many(
        self,
        actor: Actor,
        steps: Iterable[Tuple[Union[IncidentRef, int, None], Command, _dt.datetime]],
    ) -> List[Incident]:
        """Submits commands in order, each ``(target, command, now)``.

        The target is ``None`` for a command that opens an incident, an incident (or its
        id), or the index of an earlier step whose incident to act on. One native call for
        the whole list: each command is still decided by the core and saved as by
        :meth:`execute`; it stops at the first refusal, keeping what was saved before it.
        Returns the incident after each command.
        """
        wire = [
            [_target(ref), command.to_wire(), instant(at, "now")] for ref, command, at in steps
        ]
        text = self._native.execute_many(_actor_json(actor), json.dumps(wire))
        return [Incident.from_wire(i) for i in json.loads(text)]

    def run_script(
        self,
        opening: ScriptStep,
        steps: Sequence[ScriptStep],
        rows: Sequence[int],
        *,
        sla: Optional[SlaEngine] = None,
        keep: bool = True,
    ) -> ScriptReport:
        """Runs one lifecycle script over many incidents in one native call; see
        :func:`incident_core.run_script`."""
        return run_script(self, opening, steps, rows, sla=sla, keep=keep)

    def replay_export(
        self,
        path: Union[str, "os.PathLike[str]"],
        *,
        strict: bool = False,
        priority_matrix: Optional[Sequence[Sequence[int]]] = None,
        auto_close_after_days: Optional[int] = 5,
    ) -> ReplayReport:
        """Replays a ServiceNow export into this desk's store; see
        :func:`incident_core.replay_export`."""
        return replay_export(
            path, desk=self, strict=strict, priority_matrix=priority_matrix,
            auto_close_after_days=auto_close_after_days,
        )

    # -- one method per command -----------------------------------------------------------

    def open_incident(
        self,
        actor: Actor,
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
        idempotency_key: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
    ) -> Incident:
        """Logs an incident; its priority comes from impact x urgency, routing picks the
        workgroup unless one is given. Also spelled ``desk.open(actor, ...)``."""
        command = Command.open(
            short_description,
            impact=impact,
            urgency=urgency,
            channel=channel,
            description=description,
            caller=caller,
            organisation=organisation,
            category=category,
            subcategory=subcategory,
            service=service,
            configuration_item=configuration_item,
            workgroup=workgroup,
            skill=skill,
        )
        return self.submit(actor, command, idempotency_key=idempotency_key, now=now).incident

    def open_from_trigger(
        self,
        actor: Actor,
        trigger: Trigger,
        short_description: str,
        *,
        description: str = "",
        caller: Optional[str] = None,
        category: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
    ) -> Incident:
        """Logs an incident raised by another process's failure, keeping the causal link."""
        command = Command.open_from_trigger(
            trigger, short_description, description=description, caller=caller,
            category=category,
        )
        return self.submit(actor, command, idempotency_key=idempotency_key, now=now).incident

    def open_from_failed_change(
        self,
        actor: Actor,
        change_id: str,
        short_description: str,
        *,
        failure: Union[ChangeFailure, str] = ChangeFailure.FAILED,
        service: Optional[str] = None,
        configuration_item: Optional[str] = None,
        impact: Optional[int] = None,
        urgency: Optional[int] = None,
        description: str = "",
        caller: Optional[str] = None,
        category: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
    ) -> Incident:
        """Shorthand for :meth:`open_from_trigger` with ``Trigger.failed_change``."""
        trigger = Trigger.failed_change(
            change_id, failure=failure, service=service,
            configuration_item=configuration_item, impact=impact, urgency=urgency,
        )
        return self.open_from_trigger(
            actor, trigger, short_description, description=description, caller=caller,
            category=category, idempotency_key=idempotency_key, now=now,
        )

    def _act(
        self,
        actor: Actor,
        incident: IncidentRef,
        command: Command,
        now: Optional[_dt.datetime],
        idempotency_key: Optional[str],
        expected_version: Optional[int],
    ) -> Incident:
        return self.execute(
            actor,
            incident,
            command,
            now=now,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def comment(
        self,
        actor: Actor,
        incident: IncidentRef,
        text: str,
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Adds to the conversation (the caller's comment resumes an incident awaiting them).

        Every command method takes the keyword options ``now``, ``idempotency_key`` and
        ``expected_version`` of :meth:`execute`.
        """
        return self._act(
            actor, incident, Command.comment(text), now, idempotency_key, expected_version
        )

    def update_details(
        self,
        actor: Actor,
        incident: IncidentRef,
        *,
        short_description: Optional[str] = None,
        description: Optional[str] = None,
        category: Optional[str] = None,
        subcategory: Optional[str] = None,
        service: Optional[str] = None,
        configuration_item: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Edits descriptive fields; ``None`` leaves a field as it is."""
        command = Command.update_details(
            short_description=short_description, description=description, category=category,
            subcategory=subcategory, service=service, configuration_item=configuration_item,
        )
        return self._act(
            actor, incident, command, now, idempotency_key, expected_version
        )

    def set_impact_urgency(
        self,
        actor: Actor,
        incident: IncidentRef,
        *,
        impact: Optional[int] = None,
        urgency: Optional[int] = None,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Changes impact and/or urgency; the priority follows unless overridden."""
        command = Command.set_impact_urgency(impact=impact, urgency=urgency)
        return self._act(
            actor, incident, command, now, idempotency_key, expected_version
        )

    def override_priority(
        self,
        actor: Actor,
        incident: IncidentRef,
        priority: Optional[int],
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Fixes the priority by hand (``None`` returns to the derived priority)."""
        return self._act(
            actor, incident, Command.override_priority(priority),
            now, idempotency_key, expected_version
        )

    def set_major(
        self,
        actor: Actor,
        incident: IncidentRef,
        major: bool = True,
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Sets or clears the major-incident flag (managers only, by default)."""
        return self._act(
            actor, incident, Command.set_major(major), now, idempotency_key, expected_version
        )

    def assign(
        self,
        actor: Actor,
        incident: IncidentRef,
        *,
        workgroup: Optional[str] = None,
        assignee: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Assigns to a workgroup and/or analyst; another workgroup is a reassignment."""
        command = Command.assign(workgroup=workgroup, assignee=assignee)
        return self._act(
            actor, incident, command, now, idempotency_key, expected_version
        )

    def route(
        self,
        actor: Actor,
        incident: IncidentRef,
        *,
        skill: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Sends the incident where the routing rules say."""
        return self._act(
            actor, incident, Command.route(skill=skill), now, idempotency_key, expected_version
        )

    def start_work(
        self,
        actor: Actor,
        incident: IncidentRef,
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Starts work (In Progress); an analyst of the group takes an unassigned incident."""
        return self._act(
            actor, incident, Command.start_work(), now, idempotency_key, expected_version
        )

    def hold(
        self,
        actor: Actor,
        incident: IncidentRef,
        reason: Union[HoldReason,
        str],
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Puts the incident on hold with a reason."""
        return self._act(
            actor, incident, Command.hold(reason), now, idempotency_key, expected_version
        )

    def resume(
        self,
        actor: Actor,
        incident: IncidentRef,
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Takes the incident off hold."""
        return self._act(
            actor, incident, Command.resume(), now, idempotency_key, expected_version
        )

    def resolve(
        self,
        actor: Actor,
        incident: IncidentRef,
        *,
        code: str,
        notes: str,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Records the fix (Resolved); auto-close is armed by policy."""
        return self._act(
            actor, incident, Command.resolve(code=code, notes=notes),
            now, idempotency_key, expected_version
        )

    def confirm(
        self,
        actor: Actor,
        incident: IncidentRef,
        *,
        feedback: Optional[Feedback] = None,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """The caller confirms the fix, which closes the incident."""
        return self._act(
            actor, incident, Command.confirm(feedback=feedback),
            now, idempotency_key, expected_version
        )

    def give_feedback(
        self,
        actor: Actor,
        incident: IncidentRef,
        rating: int,
        *,
        comment: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """The caller rates the service (1..5)."""
        command = Command.give_feedback(rating, comment=comment)
        return self._act(
            actor, incident, command, now, idempotency_key, expected_version
        )

    def reopen(
        self,
        actor: Actor,
        incident: IncidentRef,
        reason: str,
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Reopens a resolved (or, inside the policy window, closed) incident."""
        return self._act(
            actor, incident, Command.reopen(reason), now, idempotency_key, expected_version
        )

    def auto_close(
        self,
        actor: Actor,
        incident: IncidentRef,
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Closes a resolved incident whose auto-close time has come."""
        return self._act(
            actor, incident, Command.auto_close(), now, idempotency_key, expected_version
        )

    def cancel(
        self,
        actor: Actor,
        incident: IncidentRef,
        reason: str,
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Withdraws an open incident; open work orders are cancelled too."""
        return self._act(
            actor, incident, Command.cancel(reason), now, idempotency_key, expected_version
        )

    def create_work_order(
        self,
        actor: Actor,
        incident: IncidentRef,
        title: str,
        tasks: Iterable[NewTask],
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Creates a work order with tasks for work-order workgroups."""
        return self._act(
            actor, incident, Command.create_work_order(title, tasks),
            now, idempotency_key, expected_version
        )

    def update_task(
        self,
        actor: Actor,
        incident: IncidentRef,
        work_order: int,
        task: int,
        *,
        state: Union[WorkState,
        str,
        None] = None,
        assignee: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Moves a work-order task forward and/or chooses its analyst."""
        command = Command.update_task(work_order, task, state=state, assignee=assignee)
        return self._act(
            actor, incident, command, now, idempotency_key, expected_version
        )

    def cancel_work_order(
        self,
        actor: Actor,
        incident: IncidentRef,
        work_order: int,
        reason: str,
        *,
        now: Optional[_dt.datetime] = None,
        idempotency_key: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> Incident:
        """Cancels a work order and its unfinished tasks."""
        command = Command.cancel_work_order(work_order, reason)
        return self._act(
            actor, incident, command, now, idempotency_key, expected_version
        )

    # -- queries --------------------------------------------------------------------------

    def incident(self, incident: IncidentRef) -> Incident:
        """The incident's current state, whoever asks.

        Raises:
            NotFoundError: for an unknown id.
        """
        return Incident.from_json(self._native.incident(_incident_id(incident)))

    def incident_by_number(self, number: str) -> Incident:
        """The incident with a human number such as ``INC0000042``."""
        return Incident.from_json(self._native.incident_by_number(number))

    def view(self, actor: Actor, incident: IncidentRef) -> Incident:
        """The incident if ``actor`` may see it (an end user sees their own only)."""
        text = self._native.view(_actor_json(actor), _incident_id(incident))
        return Incident.from_json(text)

    def events(self, incident: IncidentRef) -> List[Event]:
        """The incident's audit trail, oldest first."""
        wire = json.loads(self._native.events(_incident_id(incident)))
        return [Event.from_wire(e) for e in wire]

    def query(
        self,
        *,
        states: Iterable[Union[State, str]] = (),
        workgroup: Optional[str] = None,
        assignee: Optional[str] = None,
        caller: Optional[str] = None,
        major: Optional[bool] = None,
        auto_close_due_by: Optional[_dt.datetime] = None,
        limit: Optional[int] = None,
    ) -> List[Incident]:
        """Incidents matching every criterion given, by number."""
        query = {
            "states": [value_of(s) for s in states],
            "workgroup": workgroup,
            "assignee": assignee,
            "caller": caller,
            "major": major,
            "auto_close_due_by": None
            if auto_close_due_by is None
            else instant(auto_close_due_by, "auto_close_due_by"),
            "limit": limit,
        }
        wire = json.loads(self._native.query(json.dumps(query)))
        return [Incident.from_wire(i) for i in wire]

    def close_due(self, actor: Actor, *, now: Optional[_dt.datetime] = None) -> List[Incident]:
        """Closes every resolved incident whose auto-close time has come."""
        wire = json.loads(self._native.close_due(_actor_json(actor), now_or(now)))
        return [Incident.from_wire(i) for i in wire]

    def sla_status(
        self, incident: IncidentRef, *, now: Optional[_dt.datetime] = None
    ) -> List[ClockStatus]:
        """Every SLA and OLA clock of the incident at ``now``, from its stored events.

        Raises:
            ConfigurationError: when the desk was made without ``sla``.
        """
        text = self._native.sla_status(_incident_id(incident), now_or(now))
        return [ClockStatus.from_wire(d) for d in json.loads(text)]

    def explain_deadline(
        self, incident: IncidentRef, clock: int, *, now: Optional[_dt.datetime] = None
    ) -> Dict[str, Any]:
        """Why clock number ``clock`` (as listed by :meth:`sla_status`) is due when it is."""
        text = self._native.explain_deadline(_incident_id(incident), clock, now_or(now))
        return dict(json.loads(text))

    def next_sla_due(self, *, now: Optional[_dt.datetime] = None) -> Optional[_dt.datetime]:
        """The next warning, due or breach instant over the open incidents: arm one timer."""
        return optional_instant(self._native.next_sla_due(now_or(now)))

    def permitted_actions(
        self, actor: Actor, incident: Optional[IncidentRef] = None
    ) -> FrozenSet[Action]:
        """What ``actor`` may do on the incident (or when opening, without one), for
        greying out buttons; permission only, the lifecycle may still refuse."""
        ref = None if incident is None else _incident_id(incident)
        names = self._native.permitted_actions(_actor_json(actor), ref)
        return frozenset(Action(n) for n in names)


def _actor_json(actor: object) -> str:
    """The acting persona as JSON, or a `ValidationError` naming `actor`."""
    if not isinstance(actor, Actor):
        raise ValidationError(
            f"invalid actor: expected an Actor, got {type(actor).__name__}",
            field="actor",
            reason=f"expected an Actor, got {type(actor).__name__}",
        )
    return json.dumps(actor.to_wire())


def _command_wire(command: object) -> object:
    """A command's wire form, or a `ValidationError` naming `command`."""
    to_wire = getattr(command, "to_wire", None)
    if not callable(to_wire):
        raise ValidationError(
            f"invalid command: got {type(command).__name__}",
            field="command",
            reason=f"expected a command, got {type(command).__name__}",
        )
    return to_wire()
