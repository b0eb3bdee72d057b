"""Carriers: labels, tracking and refunds through national carriers, couriers and drop shippers."""

from finalmile.carriers.base import (
    AddressCheck,
    Capability,
    CarrierKind,
    LabelFormat,
    Parcel,
    Purchase,
    Quote,
    Rated,
    RefundStatus,
    Scan,
    ShipmentDraft,
    ShipmentOptions,
    TrackingDetail,
    TrackingReport,
    TrackingStatus,
)
from finalmile.carriers.errors import AlreadyPurchasedError, RateLimitedError, UncertainOutcomeError
from finalmile.carriers.info import CarrierAccount, Trait
from finalmile.carriers.registry import load_registry
from finalmile.carriers.webhook_routes import webhook_receiver
from finalmile.carriers.webhooks import WebhookRequest

__all__ = [
    "AddressCheck",
    "AlreadyPurchasedError",
    "Capability",
    "CarrierAccount",
    "CarrierKind",
    "LabelFormat",
    "Parcel",
    "Purchase",
    "Quote",
    "RateLimitedError",
    "Rated",
    "RefundStatus",
    "Scan",
    "ShipmentDraft",
    "ShipmentOptions",
    "TrackingDetail",
    "TrackingReport",
    "TrackingStatus",
    "Trait",
    "UncertainOutcomeError",
    "WebhookRequest",
    "load_registry",
    "webhook_receiver",
]
