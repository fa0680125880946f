"""Each persona's permissions, as the core's default permission table grants them."""

from __future__ import annotations

import pytest
from conftest import ADMIN, ANALYST, AUTOMATION, CALLER, MANAGER, NETWORK_ANALYST, OTHER_CALLER
from conftest import Clock

from incident_core import Action, Actor, Desk, Incident, PermissionDeniedError, Role, State


def opened(desk: Desk, clock: Clock) -> Incident:
    return desk.open(CALLER, "Laptop will not boot", impact=2, urgency=2, now=clock.now)


def test_end_user_cannot_work_or_resolve(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    with pytest.raises(PermissionDeniedError) as refused:
        desk.resolve(CALLER, incident, code="x", notes="y", now=clock.tick())
    error = refused.value
    assert (error.actor, error.role, error.action) == ("ann", Role.END_USER, Action.RESOLVE)
    assert error.code == "ERR_PERMISSION_DENIED"
    with pytest.raises(PermissionDeniedError):
        desk.start_work(CALLER, incident, now=clock.tick())


def test_end_user_sees_only_own_incidents(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    assert desk.view(CALLER, incident).id == incident.id
    with pytest.raises(PermissionDeniedError) as refused:
        desk.view(OTHER_CALLER, incident)
    assert refused.value.action is Action.VIEW
    with pytest.raises(PermissionDeniedError):
        desk.comment(OTHER_CALLER, incident, "me too", now=clock.tick())


def test_analyst_works_only_own_workgroup(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    with pytest.raises(PermissionDeniedError):
        desk.start_work(NETWORK_ANALYST, incident, now=clock.tick())
    incident = desk.start_work(ANALYST, incident, now=clock.tick())
    assert incident.state is State.IN_PROGRESS


def test_only_managers_override_priority_and_set_major(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    for denied in (ANALYST, CALLER, AUTOMATION):
        with pytest.raises(PermissionDeniedError):
            desk.override_priority(denied, incident, 1, now=clock.tick())
        with pytest.raises(PermissionDeniedError):
            desk.set_major(denied, incident, now=clock.tick())
    incident = desk.set_major(MANAGER, incident, now=clock.tick())
    assert incident.major


def test_automation_opens_and_comments_but_does_not_resolve(desk: Desk, clock: Clock) -> None:
    incident = desk.open(AUTOMATION, "Disk 95% full", impact=2, urgency=1, now=clock.now)
    desk.comment(AUTOMATION, incident, "still rising", now=clock.tick())
    with pytest.raises(PermissionDeniedError):
        desk.resolve(AUTOMATION, incident, code="x", notes="y", now=clock.tick())


def test_administrator_may_do_everything(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    assert desk.permitted_actions(ADMIN, incident) == frozenset(Action)
    desk.resolve(ADMIN, incident, code="fixed", notes="remotely", now=clock.tick())


def test_permitted_actions_per_persona(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    caller = desk.permitted_actions(CALLER, incident)
    assert Action.CONFIRM in caller and Action.RESOLVE not in caller
    assert Action.VIEW not in desk.permitted_actions(OTHER_CALLER, incident)
    analyst = desk.permitted_actions(ANALYST, incident)
    assert {Action.WORK, Action.RESOLVE, Action.HOLD} <= analyst
    assert Action.SET_MAJOR not in analyst
    assert Action.SET_MAJOR in desk.permitted_actions(MANAGER, incident)
    assert Action.OPEN_FROM_TRIGGER in desk.permitted_actions(AUTOMATION)
    assert Action.OPEN_FROM_TRIGGER not in desk.permitted_actions(Actor("x", Role.END_USER))


def test_manager_acts_only_on_managed_groups(desk: Desk, clock: Clock) -> None:
    incident = desk.open(ADMIN, "x", impact=2, urgency=2, workgroup="network", now=clock.now)
    with pytest.raises(PermissionDeniedError) as refused:
        desk.set_major(MANAGER, incident, now=clock.tick())
    assert refused.value.role is Role.MANAGER


def test_work_order_technician_works_only_the_task(desk: Desk, clock: Clock) -> None:
    from conftest import TECHNICIAN

    from incident_core import NewTask, WorkState

    incident = desk.start_work(ANALYST, opened(desk, clock), now=clock.tick())
    incident = desk.create_work_order(ANALYST, incident, "x", [NewTask("t", "onsite")],
                                      now=clock.tick())
    incident = desk.update_task(TECHNICIAN, incident, 1, 1, state=WorkState.IN_PROGRESS,
                                now=clock.tick())
    with pytest.raises(PermissionDeniedError):
        desk.resolve(TECHNICIAN, incident, code="x", notes="y", now=clock.tick())


def test_automation_updates_details_and_reprioritises(desk: Desk, clock: Clock) -> None:
    incident = desk.open(AUTOMATION, "Disk full", impact=3, urgency=3, now=clock.now)
    incident = desk.update_details(AUTOMATION, incident, service="storage", now=clock.tick())
    incident = desk.set_impact_urgency(AUTOMATION, incident, impact=1, now=clock.tick())
    assert (incident.service, incident.priority) == ("storage", 3)
    with pytest.raises(PermissionDeniedError):
        desk.assign(AUTOMATION, incident, workgroup="network", now=clock.tick())
