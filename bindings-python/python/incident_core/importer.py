"""Replay of ServiceNow incident exports into a desk's store."""

from __future__ import annotations

import dataclasses
import json
import os
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Union

if TYPE_CHECKING:
    from .desk import Desk

__all__ = ["ReplayReport", "replay_export"]


@dataclasses.dataclass(frozen=True)
class ReplayReport:
    """What a replay did: counts, refused transitions (anomalies), repairs, mismatches
    against the export's own priority and reopen count, and per-workgroup figures.

    The most used counts are attributes; ``data`` holds the importer's full report
    (``groups``, ``anomaly_details``, ``unreadable`` ...) as decoded JSON.
    """

    rows: int
    rows_unreadable: int
    incidents: int
    commands: int
    events: int
    priority_mismatches: int
    reopen_count_mismatches: int
    anomalies: Mapping[str, int]
    repairs: Mapping[str, int]
    groups: Mapping[str, Any]
    data: Mapping[str, Any] = dataclasses.field(repr=False)

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> ReplayReport:
        """From the importer's JSON form."""
        return cls(
            rows=d["rows"],
            rows_unreadable=d["rows_unreadable"],
            incidents=d["incidents"],
            commands=d["commands"],
            events=d["events"],
            priority_mismatches=d["priority_mismatches"],
            reopen_count_mismatches=d["reopen_count_mismatches"],
            anomalies=dict(d["anomalies"]),
            repairs=dict(d["repairs"]),
            groups=dict(d["groups"]),
            data=d,
        )


def replay_export(
    path: Union[str, "os.PathLike[str]"],
    *,
    desk: Optional[Desk] = None,
    strict: bool = False,
    priority_matrix: Optional[Sequence[Sequence[int]]] = None,
    auto_close_after_days: Optional[int] = 5,
) -> ReplayReport:
    """Reads a ServiceNow export (CSV, or gzip) and replays it through the core into
    ``desk``'s store (a new in-memory desk when none is given). The GIL is released while
    the file is read and replayed.

    ``strict`` stops at the first unreadable row or refused transition (raising
    ``ValidationError``); the default counts them in the report and carries on.
    ``priority_matrix`` is the source instance's impact x urgency matrix; ``None`` derives
    it from the export.

    Raises:
        StorageError: when the file cannot be read.
        ValidationError: for a file that is not such an export, or a refusal in strict mode.
    """
    from .desk import Desk

    target = Desk() if desk is None else desk
    options: Dict[str, Any] = {
        "mode": "strict" if strict else "lenient",
        "priority_matrix": None if priority_matrix is None else [list(r) for r in priority_matrix],
        "auto_close_after_days": auto_close_after_days,
    }
    text = target._native.replay_export(os.fspath(path), json.dumps(options))
    return ReplayReport.from_wire(json.loads(text))
