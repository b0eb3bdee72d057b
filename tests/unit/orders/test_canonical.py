"""The canonical contract: ``controlled_schedule`` is additive, null by default, and round-trips."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from pydantic import ValidationError

from finalmile.canonical import ControlledSchedule, DispatchOrder
from finalmile.orders.codec import content_digest

# The contract JSON as it was before items had a schedule.
BEFORE: dict[str, Any] = {
    "order_id": "RX-1001",
    "connector": "default",
    "patient": {"mrn": "MRN123", "family": None, "given": None, "birth_date": None,
                "phone": None, "email": None},
    "ship_to": {"name": None, "line1": "12 Sample St", "line2": None, "city": "Cambridge",
                "state": "MA", "postal_code": "02139", "country": "US"},
    "items": [{"ndc": "00002-8215-01", "description": "Insulin", "quantity": 2, "unit": "mL",
               "storage": "refrigerated"}],
    "needed_by": None,
    "requires_signature": False,
    "instructions": None,
}  # fmt: skip


def with_schedule(schedule: str | None) -> dict[str, Any]:
    data = json.loads(json.dumps(BEFORE))
    data["items"][0]["controlled_schedule"] = schedule
    data["items"][0]["storage_source"] = None  # added with the item master, null by default
    data["items"][0] |= {"code": None, "system": None}  # added later still, also null
    return data


def test_storage_unknown_is_null_and_the_order_says_so() -> None:
    data = with_schedule(None)
    data["items"][0]["storage"] = None
    order = DispatchOrder.model_validate(data)
    assert order.to_contract()["items"][0]["storage"] is None
    assert not order.storage_known
    with pytest.raises(ValueError, match="unknown"):
        _ = order.storage


def test_json_without_the_key_still_validates_and_serialises_it_as_null() -> None:
    order = DispatchOrder.model_validate(BEFORE)
    assert order.items[0].controlled_schedule is None
    assert not order.controlled
    assert order.to_contract() == with_schedule(None)


@pytest.mark.parametrize("schedule", [s.value for s in ControlledSchedule])
def test_every_schedule_round_trips_through_the_contract_json(schedule: str) -> None:
    order = DispatchOrder.model_validate(with_schedule(schedule))
    assert order.controlled
    text = json.dumps(order.to_contract())
    assert json.loads(text)["items"][0]["controlled_schedule"] == schedule
    assert DispatchOrder.model_validate_json(text) == order


@pytest.mark.parametrize("written", ["2", "C-II", "I", "VI"])
def test_the_contract_takes_only_the_dea_codes(written: str) -> None:
    with pytest.raises(ValidationError, match="controlled_schedule"):
        DispatchOrder.model_validate(with_schedule(written))


def test_the_digest_of_an_unscheduled_order_is_what_it_was_before_the_field() -> None:
    before = json.dumps(BEFORE, sort_keys=True, separators=(",", ":"))
    order = DispatchOrder.model_validate(BEFORE)
    assert content_digest(order) == hashlib.sha256(before.encode()).hexdigest()
    scheduled = DispatchOrder.model_validate(with_schedule("II"))
    assert content_digest(scheduled) != content_digest(order)
