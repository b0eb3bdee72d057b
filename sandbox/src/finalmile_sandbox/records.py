"""What the sandbox remembers: provider-neutral records, rendered per API by ``easypost/`` and
``shippo/``. Pydantic models so the optional SQLite file can store them as JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from finalmile_sandbox.catalogue import SERVICES_BY_TOKEN, Service


class Api(StrEnum):
    """The emulated provider APIs."""

    EASYPOST = "easypost"
    SHIPPO = "shippo"


class LabelFormat(StrEnum):
    """Label file formats the sandbox renders."""

    PDF = "PDF"
    ZPL = "ZPL"
    PNG = "PNG"


class Record(BaseModel):
    """Anything stored under an id."""

    id: str
    api: Api
    created_at: dt.datetime


class AddressProblem(BaseModel):
    """One reason an address did not verify (EasyPost code, Shippo code, field, message)."""

    code: str
    shippo_code: str
    field: str
    message: str


class AddressCheck(BaseModel):
    """The outcome of verifying an address against the ZIP table."""

    problems: list[AddressProblem]
    zip_plus4: str | None = None
    city: str | None = None
    state: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the address is deliverable."""
        return not self.problems


class AddressRecord(Record):
    """An address as the client sent it, with the verification result when one was asked for."""

    name: str | None = None
    company: str | None = None
    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str = "US"
    phone: str | None = None
    email: str | None = None
    residential: bool | None = None
    metadata: str | None = None
    check: AddressCheck | None = None


class ParcelRecord(Record):
    """A parcel; dimensions in inches and weight in ounces, plus the units the client used."""

    length: float
    width: float
    height: float
    weight_oz: float
    distance_unit: str = "in"
    mass_unit: str = "oz"
    given: dict[str, str] = Field(default_factory=dict)  # Shippo echoes the strings it was sent
    metadata: str | None = None


class RateRecord(BaseModel):
    """One quoted rate of a shipment."""

    id: str
    service_token: str
    amount: Decimal
    delivery_days: int
    delivery_date: dt.date

    @property
    def service(self) -> Service:
        """The catalogue entry of this rate."""
        return SERVICES_BY_TOKEN[self.service_token]


class PurchaseRecord(BaseModel):
    """A bought label: committed before any response is sent."""

    rate_id: str
    label_id: str
    tracking_code: str
    label_format: LabelFormat
    bought_at: dt.datetime
    insurance: Decimal | None = None
    insurance_fee: Decimal | None = None
    tracker_id: str | None = None
    transaction_id: str | None = None  # Shippo


class ShipmentRecord(Record):
    """A shipment, its rates and, once bought, its label."""

    from_address_id: str
    to_address_id: str
    parcel_id: str
    options: dict[str, Any] = Field(default_factory=dict)  # echoed as sent
    signature: str = "NO_SIGNATURE"
    saturday_delivery: bool = False
    dry_ice_weight_oz: float | None = None
    label_format: LabelFormat = LabelFormat.PDF
    reference: str | None = None
    metadata: str | None = None
    miles: float
    rates: list[RateRecord]
    purchase: PurchaseRecord | None = None
    refund_status: str | None = None

    def rate(self, rate_id: str) -> RateRecord | None:
        """One of this shipment's rates by id."""
        return next((rate for rate in self.rates if rate.id == rate_id), None)


class TrackingEventRecord(BaseModel):
    """One scan in a tracker's history."""

    at: dt.datetime
    status: str
    status_detail: str
    message: str
    city: str | None = None
    state: str | None = None
    zip: str | None = None


class TrackerRecord(Record):
    """A tracker: its whole scan plan is fixed at creation; the clock decides what is visible."""

    tracking_code: str
    carrier: str
    service_token: str | None = None
    shipment_id: str | None = None
    est_delivery: dt.datetime | None = None
    plan: list[TrackingEventRecord]
    notified_status: str | None = None  # the last status sent to webhooks

    def visible(self, now: dt.datetime) -> list[TrackingEventRecord]:
        """The scans that have happened by ``now``."""
        return [event for event in self.plan if event.at <= now]

    def status(self, now: dt.datetime) -> str:
        """The current status (``unknown`` before the first scan)."""
        seen = self.visible(now)
        return seen[-1].status if seen else "unknown"


class RefundRecord(Record):
    """A refund request for a bought label."""

    shipment_id: str
    tracking_code: str
    carrier: str
    transaction_id: str | None = None
    status: str


class TransactionRecord(Record):
    """A Shippo label purchase; ``QUEUED`` until first read when bought asynchronously."""

    rate_id: str
    shipment_id: str
    status: str
    asynchronous: bool
    metadata: str | None = None


class WebhookRecord(Record):
    """A URL that receives tracker events; EasyPost ones are signed with ``secret``."""

    url: str
    secret: str | None = None
