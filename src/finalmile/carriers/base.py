"""The carrier interface: narrow Protocols, one per capability, and the values they exchange.

A carrier moves boxes. Every integration implements the capabilities it has:

- ``Quoting``: rates for a shipment draft (the provider keeps the shipment; we keep its id);
- ``Purchasing``: buy the label for one rate, and tell whether a label was already bought for
  it (``find_purchase``). The two go together: a carrier that cannot answer ``find_purchase``
  cannot be used safely, because an uncertain buy must be reconciled before it is retried;
- ``Tracking``: where a parcel is, as a ``TrackingReport`` (the model webhooks produce too);
- ``Cancelling``: void or refund a bought label;
- ``AddressVerifying`` (optional): check a delivery address before rating.

Values here are canonical (ours); each integration's ``mapper.py`` turns them into SDK objects
and back. Nothing here holds patient data except ``ShipmentDraft`` addresses, which never reach
logs or error messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from finalmile.canonical import Address, DispatchOrder
from finalmile.items import HazmatFlag


class CarrierKind(StrEnum):
    """``hub``: an aggregator reaching many carriers (EasyPost, Shippo); ``direct``: one fleet."""

    HUB = "hub"
    DIRECT = "direct"


class Capability(StrEnum):
    """What a carrier integration can do, one per Protocol below."""

    QUOTE = "quote"
    BUY = "buy"
    TRACK = "track"
    CANCEL = "cancel"
    VERIFY_ADDRESS = "verify_address"


class LabelFormat(StrEnum):
    """File format of a shipping label."""

    PDF = "PDF"
    ZPL = "ZPL"
    PNG = "PNG"

    @property
    def media_type(self) -> str:
        """The HTTP content type of a label file in this format."""
        return {"PDF": "application/pdf", "ZPL": "application/zpl", "PNG": "image/png"}[self]

    @property
    def suffix(self) -> str:
        """File name suffix."""
        return "." + self.value.lower()


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Parcel(_Value):
    """The box: outside dimensions in inches, weight in ounces (EasyPost's and USPS's units)."""

    length_in: Decimal = Field(gt=0)
    width_in: Decimal = Field(gt=0)
    height_in: Decimal = Field(gt=0)
    weight_oz: Decimal = Field(gt=0)


class ShipmentOptions(_Value):
    """What the shipment needs beyond the addresses; every field is optional."""

    label_format: LabelFormat = LabelFormat.PDF
    adult_signature: bool = False
    saturday_delivery: bool = False
    dry_ice: bool = Field(
        default=False,
        description="Dry ice is required; its weight is the given one, else the item master's",
    )
    dry_ice_weight_oz: Decimal | None = Field(default=None, gt=0)
    hazmat: tuple[HazmatFlag, ...] = Field(
        default=(), description="Dangerous-goods flags to declare (the item master's are added)"
    )
    insured_value: Decimal | None = Field(default=None, gt=0, description="USD")
    parcel: Parcel | None = Field(default=None, description="Default: the account's parcel")


class ShipmentDraft(_Value):
    """Everything a carrier needs to rate one shipment."""

    reference: str = Field(description="Our shipment key; carriers echo it back")
    order: DispatchOrder
    ship_from: Address
    parcel: Parcel
    options: ShipmentOptions


class Quote(_Value):
    """One rate offered for a shipment."""

    rate_id: str
    carrier: str
    service: str
    amount: Decimal
    currency: str = "USD"
    delivery_days: int | None = None
    delivery_date: dt.datetime | None = None

    @property
    def service_code(self) -> str:
        """``carrier:service``, the form ``buy`` accepts besides the bare service name."""
        return f"{self.carrier}:{self.service}"


class Rated(_Value):
    """A shipment the provider now holds, with the rates it offers."""

    provider_shipment_id: str
    quotes: tuple[Quote, ...]


class Purchase(_Value):
    """A bought label."""

    provider_shipment_id: str
    rate_id: str
    transaction_id: str | None = None
    tracking_number: str
    carrier: str
    service: str
    amount: Decimal | None = None
    currency: str = "USD"
    label_url: str | None = None
    label_format: LabelFormat = LabelFormat.PDF
    tracker_id: str | None = None
    tracking_url: str | None = None


class TrackingStatus(StrEnum):
    """Where a parcel is, in words every carrier maps onto."""

    UNKNOWN = "unknown"
    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURNED = "returned"
    FAILURE = "failure"
    CANCELLED = "cancelled"


class TrackingDetail(StrEnum):
    """The sub-status every provider's detail code maps onto."""

    LABEL_CREATED = "label_created"
    ACCEPTED = "accepted"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    ARRIVED_AT_FACILITY = "arrived_at_facility"
    DEPARTED_FACILITY = "departed_facility"
    DELAYED = "delayed"
    HELD = "held"
    ADDRESS_ISSUE = "address_issue"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ARRIVED = "arrived"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    DELIVERED = "delivered"
    REFUSED = "refused"
    DAMAGED = "damaged"
    LOST = "lost"
    UNDELIVERABLE = "undeliverable"
    RETURN_TO_SENDER = "return_to_sender"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"
    OTHER = "other"


