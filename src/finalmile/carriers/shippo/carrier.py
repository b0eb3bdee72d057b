"""Shippo I/O: the official SDK on a timeout-enforcing session, within the account's limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import shippo
from shippo.models import operations

from finalmile.canonical import Address
from finalmile.carriers.base import (
    AddressCheck,
    Purchase,
    Rated,
    RefundStatus,
    ShipmentDraft,
    ShipmentOptions,
    TrackingReport,
)
from finalmile.carriers.errors import UncertainOutcomeError
from finalmile.carriers.limits import RequestLimiter
from finalmile.carriers.shippo import mapper
from finalmile.carriers.shippo.session import TimeoutSession
from finalmile.carriers.shippo.settings import ShippoSettings
from finalmile.errors import FinalmileError


class ShippoCarrier:
    """A Shippo account: quote, buy, reconcile, track, refund and validate addresses."""

    def __init__(self, name: str, settings: ShippoSettings) -> None:
        self.name = name
        self.settings = settings
        self.limiter = RequestLimiter(
            max_concurrency=settings.max_concurrency, per_second=settings.requests_per_second
        )
        self._local = threading.local()

    def quote(self, draft: ShipmentDraft) -> Rated:
        """``POST /shipments`` (synchronous rating)."""
        request = mapper.shipment_request(draft)
        shipment = self._call("create shipment", lambda s: s.shipments.create(request))
        return mapper.rated(shipment)

    def buy(self, *, provider_shipment_id: str, rate_id: str, options: ShipmentOptions) -> Purchase:
        """``POST /transactions`` with ``async=false``; polls if Shippo still queues it."""
        request = mapper.transaction_request(rate_id, options.label_format, provider_shipment_id)
        transaction = self._call("buy", lambda s: s.transactions.create(request))
        transaction = self._until_final(transaction)
        bought = mapper.purchase(
            transaction, provider_shipment_id=provider_shipment_id, rate_id=rate_id
        )
        if bought is None:
            raise mapper.transaction_failure(transaction)
        return bought

    def find_purchase(self, *, provider_shipment_id: str, rate_id: str) -> Purchase | None:
        """``GET /transactions?rate=<rate_id>``: a successful (or queued) label for the rate."""
        request = operations.ListTransactionsRequest(rate=rate_id)
        page = self._call("list transactions", lambda s: s.transactions.list(request))
        for transaction in page.results or ():
            final = self._until_final(transaction)
            found = mapper.purchase(
                final, provider_shipment_id=provider_shipment_id, rate_id=rate_id
            )
            if found is not None:
                return found
        return None

    def track(
        self, *, tracking_number: str, carrier: str, tracker_id: str | None
    ) -> TrackingReport:
        """``GET /tracks/{carrier}/{tracking_number}``."""
        track = self._call(
            "track", lambda s: s.tracking_status.get(tracking_number, carrier.lower())
        )
        return mapper.tracking_report(track)

    def cancel(self, *, provider_shipment_id: str, transaction_id: str | None) -> RefundStatus:
        """``POST /refunds`` for the label's transaction."""
        if not transaction_id:
            raise FinalmileError("shippo refund needs the transaction id of the label")
        refund = self._call("refund", lambda s: s.refunds.create(transaction_id, False))
        return mapper.refund_status(refund)

    def verify_address(self, address: Address) -> AddressCheck:
        """``POST /addresses`` with ``validate=true``."""
        request = mapper.address_request(address, default_name="Patient")
        request.validate = True
        created = self._call("validate address", lambda s: s.addresses.create(request))
        return mapper.address_check(created)

    def _until_final(self, transaction: Any) -> Any:
        deadline = time.monotonic() + self.settings.label_wait_seconds
        while not mapper.is_final(transaction):
            if time.monotonic() >= deadline:
                raise UncertainOutcomeError("shippo buy: label still queued, outcome unknown")
            time.sleep(self.settings.label_poll_seconds)
            transaction = self._get_transaction(str(transaction.object_id))
        return transaction

    def _get_transaction(self, object_id: str) -> Any:
        return self._call("get transaction", lambda s: s.transactions.get(object_id))

    def _sdk(self) -> Any:
        sdk = getattr(self._local, "sdk", None)
        if sdk is None:
            session = TimeoutSession(
                timeout=self.settings.timeout_seconds, pool_size=self.settings.max_concurrency
            )
            sdk = shippo.Shippo(
                api_key_header=self.settings.api_key.get_secret_value(),
                server_url=self.settings.server_url,
                client=session,
            )
            self._local.sdk = sdk
        return sdk

    def _call(self, operation: str, call: Callable[[Any], Any]) -> Any:
        sdk = self._sdk()
        with self.limiter.slot():
            try:
                return call(sdk)
            except Exception as exc:
                # from None: SDK messages can quote the response body (an address).
                raise mapper.map_error(exc, operation=operation) from None
