"""Carrier errors: what the purchase loop must do next.

::

    RetriableError
    ├── RateLimitedError        refused before processing (429): wait ``retry_after``, then retry
    └── UncertainOutcomeError   may have been processed (timeout, dropped connection, 5xx after
                                sending): reconcile with the provider first, then retry
    PermanentError
    └── AlreadyPurchasedError   the provider says the label exists (EasyPost 422
                                SHIPMENT.POSTAGE.EXISTS): reconcile, never buy again

Messages carry the provider, the operation, the HTTP status and the provider's error code, never
the request or response body (which holds the patient's address).
"""

from __future__ import annotations

from finalmile.errors import PermanentError, RetriableError


class RateLimitedError(RetriableError):
    """The provider refused the request unprocessed (429, or 503 with Retry-After)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class UncertainOutcomeError(RetriableError):
    """The request may or may not have taken effect at the provider."""


class AlreadyPurchasedError(PermanentError):
    """The provider already holds a label for this shipment."""
