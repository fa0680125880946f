"""Threads sharing a desk, the SQLite store, and the export replay."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import List

import pytest
from conftest import ADMIN, ANALYST, CALLER, T0, config

from incident_core import (
    Actor,
    ConflictError,
    CorruptError,
    Desk,
    Incident,
    Role,
    State,
    StorageError,
    UnavailableError,
    ValidationError,
    replay_export,
)


def test_threads_share_one_desk() -> None:
    desk = Desk(config())
    opened: List[Incident] = []
    failures: List[BaseException] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        try:
            caller = Actor(f"user{k}", Role.END_USER)
            for i in range(25):
                when = T0 + dt.timedelta(minutes=i)
                incident = desk.open(caller, f"issue {k}.{i}", impact=2, urgency=2, now=when)
                incident = desk.start_work(ANALYST, incident, now=when)
                with lock:
                    opened.append(incident)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(opened) == 200
    assert len({i.number for i in opened}) == 200
    assert len(desk.query(states=[State.IN_PROGRESS])) == 200


def test_concurrent_writers_from_one_version_conflict() -> None:
    desk = Desk(config())
    incident = desk.open(CALLER, "race", impact=2, urgency=2, now=T0)
    barrier = threading.Barrier(4)
    outcomes: List[str] = []

    def writer(k: int) -> None:
        barrier.wait()
        try:
            desk.comment(ADMIN, incident, f"note {k}", expected_version=1,
                         now=T0 + dt.timedelta(minutes=1))
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["saved"]


def test_sqlite_store_keeps_incidents_across_desks(tmp_path: Path) -> None:
    path = tmp_path / "incidents.db"
    desk = Desk.open(path, config=config())
    assert "incidents.db" in repr(desk)
    incident = desk.open(CALLER, "Persisted", impact=1, urgency=1, now=T0)
    desk.start_work(ANALYST, incident, now=T0 + dt.timedelta(minutes=5))

    reopened = Desk.connect(str(path), config=config())
    again = reopened.incident(incident.id)
    assert (again.state, again.version, again.number) == (State.IN_PROGRESS, 2, "INC0000001")
    assert [e.version for e in reopened.events(incident)] == [1, 2, 2]


def test_sqlite_refuses_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "not.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises((CorruptError, StorageError)) as refused:
        Desk.open(path)
    assert refused.value.code in ("ERR_CORRUPT", "ERR_STORAGE")


def test_postgres_url_without_server_is_reported_not_panicked() -> None:
    with pytest.raises((UnavailableError, StorageError)):
        Desk.open("postgresql://nobody@127.0.0.1:1/none")


EXPORT = (
    "number,incident_state,reopen_count,sys_updated_at,impact,urgency,priority,"
    "assignment_group,assigned_to,closed_code\n"
    "INC1,New,0,1/3/2016 09:00,2 - Medium,2 - Medium,3 - Moderate,Group 1,?,code 6\n"
    "INC1,Active,0,1/3/2016 09:30,2 - Medium,2 - Medium,3 - Moderate,Group 1,Ann,code 6\n"
    "INC1,Resolved,0,1/3/2016 11:00,1 - High,2 - Medium,2 - High,Group 1,Ann,code 6\n"
    "INC2,New,0,2/3/2016 10:00,3 - Low,3 - Low,5 - Planning,Group 2,?,code 1\n"
)


def test_replay_of_an_export_file(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    desk = Desk()
    report = desk.replay_export(path)
    assert (report.incidents, report.priority_mismatches) == (2, 0)
    assert report.groups["Group 1"]["resolved"] == 1
    assert report.rows == 4
    assert len(desk.query()) == 2
    assert desk.query(states=[State.RESOLVED])[0].assignment_group is not None


def test_replay_of_a_missing_file_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        replay_export(tmp_path / "missing.csv")


def test_replay_of_something_else_is_a_validation_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValidationError):
        replay_export(path)


def test_real_export_if_present() -> None:
    data = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    path = data / "incident_event_log.csv.gz"
    if not path.exists():
        pytest.skip(f"skipped: {path} not found")
    report = replay_export(path)
    assert report.incidents > 20_000 and report.rows > 100_000


def test_postgres_store_when_a_server_is_given() -> None:
    import os
    import uuid

    url = os.environ.get("INCIDENT_PG_URL")
    if not url:
        pytest.skip("skipped: INCIDENT_PG_URL not set (see .ci/postgres.sh)")
    desk = Desk.open(url, config=config())
    title = f"pg {uuid.uuid4()}"
    incident = desk.open(CALLER, title, impact=2, urgency=2, now=T0)
    desk.start_work(ANALYST, incident, now=T0 + dt.timedelta(minutes=1))
    again = Desk.connect(url, config=config()).incident(incident.id)
    assert (again.short_description, again.state) == (title, State.IN_PROGRESS)


def test_native_work_releases_the_gil() -> None:
    import sys

    import workload

    opening, steps = workload.script()
    rows = workload.rows(20_000)
    engine = workload.sla_engine()
    desk = workload.desk()
    started = threading.Event()

    def batch() -> None:
        started.set()
        desk.run_script(opening, steps, rows, sla=engine, keep=False)

    # With a long switch interval the worker keeps the GIL until it gives it up itself, so
    # this thread can only run while the worker is inside the native call if the call
    # released the GIL; had it held it, this thread would first run after the worker ended.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.5)
    try:
        worker = threading.Thread(target=batch)
        worker.start()
        started.wait()
        spins = 0
        while worker.is_alive():
            spins += 1
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    assert spins > 100
