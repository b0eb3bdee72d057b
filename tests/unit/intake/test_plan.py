"""The intake rules, without a database: create, update, unchanged, cancel, duplicate, reject."""

from __future__ import annotations

import datetime as dt

from finalmile.errors import InputError
from finalmile.intake.outcome import OutcomeKind
from finalmile.intake.plan import OrderState, Original, outcome_of, plan_message
from finalmile.intake.prepare import PreparedMessage, prepare_hl7
from finalmile.mapping.hl7v2 import Hl7Profile
from finalmile.messages.models import MessageStatus
from finalmile.orders.models import OrderStatus
from tests.hl7_builder import rde

NOW = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)


def _prepared(control_id: str, order_id: str, **changes: str) -> PreparedMessage:
    raw = rde(control_id, order_id, **changes)
    return prepare_hl7(raw, connector="c", profile=Hl7Profile(), received_at=NOW)


def test_new_then_changed_then_same_content() -> None:
    orders: dict[tuple[str, str], OrderState] = {}
    created = plan_message(_prepared("1", "RX-1"), originals={}, orders=orders)
    changed = plan_message(_prepared("2", "RX-1", quantity="3"), originals={}, orders=orders)
    same = plan_message(_prepared("3", "RX-1", quantity="3"), originals={}, orders=orders)
    assert [p.links[("c", "RX-1")] for p in (created, changed, same)] == [
        "created",
        "updated",
        "unchanged",
    ]
    assert [(e.action, e.version) for p in (created, changed, same) for e in p.events] == [
        ("created", 1),
        ("updated", 2),
    ]
    state = orders[("c", "RX-1")]
    assert (state.new, state.version, state.status) == (True, 2, OrderStatus.RECEIVED)


def test_cancel_rules() -> None:
    orders: dict[tuple[str, str], OrderState] = {}
    unknown = plan_message(_prepared("1", "RX-9", order_control="CA"), originals={}, orders=orders)
    assert unknown.status is MessageStatus.REJECTED
    assert unknown.error is not None and unknown.error.code == "unknown_order"
    plan_message(_prepared("2", "RX-1"), originals={}, orders=orders)
    cancel = plan_message(_prepared("3", "RX-1", order_control="CA"), originals={}, orders=orders)
    again = plan_message(_prepared("4", "RX-1", order_control="CA"), originals={}, orders=orders)
    revive = plan_message(_prepared("5", "RX-1"), originals={}, orders=orders)
    assert (cancel.links[("c", "RX-1")], again.links[("c", "RX-1")]) == ("cancelled", "unchanged")
    assert revive.error is not None and revive.error.code == "order_cancelled"
    assert orders[("c", "RX-1")].status is OrderStatus.CANCELLED


def _stored(message: PreparedMessage, pk: int, error: InputError | None = None) -> Original:
    return Original(pk, error, message.resend_key, message.sha256)


def test_resend_repeats_the_original_answer() -> None:
    rejected = InputError("bad", location="ZDL-2", code="unknown_code")
    first, second = _prepared("1", "RX-1"), _prepared("2", "RX-2")
    originals = {
        ("c", "hl7v2", "1"): [_stored(first, 7)],
        ("c", "hl7v2", "2"): [_stored(second, 8, rejected)],
    }
    orders: dict[tuple[str, str], OrderState] = {}
    accepted_again = plan_message(_prepared("1", "RX-1"), originals=originals, orders=orders)
    rejected_again = plan_message(_prepared("2", "RX-2"), originals=originals, orders=orders)
    assert outcome_of(accepted_again).kind is OutcomeKind.DUPLICATE
    assert outcome_of(accepted_again).durable_success
    assert outcome_of(rejected_again).error is rejected
    assert not outcome_of(rejected_again).durable_success
    assert orders == {}


def test_a_rejected_message_changes_no_order() -> None:
    orders: dict[tuple[str, str], OrderState] = {}
    bad = plan_message(_prepared("1", "RX-1", storage="Q"), originals={}, orders=orders)
    assert outcome_of(bad).kind is OutcomeKind.REJECTED
    assert bad.links == {} and bad.events == [] and orders == {}


def _resent(raw: bytes) -> PreparedMessage:
    return prepare_hl7(raw, connector="c", profile=Hl7Profile(), received_at=NOW)


def test_a_resend_may_carry_a_new_msh7_and_other_segment_ends() -> None:
    raw = rde("1", "RX-1")
    resent = raw.replace(b"20261122090000-0500", b"20261122091500-0500").replace(b"\r", b"\r\n")
    first = _resent(raw)
    plan = plan_message(
        _resent(resent), originals={("c", "hl7v2", "1"): [_stored(first, 7)]}, orders={}
    )
    assert (plan.status, plan.duplicate_of, plan.flag) == (MessageStatus.DUPLICATE, 7, None)


def test_a_reused_control_id_with_other_content_is_a_new_flagged_message() -> None:
    first = _prepared("1", "RX-1")
    orders: dict[tuple[str, str], OrderState] = {}
    originals = {("c", "hl7v2", "1"): [_stored(first, 7)]}
    plan = plan_message(_prepared("1", "RX-2"), originals=originals, orders=orders)
    outcome = outcome_of(plan)
    assert (outcome.kind, outcome.order_ids, outcome.flag) == (
        OutcomeKind.ACCEPTED,
        ("RX-2",),
        "reused_id",
    )
    assert plan.dedupe_key == "1" and orders[("c", "RX-2")].new


def test_rows_stored_before_content_keys_match_resends_by_their_bytes() -> None:
    raw = rde("1", "RX-1")
    legacy = Original(7, None, None, _resent(raw).sha256)
    originals = {("c", "hl7v2", "1"): [legacy]}
    same = plan_message(_resent(raw), originals=originals, orders={})
    other = plan_message(_prepared("1", "RX-2"), originals=originals, orders={})
    assert (same.status, other.status, other.flag) == (
        MessageStatus.DUPLICATE,
        MessageStatus.ACCEPTED,
        "reused_id",
    )
