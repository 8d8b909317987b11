"""The one exception tree of Accord.

Every error Accord raises on purpose derives from :class:`AccordError`, so the API and the
CLI map errors to status codes and exit codes in one place. Messages name what was wrong
and where (file, line, field, object id).
"""

from __future__ import annotations


class AccordError(Exception):
    """Root of every error Accord raises on purpose."""


class ConfigurationError(AccordError):
    """A setting is missing or malformed."""


class InvalidInput(AccordError):
    """Input (a file, a bundle, a command argument) is malformed."""


class InvalidStixObject(InvalidInput):
    """A STIX object failed validation; names the object id, the field and the reason."""

    def __init__(self, object_id: str | None, field: str, reason: str, *, index: int | None = None):
        self.object_id = object_id
        self.field = field
        self.reason = reason
        self.index = index
        where = f"object {object_id}" if object_id else "object without id"
        if index is not None:
            where += f" (position {index} in the bundle)"
        super().__init__(f"{where}: field '{field}': {reason}")


class NotFound(AccordError):
    """The thing asked for does not exist, or the caller may not know that it exists."""


class AlreadyExists(AccordError):
    """A thing with that name or id already exists."""


class PermissionDenied(AccordError):
    """The principal is known but its role or partner does not allow the action."""


class AuthenticationFailed(AccordError):
    """No valid credentials: unknown, revoked or expired token, wrong password."""


class AuditChainBroken(AccordError):
    """The audit log's hash chain does not verify; names the first bad entry."""

    def __init__(self, sequence: int, reason: str):
        self.sequence = sequence
        self.reason = reason
        super().__init__(f"audit entry {sequence}: {reason}")
