"""Rules can test controlled substances: `controlled` and the strictest `controlled_schedule`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finalmile.canonical import ControlledSchedule, DispatchOrder, Item, StorageClass
from finalmile.rules import DeliveryType
from finalmile.rules.context import OrderFacts
from tests.unit.rules.builders import (
    DEFAULT_RULES,
    NEW_YORK,
    at,
    decide_with_rate_card,
    order,
    site,
)

SCHEDULE_II_SIGNED = (
    DEFAULT_RULES
    + """
  - name: Schedule II signed for
    when: {controlled_schedule: [II, IIN]}
    require: [adult_signature]
    reason: "schedule {controlled_schedule}: an adult signs for it"
  - name: No controlled substances by drop shipper
    when: {controlled: true}
    forbid: {delivery_type: drop_ship}
"""
)
TUESDAY = at("2026-11-17 10:00")


def scheduled(*schedules: ControlledSchedule | None) -> DispatchOrder:
    """An order to New York with one item per schedule given (None: not controlled)."""
    items = tuple(
        Item(
            ndc="99999-0000-01",
            quantity=Decimal(1),
            storage=StorageClass.AMBIENT,
            controlled_schedule=schedule,
        )
        for schedule in schedules
    )
    return order(NEW_YORK).model_copy(update={"items": items})


@pytest.mark.parametrize(
    ("schedules", "controlled", "strictest"),
    [
        ((None,), False, None),
        ((ControlledSchedule.IV,), True, "IV"),
        ((ControlledSchedule.V, ControlledSchedule.IIN, None), True, "IIN"),
        ((ControlledSchedule.III, ControlledSchedule.II), True, "II"),
    ],
)
def test_order_facts(
    schedules: tuple[ControlledSchedule | None, ...], controlled: bool, strictest: str | None
) -> None:
    facts = OrderFacts(scheduled(*schedules), site(), TUESDAY)

    assert (facts.controlled, facts.controlled_schedule) == (controlled, strictest)


def test_a_schedule_ii_item_gets_an_adult_signature_and_says_why() -> None:
    rules = site(rules=SCHEDULE_II_SIGNED)

    decision = decide_with_rate_card(
        scheduled(ControlledSchedule.IV, ControlledSchedule.II), TUESDAY, rules
    )

    assert decision.delivery_type is DeliveryType.CARRIER
    assert "adult_signature" in decision.options
    assert any("schedule II: an adult signs for it" in reason for reason in decision.reasons)


@pytest.mark.parametrize("schedule", [None, ControlledSchedule.IV])
def test_other_orders_are_not_asked_for_a_signature(schedule: ControlledSchedule | None) -> None:
    decision = decide_with_rate_card(scheduled(schedule), TUESDAY, site(rules=SCHEDULE_II_SIGNED))

    assert decision.delivery_type is DeliveryType.CARRIER
    assert "adult_signature" not in decision.options
