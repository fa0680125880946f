"""The SLA cases of issue 3 through the binding, with the same exact values."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from conftest import ADMIN, CALLER

from incident_core import (
    Actor,
    Calendar,
    ClockKind,
    ClockStage,
    Desk,
    DeskConfig,
    HoldReason,
    OnPriorityChange,
    Policy,
    Role,
    SlaDefinition,
    SlaEngine,
    ValidationError,
    Workgroup,
)

UTC = dt.timezone.utc
PARIS = ZoneInfo("Europe/Paris")
H = dt.timedelta(hours=1)


def at(zone: dt.tzinfo, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone)


def test_case_2_pause_over_the_weekend_credits_business_hours_only() -> None:
    calendar = Calendar.weekly("Europe/Paris", windows=["09:00-17:00"])
    engine = SlaEngine({"paris": calendar},
                       [SlaDefinition("fix", ClockKind.RESOLUTION, 8 * H, "paris")])
    desk = Desk()
    incident = desk.open(CALLER, "ERP slow", impact=2, urgency=2, now=at(PARIS, 2026, 3, 6, 10))
    desk.start_work(ADMIN, incident, now=at(PARIS, 2026, 3, 6, 11))
    desk.hold(ADMIN, incident, HoldReason.AWAITING_VENDOR, now=at(PARIS, 2026, 3, 6, 16))
    desk.resume(ADMIN, incident, now=at(PARIS, 2026, 3, 9, 10))
    [clock] = engine.status(desk.events(incident), now=at(PARIS, 2026, 3, 9, 10))
    assert clock.due_at == at(PARIS, 2026, 3, 9, 12)
    assert clock.elapsed == 6 * H and clock.stage is ClockStage.RUNNING
    assert engine.status_of(desk, incident, now=at(PARIS, 2026, 3, 9, 10)) == [clock]


def test_case_3_escalation_one_business_hour_before_the_deadline() -> None:
    calendar = Calendar.weekly("UTC", windows=["08:00-18:00"])
    definition = SlaDefinition("respond", ClockKind.RESPONSE, 4 * H, "office", warnings=[H])
    engine = SlaEngine({"office": calendar}, [definition])
    desk = Desk()
    monday = at(UTC, 2026, 3, 2, 17)
    incident = desk.open(CALLER, "Phone dead", impact=2, urgency=2, now=monday)
    [clock] = engine.status(desk.events(incident), now=monday)
    assert clock.due_at == at(UTC, 2026, 3, 3, 11)
    assert clock.warnings[0].at == at(UTC, 2026, 3, 3, 10)


def test_case_4_ola_follows_the_workgroup_sla_keeps_running() -> None:
    engine = SlaEngine(
        {"24x7": Calendar.always_on()},
        [
            SlaDefinition("sla", ClockKind.RESOLUTION, 2 * H, "24x7"),
            SlaDefinition("ola-g2", ClockKind.RESOLUTION, 1 * H, "24x7", workgroup="G2"),
        ],
    )
    desk = Desk(DeskConfig(workgroups=[Workgroup("G1"), Workgroup("G2")]))
    nine = at(UTC, 2026, 3, 2, 9)
    incident = desk.open(ADMIN, "Share gone", impact=2, urgency=2, workgroup="G1", now=nine)
    desk.assign(ADMIN, incident, workgroup="G2", now=nine + 1.5 * H)
    statuses = {s.definition: s for s in engine.status(desk.events(incident), now=nine + 1.5 * H)}
    assert statuses["sla"].due_at == at(UTC, 2026, 3, 2, 11)
    assert statuses["ola-g2"].due_at == at(UTC, 2026, 3, 2, 11, 30)
    assert statuses["ola-g2"].workgroup == "G2"


@pytest.mark.parametrize(
    ("policy", "due"),
    [(OnPriorityChange.CARRY_ELAPSED, (13, 10)), (OnPriorityChange.RESTART, (13, 20))],
)
def test_case_5_priority_change_policies(policy: OnPriorityChange, due: tuple) -> None:
    engine = SlaEngine(
        {"24x7": Calendar.always_on()},
        [
            SlaDefinition("p2", ClockKind.RESOLUTION, 4 * H, "24x7", priorities=[2],
                          on_priority_change=policy),
            SlaDefinition("p3", ClockKind.RESOLUTION, 8 * H, "24x7", priorities=[3],
                          on_priority_change=policy),
        ],
    )
    desk = Desk()
    nine = at(UTC, 2026, 3, 2, 9)
    minute = dt.timedelta(minutes=1)
    incident = desk.open(CALLER, "Printer", impact=2, urgency=2, now=nine)
    desk.start_work(ADMIN, incident, now=nine + 5 * minute)
    desk.hold(ADMIN, incident, HoldReason.AWAITING_VENDOR, now=nine + 10 * minute)
    desk.set_impact_urgency(ADMIN, incident, urgency=1, now=nine + 15 * minute)
    desk.resume(ADMIN, incident, now=nine + 20 * minute)
    [clock] = [s for s in engine.status(desk.events(incident), now=nine + 20 * minute)
               if s.stopped_at is None]
    assert clock.definition == "p2"
    assert clock.due_at == at(UTC, 2026, 3, 2, *due)


def test_case_6_reopen_excludes_time_resolved_and_closed() -> None:
    engine = SlaEngine({"24x7": Calendar.always_on()},
                       [SlaDefinition("fix", ClockKind.RESOLUTION, dt.timedelta(minutes=5),
                                      "24x7")])
    desk = Desk(DeskConfig(policy=Policy(reopen_closed_within=dt.timedelta(days=1))))
    ten = at(UTC, 2026, 3, 2, 10)
    minute = dt.timedelta(minutes=1)
    incident = desk.open(CALLER, "Login fails", impact=2, urgency=2, now=ten)
    desk.resolve(ADMIN, incident, code="fixed", notes="reset", now=ten + 2 * minute)
    desk.confirm(CALLER, incident, now=ten + 2 * minute)
    desk.reopen(CALLER, incident, "again", now=ten + 12 * minute)
    desk.resolve(ADMIN, incident, code="fixed", notes="reset", now=ten + 14 * minute)
    [clock] = engine.status(desk.events(incident), now=ten + 20 * minute)
    assert clock.elapsed == 4 * minute
    assert clock.stage is ClockStage.MET and not clock.breached


def test_case_7_london_windows_follow_local_time_across_dst_end() -> None:
    calendar = Calendar.weekly("Europe/London", windows=["08:30-17:30"])
    span = calendar.business_time(at(UTC, 2026, 10, 23, 7), at(UTC, 2026, 10, 26, 10))
    assert span == dt.timedelta(seconds=37_800)


def test_case_8_amsterdam_fall_back_and_spring_forward() -> None:
    always = Calendar.always_on("Europe/Amsterdam")
    start = dt.datetime(2026, 10, 25, 2, 0, tzinfo=dt.timezone(2 * H))
    assert always.add_business(start, H) == dt.datetime(2026, 10, 25, 2, 0,
                                                        tzinfo=dt.timezone(H))
    mornings = Calendar.weekly("Europe/Amsterdam", days=("mon", "tue", "wed", "thu", "fri",
                                                          "sat", "sun"), windows=["00:00-10:00"])
    ams = ZoneInfo("Europe/Amsterdam")
    fall = mornings.business_time(at(ams, 2026, 10, 25, 0), at(ams, 2026, 10, 26, 0))
    spring = mornings.business_time(at(ams, 2026, 3, 29, 0), at(ams, 2026, 3, 30, 0))
    assert (fall.total_seconds(), spring.total_seconds()) == (39_600, 32_400)


def test_case_9_date_override_short_day() -> None:
    calendar = Calendar.weekly("UTC", windows=["08:00-18:00"],
                               overrides={dt.date(2026, 12, 24): ["08:00-13:00"]})
    day = calendar.business_time(at(UTC, 2026, 12, 24, 0), at(UTC, 2026, 12, 25, 0))
    assert day == 5 * H


def test_calendar_queries_and_naive_refusal() -> None:
    calendar = Calendar.weekly("UTC", windows=["08:00-18:00"], holidays=[dt.date(2026, 3, 3)])
    assert calendar.is_working(at(UTC, 2026, 3, 2, 9))
    assert not calendar.is_working(at(UTC, 2026, 3, 3, 9))
    assert calendar.next_working(at(UTC, 2026, 3, 2, 18)) == at(UTC, 2026, 3, 4, 8)
    assert calendar.sub_business(at(UTC, 2026, 3, 4, 9), 2 * H) == at(UTC, 2026, 3, 2, 17)
    with pytest.raises(ValidationError):
        calendar.is_working(dt.datetime(2026, 3, 2, 9))
    with pytest.raises(ValidationError):
        Calendar.weekly("Mars/Olympus")


def test_next_due_instant_over_incidents() -> None:
    engine = SlaEngine({"24x7": Calendar.always_on()},
                       [SlaDefinition("fix", ClockKind.RESOLUTION, 2 * H, "24x7", warnings=[50])])
    desk = Desk()
    nine = at(UTC, 2026, 3, 2, 9)
    a = desk.open(CALLER, "a", impact=2, urgency=2, now=nine)
    b = desk.open(CALLER, "b", impact=2, urgency=2, now=nine + H)
    events = [desk.events(a), desk.events(b)]
    assert engine.next_due_instant(events, now=nine) == nine + H
    assert engine.next_due_instant(events, now=nine + 1.5 * H) == nine + 2 * H
    explained = engine.explain(events[0], 0, now=nine + H)
    assert explained["status"]["definition"] == "fix"


def test_desk_with_sla_reads_clocks_from_its_store() -> None:
    engine = SlaEngine({"24x7": Calendar.always_on()},
                       [SlaDefinition("fix", ClockKind.RESOLUTION, 2 * H, "24x7")])
    desk = Desk(sla=engine)
    nine = at(UTC, 2026, 3, 2, 9)
    incident = desk.open(CALLER, "a", impact=2, urgency=2, now=nine)
    [clock] = desk.sla_status(incident, now=nine + 3 * H)
    assert (clock.stage, clock.elapsed, clock.breached) == (ClockStage.BREACHED, 3 * H, True)
    assert clock.breached_at == nine + 2 * H + dt.timedelta(seconds=1)
    assert desk.next_sla_due(now=nine) == nine + H
    assert desk.explain_deadline(incident, 0, now=nine)["status"]["definition"] == "fix"


def test_desk_without_sla_says_so() -> None:
    from incident_core import ConfigurationError

    desk = Desk()
    incident = desk.open(CALLER, "a", impact=2, urgency=2, now=at(UTC, 2026, 3, 2, 9))
    with pytest.raises(ConfigurationError):
        desk.sla_status(incident)
