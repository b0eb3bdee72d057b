"""A hold by a rule lists the choices the other rules still allow; other holds list none."""

from __future__ import annotations

from finalmile.rules import DeliveryType
from tests.unit.rules.builders import (
    DEFAULT_RULES,
    NEW_YORK,
    at,
    decide_with_rate_card,
    order,
    site,
)

HOLD_FIRST = DEFAULT_RULES.replace(
    "rules:\n",
    """rules:
  - name: Call the patient first
    hold: true
    reason: "the pharmacist calls the patient first"
  - name: No drop shipper
    forbid: {delivery_type: drop_ship}
""",
    1,
)
TUESDAY = at("2026-11-17 10:00")


def test_a_hold_rule_lists_what_the_other_rules_allow_cheapest_first() -> None:
    unheld = decide_with_rate_card(order(NEW_YORK), TUESDAY)
    held = decide_with_rate_card(order(NEW_YORK), TUESDAY, site(rules=HOLD_FIRST))
    assert held.delivery_type is DeliveryType.HOLD and held.carrier is None
    assert held.reasons[-1] == "Hold: the pharmacist calls the patient first"
    assert held.choices, "a hold by a rule lists choices"
    assert all(c.delivery_type is not DeliveryType.DROP_SHIP for c in held.choices)
    costs = [c.cost for c in held.choices]
    assert costs == sorted(costs)
    assert unheld.label in {c.label for c in held.choices}
    assert held.to_json()["choices"][0]["label"] == held.choices[0].label


def test_a_hold_for_a_passed_deadline_lists_no_choice() -> None:
    passed = order(NEW_YORK).model_copy(update={"needed_by": at("2026-11-16 10:00")})
    late = decide_with_rate_card(passed, TUESDAY)
    assert late.delivery_type is DeliveryType.HOLD
    assert late.choices == () and late.to_json()["choices"] == []