#: The detail a bare status implies (a carrier that reports statuses only, or a status-only scan).
DETAIL_OF_STATUS = {
    TrackingStatus.UNKNOWN: TrackingDetail.UNKNOWN,
    TrackingStatus.PRE_TRANSIT: TrackingDetail.LABEL_CREATED,
    TrackingStatus.IN_TRANSIT: TrackingDetail.IN_TRANSIT,
    TrackingStatus.OUT_FOR_DELIVERY: TrackingDetail.OUT_FOR_DELIVERY,
    TrackingStatus.DELIVERED: TrackingDetail.DELIVERED,
    TrackingStatus.RETURNED: TrackingDetail.RETURN_TO_SENDER,
    TrackingStatus.FAILURE: TrackingDetail.OTHER,
    TrackingStatus.CANCELLED: TrackingDetail.CANCELLED,
}


@dataclass(frozen=True)
class Scan:
    """One carrier scan, normalized; ``message`` and ``location`` may name people and places."""

    occurred_at: dt.datetime
    status: TrackingStatus
    detail: TrackingDetail
    provider_status: str | None = None
    provider_detail: str | None = None
    message: str | None = None
    location: str | None = None
    undated: bool = False

    def key(self, tracking_number: str) -> str:
        """The scan's identity: parcel, time and carrier message (the same via webhook or poll).

        An undated scan (a bare status, timed when we saw it) is identified by its status.
        """
        when = self.occurred_at.astimezone(dt.UTC).isoformat()
        text = f"{tracking_number}|{when}|{self.message or ''}"
        if self.undated:
            text = f"{tracking_number}|status|{self.status.value}"
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TrackingReport:
    """What a carrier says about one parcel, polled (``Tracking.track``) or pushed (a webhook).

    ``status`` is the carrier's own summary; ``scans`` are its dated scans so far. ``signed_by``
    and ``public_url`` are delivery evidence when the parcel is delivered.
    """

    tracking_number: str
    status: TrackingStatus
    scans: tuple[Scan, ...] = ()
    tracker_id: str | None = None
    carrier: str | None = None
    estimated_delivery: dt.datetime | None = None
    public_url: str | None = None
    signed_by: str | None = None

    def scans_as_of(self, observed_at: dt.datetime) -> tuple[Scan, ...]:
        """The scans; a known status without scans is one undated scan seen at ``observed_at``."""
        if self.scans or self.status is TrackingStatus.UNKNOWN:
            return self.scans
        detail = DETAIL_OF_STATUS[self.status]
        return (Scan(occurred_at=observed_at, status=self.status, detail=detail, undated=True),)


class RefundStatus(StrEnum):
    """What the provider said to a void/refund request."""

    SUBMITTED = "submitted"
    REFUNDED = "refunded"
    REJECTED = "rejected"


class AddressCheck(_Value):
    """The outcome of address verification: ``problems`` are codes and field names, no PHI."""

    deliverable: bool
    problems: tuple[str, ...] = ()
    suggested: Address | None = None


@runtime_checkable
class Quoting(Protocol):
    """Rates for a shipment."""

    def quote(self, draft: ShipmentDraft) -> Rated:
        """Create the shipment at the provider and return its rates."""
        ...


@runtime_checkable
class Purchasing(Protocol):
    """Buy a label, and find out whether one was already bought."""

    def buy(self, *, provider_shipment_id: str, rate_id: str, options: ShipmentOptions) -> Purchase:
        """Buy the label for ``rate_id`` (``options`` as given to ``quote``).

        Raises:
            UncertainOutcomeError: the request may have been processed (timeout, dropped
                connection, 5xx): reconcile with ``find_purchase`` before retrying.
            RateLimitedError: refused before processing; retry after ``retry_after``.
            AlreadyPurchasedError: the provider says this shipment already has a label.
            PermanentError: refused for good.
        """
        ...

    def find_purchase(self, *, provider_shipment_id: str, rate_id: str) -> Purchase | None:
        """The label already bought for this shipment and rate, or None if there is none."""
        ...


@runtime_checkable
class Tracking(Protocol):
    """Where a parcel is."""

    def track(
        self, *, tracking_number: str, carrier: str, tracker_id: str | None
    ) -> TrackingReport:
        """The parcel's latest status and scans."""
        ...


@runtime_checkable
class Cancelling(Protocol):
    """Void or refund a bought label."""

    def cancel(self, *, provider_shipment_id: str, transaction_id: str | None) -> RefundStatus:
        """Ask the provider to void the label; returns what it answered."""
        ...


@runtime_checkable
class AddressVerifying(Protocol):
    """Optional: check a delivery address before rating."""

    def verify_address(self, address: Address) -> AddressCheck:
        """Whether the address is deliverable, and a corrected form when the provider has one."""
        ...


#: Which Protocol stands for which capability (``registry`` checks implementations against it).
CAPABILITY_PROTOCOLS: dict[Capability, type] = {
    Capability.QUOTE: Quoting,
    Capability.BUY: Purchasing,
    Capability.TRACK: Tracking,
    Capability.CANCEL: Cancelling,
    Capability.VERIFY_ADDRESS: AddressVerifying,
}
