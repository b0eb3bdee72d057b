"""Proof of delivery: complete, or every missing element named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from finalmile.canonical import Address, DispatchOrder, Item, Patient
from finalmile.tracking.pod import Evidence, PodMethod, assess

DELIVERED = dt.datetime(2026, 11, 23, 16, tzinfo=dt.UTC)


def order(**changes: object) -> DispatchOrder:
    base = DispatchOrder(
        order_id="SYN-1",
        connector="default",
        patient=Patient(mrn="SYN1", family="Testpatient", given="Alex"),
        ship_to=Address(line1="1 Test St", city="Springfield", state="MA", postal_code="01101"),
        items=(Item(description="Synthetic insulin", quantity=Decimal(10), unit="mL"),),
        requires_signature=True,
    )
    return base.model_copy(update=changes)


def courier(**changes: object) -> Evidence:
    base = Evidence(
        method=PodMethod.COURIER,
        delivered_at=DELIVERED,
        tracking_number="FM1",
        carrier="drivers",
        has_signature=True,
        has_signer_name=True,
        relationship="caregiver",
    )
    return Evidence(**{**base.__dict__, **changes})


def fields(check: object) -> list[str]:
    return [m.field for m in check.missing]  # type: ignore[attr-defined]


def test_a_designee_signed_courier_delivery_is_complete() -> None:
    check = assess(order(), courier())
    assert check.complete and check.method is PodMethod.COURIER


def test_nothing_delivered_yet() -> None:
    assert fields(assess(order(), None)) == ["delivered_at"]


def test_a_courier_pod_lists_each_missing_element() -> None:
    check = assess(order(), courier(has_signature=False, has_signer_name=False, relationship=None))
    assert fields(check) == ["signature", "signer_printed_name", "signer_relationship"]


def test_the_driver_may_not_sign() -> None:
    check = assess(order(), courier(signed_by_driver=True))
    assert not check.complete
    assert "driver may not sign" in check.missing[0].reason


def test_order_facts_are_required_too() -> None:
    bare = order(
        patient=Patient(mrn="SYN1"),
        items=(Item(quantity=Decimal(0)),),
    )
    assert fields(assess(bare, courier())) == [
        "beneficiary_name",
        "items[1].description",
        "items[1].quantity",
    ]


def test_a_carrier_pod_needs_a_signature_only_when_the_order_does() -> None:
    carrier = Evidence(
        method=PodMethod.CARRIER, delivered_at=DELIVERED, tracking_number="9400", carrier="USPS"
    )
    assert fields(assess(order(), carrier)) == ["carrier_signed_by"]
    assert assess(order(requires_signature=False), carrier).complete
    signed = Evidence(**{**carrier.__dict__, "carrier_signed": True})
    assert assess(order(), signed).complete
