"""Trackers: made with each label or for a tracking code, re-planned on request, and the status
changes that webhooks announce."""

from __future__ import annotations

import datetime as dt

from finalmile.geo import ZipCentroids
from finalmile_sandbox import catalogue, tracking
from finalmile_sandbox.clock import SandboxClock
from finalmile_sandbox.errors import SandboxError
from finalmile_sandbox.records import (
    AddressRecord,
    Api,
    RateRecord,
    ShipmentRecord,
    TrackerRecord,
)
from finalmile_sandbox.store import SandboxStore, new_id
from finalmile_sandbox.tracking import Outcome

#: A tracker for a bare tracking code (no sandbox label) is delivered this long after creation.
TEST_CODE_TRANSIT = dt.timedelta(days=2)


class Trackers:
    """The trackers of one sandbox."""

    def __init__(self, store: SandboxStore, clock: SandboxClock) -> None:
        self.store = store
        self.clock = clock

    def for_label(
        self, api: Api, *, code: str, shipment: ShipmentRecord, rate: RateRecord
    ) -> TrackerRecord:
        """A new tracker for a label being bought (the caller stores it with the purchase)."""
        carrier = rate.service.carrier.value
        return self._new(
            api, code=code, carrier=carrier, shipment=shipment, rate=rate, outcome=Outcome.DELIVERED
        )

    def for_code(self, api: Api, code: str, carrier: str | None) -> TrackerRecord:
        """The tracker of a tracking code: the label's own, a test code's, or an unknown one."""
        existing = self.store.tracker_for(api, code)
        if existing is not None:
            return existing
        test_codes = (
            tracking.EASYPOST_TEST_CODES if api is Api.EASYPOST else tracking.SHIPPO_TEST_CODES
        )
        outcome = test_codes.get(code.upper(), Outcome.UNKNOWN)
        record = self._new(
            api, code=code, carrier=carrier or "USPS", shipment=None, rate=None, outcome=outcome
        )
        self.store.put(record)
        return record

    def set_outcome(self, api: Api, code: str, outcome: Outcome) -> TrackerRecord:
        """Re-plan a tracker to end in ``outcome`` (scans already seen stay as they were).

        Raises:
            SandboxError: 404 when no tracker has this code.
        """
        tracker = self.store.tracker_for(api, code)
        if tracker is None:
            raise SandboxError(404, "NOT_FOUND", "No tracker with this tracking code")
        shipment = self.store.get(ShipmentRecord, tracker.shipment_id or "")
        rate = shipment.rate(shipment.purchase.rate_id) if shipment and shipment.purchase else None
        replanned = self._new(
            api,
            code=code,
            carrier=tracker.carrier,
            shipment=shipment,
            rate=rate,
            outcome=outcome,
            created=tracker.created_at,
        )
        updated = tracker.model_copy(update={"plan": replanned.plan})
        self.store.put(updated)
        return updated

    def changed(self) -> list[tuple[TrackerRecord, str | None]]:
        """Trackers whose status moved since last announced, each now marked announced, with the
        status announced before (None the first time)."""
        now = self.clock.now()
        changed = []
        for tracker in self.store.all(TrackerRecord):
            status = tracker.status(now)
            if status != tracker.notified_status:
                updated = tracker.model_copy(update={"notified_status": status})
                self.store.put(updated)
                changed.append((updated, tracker.notified_status))
        return changed

    def _new(
        self,
        api: Api,
        *,
        code: str,
        carrier: str,
        shipment: ShipmentRecord | None,
        rate: RateRecord | None,
        outcome: Outcome,
        created: dt.datetime | None = None,
    ) -> TrackerRecord:
        created = created or self.clock.now()
        origin = destination = None
        if shipment is not None:
            origin_address = self.store.get(AddressRecord, shipment.from_address_id)
            to_address = self.store.get(AddressRecord, shipment.to_address_id)
            zips = ZipCentroids()
            origin = zips.locate(origin_address.zip or "", "US") if origin_address else None
            destination = zips.locate(to_address.zip or "", "US") if to_address else None
        if rate is not None:
            shipped = catalogue.ship_date(rate.service, created)
            arrives = rate.delivery_date
        else:
            shipped = created.date()
            arrives = shipped + TEST_CODE_TRANSIT
        return TrackerRecord(
            id=new_id(api, "trk"),
            api=api,
            created_at=created,
            tracking_code=code,
            carrier=carrier,
            service_token=rate.service_token if rate else None,
            shipment_id=shipment.id if shipment else None,
            est_delivery=catalogue.delivery_datetime(arrives),
            plan=tracking.plan(
                created=created,
                shipped=shipped,
                delivered=arrives,
                origin=origin,
                destination=destination,
                outcome=outcome,
            ),
        )
