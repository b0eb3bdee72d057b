"""EasyPost I/O: the official SDK, one client per thread, every call within the account's limits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from easypost.easypost_client import EasyPostClient
from easypost.errors.general.easypost_error import EasyPostError

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
from finalmile.carriers.easypost import mapper
from finalmile.carriers.easypost.settings import EasyPostSettings
from finalmile.carriers.easypost.tracking import tracker_report
from finalmile.carriers.errors import UncertainOutcomeError
from finalmile.carriers.limits import RequestLimiter

T = TypeVar("T")


class EasyPostCarrier:
    """An EasyPost account: quote, buy, reconcile, track, refund and verify addresses."""

    def __init__(self, name: str, settings: EasyPostSettings) -> None:
        self.name = name
        self.settings = settings
        self.limiter = RequestLimiter(
            max_concurrency=settings.max_concurrency, per_second=settings.requests_per_second
        )
        self._local = threading.local()

    def quote(self, draft: ShipmentDraft) -> Rated:
        """``POST /shipments``: the shipment, rated."""
        params = mapper.shipment_params(draft, self.settings.carrier_accounts)
        shipment = self._call("create shipment", lambda c: c.shipment.create(**params))
        return mapper.rated(shipment.to_dict())

    def buy(self, *, provider_shipment_id: str, rate_id: str, options: ShipmentOptions) -> Purchase:
        """``POST /shipments/{id}/buy``."""
        params = mapper.buy_params(rate_id, options)
        shipment = self._call("buy", lambda c: c.shipment.buy(provider_shipment_id, **params))
        bought = mapper.purchase(shipment.to_dict())
        if bought is None:
            raise UncertainOutcomeError("easypost buy: answer has no postage label")
        return bought

    def find_purchase(self, *, provider_shipment_id: str, rate_id: str) -> Purchase | None:
        """``GET /shipments/{id}``: the label, if one was bought."""
        shipment = self._call(
            "retrieve shipment", lambda c: c.shipment.retrieve(provider_shipment_id)
        )
        return mapper.purchase(shipment.to_dict())

    def track(
        self, *, tracking_number: str, carrier: str, tracker_id: str | None
    ) -> TrackingReport:
        """The shipment's tracker, or a new tracker for a parcel shipped elsewhere."""
        if tracker_id:
            tracker = self._call("retrieve tracker", lambda c: c.tracker.retrieve(tracker_id))
        else:
            tracker = self._call(
                "create tracker",
                lambda c: c.tracker.create(tracking_code=tracking_number, carrier=carrier),
            )
        return tracker_report(tracker.to_dict())

    def cancel(self, *, provider_shipment_id: str, transaction_id: str | None) -> RefundStatus:
        """``POST /shipments/{id}/refund``."""
        shipment = self._call("refund", lambda c: c.shipment.refund(provider_shipment_id))
        return mapper.refund_status(shipment.to_dict())

    def verify_address(self, address: Address) -> AddressCheck:
        """``POST /addresses`` with delivery verification."""
        params = mapper.address_params(address)
        created = self._call("verify address", lambda c: c.address.create(verify=True, **params))
        return mapper.address_check(created.to_dict())

    def _client(self) -> EasyPostClient:
        client: EasyPostClient | None = getattr(self._local, "client", None)
        if client is None:
            client = EasyPostClient(
                self.settings.api_key.get_secret_value(),
                api_base=self.settings.api_base,
                # requests takes float seconds; the SDK's annotation is narrower than its use.
                timeout=cast(int, self.settings.timeout_seconds),
            )
            client.subscribe_to_response_hook(self._on_response)  # type: ignore[no-untyped-call]
            self._local.client = client
        return client

    def _on_response(self, **event: Any) -> None:
        headers = event.get("headers") or {}
        value = headers.get("Retry-After") if hasattr(headers, "get") else None
        self._local.retry_after = _seconds(value)

    def _call(self, operation: str, call: Callable[[EasyPostClient], T]) -> T:
        client = self._client()
        with self.limiter.slot():
            self._local.retry_after = None
            try:
                return call(client)
            except EasyPostError as exc:
                retry_after = getattr(self._local, "retry_after", None)
                # from None: the SDK's message can quote the response body (an address).
                raise mapper.map_error(exc, operation=operation, retry_after=retry_after) from None


def _seconds(value: object) -> float | None:
    try:
        return max(0.0, float(str(value))) if value is not None else None
    except ValueError:
        return None
