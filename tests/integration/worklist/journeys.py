"""Orders taken through their journey by hand, for the list and report tests: each order stored
by intake (a synthetic HL7 order), then given its decision, live shipment, driver, temperature
verdict, exceptions and billing confirmation as rows, its status moved through
``finalmile.orders.move`` at the times the test names (so its history is the real one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from finalmile.app import Services
from finalmile.courier.driver_tables import CourierAssignment, Driver
from finalmile.evidence.temperature.evaluate import Verdict
from finalmile.evidence.temperature.models import TemperatureEvaluationRow, TemperatureLogRow
from finalmile.exceptions import ExceptionKind, OrderException
from finalmile.orders import Order, OrderStatus, confirm_billing, find_order, move
from finalmile.rules import DecisionRecord, DeliveryType
from finalmile.shipments import Shipment, ShipmentState
from finalmile_devtools.synthetic import order_id_for, rde_o11


@dataclass
class Journey:
    """What happens to one order (times are aware datetimes)."""

    sequence: int
    needed_by: dt.datetime | None
    site: str
    delivery_type: DeliveryType
    decided_at: dt.datetime
    carrier: str | None = None
    account: str | None = None
    service: str | None = None
    cost: Decimal | None = None  # the decision's
    amount: Decimal | None = None  # the live shipment's
    shipped_at: dt.datetime | None = None
    steps: list[tuple[OrderStatus, dt.datetime]] = field(default_factory=list)
    billed_at: dt.datetime | None = None
    driver: tuple[str, str] | None = None  # (driver id, name)
    verdict: Verdict | None = None
    exceptions: list[tuple[ExceptionKind, dt.datetime, dt.datetime | None]] = field(
        default_factory=list
    )
    rule_set_version: int | None = 3
    superseded_type: DeliveryType | None = None  # an older decision of another type

    @property
    def order_id(self) -> str:
        return order_id_for(self.sequence)


def build(services: Services, journey: Journey) -> int:
    """Store the order and play its journey; the order's pk."""
    outcomes = services.intake.ingest_hl7([rde_o11(journey.sequence)], connector="default")
    assert all(o.error is None for o in outcomes)
    with services.sessions() as session, session.begin():
        order = find_order(session=session, order_id=journey.order_id, connector=None)
        assert order.id is not None
        order.needed_by = journey.needed_by
        session.add(order)
        _decide(session, services, order, journey)
        shipment = _ship(session, order, journey)
        for status, at in journey.steps:
            move(session, order, status, actor="test", reason=f"test: {status.value}", at=at)
        if journey.billed_at is not None:
            outbox = f"delivery_confirmed:{order.id}"
            confirm_billing(
                session,
                order,
                actor="system:billing",
                evidence={"outbox": outbox},
                at=journey.billed_at,
            )
        if journey.driver is not None and shipment is not None:
            _drive(session, shipment, *journey.driver)
        if journey.verdict is not None:
            _log(session, services, order.id, journey.verdict)
        for kind, opened, resolved in journey.exceptions:
            session.add(
                OrderException(
                    order_pk=order.id,
                    kind=kind,
                    reason=f"test: {kind.value}",
                    opened_at=opened,
                    resolved_at=resolved,
                    resolved_by="cli:test" if resolved else None,
                    resolution="cleared" if resolved else None,
                )
            )
        return order.id


def _decide(session: Session, services: Services, order: Order, journey: Journey) -> None:
    assert order.id is not None
    kinds = [journey.superseded_type] if journey.superseded_type else []
    for kind in [*kinds, journey.delivery_type]:
        session.add(
            DecisionRecord(
                order_pk=order.id,
                order_version=order.version,
                site=journey.site,
                rule_set_version=journey.rule_set_version,
                delivery_type=kind,
                carrier=journey.carrier if kind is not DeliveryType.HOLD else None,
                service=journey.service,
                cost=journey.cost,
                decision_encrypted=services.vault.encrypt(b"{}"),
                created_at=journey.decided_at,
            )
        )
        session.flush()
    held = journey.delivery_type is DeliveryType.HOLD
    move(
        session,
        order,
        OrderStatus.HELD if held else OrderStatus.READY,
        actor="system",
        reason="decided",
        at=journey.decided_at,
    )


def _ship(session: Session, order: Order, journey: Journey) -> Shipment | None:
    if journey.shipped_at is None:
        return None
    assert order.id is not None
    shipment = Shipment(
        key=f"shp-{order.id}",
        order_pk=order.id,
        order_id=order.order_id,
        account=journey.account or "account",
        carrier_type="courier" if journey.delivery_type is DeliveryType.COURIER else "easypost",
        state=ShipmentState.PURCHASED,
        carrier=journey.carrier,
        service=journey.service,
        amount=journey.amount,
        currency="USD" if journey.amount is not None else None,
        tracking_number=f"TRK{order.id:08d}",
        created_at=journey.shipped_at,
        updated_at=journey.shipped_at,
        purchased_at=journey.shipped_at,
    )
    session.add(shipment)
    session.flush()
    move(
        session,
        order,
        OrderStatus.DISPATCHED,
        actor="key:test",
        reason="label bought",
        evidence={"shipment": shipment.key},
        at=journey.shipped_at,
    )
    return shipment


def _drive(session: Session, shipment: Shipment, driver_id: str, name: str) -> None:
    assert shipment.id is not None and shipment.purchased_at is not None
    driver = session.query(Driver).filter_by(driver_id=driver_id).one_or_none()
    if driver is None:
        driver = Driver(
            driver_id=driver_id,
            name=name,
            token_prefix=f"tok{driver_id}",
            token_sha256="0" * 64,
            created_at=shipment.purchased_at,
        )
        session.add(driver)
        session.flush()
    assert driver.id is not None
    session.add(
        CourierAssignment(
            shipment_pk=shipment.id,
            driver_pk=driver.id,
            assigned_at=shipment.purchased_at,
            assigned_by="cli:test",
        )
    )


def _log(session: Session, services: Services, order_pk: int, verdict: Verdict) -> None:
    at = dt.datetime.now(dt.UTC)
    log = TemperatureLogRow(
        order_pk=order_pk,
        layout="generic",
        interval_seconds=300,
        first_at=at,
        last_at=at,
        reading_count=0,
        readings=b"",
        raw_sha256=f"{order_pk:064d}",
        raw_encrypted=services.vault.encrypt(b""),
        uploaded_at=at,
        uploaded_by="cli:test",
    )
    session.add(log)
    session.flush()
    assert log.id is not None
    session.add(
        TemperatureEvaluationRow(
            log_id=log.id,
            order_pk=order_pk,
            storage="refrigerated",
            verdict=verdict,
            reasons=[],
            summary={},
            limits={},
            evaluated_at=at,
        )
    )
