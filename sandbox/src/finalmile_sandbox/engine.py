"""The sandbox engine: state, clock and the shipping operations both emulated APIs share.

The HTTP views (``easypost/views.py``, ``shippo/views.py``) parse their provider's request shape,
call these operations and render the records in their provider's response shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from finalmile.geo import ZipCentroids, haversine_miles
from finalmile_sandbox import catalogue, tracking
from finalmile_sandbox.catalogue import SERVICES, Carrier, Options
from finalmile_sandbox.clock import SandboxClock
from finalmile_sandbox.errors import SandboxError
from finalmile_sandbox.faults import FaultController
from finalmile_sandbox.records import (
    AddressRecord,
    Api,
    LabelFormat,
    ParcelRecord,
    PurchaseRecord,
    RateRecord,
    RefundRecord,
    ShipmentRecord,
    TrackerRecord,
)
from finalmile_sandbox.store import SandboxStore, new_id
from finalmile_sandbox.trackers import Trackers
from finalmile_sandbox.verify import verified


@dataclass(frozen=True)
class AddressFields:
    """An address as a client sends it."""

    name: str | None = None
    company: str | None = None
    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None
    residential: bool | None = None
    metadata: str | None = None


class Sandbox:
    """One emulated EasyPost + Shippo world.

    Args:
        clock: the sandbox clock (default: real time).
        store: where records live (default: in memory).
        faults: fault rules applied to requests (default: none).
    """

    def __init__(
        self,
        *,
        clock: SandboxClock | None = None,
        store: SandboxStore | None = None,
        faults: FaultController | None = None,
    ) -> None:
        self.clock = clock or SandboxClock()
        self.store = store or SandboxStore()
        self.faults = faults or FaultController()
        self.trackers = Trackers(self.store, self.clock)

    # -- addresses and parcels -------------------------------------------------------------------

    def add_address(self, api: Api, fields: AddressFields, *, verify: bool) -> AddressRecord:
        """Store an address; when ``verify``, check and normalise it (it is stored either way)."""
        record = AddressRecord(
            id=new_id(api, "adr"),
            api=api,
            created_at=self.clock.now(),
            name=fields.name,
            company=fields.company,
            street1=fields.street1,
            street2=fields.street2,
            city=fields.city,
            state=fields.state,
            zip=fields.zip,
            country=(fields.country or "US").upper(),
            phone=fields.phone,
            email=fields.email,
            residential=fields.residential,
            metadata=fields.metadata,
        )
        if verify:
            record = verified(record)
        self.store.put(record)
        return record

    def verify_address(self, address: AddressRecord) -> AddressRecord:
        """Verify a stored address and keep the result."""
        record = verified(address)
        self.store.put(record)
        return record

    def add_parcel(
        self,
        api: Api,
        *,
        length: float,
        width: float,
        height: float,
        weight_oz: float,
        distance_unit: str = "in",
        mass_unit: str = "oz",
        given: dict[str, str] | None = None,
        metadata: str | None = None,
    ) -> ParcelRecord:
        """Store a parcel (dimensions in inches, weight in ounces)."""
        if weight_oz <= 0:
            raise SandboxError(
                422,
                "PARCEL.INVALID_PARAMS",
                "Parcel weight must be positive",
                [{"field": "weight", "message": "must be greater than 0"}],
            )
        record = ParcelRecord(
            id=new_id(api, "prcl"),
            api=api,
            created_at=self.clock.now(),
            length=length,
            width=width,
            height=height,
            weight_oz=weight_oz,
            distance_unit=distance_unit,
            mass_unit=mass_unit,
            given=given or {},
            metadata=metadata,
        )
        self.store.put(record)
        return record

    # -- shipments and rates ---------------------------------------------------------------------

    def add_shipment(
        self,
        api: Api,
        *,
        from_address: AddressRecord,
        to_address: AddressRecord,
        parcel: ParcelRecord,
        options: Options,
        label_format: LabelFormat = LabelFormat.PDF,
        raw_options: dict[str, Any] | None = None,
        carriers: frozenset[Carrier] | None = None,
        reference: str | None = None,
        metadata: str | None = None,
    ) -> ShipmentRecord:
        """Store a shipment with its rates (none when either ZIP is unknown)."""
        if options.signature not in catalogue.SIGNATURE_SURCHARGES:
            raise SandboxError(
                422,
                "SHIPMENT.INVALID_PARAMS",
                "Unsupported delivery_confirmation",
                [{"field": "options.delivery_confirmation", "message": "unsupported value"}],
            )
        now = self.clock.now()
        zips = ZipCentroids()
        origin = zips.locate(from_address.zip or "", "US")
        destination = zips.locate(to_address.zip or "", "US")
        miles = haversine_miles(origin, destination) if origin and destination else -1.0
        rates = []
        if miles >= 0:
            for service in SERVICES:
                if carriers is not None and service.carrier not in carriers:
                    continue
                if not catalogue.offers(service, options):
                    continue
                shipped = catalogue.ship_date(service, now)
                arrives = catalogue.delivery_date(
                    service, shipped=shipped, miles=miles, options=options
                )
                amount = catalogue.price(
                    service, miles=miles, weight_oz=parcel.weight_oz, options=options
                )
                rates.append(
                    RateRecord(
                        id=new_id(api, "rate"),
                        service_token=service.token,
                        amount=amount,
                        delivery_days=service.transit_days(miles),
                        delivery_date=arrives,
                    )
                )
        record = ShipmentRecord(
            id=new_id(api, "shp"),
            api=api,
            created_at=now,
            from_address_id=from_address.id,
            to_address_id=to_address.id,
            parcel_id=parcel.id,
            options=raw_options or {},
            signature=options.signature,
            saturday_delivery=options.saturday_delivery,
            dry_ice_weight_oz=options.dry_ice_weight_oz,
            label_format=label_format,
            reference=reference,
            metadata=metadata,
            miles=miles,
            rates=rates,
        )
        self.store.put(record)
        return record

    def buy(
        self,
        shipment: ShipmentRecord,
        rate_id: str,
        *,
        insurance: Decimal | None = None,
        transaction_id: str | None = None,
        label_format: LabelFormat | None = None,
    ) -> ShipmentRecord:
        """Buy the label for one of the shipment's rates; committed before this returns.

        ``label_format`` overrides the shipment's (Shippo chooses it at purchase).

        Raises:
            SandboxError: 422 ``SHIPMENT.POSTAGE.EXISTS`` when a label was already bought,
                ``SHIPMENT.RATE.INVALID`` when the rate is not one of this shipment's.
        """
        if shipment.purchase is not None:
            raise SandboxError(
                422, "SHIPMENT.POSTAGE.EXISTS", "Postage already exists for this shipment."
            )
        rate = shipment.rate(rate_id)
        if rate is None:
            raise SandboxError(
                422,
                "SHIPMENT.RATE.INVALID",
                "The rate is not one of this shipment's rates",
                [{"field": "rate", "message": "unknown rate id"}],
            )
        now = self.clock.now()
        service = rate.service
        code = tracking.new_tracking_code(service.carrier)
        tracker = self.trackers.for_label(shipment.api, code=code, shipment=shipment, rate=rate)
        purchase = PurchaseRecord(
            rate_id=rate.id,
            label_id=new_id(shipment.api, "pl"),
            tracking_code=code,
            label_format=label_format or shipment.label_format,
            bought_at=now,
            insurance=insurance,
            insurance_fee=catalogue.insurance_fee(insurance) if insurance else None,
            tracker_id=tracker.id,
            transaction_id=transaction_id,
        )
        bought = shipment.model_copy(update={"purchase": purchase})
        self.store.put(tracker)
        self.store.put(bought)
        return bought

    def refund(self, shipment: ShipmentRecord) -> RefundRecord:
        """Ask for the label's postage back: ``submitted`` (refused once the parcel moved).

        Raises:
            SandboxError: 422 when no label was bought, a refund exists, or it is in transit.
        """
        purchase = shipment.purchase
        if purchase is None:
            raise SandboxError(422, "SHIPMENT.REFUND.UNAVAILABLE", "No label to refund")
        if shipment.refund_status is not None:
            raise SandboxError(
                422, "SHIPMENT.REFUND.EXISTS", "A refund was already requested for this label"
            )
        tracker = self.store.get(TrackerRecord, purchase.tracker_id or "")
        if tracker is not None and tracker.status(self.clock.now()) not in {
            "unknown",
            "pre_transit",
        }:
            raise SandboxError(
                422, "SHIPMENT.REFUND.UNAVAILABLE", "The parcel has been scanned by the carrier"
            )
        rate = shipment.rate(purchase.rate_id)
        carrier = rate.service.carrier.value if rate else ""
        refund = RefundRecord(
            id=new_id(shipment.api, "rfnd"),
            api=shipment.api,
            created_at=self.clock.now(),
            shipment_id=shipment.id,
            tracking_code=purchase.tracking_code,
            carrier=carrier,
            transaction_id=purchase.transaction_id,
            status="submitted",
        )
        self.store.put(shipment.model_copy(update={"refund_status": "submitted"}))
        self.store.put(refund)
        return refund
