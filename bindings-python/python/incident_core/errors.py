"""The exception hierarchy: one class per kind of core error, all under IncidentError.

The native module maps every core error here in one place (``src/error.rs``), passing the
error's structured fields, which the classes keep as attributes. ``code`` is the core's
stable machine-readable code (``ERR_CONFLICT`` ...), the same one the Node binding uses.
"""

from __future__ import annotations

from typing import Optional, Union

from .enums import Action, Role, Rule, State

__all__ = [
    "ConfigurationError",
    "ConflictError",
    "CorruptError",
    "IncidentError",
    "IncompatibleSchemaError",
    "InvalidTransitionError",
    "NotFoundError",
    "PermissionDeniedError",
    "RuleViolationError",
    "StorageError",
    "UnavailableError",
    "ValidationError",
]


def _enum_or_text(kind: type, value: Optional[str]) -> object:
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        return value


class IncidentError(Exception):
    """Base class of every error raised by incident_core.

    Attributes:
        message: The core's explanation, also ``str(error)``.
        code: A stable code such as ``ERR_CONFLICT`` (``ERR_INTERNAL`` for a bug).
    """

    code: str

    def __init__(self, message: str = "", *, code: str = "ERR_INTERNAL") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def retryable(self) -> bool:
        """Whether the same call may succeed later (a conflict or a lost connection)."""
        return False


class ValidationError(IncidentError, ValueError):
    """A field or argument is malformed or out of range (also a naive datetime)."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "ERR_VALIDATION",
        field: str = "",
        reason: str = "",
    ) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.reason = reason


class InvalidTransitionError(IncidentError):
    """The lifecycle does not allow moving from ``from_state`` to ``to_state``."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "ERR_INVALID_TRANSITION",
        from_state: Optional[str] = None,
        to_state: Optional[str] = None,
    ) -> None:
        super().__init__(message, code=code)
        self.from_state: Optional[State] = None if from_state is None else State(from_state)
        self.to_state: Optional[State] = None if to_state is None else State(to_state)


class RuleViolationError(IncidentError):
    """A lifecycle rule other than the transition table refused the command."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "ERR_RULE_VIOLATION",
        rule: Optional[str] = None,
        detail: str = "",
    ) -> None:
        super().__init__(message, code=code)
        self.rule: Union[Rule, str, None] = _enum_or_text(Rule, rule)  # type: ignore[assignment]
        self.detail = detail


class PermissionDeniedError(IncidentError):
    """The actor's role does not allow the action on this incident."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "ERR_PERMISSION_DENIED",
        actor: str = "",
        role: Optional[str] = None,
        action: Optional[str] = None,
    ) -> None:
        super().__init__(message, code=code)
        self.actor = actor
        self.role: Optional[Role] = None if role is None else Role(role)
        self.action: Optional[Action] = None if action is None else Action(action)


class ConflictError(IncidentError):
    """Another writer saved the incident first: reload and decide again."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "ERR_CONFLICT",
        incident_id: str = "",
        expected: int = 0,
        actual: int = 0,
    ) -> None:
        super().__init__(message, code=code)
        self.incident_id = incident_id
        self.expected = expected
        self.actual = actual

    @property
    def retryable(self) -> bool:
        return True


class NotFoundError(IncidentError, LookupError):
    """Something referenced by id does not exist."""

    def __init__(
        self, message: str = "", *, code: str = "ERR_NOT_FOUND", entity: str = "", id: str = ""
    ) -> None:
        super().__init__(message, code=code)
        self.entity = entity
        self.id = id


class ConfigurationError(IncidentError, ValueError):
    """A configuration (matrix, transition table, directory, calendar...) is inconsistent."""

    def __init__(
        self, message: str = "", *, code: str = "ERR_CONFIGURATION", reason: str = ""
    ) -> None:
        super().__init__(message, code=code)
        self.reason = reason


class StorageError(IncidentError):
    """A store failed for a reason outside the domain (I/O, database error)."""

    def __init__(self, message: str = "", *, code: str = "ERR_STORAGE", detail: str = "") -> None:
        super().__init__(message, code=code)
        self.detail = detail


class UnavailableError(IncidentError):
    """The store cannot be reached right now; the same call may work later."""

    def __init__(
        self, message: str = "", *, code: str = "ERR_UNAVAILABLE", detail: str = ""
    ) -> None:
        super().__init__(message, code=code)
        self.detail = detail

    @property
    def retryable(self) -> bool:
        return True


class CorruptError(IncidentError):
    """Stored data is not what this version of the library wrote or can read."""

    def __init__(self, message: str = "", *, code: str = "ERR_CORRUPT", detail: str = "") -> None:
        super().__init__(message, code=code)
        self.detail = detail


class IncompatibleSchemaError(IncidentError):
    """Stored data was written by a newer schema than this library understands."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "ERR_INCOMPATIBLE_SCHEMA",
        found: int = 0,
        supported: int = 0,
    ) -> None:
        super().__init__(message, code=code)
        self.found = found
        self.supported = supported
