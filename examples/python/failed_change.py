"""An automation opens an incident from a failed change and works it to closure.

Run with the binding installed (see bindings-python/README.md):

    python examples/python/failed_change.py [incidents.db]

With a path the incidents are kept in that SQLite file, otherwise in memory. Each step
prints the incident's state; the SLA clocks are shown at the end.
"""

from __future__ import annotations

import datetime as dt
import sys

from incident_core import (
    Actor,
    Calendar,
    ChangeFailure,
    ClockKind,
    Desk,
    DeskConfig,
    Feedback,
    HoldReason,
    Incident,
    IncidentError,
    NewTask,
    PermissionDeniedError,
    Role,
    RoutingRule,
    SlaDefinition,
    SlaEngine,
    WorkState,
    Workgroup,
    WorkgroupKind,
)

CONFIG = DeskConfig(
    workgroups=[
        Workgroup("service-desk", "Service desk", members=["sam"]),
        Workgroup("mail", "Mail team", members=["mia"], managers=["max"], services=["mail"]),
        Workgroup("datacenter", "Data center", kind=WorkgroupKind.WORK_ORDER, members=["dan"]),
    ],
    default_workgroup="service-desk",
    routing_rules=[RoutingRule("mail service", workgroup="mail", service="mail")],
)
SLA = SlaEngine(
    {"office": Calendar.weekly("Europe/Amsterdam", windows=["08:00-18:00"])},
    [
        SlaDefinition("response", ClockKind.RESPONSE, dt.timedelta(minutes=30), "office"),
        SlaDefinition("resolution", ClockKind.RESOLUTION, dt.timedelta(hours=8), "office"),
    ],
)

change_bot = Actor("change-bot", Role.AUTOMATION)
owner = Actor("carol", Role.END_USER)
analyst = Actor("mia", Role.ANALYST)
technician = Actor("dan", Role.ANALYST)


def show(step: str, incident: Incident) -> None:
    print(f"{step:<28} {incident.number} {incident.state.value:<12} "
          f"group={incident.assignment_group} assignee={incident.assignee} v{incident.version}")


def main() -> None:
    desk = Desk.open(sys.argv[1], config=CONFIG) if len(sys.argv) > 1 else Desk(CONFIG)
    t = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)

    def minutes(m: int) -> dt.timedelta:
        return dt.timedelta(minutes=m)

    # The change process reports CHG0042 failed; the routing rule sends it to the mail team.
    incident = desk.open_from_failed_change(
        change_bot, "CHG0042", "Mail server upgrade failed: no mail delivered",
        failure=ChangeFailure.CAUSED_SERVICE_INTERRUPTION, service="mail",
        impact=1, urgency=2, caller=owner.id, idempotency_key="chg0042-failed", now=t,
    )
    show("opened from failed change", incident)
    print(f"  origin={incident.origin.kind} change={incident.origin.change_id} "
          f"priority={incident.priority!r}")

    # A retry of the same notification does nothing (same idempotency key).
    retry = desk.open_from_failed_change(
        change_bot, "CHG0042", "Mail server upgrade failed: no mail delivered",
        failure=ChangeFailure.CAUSED_SERVICE_INTERRUPTION, service="mail",
        impact=1, urgency=2, caller=owner.id, idempotency_key="chg0042-failed",
        now=t + minutes(1),
    )
    assert retry.id == incident.id

    # Automation may not resolve: the core refuses, typed.
    try:
        desk.resolve(change_bot, incident, code="x", notes="y", now=t + minutes(2))
    except PermissionDeniedError as refused:
        print(f"  refused: {refused.code} {refused.actor} may not {refused.action}")

    incident = desk.start_work(analyst, incident, now=t + minutes(10))
    show("analyst starts work", incident)
    incident = desk.create_work_order(
        analyst, incident, "Roll back the upgrade",
        [NewTask("restore snapshot of mx01", "datacenter")], now=t + minutes(15),
    )
    show("work order for data center", incident)
    incident = desk.update_task(technician, incident, 1, 1, state=WorkState.IN_PROGRESS,
                                now=t + minutes(20))
    incident = desk.update_task(technician, incident, 1, 1, state=WorkState.DONE,
                                now=t + minutes(55))
    show("rollback done", incident)
    incident = desk.hold(analyst, incident, HoldReason.AWAITING_CALLER, now=t + minutes(60))
    show("asks the owner to check", incident)
    incident = desk.comment(owner, incident, "Mail flows again, thanks", now=t + minutes(90))
    show("owner answers (resumes)", incident)
    incident = desk.resolve(analyst, incident, code="rolled back",
                            notes="upgrade rolled back; change re-planned", now=t + minutes(95))
    show("resolved", incident)
    incident = desk.confirm(owner, incident, feedback=Feedback(5, "fast"), now=t + minutes(120))
    show("owner confirms: closed", incident)

    for clock in SLA.status_of(desk, incident, now=t + minutes(120)):
        print(f"  SLA {clock.definition:<10} {clock.stage.value:<8} elapsed={clock.elapsed} "
              f"target={clock.target}")
    print(f"  audit trail: {len(desk.events(incident))} events")


if __name__ == "__main__":
    try:
        main()
    except IncidentError as error:
        sys.exit(f"{type(error).__name__} [{error.code}]: {error}")
