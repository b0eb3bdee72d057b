"""A resend is the same id AND the same content; a reused id with other content is a new message.

Real PMSs reuse MSH-10 after a restart or a counter roll-over: the second message must be
processed (its order exists), never dropped as a resend, and flagged for the interface team.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.cli import app
from finalmile.config import Settings
from finalmile.intake.outcome import OutcomeKind
from finalmile.messages import MessageFlag, count_messages
from finalmile.messages.models import InboundMessage, MessageStatus
from finalmile.orders.models import Order
from tests.conftest import read_fixture
from tests.hl7_builder import rde


def _orders(services: Services) -> list[str]:
    with services.sessions() as session:
        return sorted(session.scalars(select(Order.order_id)))


def _flagged(services: Services) -> int:
    with services.sessions() as session:
        return count_messages(session=session, flag=MessageFlag.REUSED_ID)


def test_a_reused_control_id_is_processed_and_flagged(services: Services) -> None:
    [first] = services.intake.ingest_hl7([rde("C1", "RX-1")], connector="default")
    [reused] = services.intake.ingest_hl7([rde("C1", "RX-2")], connector="default")
    assert (first.kind, first.flag) == (OutcomeKind.ACCEPTED, None)
    assert (reused.kind, reused.order_ids, reused.flag) == (
        OutcomeKind.ACCEPTED,
        ("RX-2",),
        MessageFlag.REUSED_ID,
    )
    assert reused.durable_success
    assert _orders(services) == ["RX-1", "RX-2"]
    assert _flagged(services) == 1
    # A resend of either is recognised as a resend of that one, not of the other.
    again = services.intake.ingest_hl7([rde("C1", "RX-2"), rde("C1", "RX-1")], connector="default")
    assert [(o.kind, o.duplicate_of) for o in again] == [
        (OutcomeKind.DUPLICATE, reused.message_id),
        (OutcomeKind.DUPLICATE, first.message_id),
    ]
    assert _flagged(services) == 1


def test_reused_ids_inside_one_batch_are_all_processed(services: Services) -> None:
    outcomes = services.intake.ingest_hl7(
        [rde("C1", "RX-1"), rde("C1", "RX-2"), rde("C1", "RX-3"), rde("C1", "RX-2")],
        connector="default",
    )
    assert [o.kind for o in outcomes] == [OutcomeKind.ACCEPTED] * 3 + [OutcomeKind.DUPLICATE]
    assert outcomes[3].duplicate_of == outcomes[1].message_id
    assert _orders(services) == ["RX-1", "RX-2", "RX-3"]
    assert _flagged(services) == 2


def test_a_resend_with_a_rewritten_msh7_and_line_ends_is_a_resend(services: Services) -> None:
    raw = rde("C1", "RX-1")
    resent = raw.replace(b"20261122090000-0500", b"20261122093000-0500").replace(b"\r", b"\n")
    first, again = services.intake.ingest_hl7([raw, resent], connector="default")
    assert (again.kind, again.duplicate_of, again.flag) == (
        OutcomeKind.DUPLICATE,
        first.message_id,
        None,
    )


def test_the_reused_message_replays_and_is_listed(services: Services, cli_env: Settings) -> None:
    services.intake.ingest_hl7([rde("C1", "RX-1")], connector="default")
    [reused] = services.intake.ingest_hl7([rde("C1", "RX-2", storage="Q")], connector="default")
    assert (reused.kind, reused.flag) == (OutcomeKind.REJECTED, MessageFlag.REUSED_ID)
    assert reused.message_id is not None
    replayed = services.intake.replay(reused.message_id)
    assert replayed.kind is OutcomeKind.REJECTED  # processed again, not refused as a resend
    with services.sessions() as session:
        row = session.get(InboundMessage, reused.message_id)
        assert row is not None and (row.status, row.flag) == (MessageStatus.REJECTED, "reused_id")
    runner = CliRunner()
    listed = runner.invoke(app, ["messages", "list", "--flag", "reused_id"])
    assert listed.exit_code == 0, listed.output
    [line] = listed.stdout.splitlines()
    assert line.split("\t")[0] == str(reused.message_id) and line.endswith("\treused_id")
    counted = runner.invoke(app, ["messages", "list", "--flag", "reused_id", "--count"])
    assert counted.stdout.strip() == "1"


def test_fhir_same_id_and_version_with_other_content_is_new_and_flagged(
    services: Services,
) -> None:
    dispense = json.loads(read_fixture("fhir", "lone_contained_patient.json"))
    dispense["meta"] = {"versionId": "1", "lastUpdated": "2026-11-20T09:00:00Z"}
    served_again = {**dispense, "meta": {"versionId": "1", "lastUpdated": "2026-11-21T10:00:00Z"}}
    changed = {**dispense, "quantity": {**dispense["quantity"], "value": 9}}
    first, again, other = services.intake.ingest_fhir(
        [
            json.dumps(dispense).encode(),
            json.dumps(served_again, indent=2).encode(),
            json.dumps(changed).encode(),
        ],
        connector="default",
    )
    assert first.kind is OutcomeKind.ACCEPTED
    assert (again.kind, again.duplicate_of) == (OutcomeKind.DUPLICATE, first.message_id)
    assert (other.kind, other.actions, other.flag) == (
        OutcomeKind.ACCEPTED,
        ("updated",),
        MessageFlag.REUSED_ID,
    )
