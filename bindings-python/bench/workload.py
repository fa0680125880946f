"""The lifecycle workload of ../shared/peers/workload.md through the Python binding.

Usage: python bench/workload.py N [--store]

Prints the oracle's line on stdout and the run time on stderr. The generator runs in
Python (the LCG draws of workload.md); the lifecycle of every incident then runs in one
native call (``Desk.run_script``): each command is decided by the core (permissions,
lifecycle) against the desk's configuration and the SLA clocks are computed from each
incident's events. With ``--store`` the incidents and events are also saved in the desk's
in-memory store; without it nothing is kept, as in the peers.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import List, Tuple

from incident_core import (
    Actor,
    Calendar,
    ClockKind,
    Command,
    Desk,
    DeskConfig,
    HoldReason,
    Policy,
    Role,
    ScriptReport,
    ScriptStep,
    SlaDefinition,
    SlaEngine,
    Workgroup,
)

MASK = (1 << 64) - 1
BASE = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp())
HOLIDAYS = [
    dt.date(2026, 1, 1), dt.date(2026, 4, 6), dt.date(2026, 4, 27), dt.date(2026, 5, 14),
    dt.date(2026, 5, 25), dt.date(2026, 12, 25), dt.date(2026, 12, 26), dt.date(2027, 1, 1),
]
RESPONSE_MINUTES = {1: 15, 2: 30, 3: 120, 4: 240, 5: 480}
RESOLUTION_HOURS = {1: 4, 2: 8, 3: 24, 4: 40, 5: 80}


def rows(n: int) -> List[int]:
    """The workload's draws as script rows: opened_at, impact, urgency, 7 gaps (seconds).

    Nine LCG draws per incident in the order of workload.md, unrolled (this loop is the
    Python share of the run time).
    """
    a, c, mask = 6364136223846793005, 1442695040888963407, MASK
    x = 42
    out: List[int] = []
    extend = out.extend
    for i in range(n):
        x = (x * a + c) & mask
        d0 = x >> 33
        x = (x * a + c) & mask
        d1 = x >> 33
        x = (x * a + c) & mask
        d2 = x >> 33
        x = (x * a + c) & mask
        d3 = x >> 33
        x = (x * a + c) & mask
        d4 = x >> 33
        x = (x * a + c) & mask
        d5 = x >> 33
        x = (x * a + c) & mask
        d6 = x >> 33
        x = (x * a + c) & mask
        d7 = x >> 33
        x = (x * a + c) & mask
        d8 = x >> 33
        extend((
            BASE + 420 * i,  # opened i * 7 minutes after the start
            1 + d0 % 3,  # impact
            1 + d1 % 3,  # urgency
            60 * (1 + d2 % 30),  # assign to service-desk
            60 * (5 + d3 % 240),  # reassign to network
            60 * (1 + d4 % 120),  # start work
            60 * (10 + d5 % 600),  # on hold
            60 * (30 + d6 % 2880),  # back to work after hold_len
            60 * (10 + d7 % 1440),  # resolve
            60 * (60 + d8 % 4320),  # close
        ))
    return out


def sla_engine() -> SlaEngine:
    """Business hours Mon-Fri 08:00-18:00 Amsterdam with the holidays; P1..P5 targets."""
    calendar = Calendar.weekly("Europe/Amsterdam", windows=["08:00-18:00"], holidays=HOLIDAYS)
    definitions = [
        SlaDefinition(f"response-p{p}", ClockKind.RESPONSE, dt.timedelta(minutes=m),
                      "business", priorities=[p])
        for p, m in RESPONSE_MINUTES.items()
    ] + [
        SlaDefinition(f"resolution-p{p}", ClockKind.RESOLUTION, dt.timedelta(hours=h),
                      "business", priorities=[p])
        for p, h in RESOLUTION_HOURS.items()
    ]
    return SlaEngine({"business": calendar}, definitions)


def script() -> Tuple[ScriptStep, List[ScriptStep]]:
    """open -> service-desk -> network -> start -> hold -> resume -> resolve -> close."""
    desk_agent = Actor("sam", Role.ANALYST)
    network = Actor("nina", Role.ANALYST)
    caller = Actor("carl", Role.END_USER)
    opening = ScriptStep(caller, Command.open("Cannot reach the VPN", impact=3, urgency=3))
    steps = [
        ScriptStep(desk_agent, Command.assign(workgroup="service-desk")),
        ScriptStep(desk_agent, Command.assign(workgroup="network")),
        ScriptStep(network, Command.start_work()),
        ScriptStep(network, Command.hold(HoldReason.AWAITING_CALLER)),
        ScriptStep(network, Command.resume()),
        ScriptStep(network, Command.resolve(code="solved", notes="tunnel restarted")),
        ScriptStep(caller, Command.confirm()),
    ]
    return opening, steps


def desk() -> Desk:
    """A desk whose new incidents wait in an intake group, with the two workgroups."""
    return Desk(DeskConfig(
        workgroups=[
            Workgroup("intake", "Intake", members=["sam"]),
            Workgroup("service-desk", "Service desk", members=["sam"]),
            Workgroup("network", "Network", members=["nina"]),
        ],
        default_workgroup="intake",
        policy=Policy(auto_close_after=None),
    ))


def run(n: int, *, keep: bool = False) -> ScriptReport:
    """Runs the workload for ``n`` incidents on a fresh in-memory desk; with ``keep`` the
    incidents and their audit trails are saved in it, otherwise it is a what-if run (the
    same decisions, nothing stored), like the peers and the core's own workload example."""
    opening, steps = script()
    return desk().run_script(opening, steps, rows(n), sla=sla_engine(), keep=keep)


def line(n: int, report: ScriptReport) -> str:
    """The oracle's output line."""
    response = report.by_kind[ClockKind.RESPONSE]
    resolution = report.by_kind[ClockKind.RESOLUTION]
    return (
        f"incidents={n} response_breaches={response.breached} "
        f"resolution_breaches={resolution.breached} "
        f"response_business_s={response.elapsed_seconds} "
        f"resolution_business_s={resolution.elapsed_seconds}"
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 10000
    began = time.perf_counter()
    report = run(n, keep="--store" in sys.argv)
    took = time.perf_counter() - began
    print(line(n, report))
    print(f"seconds={took:.3f} incidents_per_s={n / took:.0f}", file=sys.stderr)


if __name__ == "__main__":
    main()
