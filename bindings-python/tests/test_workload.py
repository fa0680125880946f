"""The workload of ../shared/peers/workload.md through the binding equals the oracle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import workload

from incident_core import ClockKind, State

ORACLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "peers" / "oracle.py"
LINE_80000 = (
    "incidents=80000 response_breaches=17011 resolution_breaches=11728 "
    "response_business_s=277198320 resolution_business_s=1727661180"
)


def test_80000_incidents_give_the_published_line() -> None:
    report = workload.run(80_000)
    assert workload.line(80_000, report) == LINE_80000
    assert report.commands == 8 * 80_000
    assert report.by_kind[ClockKind.RESPONSE].clocks == 80_000


def test_no_incidents_give_the_oracles_zero_line() -> None:
    report = workload.run(0)
    assert workload.line(0, report) == (
        "incidents=0 response_breaches=0 resolution_breaches=0 "
        "response_business_s=0 resolution_business_s=0"
    )


def test_stored_run_gives_the_same_line_and_keeps_the_incidents() -> None:
    opening, steps = workload.script()
    desk = workload.desk()
    report = desk.run_script(opening, steps, workload.rows(300), sla=workload.sla_engine())
    assert workload.line(300, report) == workload.line(300, workload.run(300))
    closed = desk.query(states=[State.CLOSED])
    assert len(closed) == 300 and closed[-1].number == "INC0000300"
    assert [e.version for e in desk.events(closed[0])] == [1, 2, 2, 3, 4, 4, 5, 6, 7, 7, 8, 8]


def test_small_n_equals_the_oracle_run_here() -> None:
    if not ORACLE.exists():
        pytest.skip(f"skipped: {ORACLE} not found")
    n = 150
    oracle = subprocess.run([sys.executable, str(ORACLE), str(n)], check=True,
                            capture_output=True, text=True).stdout.strip()
    assert workload.line(n, workload.run(n)) == oracle


def test_bench_script_prints_the_line() -> None:
    script = Path(workload.__file__)
    done = subprocess.run([sys.executable, str(script), "500"], check=True,
                          capture_output=True, text=True)
    assert done.stdout.startswith("incidents=500 response_breaches=")
    assert "incidents_per_s=" in done.stderr
