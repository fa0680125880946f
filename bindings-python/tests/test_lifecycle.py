"""Every lifecycle rule, through the binding (the rules themselves live in the core)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ADMIN, ANALYST, AUTOMATION, CALLER, MANAGER, NETWORK_ANALYST, TECHNICIAN
from conftest import Clock, config

from incident_core import (
    ChangeFailure,
    ChangeType,
    Channel,
    Desk,
    Feedback,
    HoldReason,
    Incident,
    InvalidTransitionError,
    NewTask,
    Priority,
    Rule,
    RuleViolationError,
    State,
    ValidationError,
    WorkState,
)


def opened(desk: Desk, clock: Clock, **fields: object) -> Incident:
    options = {"impact": 2, "urgency": 2, **fields}
    return desk.open(CALLER, "Printer jams", now=clock.now, **options)  # type: ignore[arg-type]


def in_progress(desk: Desk, clock: Clock) -> Incident:
    incident = opened(desk, clock)
    return desk.start_work(ANALYST, incident, now=clock.tick())


def test_open_derives_priority_and_routes_to_the_default_group(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock, impact=1, urgency=2, channel=Channel.PHONE)
    assert incident.number == "INC0000001"
    assert (incident.state, incident.priority) == (State.NEW, Priority.HIGH)
    assert incident.assignment_group == "service-desk"
    assert incident.caller == "ann" and incident.channel is Channel.PHONE
    assert incident.opened_at == clock.now and incident.opened_at.tzinfo is not None
    assert incident.version == 1


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [(1, 1, 1), (1, 2, 2), (2, 1, 2), (1, 3, 3), (2, 2, 3), (3, 1, 3), (2, 3, 4), (3, 2, 4),
     (3, 3, 5)],
)
def test_itil_matrix(desk: Desk, clock: Clock, impact: int, urgency: int, priority: int) -> None:
    assert opened(desk, clock, impact=impact, urgency=urgency).priority == priority


def test_impact_outside_the_matrix_is_a_validation_error(desk: Desk, clock: Clock) -> None:
    with pytest.raises(ValidationError) as refused:
        opened(desk, clock, impact=4)
    assert refused.value.field == "impact"


def test_blank_summary_is_refused(desk: Desk, clock: Clock) -> None:
    with pytest.raises(ValidationError) as refused:
        desk.open(CALLER, "  ", impact=2, urgency=2, now=clock.now)
    assert refused.value.field == "short_description"


def test_assign_then_reassign_counts_a_reassignment(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    incident = desk.assign(MANAGER, incident, assignee="alice", now=clock.tick())
    assert (incident.state, incident.assignee) == (State.ASSIGNED, "alice")
    incident = desk.assign(ANALYST, incident, workgroup="network", now=clock.tick())
    assert incident.assignment_group == "network" and incident.assignee is None
    assert incident.reassignment_count == 1
    assert [v.workgroup for v in incident.visits] == ["service-desk", "network"]


def test_assigning_a_non_member_is_a_rule_violation(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    with pytest.raises(RuleViolationError) as refused:
        desk.assign(MANAGER, incident, assignee="nick", now=clock.tick())
    assert refused.value.rule is Rule.NOT_A_MEMBER


def test_start_work_takes_the_incident(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    assert (incident.state, incident.assignee) == (State.IN_PROGRESS, "alice")


def test_hold_needs_a_reason_and_resume_returns_to_work(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.hold(ANALYST, incident, HoldReason.AWAITING_VENDOR, now=clock.tick())
    assert (incident.state, incident.hold_reason) == (State.ON_HOLD, HoldReason.AWAITING_VENDOR)
    incident = desk.resume(ANALYST, incident, now=clock.tick())
    assert (incident.state, incident.hold_reason) == (State.IN_PROGRESS, None)
    with pytest.raises(ValidationError):
        desk.hold(ANALYST, incident, " ", now=clock.tick())
    custom = desk.hold(ANALYST, incident, "waiting for spare part", now=clock.tick())
    assert custom.hold_reason == "waiting for spare part"


def test_callers_comment_resumes_an_incident_awaiting_them(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.hold(ANALYST, incident, HoldReason.AWAITING_CALLER, now=clock.tick())
    incident = desk.comment(CALLER, incident, "here is the log", now=clock.tick())
    assert incident.state is State.IN_PROGRESS
    assert incident.comments[-1].text == "here is the log"


def test_resume_when_not_on_hold_is_an_invalid_transition(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    with pytest.raises(InvalidTransitionError) as refused:
        desk.resume(ANALYST, incident, now=clock.tick())
    assert (refused.value.from_state, refused.value.to_state) == (
        State.IN_PROGRESS, State.IN_PROGRESS,
    )


def test_resolve_confirm_closes_with_feedback(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.resolve(ANALYST, incident, code="fixed", notes="new toner", now=clock.tick())
    assert incident.state is State.RESOLVED
    assert incident.resolution is not None and incident.resolution.resolved_by == "alice"
    assert incident.auto_close_at == clock.now + dt.timedelta(days=7)
    incident = desk.confirm(CALLER, incident, feedback=Feedback(5, "quick"), now=clock.tick())
    assert (incident.state, incident.confirmed) == (State.CLOSED, True)
    assert incident.feedback == Feedback(5, "quick")
    assert incident.closed_at == clock.now


def test_resolve_needs_code_and_notes(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    with pytest.raises(ValidationError) as refused:
        desk.resolve(ANALYST, incident, code="", notes="x", now=clock.tick())
    assert refused.value.field == "code"


def test_feedback_rating_must_be_within_one_to_five(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.resolve(ANALYST, incident, code="fixed", notes="ok", now=clock.tick())
    with pytest.raises(ValidationError) as refused:
        desk.give_feedback(CALLER, incident, 6, now=clock.tick())
    assert refused.value.field == "rating"


def test_reopen_resolved_goes_back_to_the_resolving_group(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.resolve(ANALYST, incident, code="fixed", notes="ok", now=clock.tick())
    incident = desk.reopen(CALLER, incident, "still broken", now=clock.tick())
    assert (incident.state, incident.reopen_count) == (State.ASSIGNED, 1)
    assert incident.assignment_group == "service-desk" and incident.resolution is None


def test_closed_incidents_cannot_be_reopened_by_default(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.resolve(ANALYST, incident, code="fixed", notes="ok", now=clock.tick())
    incident = desk.confirm(CALLER, incident, now=clock.tick())
    with pytest.raises(RuleViolationError) as refused:
        desk.reopen(CALLER, incident, "again", now=clock.tick())
    assert refused.value.rule is Rule.REOPEN_WINDOW


def test_reopen_window_from_policy(clock: Clock) -> None:
    desk = Desk(config(reopen_closed_within=dt.timedelta(days=2)))
    incident = in_progress(desk, clock)
    incident = desk.resolve(ANALYST, incident, code="fixed", notes="ok", now=clock.tick())
    incident = desk.confirm(CALLER, incident, now=clock.tick())
    incident = desk.reopen(CALLER, incident, "again", now=clock.tick(60 * 24))
    assert incident.state is State.ASSIGNED


def test_auto_close_only_when_due(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.resolve(ANALYST, incident, code="fixed", notes="ok", now=clock.tick())
    with pytest.raises(RuleViolationError) as refused:
        desk.auto_close(AUTOMATION, incident, now=clock.tick())
    assert refused.value.rule is Rule.CLOSE_NOT_DUE
    closed = desk.close_due(AUTOMATION, now=clock.now + dt.timedelta(days=8))
    assert [i.id for i in closed] == [incident.id]
    assert closed[0].state is State.CLOSED


def test_major_incidents_never_auto_close(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.set_major(MANAGER, incident, now=clock.tick())
    incident = desk.resolve(ANALYST, incident, code="fixed", notes="ok", now=clock.tick())
    assert incident.auto_close_at is None
    with pytest.raises(RuleViolationError) as refused:
        desk.auto_close(AUTOMATION, incident, now=clock.tick(60 * 24 * 30))
    assert refused.value.rule is Rule.MAJOR_INCIDENT


def test_cancel_is_terminal(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    incident = desk.cancel(ANALYST, incident, "duplicate", now=clock.tick())
    assert (incident.state, incident.cancel_reason) == (State.CANCELED, "duplicate")
    with pytest.raises(InvalidTransitionError):
        desk.start_work(ANALYST, incident, now=clock.tick())


def test_priority_follows_impact_unless_overridden(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    incident = desk.set_impact_urgency(ANALYST, incident, urgency=1, now=clock.tick())
    assert incident.priority == Priority.HIGH
    incident = desk.override_priority(MANAGER, incident, 4, now=clock.tick())
    assert (incident.priority, incident.priority_overridden) == (4, True)
    incident = desk.set_impact_urgency(ANALYST, incident, impact=1, now=clock.tick())
    assert incident.priority == 4
    incident = desk.override_priority(MANAGER, incident, None, now=clock.tick())
    assert (incident.priority, incident.priority_overridden) == (1, False)


def test_no_change_is_refused(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    with pytest.raises(RuleViolationError) as refused:
        desk.set_impact_urgency(ANALYST, incident, impact=2, urgency=2, now=clock.tick())
    assert refused.value.rule is Rule.NO_CHANGE


def test_work_orders_block_resolution_until_finished(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.create_work_order(
        ANALYST, incident, "Replace switch", [NewTask("swap unit", "onsite")], now=clock.tick()
    )
    assert incident.work_orders[0].state is WorkState.OPEN
    with pytest.raises(RuleViolationError) as refused:
        desk.resolve(ANALYST, incident, code="fixed", notes="ok", now=clock.tick())
    assert refused.value.rule is Rule.OPEN_WORK_ORDERS
    incident = desk.update_task(TECHNICIAN, incident, 1, 1, state=WorkState.IN_PROGRESS,
                                now=clock.tick())
    incident = desk.update_task(TECHNICIAN, incident, 1, 1, state=WorkState.DONE, now=clock.tick())
    assert incident.work_orders[0].state is WorkState.DONE
    incident = desk.resolve(ANALYST, incident, code="fixed", notes="ok", now=clock.tick())
    assert incident.state is State.RESOLVED


def test_tasks_go_to_work_order_groups(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    with pytest.raises(RuleViolationError) as refused:
        desk.create_work_order(ANALYST, incident, "x", [NewTask("t", "network")],
                               now=clock.tick())
    assert refused.value.rule is Rule.WRONG_WORKGROUP_KIND


def test_cancelled_work_order_is_finished(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.create_work_order(ANALYST, incident, "x", [NewTask("t", "onsite")],
                                      now=clock.tick())
    incident = desk.cancel_work_order(ANALYST, incident, 1, "not needed", now=clock.tick())
    assert incident.work_orders[0].state is WorkState.CANCELLED
    with pytest.raises(RuleViolationError) as refused:
        desk.cancel_work_order(ANALYST, incident, 1, "again", now=clock.tick())
    assert refused.value.rule is Rule.WORK_ORDER_FINISHED


def test_time_cannot_go_backwards(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    with pytest.raises(ValidationError) as refused:
        desk.start_work(ANALYST, incident, now=clock.now - dt.timedelta(minutes=1))
    assert refused.value.field == "now"


def test_open_from_failed_change_keeps_the_causal_link(desk: Desk, clock: Clock) -> None:
    incident = desk.open_from_failed_change(
        AUTOMATION, "CHG0042", "Upgrade broke mail", failure=ChangeFailure.FAILED,
        service="mail", impact=1, urgency=1, now=clock.now,
    )
    assert incident.origin.kind == "failed_change" and incident.origin.change_id == "CHG0042"
    assert (incident.channel, incident.priority, incident.service) == (
        Channel.AUTOMATION, Priority.CRITICAL, "mail",
    )


def test_events_rebuild_the_trail(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    events = desk.events(incident)
    assert [e.type for e in events] == [
        ChangeType.OPENED, ChangeType.ASSIGNED, ChangeType.STATE_CHANGED,
    ]
    assert events[0].data["incident"].number == incident.number
    assert events[-1].data["from"] is State.NEW and events[-1].data["to"] is State.IN_PROGRESS
    assert events[-1].actor == ANALYST and events[-1].version == 2


def test_idempotency_key_replays_and_refuses_reuse(desk: Desk, clock: Clock) -> None:
    from incident_core import Command

    first = desk.submit(CALLER, Command.open("VPN", impact=2, urgency=2), idempotency_key="k1",
                        now=clock.now)
    again = desk.submit(CALLER, Command.open("VPN", impact=2, urgency=2), idempotency_key="k1",
                        now=clock.tick())
    assert again.replayed and again.incident == first.incident
    assert len(desk.query()) == 1
    with pytest.raises(RuleViolationError) as refused:
        desk.submit(CALLER, Command.open("Other", impact=2, urgency=2), idempotency_key="k1",
                    now=clock.tick())
    assert refused.value.rule is Rule.IDEMPOTENCY_KEY_REUSED


def test_queries(desk: Desk, clock: Clock) -> None:
    a = opened(desk, clock)
    b = in_progress(desk, clock)
    assert [i.id for i in desk.query(states=[State.IN_PROGRESS])] == [b.id]
    assert len(desk.query(caller="ann")) == 2
    assert desk.query(limit=1)[0].id == a.id
    assert desk.incident_by_number(b.number) == desk.incident(b.id)
    assert desk.view(CALLER, b) == b


def test_execute_many_refers_to_earlier_steps(desk: Desk, clock: Clock) -> None:
    from incident_core import Command

    steps = [
        (None, Command.open("Batch", impact=3, urgency=3), clock.now),
        (0, Command.start_work(), clock.tick()),
        (1, Command.resolve(code="fixed", notes="ok"), clock.tick()),
    ]
    done = desk.execute_many(ADMIN, steps)
    assert [i.state for i in done] == [State.NEW, State.IN_PROGRESS, State.RESOLVED]
    assert desk.incident(done[0].id).state is State.RESOLVED
    with pytest.raises(ValidationError):
        desk.execute_many(ADMIN, [(5, Command.start_work(), clock.tick())])


def test_routing_rules_pick_the_workgroup_and_route_moves_it(clock: Clock) -> None:
    from incident_core import DeskConfig, RoutingRule, Workgroup

    desk = Desk(DeskConfig(
        workgroups=[Workgroup("service-desk", members=["alice"]),
                    Workgroup("network", members=["nick"])],
        routing_rules=[RoutingRule("vpn", workgroup="network", category="vpn")],
    ))
    routed = desk.open(CALLER, "VPN drops", impact=2, urgency=2, category="vpn", now=clock.now)
    assert routed.assignment_group == "network"
    other = desk.open(CALLER, "Printer", impact=2, urgency=2, now=clock.tick())
    assert other.assignment_group == "service-desk"
    other = desk.update_details(ANALYST, other, category="vpn", now=clock.tick())
    assert other.category == "vpn"
    other = desk.route(ANALYST, other, now=clock.tick())
    assert (other.assignment_group, other.state) == ("network", State.ASSIGNED)


def test_update_details_needs_a_change(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    with pytest.raises(RuleViolationError) as refused:
        desk.update_details(ANALYST, incident, now=clock.tick())
    assert refused.value.rule is Rule.NO_CHANGE


def test_no_comment_on_a_canceled_incident(desk: Desk, clock: Clock) -> None:
    incident = opened(desk, clock)
    incident = desk.cancel(ANALYST, incident, "duplicate", now=clock.tick())
    with pytest.raises(InvalidTransitionError):
        desk.comment(CALLER, incident, "hello?", now=clock.tick())


def test_cancel_cancels_open_work_orders(desk: Desk, clock: Clock) -> None:
    incident = in_progress(desk, clock)
    incident = desk.create_work_order(ANALYST, incident, "x", [NewTask("t", "onsite")],
                                      now=clock.tick())
    incident = desk.cancel(ANALYST, incident, "wrong incident", now=clock.tick())
    assert incident.work_orders[0].state is WorkState.CANCELLED
    assert incident.work_orders[0].tasks[0].state is WorkState.CANCELLED


def test_reassigning_work_in_progress_hands_it_back_to_assigned(
    desk: Desk, clock: Clock
) -> None:
    incident = in_progress(desk, clock)
    incident = desk.assign(ANALYST, incident, workgroup="network", now=clock.tick())
    assert incident.assignment_group == "network" and incident.assignee is None
    assert (incident.state, incident.reassignment_count) == (State.ASSIGNED, 1)
    incident = desk.hold(NETWORK_ANALYST, incident, HoldReason.AWAITING_VENDOR,
                         now=clock.tick())
    assert incident.state is State.ON_HOLD
