"""The exception hierarchy, structured fields, naive datetimes and JSON round trips."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import ADMIN, ANALYST, CALLER, Clock

import incident_core
from incident_core import (
    Actor,
    Command,
    ConfigurationError,
    ConflictError,
    Desk,
    DeskConfig,
    Event,
    HoldReason,
    IncidentError,
    Incident,
    InvalidTransitionError,
    NotFoundError,
    Policy,
    State,
    ValidationError,
    Workgroup,
)

KINDS = {
    "ValidationError": "ERR_VALIDATION",
    "InvalidTransitionError": "ERR_INVALID_TRANSITION",
    "RuleViolationError": "ERR_RULE_VIOLATION",
    "PermissionDeniedError": "ERR_PERMISSION_DENIED",
    "ConflictError": "ERR_CONFLICT",
    "NotFoundError": "ERR_NOT_FOUND",
    "ConfigurationError": "ERR_CONFIGURATION",
    "StorageError": "ERR_STORAGE",
    "UnavailableError": "ERR_UNAVAILABLE",
    "CorruptError": "ERR_CORRUPT",
    "IncompatibleSchemaError": "ERR_INCOMPATIBLE_SCHEMA",
}


@pytest.mark.parametrize(("name", "code"), sorted(KINDS.items()))
def test_one_class_per_core_error_kind(name: str, code: str) -> None:
    cls = getattr(incident_core, name)
    assert issubclass(cls, IncidentError)
    assert cls("boom").code == code


def test_builtin_bases() -> None:
    assert issubclass(incident_core.ValidationError, ValueError)
    assert issubclass(incident_core.NotFoundError, LookupError)
    assert incident_core.ConflictError("x").retryable
    assert not incident_core.ValidationError("x").retryable


def test_naive_datetimes_are_refused(desk: Desk) -> None:
    naive = dt.datetime(2026, 3, 2, 9, 0)
    with pytest.raises(ValueError, match="naive") as refused:
        desk.open(CALLER, "x", impact=1, urgency=1, now=naive)
    assert isinstance(refused.value, ValidationError) and refused.value.field == "now"
    assert desk.query() == []


def test_instants_outside_1970_to_9998_are_refused_and_nothing_is_stored(desk: Desk) -> None:
    utc = dt.timezone.utc
    for when in (dt.datetime(1960, 1, 1, tzinfo=utc), dt.datetime(9999, 1, 1, tzinfo=utc)):
        with pytest.raises(ValidationError) as refused:
            desk.open(CALLER, "x", impact=1, urgency=1, now=when)
        assert refused.value.field == "now"
    # Late in 9998 an incident works; a resolution whose automatic close would fall in
    # 9999 is refused instead of being stored with a date Python cannot read back.
    late = dt.datetime(9998, 12, 30, tzinfo=utc)
    incident = desk.open(CALLER, "x", impact=1, urgency=1, now=late)
    desk.start_work(ADMIN, incident.id, now=late)
    with pytest.raises(ValidationError):
        desk.resolve(ADMIN, incident.id, code="fixed", notes="done", now=late)
    assert [i.state.value for i in desk.query()] == ["in_progress"]


def test_a_now_that_is_not_an_aware_datetime_is_a_validation_error(desk: Desk) -> None:
    east = dt.timezone(dt.timedelta(hours=1))
    for bad in ("2026-03-02T09:00:00Z", dt.date(2026, 3, 2), 1772442000,
                dt.datetime(1, 1, 1, tzinfo=east)):
        with pytest.raises(ValidationError) as refused:
            desk.open(CALLER, "x", impact=1, urgency=1, now=bad)  # type: ignore[arg-type]
        assert refused.value.field == "now"
    assert desk.query() == []


def test_an_unknown_role_or_a_non_string_actor_id_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as refused:
        Actor("ann", "god")  # type: ignore[arg-type]
    assert refused.value.field == "role" and "end_user" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        Actor(5, "end_user")  # type: ignore[arg-type]
    assert refused.value.field == "actor"
    assert Actor("ann", "end_user") == CALLER


def test_aware_datetimes_in_any_zone_are_the_same_instant(desk: Desk) -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    incident = desk.open(CALLER, "x", impact=1, urgency=1,
                         now=dt.datetime(2026, 3, 2, 10, 0, tzinfo=paris))
    assert incident.opened_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
    assert incident.opened_at.utcoffset() == dt.timedelta(0)


def test_conflict_carries_versions(desk: Desk, clock: Clock) -> None:
    incident = desk.open(CALLER, "x", impact=2, urgency=2, now=clock.now)
    with pytest.raises(ConflictError) as refused:
        desk.start_work(ANALYST, incident, expected_version=7, now=clock.tick())
    error = refused.value
    assert (error.incident_id, error.expected, error.actual) == (incident.id, 7, 1)
    assert error.retryable and error.code == "ERR_CONFLICT"


def test_not_found(desk: Desk) -> None:
    with pytest.raises(NotFoundError) as refused:
        desk.incident("0190f0f0-0000-7000-8000-000000000000")
    assert (refused.value.entity, refused.value.code) == ("incident", "ERR_NOT_FOUND")
    with pytest.raises(KeyError.__mro__[1]):  # LookupError
        desk.incident_by_number("INC9999999")


def test_bad_id_is_a_validation_error(desk: Desk) -> None:
    with pytest.raises(ValidationError) as refused:
        desk.incident("not-a-uuid")
    assert refused.value.field == "incident_id"


def test_invalid_transition_fields(desk: Desk, clock: Clock) -> None:
    incident = desk.open(CALLER, "x", impact=2, urgency=2, now=clock.now)
    with pytest.raises(InvalidTransitionError) as refused:
        desk.confirm(CALLER, incident, now=clock.tick())
    assert (refused.value.from_state, refused.value.to_state) == (State.NEW, State.CLOSED)
    assert "new" in str(refused.value)


def test_inconsistent_configuration() -> None:
    with pytest.raises(ConfigurationError):
        Desk(DeskConfig(workgroups=[Workgroup("a")], default_workgroup="missing"))
    with pytest.raises(ConfigurationError):
        Desk(DeskConfig(priority_matrix=[[1, 2], [3]]))
    with pytest.raises(ValidationError):
        Policy(auto_close_after=dt.timedelta(hours=5)).to_wire()


def test_malformed_command_json_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as refused:
        Command.from_json('{"type": "teleport"}')
    assert refused.value.field == "command"
    with pytest.raises(ValidationError):
        Command.from_json("not json")


def test_command_json_round_trip() -> None:
    commands = [
        Command.open("VPN down", impact=1, urgency=2, service="vpn"),
        Command.assign(workgroup="network", assignee="nick"),
        Command.hold(HoldReason.AWAITING_VENDOR),
        Command.hold("spare part"),
        Command.resolve(code="fixed", notes="ok"),
        Command.start_work(),
    ]
    for command in commands:
        text = command.to_json()
        assert Command.from_json(text) == command
        assert json.loads(text)["type"] == command.type.value
    assert Command.assign(workgroup="x") == Command.from_json('{"type":"assign","workgroup":"x"}')
    assert repr(Command.start_work()) == "Command.start_work()"


def test_event_and_incident_json_round_trip(desk: Desk, clock: Clock) -> None:
    incident = desk.open(CALLER, "x", impact=2, urgency=2, now=clock.now)
    incident = desk.start_work(ADMIN, incident, now=clock.tick())
    incident = desk.hold(ADMIN, incident, HoldReason.AWAITING_CALLER, now=clock.tick())
    for event in desk.events(incident):
        assert Event.from_json(event.to_json()) == event
    assert Incident.from_json(incident.to_json()) == incident
    assert "Incident(id=" in repr(incident)


def test_errors_pickle_with_their_fields(desk: Desk, clock: Clock) -> None:
    import pickle

    incident = desk.open(CALLER, "x", impact=2, urgency=2, now=clock.now)
    with pytest.raises(incident_core.PermissionDeniedError) as refused:
        desk.resolve(CALLER, incident, code="x", notes="y", now=clock.tick())
    copy = pickle.loads(pickle.dumps(refused.value))
    assert type(copy) is incident_core.PermissionDeniedError
    assert (copy.code, copy.actor, copy.action, str(copy)) == (
        refused.value.code, "ann", refused.value.action, str(refused.value),
    )


def test_out_of_range_script_rows_are_validation_errors(desk: Desk) -> None:
    from incident_core import ScriptStep

    opening = ScriptStep(ADMIN, Command.open("x", impact=1, urgency=1))
    steps = [ScriptStep(ADMIN, Command.start_work())]
    with pytest.raises(ValidationError):
        desk.run_script(opening, steps, [0, 1, 1, 10**15])
    with pytest.raises(ValidationError):
        desk.run_script(opening, steps, [0, 1, 1])
    with pytest.raises(ValidationError):
        desk.run_script(opening, steps, [0, 1, 300, 60])
    with pytest.raises(ValidationError):
        desk.run_script(ScriptStep(ADMIN, Command.start_work()), [], [0, 1, 1])
    report = desk.run_script(opening, steps, [0, 1, 1, 60, 3600, 2, 3, 60])
    assert (report.incidents, report.commands) == (2, 4)
    # The refused scripts took no numbers.
    assert [i.number for i in desk.query()] == ["INC0000001", "INC0000002"]


def test_wrong_argument_types_are_validation_errors(desk: Desk) -> None:
    with pytest.raises(ValidationError) as refused:
        desk.open("ann", "x", impact=1, urgency=1)  # type: ignore[arg-type]
    assert refused.value.field == "actor"
    with pytest.raises(ValidationError) as refused:
        desk.submit(CALLER, "not a command")  # type: ignore[arg-type]
    assert refused.value.field == "command"
    assert desk.query() == []
