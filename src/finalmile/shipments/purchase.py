"""Drive one leased shipment to ``purchased``: quote, then buy at most once.

The rule: nothing is bought again until the provider has said no label exists. Before the first
``buy`` the shipment row is committed with the provider's shipment id and the chosen rate, and
every later attempt is committed before it is sent; after any uncertain outcome (timeout, dropped
connection, 5xx, an unreadable answer, "postage exists") the next attempt first asks the provider
(``find_purchase``) and buys only if it has nothing. A 429 is retried after its ``Retry-After``.
Retries back off exponentially with jitter (tenacity).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from finalmile.carriers import (
    AlreadyPurchasedError,
    CarrierAccount,
    Purchase,
    Quote,
    Rated,
    RateLimitedError,
    ShipmentDraft,
    ShipmentOptions,
    UncertainOutcomeError,
)
from finalmile.errors import PermanentError, RetriableError
from finalmile.shipments.models import Shipment
from finalmile.shipments.store import LabelFile, Lease, LeaseLostError, ShipmentStore

log = structlog.get_logger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently one shipment is retried."""

    attempts: int
    initial_wait: float
    max_wait: float
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    @classmethod
    def of(cls, account: CarrierAccount) -> RetryPolicy:
        """The policy configured for ``account``."""
        settings = account.settings
        return cls(
            settings.buy_attempts, settings.retry_initial_seconds, settings.retry_max_wait_seconds
        )

    def run(self, call: Callable[[], T]) -> T:
        """``call`` until it succeeds, raises a non-retriable error, or the attempts run out."""
        backoff = wait_random_exponential(multiplier=self.initial_wait, max=self.max_wait)

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            if isinstance(error, RateLimitedError) and error.retry_after is not None:
                return min(error.retry_after, self.max_wait)
            return backoff(state)

        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait,
            retry=retry_if_exception_type(RetriableError)
            & retry_if_not_exception_type(LeaseLostError),
            reraise=True,
            sleep=self.sleep,
        )
        return retrying(call)


def choose_quote(rated: Rated, requested: str | None) -> Quote:
    """The quote for ``requested`` (``service`` or ``carrier:service``, any case), else the
    cheapest.

    Raises:
        PermanentError: no quote matches; the message lists what was offered.
    """
    if not rated.quotes:
        raise PermanentError("the carrier offered no rates for this shipment")
    if requested is None:
        return min(rated.quotes, key=lambda q: q.amount)
    wanted = requested.casefold()
    matches = [
        q for q in rated.quotes if wanted in (q.service.casefold(), q.service_code.casefold())
    ]
    if not matches:
        offered = ", ".join(sorted(q.service_code for q in rated.quotes))
        raise PermanentError(f"service {requested!r} is not offered (offered: {offered})")
    return min(matches, key=lambda q: q.amount)


def rate(account: CarrierAccount, draft: ShipmentDraft, requested: str | None) -> tuple[str, Quote]:
    """The provider's shipment id and the quote to buy (retried like any call; costs nothing).

    Raises:
        PermanentError: nothing offered matches ``requested``, or the provider refused.
        RetriableError: the provider could not be reached within the retry budget.
    """
    quoting = account.quoting()
    rated = RetryPolicy.of(account).run(lambda: quoting.quote(draft))
    return rated.provider_shipment_id, choose_quote(rated, requested)


class PurchaseRun:
    """One worker driving one leased shipment in ``purchasing`` to ``purchased``."""

    def __init__(
        self,
        *,
        store: ShipmentStore,
        account: CarrierAccount,
        lease: Lease,
        label: Callable[[Purchase], LabelFile | None],
        actor: str,
    ) -> None:
        self.store = store
        self.account = account
        self.lease = lease
        self.label = label
        self.actor = actor
        self.policy = RetryPolicy.of(account)

    def drive(self, row: Shipment, *, fresh: bool) -> Shipment:
        """Buy, or find, the label of ``row``, and keep it with its file when it can.

        ``fresh``: the row was just committed with its first attempt and nothing was sent yet.
        Otherwise (a resumed row) the outcome of earlier attempts is unknown: reconcile first.

        Raises:
            PermanentError: refused for good (the shipment is now ``failed``).
            RetriableError: retries ran out with the outcome open (the shipment stays in
                ``purchasing``, unleased, for the recovery pass).
        """
        try:
            purchase, how = self._purchase(row, fresh=fresh)
            return self.store.purchased(
                self.lease, purchase, label=self.label(purchase), actor=self.actor, how=how
            )
        except LeaseLostError:
            raise
        except PermanentError as exc:
            log.warning("shipment_failed", shipment=self.lease.shipment_pk, error=str(exc))
            self.store.failed(self.lease, str(exc), actor=self.actor)
            raise
        except RetriableError as exc:
            log.warning("shipment_unfinished", shipment=self.lease.shipment_pk, error=str(exc))
            self.store.release(self.lease, str(exc))
            raise

    def _purchase(self, row: Shipment, *, fresh: bool) -> tuple[Purchase, str]:
        purchasing = self.account.purchasing()
        options = ShipmentOptions.model_validate(row.options)
        assert row.provider_shipment_id is not None and row.rate_id is not None
        shipment_id, rate_id = row.provider_shipment_id, row.rate_id
        uncertain = not fresh
        committed = fresh  # the attempt about to be made is already committed

        def attempt() -> tuple[Purchase, str]:
            nonlocal uncertain, committed
            if uncertain:
                found = purchasing.find_purchase(provider_shipment_id=shipment_id, rate_id=rate_id)
                if found is not None:
                    return found, "reconciled"
            if not committed:
                self.store.begin_purchase(self.lease, actor=self.actor)
            committed = False
            try:
                bought = purchasing.buy(
                    provider_shipment_id=shipment_id, rate_id=rate_id, options=options
                )
            except UncertainOutcomeError:
                uncertain = True
                raise
            except AlreadyPurchasedError as exc:
                uncertain = True
                raise UncertainOutcomeError(f"{exc}; reconciling") from None
            return bought, "bought"

        return self.policy.run(attempt)
