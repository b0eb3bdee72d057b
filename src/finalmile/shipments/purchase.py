"""Drive one leased shipment to ``purchased``: quote, then buy at most once.

The rule: nothing is bought again until the provider has said no label exists. Before the first
``buy`` the provider's shipment id, the chosen rate and the row's move to ``purchasing`` are
committed together; after any uncertain outcome (timeout, dropped
connection, 5xx, an unreadable answer, "postage exists") the next attempt first asks the provider
(``find_purchase``) and buys only if it has nothing. A 429 is retried after its ``Retry-After``.
Retries back off exponentially with jitter (tenacity).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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

from finalmile.carriers.base import (
    Purchase,
    Quote,
    Rated,
    ShipmentDraft,
    ShipmentOptions,
)
from finalmile.carriers.errors import AlreadyPurchasedError, RateLimitedError, UncertainOutcomeError
from finalmile.carriers.info import CarrierAccount
from finalmile.errors import PermanentError, RetriableError
from finalmile.shipments.models import Shipment, ShipmentState
from finalmile.shipments.store import LabelFile, Lease, LeaseLostError, ShipmentStore

log = structlog.get_logger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently one shipment is retried."""

    attempts: int
    initial_wait: float
    max_wait: float

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


class PurchaseRun:
    """One worker driving one leased shipment."""

    def __init__(
        self,
        *,
        store: ShipmentStore,
        account: CarrierAccount,
        lease: Lease,
        draft: Callable[[], ShipmentDraft],
        label: Callable[[Purchase], LabelFile | None],
        actor: str,
    ) -> None:
        self.store = store
        self.account = account
        self.lease = lease
        self.draft = draft
        self.label = label
        self.actor = actor
        self.policy = RetryPolicy.of(account)

    def drive(self, row: Shipment) -> Shipment:
        """Take ``row`` from wherever it stands to ``purchased``, with its label when it can.

        Raises:
            PermanentError: refused for good (the shipment is now ``failed``).
            RetriableError: retries ran out with the outcome open (the shipment stays where it
                is, unleased, for the recovery pass).
        """
        try:
            options = ShipmentOptions.model_validate(row.options)
            if row.state is ShipmentState.INTENT:
                rated, chosen = self._quote(row.requested_service)
                target = Target(rated.provider_shipment_id, chosen.rate_id, chosen)
            else:
                assert row.provider_shipment_id is not None and row.rate_id is not None
                target = Target(row.provider_shipment_id, row.rate_id, None)
            uncertain = row.state is ShipmentState.PURCHASING
            purchase, how = self._purchase(target, options, uncertain=uncertain)
            label = self.label(purchase)
            return self.store.purchased(
                self.lease, purchase, label=label, actor=self.actor, how=how
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

    def _quote(self, requested_service: str | None) -> tuple[Rated, Quote]:
        quoting = self.account.quoting()
        draft = self.draft()
        rated = self.policy.run(lambda: quoting.quote(draft))
        return rated, choose_quote(rated, requested_service)

    def _purchase(
        self, target: Target, options: ShipmentOptions, *, uncertain: bool
    ) -> tuple[Purchase, str]:
        purchasing = self.account.purchasing()
        shipment_id, rate_id = target.provider_shipment_id, target.rate_id
        pending = target.chosen

        def attempt() -> tuple[Purchase, str]:
            nonlocal uncertain, pending
            if uncertain:
                found = purchasing.find_purchase(provider_shipment_id=shipment_id, rate_id=rate_id)
                if found is not None:
                    return found, "reconciled"
            # Committed before the buy is sent: the provider's shipment id, the chosen rate
            # (first attempt) and the attempt itself.
            self.store.begin_purchase(
                self.lease,
                rated=(shipment_id, pending) if pending is not None else None,
                actor=self.actor,
            )
            pending = None
            try:
                return (
                    purchasing.buy(
                        provider_shipment_id=shipment_id, rate_id=rate_id, options=options
                    ),
                    "bought",
                )
            except UncertainOutcomeError:
                uncertain = True
                raise
            except AlreadyPurchasedError as exc:
                uncertain = True
                raise UncertainOutcomeError(f"{exc}; reconciling") from None

        return self.policy.run(attempt)


@dataclass(frozen=True)
class Target:
    """What to buy: the provider's shipment and rate, and the quote when it is new this run."""

    provider_shipment_id: str
    rate_id: str
    chosen: Quote | None
