"""What an audit packet holds: typed, decrypted, independent of the tables it was read from.

``service.py`` fills it from storage; ``pdf.py`` renders it; ``views.py`` serves it as the JSON
index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from finalmile.canonical import DispatchOrder
from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.evidence.temperature.readings import Reading


@dataclass(frozen=True)
class PodSection:
    """The proof of delivery and whether billing can accept it (``missing`` says why not)."""

    method: str | None
    complete: bool
    missing: tuple[str, ...]
    delivered_at: dt.datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    signer_name: str | None = None
    relationship: str | None = None
    carrier_signed_by: str | None = None
    signature_png: bytes | None = None
    signature_sha256: str | None = None
    photo_sha256: str | None = None
    gps: str | None = None
    proof_url: str | None = None


@dataclass(frozen=True)
class TemperatureSection:
    """One logger's record with the verdict in force and the figures behind it."""

    log_id: int
    package: str | None
    logger_id: str | None
    layout: str
    interval_seconds: float
    raw_sha256: str
    uploaded_at: dt.datetime
    verdict: Verdict
    reasons: tuple[str, ...]
    summary: dict[str, Any]
    limits: dict[str, Any]
    evaluated_at: dt.datetime
    readings: tuple[Reading, ...]


@dataclass(frozen=True)
class CustodyEntry:
    """One handoff in the chain of custody, with the hashes that link it."""

    seq: int
    kind: str
    actor: str
    at: dt.datetime
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class CustodySection:
    """The chain of custody and the result of verifying it."""

    entries: tuple[CustodyEntry, ...]
    verified: bool
    first_bad_seq: int | None = None
    problem: str | None = None
    head_hash: str | None = None


@dataclass(frozen=True)
class Retention:
    """How long the order's evidence is kept: ``years`` from ``since`` (delivery, else the
    order's last change)."""

    basis: str
    since: dt.datetime
    years: int
    until: dt.date
    purged_at: dt.datetime | None = None  # when ``finalmile archive purge`` deleted the evidence


@dataclass(frozen=True)
class HoldEntry:
    """One legal hold: who placed it and when, and who released it and when (if released).

    The hold's reason and reference are not here: they are staff's free text, shown to admin
    keys only (``finalmile archive holds``, ``GET /legal-holds``; ADR 0014).
    """

    hold_id: int
    placed_at: dt.datetime
    placed_by: str
    released_at: dt.datetime | None = None
    released_by: str | None = None


@dataclass(frozen=True)
class LegalHoldSection:
    """Every legal hold the order's evidence has been under, oldest first."""

    holds: tuple[HoldEntry, ...]

    @property
    def active(self) -> HoldEntry | None:
        """The hold in force (at most one), or ``None``."""
        return next((h for h in self.holds if h.released_at is None), None)


@dataclass(frozen=True)
class DecisionSection:
    """The order's current decision and the rule-set version that made it."""

    decision_id: int
    delivery_type: str
    site: str
    carrier: str | None
    service: str | None
    cost: Decimal | None
    rule_set_version: int | None
    decided_at: dt.datetime


@dataclass(frozen=True)
class OverrideEntry:
    """A staff override of the decision, from the order's history."""

    at: dt.datetime
    actor: str
    role: str | None
    reason: str | None
    superseded_decision_id: int | None


@dataclass(frozen=True)
class PharmacySection:
    """The dispensing pharmacy (the decision's site, from its configuration)."""

    site: str
    name: str | None
    address: tuple[str, ...]


@dataclass(frozen=True)
class ShipmentSection:
    """The live shipment: who carries it, the service, what it cost, when the label was bought,
    and the courier driver's name."""

    account: str
    carrier: str | None
    service: str | None
    amount: Decimal | None
    currency: str | None
    label_at: dt.datetime | None
    tracking_number: str | None
    driver: str | None


@dataclass(frozen=True)
class BillingSection:
    """The billing status and, once issued, the delivery confirmation: when, by whom, its outbox
    key."""

    status: str
    confirmed_at: dt.datetime | None = None
    actor: str | None = None
    outbox_key: str | None = None


@dataclass(frozen=True)
class AuditPacket:
    """Everything that proves one order's delivery."""

    order: DispatchOrder
    status: str
    received_at: dt.datetime
    pod: PodSection | None
    temperature_verdict: Verdict | None
    temperature: tuple[TemperatureSection, ...]
    custody: CustodySection
    retention: Retention
    legal_hold: LegalHoldSection
    generated_at: dt.datetime
    zone: dt.tzinfo
    billing: BillingSection
    decision: DecisionSection | None
    overrides: tuple[OverrideEntry, ...]
    pharmacy: PharmacySection | None
    shipment: ShipmentSection | None
