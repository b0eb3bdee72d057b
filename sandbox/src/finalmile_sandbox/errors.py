"""Errors the emulated APIs answer with; each API renders them in its own error shape."""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """A request the emulated provider refuses; views render it in their provider's error shape.

    Args:
        status: the HTTP status.
        code: EasyPost-style error code (``SHIPMENT.POSTAGE.EXISTS``).
        message: human-readable reason (never patient data).
        errors: field-level details ``{"field": ..., "message": ...}``.
        headers: extra response headers (``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or []
        self.headers = headers or {}


class ConnectionDroppedError(Exception):
    """The fault layer closed the client's socket: nothing must be sent any more."""
