"""Courier carrier: a delivery job per shipment, tracked by finalmile's own tracking number.

In-house: the job is the shipment itself (the routing issue sequences the stops); nothing leaves
finalmile, so ``buy`` has no outside effect. Third party: the job is POSTed to the courier
(``quote``), then dispatched (``buy``); both carry idempotency keys and signed bodies, and
``find_purchase`` asks the courier whether the job was dispatched.

Third-party courier API (documented in docs/carriers.md): ``POST /jobs`` -> ``{"id", "price",
"currency"}``; ``POST /jobs/{id}/dispatch``; ``GET /jobs/{id}`` -> ``{"id", "status"}`` with status
``quoted | dispatched | picked_up | delivered | cancelled | failed``; ``POST /jobs/{id}/cancel``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from finalmile.carriers.base import (
    Capability,
    CarrierKind,
    Purchase,
    Quote,
    Rated,
    RefundStatus,
    ShipmentDraft,
    ShipmentOptions,
    TrackingReport,
    TrackingStatus,
)
from finalmile.carriers.courier.client import CourierClient
from finalmile.carriers.courier.job import job_payload, tracking_number
from finalmile.carriers.courier.settings import CourierMode, CourierSettings
from finalmile.carriers.errors import UncertainOutcomeError
from finalmile.carriers.info import CarrierInfo
from finalmile.carriers.limits import RequestLimiter

IN_HOUSE_PREFIX = "inhouse_"
_JOB_STATUS = {
    "quoted": TrackingStatus.PRE_TRANSIT,
    "dispatched": TrackingStatus.PRE_TRANSIT,
    "picked_up": TrackingStatus.IN_TRANSIT,
    "out_for_delivery": TrackingStatus.OUT_FOR_DELIVERY,
    "delivered": TrackingStatus.DELIVERED,
    "cancelled": TrackingStatus.CANCELLED,
    "failed": TrackingStatus.FAILURE,
}
_DISPATCHED = frozenset({"dispatched", "picked_up", "out_for_delivery", "delivered"})


class CourierCarrier:
    """A courier account (in-house drivers or a third-party courier)."""

    def __init__(self, name: str, settings: CourierSettings) -> None:
        self.name = name
        self.settings = settings
        self.limiter = RequestLimiter(
            max_concurrency=settings.max_concurrency, per_second=settings.requests_per_second
        )
        self._client = None
        if settings.mode is CourierMode.THIRD_PARTY:
            assert settings.endpoint is not None
            self._client = CourierClient(
                settings.endpoint,
                api_key=settings.api_key.get_secret_value() if settings.api_key else None,
                secret=settings.signing_secret.get_secret_value()
                if settings.signing_secret
                else None,
                timeout=settings.timeout_seconds,
            )

    def quote(self, draft: ShipmentDraft) -> Rated:
        """The job at a flat rate; a third-party courier is sent the job now."""
        number = tracking_number(self.settings.tracking_prefix, draft.reference)
        if self._client is None:
            job_id, price = IN_HOUSE_PREFIX + draft.reference, self.settings.flat_rate
        else:
            payload = job_payload(
                draft, tracking_prefix=self.settings.tracking_prefix, service=self.settings.service
            )
            answer = self._call("POST", "/jobs", payload, key=f"job:{draft.reference}")
            job_id = str(answer["id"])
            price = Decimal(str(answer.get("price", self.settings.flat_rate)))
        quote = Quote(
            rate_id=f"{number}:{self.settings.service}",
            carrier=self.name,
            service=self.settings.service,
            amount=price,
        )
        return Rated(provider_shipment_id=job_id, quotes=(quote,))

    def buy(self, *, provider_shipment_id: str, rate_id: str, options: ShipmentOptions) -> Purchase:
        """Dispatch the job (in-house: record it for routing)."""
        if self._client is not None:
            self._call(
                "POST",
                f"/jobs/{provider_shipment_id}/dispatch",
                {},
                key=f"dispatch:{provider_shipment_id}",
            )
        return self._purchase(provider_shipment_id, rate_id)

    def find_purchase(self, *, provider_shipment_id: str, rate_id: str) -> Purchase | None:
        """Whether the courier has the job dispatched (in-house: never dispatched elsewhere)."""
        if self._client is None:
            return None
        job = self._call("GET", f"/jobs/{provider_shipment_id}")
        if str(job.get("status")) in _DISPATCHED:
            return self._purchase(provider_shipment_id, rate_id)
        return None

    def track(
        self, *, tracking_number: str, carrier: str, tracker_id: str | None
    ) -> TrackingReport:
        """The job's status (in-house: awaiting a driver until routing reports progress)."""
        if self._client is None or tracker_id is None:
            return TrackingReport(
                tracking_number=tracking_number, status=TrackingStatus.PRE_TRANSIT
            )
        job = self._call("GET", f"/jobs/{tracker_id}")
        status = _JOB_STATUS.get(str(job.get("status")), TrackingStatus.UNKNOWN)
        return TrackingReport(tracking_number=tracking_number, status=status, tracker_id=tracker_id)

    def cancel(self, *, provider_shipment_id: str, transaction_id: str | None) -> RefundStatus:
        """Cancel the job."""
        if self._client is not None:
            self._call(
                "POST",
                f"/jobs/{provider_shipment_id}/cancel",
                {},
                key=f"cancel:{provider_shipment_id}",
            )
        return RefundStatus.REFUNDED

    def _purchase(self, job_id: str, rate_id: str) -> Purchase:
        number, _, service = rate_id.partition(":")
        if not number:
            raise UncertainOutcomeError("courier rate id carries no tracking number")
        return Purchase(
            provider_shipment_id=job_id,
            rate_id=rate_id,
            transaction_id=job_id,
            tracking_number=number,
            carrier=self.name,
            service=service,
            tracker_id=job_id,
        )

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        assert self._client is not None
        with self.limiter.slot():
            return self._client.call(method, path, body, key=key)


def _build(name: str, settings: Any) -> object:
    return CourierCarrier(name, settings)


COURIER = CarrierInfo(
    slug="courier",
    label="Courier (in-house or third party)",
    kind=CarrierKind.DIRECT,
    capabilities=frozenset({Capability.QUOTE, Capability.BUY, Capability.TRACK, Capability.CANCEL}),
    settings_model=CourierSettings,
    factory=_build,
)
