"""The finalmile exception tree.

Each branch tells the caller what to do next::

    FinalmileError
    ├── ConfigError        fix the configuration; lists every problem at once
    ├── InputError         the content is wrong: reject it (HL7 AE, HTTP 422), keep it for replay
    ├── ConflictError      the record's current state forbids it: HTTP 409; change that state first
    ├── AuthError          the caller is not allowed: HTTP 401/403
    ├── NotFoundError      the thing asked for does not exist: HTTP 404
    ├── RetriableError     try again later (timeouts, 429, 5xx, storage busy): HL7 AR, HTTP 503
    └── PermanentError     an external system refused for good: do not retry

``InputError`` and ``ConflictError`` carry a stable machine ``code``: a ``StrEnum`` member of the
raising area (``MappingCode``, ``ShipmentCode``...; ``ErrorCode`` below for the generic ones),
serialised as its plain string value in JSON bodies, HL7 ERR segments and stored rows.

Messages never quote patient data (names, addresses, birth dates, phones), so an error can be
logged, stored and returned without leaking PHI.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    """Codes shared by every area, and those the HTTP layer gives errors that carry none."""

    INVALID = "invalid"
    REQUIRED = "required"
    INVALID_CURSOR = "invalid_cursor"
    CONFLICT = "conflict"
    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"
    REFUSED = "refused"
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    INTERNAL_ERROR = "internal_error"


class FinalmileError(Exception):
    """Root of every error finalmile raises on purpose."""


class ConfigError(FinalmileError):
    """The configuration is invalid; ``errors`` lists every problem found, not just the first."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {e}" for e in self.errors))


class InputError(FinalmileError):
    """Inbound content is invalid.

    Args:
        message: what is wrong, in words an interface analyst can act on (no patient data).
        location: where: an HL7 path (``PID-7``, ``ZDL-2``), a CSV row/column or a FHIR path.
        code: a stable machine code (``required``, ``invalid_date``, ``unsupported_version``...).
    """

    def __init__(
        self, message: str, *, location: str | None = None, code: StrEnum = ErrorCode.INVALID
    ) -> None:
        self.message = message
        self.location = location
        self.code = code
        super().__init__(f"{location}: {message}" if location else message)


class ConflictError(FinalmileError):
    """The request conflicts with the current state of a record: HTTP 409.

    The request itself is well formed; the caller must change that state first (void the live
    shipment, release the hold...) or leave it.

    Args:
        message: what conflicts and, where it helps, what to do instead (no patient data).
        location: the request field naming the record (``order_id``, ``shipment``...).
        code: a stable machine code (``live_shipment_exists``, ``already_held``...).
    """

    def __init__(
        self, message: str, *, location: str | None = None, code: StrEnum = ErrorCode.CONFLICT
    ) -> None:
        self.message = message
        self.location = location
        self.code = code
        super().__init__(f"{location}: {message}" if location else message)


class AuthError(FinalmileError):
    """The caller has no valid credentials, or lacks the scope for what it asked."""

    def __init__(self, message: str, *, status_code: int = 401) -> None:
        self.status_code = status_code
        super().__init__(message)


class NotFoundError(FinalmileError):
    """The requested record does not exist."""


class RetriableError(FinalmileError):
    """A transient failure: the same request may succeed later."""


class PermanentError(FinalmileError):
    """An external system refused the request for good; retrying will not help."""
