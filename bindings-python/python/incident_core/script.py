"""Scripted batches: one lifecycle script run over many incidents in one native call.

A Python loop calling the desk per command pays the interpreter on every call. For
simulations, load tests and what-if studies, :func:`run_script` takes the script once
(an opening and the steps that follow, each with its actor) and a flat list of rows giving
each incident's opening instant, impact, urgency and the gaps between steps; the native
side then drives the same desk, so every command is still decided by the core and saved in
the desk's store, and SLA clocks are computed from each incident's events.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence

from .commands import Command
from .model import Actor
from .sla import ClockKind, SlaEngine

if TYPE_CHECKING:
    from .desk import Desk

__all__ = ["ClockTotals", "ScriptReport", "ScriptStep", "run_script"]


@dataclasses.dataclass(frozen=True)
class ScriptStep:
    """One command of a script and who issues it."""

    actor: Actor
    command: Command

    def to_wire(self) -> Any:
        """The native module's JSON form: ``[actor, command]``."""
        return [self.actor.to_wire(), self.command.to_wire()]


@dataclasses.dataclass(frozen=True)
class ClockTotals:
    """SLA clocks of one kind over a batch: how many, how many breached, elapsed sum."""

    clocks: int
    breached: int
    elapsed_seconds: int

    @property
    def elapsed(self) -> _dt.timedelta:
        """The summed elapsed business time."""
        return _dt.timedelta(seconds=self.elapsed_seconds)


@dataclasses.dataclass(frozen=True)
class ScriptReport:
    """What a scripted batch did."""

    incidents: int
    commands: int
    #: Totals per clock kind; every kind is present (zeros when none of its clocks ran).
    by_kind: Mapping[ClockKind, ClockTotals]

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> ScriptReport:
        """From the native module's JSON form."""
        # Every kind is present, with zeros when no clock of it ran (an empty batch).
        by_kind: Dict[ClockKind, ClockTotals] = {kind: ClockTotals(0, 0, 0) for kind in ClockKind}
        for kind, t in d["by_kind"].items():
            by_kind[ClockKind(kind)] = ClockTotals(t["clocks"], t["breached"], t["elapsed_seconds"])
        return cls(d["incidents"], d["commands"], by_kind)


def run_script(
    desk: Desk,
    opening: ScriptStep,
    steps: Sequence[ScriptStep],
    rows: Sequence[int],
    *,
    sla: Optional[SlaEngine] = None,
    keep: bool = True,
) -> ScriptReport:
    """Opens one incident per row and works it through ``steps``.

    ``rows`` is flat: for each incident ``opened_at`` (Unix seconds, UTC), ``impact``,
    ``urgency``, then one gap in seconds per step, each counted from the previous command.
    The opening command's impact and urgency are replaced by the row's. With ``sla``, the
    outcomes of each incident's clocks at its last command are summed by kind. With
    ``keep=False`` the same decisions are made but nothing is saved: a what-if run.

    Raises:
        ValidationError: for rows of the wrong length; any refusal of the core (the script
        must suit every row), after which the incidents before it stay saved.
    """
    text = desk._native.run_script(
        json.dumps(opening.to_wire()),
        json.dumps([s.to_wire() for s in steps]),
        list(rows),
        None if sla is None else sla._native,
        keep,
    )
    return ScriptReport.from_wire(json.loads(text))
