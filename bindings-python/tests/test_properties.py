"""Property tests: calendar arithmetic and value round trips hold for any input."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from incident_core import (
    Actor,
    Calendar,
    Command,
    Desk,
    DeskConfig,
    HoldReason,
    IncidentError,
    Role,
    ValidationError,
    Workgroup,
)

UTC = dt.timezone.utc
CALENDAR = Calendar.weekly("Europe/Amsterdam", windows=["08:00-12:00", "13:00-18:00"],
                           holidays=[dt.date(2026, 4, 6), "12-25"])
instants = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 1, 1),
                        timezones=st.just(UTC)).map(lambda t: t.replace(microsecond=0))


@settings(max_examples=200, deadline=None)
@given(instants, instants, instants)
def test_business_time_is_additive_over_splits(a: dt.datetime, b: dt.datetime,
                                               c: dt.datetime) -> None:
    a, b, c = sorted((a, b, c))
    total = CALENDAR.business_time(a, c)
    assert total == CALENDAR.business_time(a, b) + CALENDAR.business_time(b, c)
    assert total >= dt.timedelta(0)


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(min_value=1, max_value=400 * 3600))
def test_adding_business_time_then_measuring_it_gives_it_back(start: dt.datetime,
                                                               seconds: int) -> None:
    duration = dt.timedelta(seconds=seconds)
    end = CALENDAR.add_business(start, duration)
    assert end > start and CALENDAR.business_time(start, end) == duration
    assert CALENDAR.is_working(end - dt.timedelta(seconds=1))


text = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")


@settings(max_examples=100, deadline=None)
@given(st.one_of(
    st.builds(lambda d, i, u: Command.open(d, impact=i, urgency=u), text,
              st.integers(1, 9), st.integers(1, 9)),
    st.builds(lambda g, a: Command.assign(workgroup=g, assignee=a),
              st.none() | text, st.none() | text),
    st.builds(Command.hold, st.sampled_from(list(HoldReason)) | text),
    st.builds(lambda c, n: Command.resolve(code=c, notes=n), text, text),
    st.builds(Command.comment, text),
))
def test_commands_round_trip_through_json(command: Command) -> None:
    assert Command.from_json(command.to_json()) == command


@settings(deadline=None)
@given(st.datetimes(timezones=st.none()))
def test_every_naive_datetime_is_refused(naive: dt.datetime) -> None:
    try:
        CALENDAR.is_working(naive)
    except ValidationError as refused:
        assert refused.field == "at"
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("a naive datetime was accepted")


ACTORS = st.sampled_from([
    Actor("ann", Role.END_USER), Actor("alice", Role.ANALYST), Actor("mona", Role.MANAGER),
    Actor("change-bot", Role.AUTOMATION), Actor("root", Role.ADMINISTRATOR),
])
COMMANDS = st.sampled_from([
    Command.assign(workgroup="network"), Command.assign(assignee="alice"),
    Command.start_work(), Command.hold(HoldReason.AWAITING_CALLER), Command.resume(),
    Command.comment("update"), Command.resolve(code="fixed", notes="done"),
    Command.confirm(), Command.reopen("again"), Command.cancel("dup"),
    Command.set_major(True), Command.override_priority(1),
    Command.set_impact_urgency(urgency=1), Command.auto_close(),
])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(ACTORS, COMMANDS), max_size=12))
def test_refused_commands_change_nothing(script: list) -> None:  # type: ignore[type-arg]
    desk = Desk(DeskConfig(workgroups=[
        Workgroup("service-desk", members=["alice"], managers=["mona"]),
        Workgroup("network", members=["alice"]),
    ]))
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    incident = desk.open(Actor("ann", Role.END_USER), "x", impact=2, urgency=2, now=now)
    for actor, command in script:
        now += dt.timedelta(minutes=1)
        before = desk.incident(incident)
        try:
            after = desk.execute(actor, incident, command, now=now)
        except IncidentError as refused:
            assert refused.code.startswith("ERR_") and refused.code != "ERR_INTERNAL"
            assert desk.incident(incident) == before
        else:
            assert after.version == before.version + 1
            assert len(desk.events(incident)) > 0
