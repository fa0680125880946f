"""Shared fixtures: a desk with a directory, the personas, and a clock."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Iterator

import pytest

from incident_core import Actor, Desk, DeskConfig, Policy, Role, Workgroup, WorkgroupKind

BINDING = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BINDING / "bench"))

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


class Clock:
    """A test clock that moves forward by whole minutes."""

    def __init__(self) -> None:
        self.now = T0

    def tick(self, minutes: int = 1) -> dt.datetime:
        self.now += dt.timedelta(minutes=minutes)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


CALLER = Actor("ann", Role.END_USER)
OTHER_CALLER = Actor("bob", Role.END_USER)
ANALYST = Actor("alice", Role.ANALYST)
NETWORK_ANALYST = Actor("nick", Role.ANALYST)
MANAGER = Actor("mona", Role.MANAGER)
AUTOMATION = Actor("change-bot", Role.AUTOMATION)
ADMIN = Actor("root", Role.ADMINISTRATOR)
TECHNICIAN = Actor("otto", Role.ANALYST)


def config(**policy: object) -> DeskConfig:
    return DeskConfig(
        workgroups=[
            Workgroup("service-desk", "Service desk", members=["alice"], managers=["mona"]),
            Workgroup("network", "Network", members=["nick"]),
            Workgroup("onsite", "On-site", kind=WorkgroupKind.WORK_ORDER, members=["otto"]),
        ],
        default_workgroup="service-desk",
        policy=Policy(**policy),  # type: ignore[arg-type]
    )


@pytest.fixture
def desk() -> Iterator[Desk]:
    yield Desk(config())
