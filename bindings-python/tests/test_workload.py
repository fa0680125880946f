"""The workload of ../shared/peers/workload.md through the binding equals the oracle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import workload

from incident_core import ClockKind

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
