"""Intake against a real database: dedupe, updates, cancels, atomicity, replay, encryption."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from finalmile.app import Services
from finalmile.audit import history
from finalmile.canonical import ControlledSchedule, StorageClass
from finalmile.intake.outcome import OutcomeKind
from finalmile.intake.service import IntakeService
from finalmile.intake.store import IntakeStore
from finalmile.messages.models import InboundMessage, MessageOrderLink, MessageStatus
from finalmile.orders.models import Order, OrderItem, OrderStatus
from finalmile.orders.service import order_record
from finalmile.profiles.registry import load_connectors
from tests.hl7_builder import PATIENT_FAMILY, rde


def _count(services: Services, model: type) -> int:
    with services.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _order(services: Services, order_id: str) -> Order:
    with services.sessions() as session:
        return session.scalars(select(Order).where(Order.order_id == order_id)).one()


def test_accepted_message_stores_order_items_and_encrypted_raw(services: Services) -> None:
    [outcome] = services.intake.ingest_hl7([rde("C1", "RX-1")], connector="default")
    assert outcome.kind is OutcomeKind.ACCEPTED
    assert outcome.order_ids == ("RX-1",)
    order = _order(services, "RX-1")
    assert (order.status, order.version, order.storage) == ("received", 1, "refrigerated")
    with services.sessions() as session:
        message = session.get(InboundMessage, outcome.message_id)
        assert message is not None
        assert message.status == MessageStatus.ACCEPTED
        assert (message.control_id, message.message_type, message.version) == (
            "C1",
            "RDE^O11",
            "2.5.1",
        )
        assert PATIENT_FAMILY.encode() not in message.raw_encrypted
        assert services.vault.decrypt(message.raw_encrypted) == rde("C1", "RX-1")
        assert PATIENT_FAMILY.encode() not in order.phi_encrypted
        [item] = session.scalars(select(OrderItem).where(OrderItem.order_pk == order.id)).all()
        assert (item.ndc, str(item.quantity.normalize()), item.unit) == ("00002821501", "2", "mL")


def test_resend_is_stored_as_duplicate_and_changes_nothing(services: Services) -> None:
    first, again = services.intake.ingest_hl7(
        [rde("C1", "RX-1"), rde("C1", "RX-1")], connector="default"
    )
    third = services.intake.ingest_hl7([rde("C1", "RX-1")], connector="default")[0]
    assert first.kind is OutcomeKind.ACCEPTED
    for resend in (again, third):
        assert resend.kind is OutcomeKind.DUPLICATE
        assert resend.duplicate_of == first.message_id
        assert resend.durable_success
    assert _count(services, Order) == 1
    assert _count(services, InboundMessage) == 3


def test_resend_of_a_rejected_message_is_answered_with_the_same_error(services: Services) -> None:
    bad = rde("C9", "RX-9", storage="Q")
    first, again = (services.intake.ingest_hl7([bad], connector="default")[0] for _ in range(2))
    assert first.kind is OutcomeKind.REJECTED
    assert again.kind is OutcomeKind.DUPLICATE
    assert again.error is not None and first.error is not None
    assert (again.error.location, again.error.code) == (first.error.location, first.error.code)
    assert not again.durable_success


def test_same_order_with_new_content_is_an_update_with_history(services: Services) -> None:
    services.intake.ingest_hl7([rde("C1", "RX-1", quantity="2")], connector="default")
    [update] = services.intake.ingest_hl7([rde("C2", "RX-1", quantity="3")], connector="default")
    [same] = services.intake.ingest_hl7([rde("C3", "RX-1", quantity="3")], connector="default")
    assert update.kind is OutcomeKind.ACCEPTED and same.kind is OutcomeKind.ACCEPTED
    order = _order(services, "RX-1")
    assert order.version == 2
    with services.sessions() as session:
        actions = [e.action for e in history(session, entity="order", entity_id=order.id or 0)]
        links = session.scalars(
            select(MessageOrderLink.action).order_by(MessageOrderLink.message_id)
        ).all()
    assert actions == ["created", "updated"]
    assert links == ["created", "updated", "unchanged"]


def test_cancel_then_update_is_refused_and_cancel_of_unknown_order_is_rejected(
    services: Services,
) -> None:
    services.intake.ingest_hl7([rde("C1", "RX-1")], connector="default")
    [cancel] = services.intake.ingest_hl7(
        [rde("C2", "RX-1", order_control="CA")], connector="default"
    )
    [revive] = services.intake.ingest_hl7([rde("C3", "RX-1")], connector="default")
    [unknown] = services.intake.ingest_hl7(
        [rde("C4", "RX-404", order_control="CA")], connector="default"
    )
    assert cancel.kind is OutcomeKind.ACCEPTED
    assert _order(services, "RX-1").status == OrderStatus.CANCELLED
    assert revive.kind is OutcomeKind.REJECTED and revive.error is not None
    assert (revive.error.location, revive.error.code) == ("ORC-2", "order_cancelled")
    assert unknown.kind is OutcomeKind.REJECTED and unknown.error is not None
    assert (unknown.error.location, unknown.error.code) == ("ORC-2", "unknown_order")


def test_create_and_update_in_one_batch(services: Services) -> None:
    outcomes = services.intake.ingest_hl7(
        [rde("C1", "RX-1", quantity="1"), rde("C2", "RX-1", quantity="5")], connector="default"
    )
    assert [o.kind for o in outcomes] == [OutcomeKind.ACCEPTED, OutcomeKind.ACCEPTED]
    order = _order(services, "RX-1")
    assert order.version == 2
    with services.sessions() as session:
        [item] = session.scalars(select(OrderItem).where(OrderItem.order_pk == order.id)).all()
    assert item.quantity == 5


def test_rejected_message_is_kept_and_replays_after_a_profile_fix(
    services: Services, tmp_path: Path
) -> None:
    [rejected] = services.intake.ingest_hl7([rde("C1", "RX-1", storage="FRZ")], connector="default")
    assert rejected.kind is OutcomeKind.REJECTED and rejected.error is not None
    assert rejected.error.location == "ZDL-2"
    assert _count(services, Order) == 0
    assert rejected.message_id is not None

    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "default.yaml").write_text(
        "hl7v2:\n  mapping:\n    storage_codes: {R: refrigerated, FRZ: frozen}\n"
    )
    fixed_settings = services.settings.model_copy(update={"config_dir": tmp_path})
    fixed = IntakeService(
        store=IntakeStore(services.engine, services.vault),
        sessions=services.sessions,
        vault=services.vault,
        connectors=load_connectors(fixed_settings),
    )
    replayed = fixed.replay(rejected.message_id)
    assert replayed.kind is OutcomeKind.ACCEPTED
    assert replayed.message_id == rejected.message_id
    assert _order(services, "RX-1").storage == StorageClass.FROZEN
    with services.sessions() as session:
        message = session.get(InboundMessage, rejected.message_id)
        assert message is not None and message.status == MessageStatus.ACCEPTED
        assert message.error_location is None
        events = history(session, entity="message", entity_id=rejected.message_id)
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("replayed", "rejected", "accepted")
    ]
    assert _count(services, InboundMessage) == 1


def test_one_bad_message_does_not_hold_back_its_batch(services: Services) -> None:
    outcomes = services.intake.ingest_hl7(
        [rde("C1", "RX-1"), rde("C2", "RX-2", quantity="zero"), rde("C3", "RX-3")],
        connector="default",
    )
    assert [o.kind for o in outcomes] == [
        OutcomeKind.ACCEPTED,
        OutcomeKind.REJECTED,
        OutcomeKind.ACCEPTED,
    ]
    assert outcomes[1].error is not None and outcomes[1].error.location == "RXE-10"
    assert _count(services, Order) == 2


def test_the_controlled_schedule_is_stored_and_read_back(services: Services) -> None:
    services.intake.ingest_hl7(
        [rde("C1", "RX-C2", schedule="C-II"), rde("C2", "RX-PLAIN")], connector="default"
    )
    with services.sessions() as session:
        loaded = {
            row.order_id: order_record(session=session, row=row, vault=services.vault).order
            for row in session.scalars(select(Order))
        }
    assert loaded["RX-C2"].items[0].controlled_schedule is ControlledSchedule.II
    assert loaded["RX-C2"].controlled
    assert loaded["RX-PLAIN"].items[0].controlled_schedule is None
    assert not loaded["RX-PLAIN"].controlled


def test_a_new_schedule_is_an_update_and_an_unscheduled_resend_is_unchanged(
    services: Services,
) -> None:
    services.intake.ingest_hl7([rde("C1", "RX-1"), rde("C2", "RX-1")], connector="default")
    assert _order(services, "RX-1").version == 1
    services.intake.ingest_hl7([rde("C3", "RX-1", schedule="IV")], connector="default")
    assert _order(services, "RX-1").version == 2
