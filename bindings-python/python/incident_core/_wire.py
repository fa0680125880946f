"""Conversions between Python values and the core's JSON (serde) form.

Instants cross as RFC 3339 text in UTC. A naive ``datetime`` is refused with
:class:`~incident_core.errors.ValidationError` (a ``ValueError``): the library never guesses
a time zone. Instants come back as timezone-aware ``datetime`` in UTC.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Optional, Union

from .enums import HoldReason
from .errors import ValidationError

_FRACTION = re.compile(r"\.(\d+)")


def instant(value: object, name: str = "now") -> str:
    """RFC 3339 text in UTC for an aware ``datetime``.

    Anything else (a naive ``datetime``, another type, an instant that has no UTC form) is a
    :class:`~incident_core.errors.ValidationError` naming ``name``.
    """
    if not isinstance(value, _dt.datetime):
        reason = f"must be a datetime, not {type(value).__name__}"
        raise ValidationError(f"invalid {name}: {reason}", field=name, reason=reason)
    if value.tzinfo is None or value.utcoffset() is None:
        reason = "a naive datetime has no time zone; pass an aware one (e.g. tzinfo=timezone.utc)"
        raise ValidationError(f"invalid {name}: {reason}", field=name, reason=reason)
    try:
        return value.astimezone(_dt.timezone.utc).isoformat()
    except OverflowError:
        reason = f"{value.isoformat()} is outside the supported years 1970 to 9998"
        raise ValidationError(f"invalid {name}: {reason}", field=name, reason=reason) from None


def now_or(value: Optional[_dt.datetime], name: str = "now") -> str:
    """As :func:`instant`, with the current time when ``value`` is ``None``."""
    return instant(_dt.datetime.now(_dt.timezone.utc) if value is None else value, name)


def parse_instant(text: str) -> _dt.datetime:
    """An aware UTC ``datetime`` from the core's RFC 3339 text (Python 3.9 compatible)."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    match = _FRACTION.search(text)
    if match:
        digits = (match.group(1) + "000000")[:6]
        text = text[: match.start()] + "." + digits + text[match.end() :]
    return _dt.datetime.fromisoformat(text).astimezone(_dt.timezone.utc)


def optional_instant(text: Optional[str]) -> Optional[_dt.datetime]:
    """As :func:`parse_instant`, passing ``None`` through."""
    return None if text is None else parse_instant(text)


def hold_reason_to_wire(reason: Union[HoldReason, str]) -> Any:
    """A hold reason in serde form: a built-in name, or ``{"custom": text}``."""
    text = reason.value if isinstance(reason, HoldReason) else reason
    try:
        return HoldReason(text).value
    except ValueError:
        return {"custom": text}


def hold_reason_from_wire(value: Any) -> Union[HoldReason, str, None]:
    """The inverse of :func:`hold_reason_to_wire`."""
    if value is None:
        return None
    if isinstance(value, dict):
        return str(value["custom"])
    return HoldReason(value)


def whole_days(value: Optional[_dt.timedelta], name: str) -> Optional[int]:
    """A duration the core counts in days; refuses a duration that is not whole days."""
    if value is None:
        return None
    if value < _dt.timedelta(0) or value % _dt.timedelta(days=1):
        reason = f"{value} is not a whole, non-negative number of days"
        raise ValidationError(f"invalid {name}: {reason}", field=name, reason=reason)
    return value.days


def value_of(item: Any) -> Any:
    """An enum member's wire value, anything else as it is."""
    return getattr(item, "value", item)
