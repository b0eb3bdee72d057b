"""Legal holds: purge never deletes held evidence, even when the hold races the purge; a released
hold stays as history; the hold's text is stored encrypted and never reaches an audit row or log."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlmodel import col

from finalmile.app import Services, build_services
from finalmile.audit import AuditEvent, history
from finalmile.config.settings import Settings
from finalmile.db import transaction
from finalmile.errors import ConflictError, InputError
from finalmile.evidence.archive import holds
from finalmile.evidence.archive.models import LegalHold
from finalmile.evidence.archive.purge import purge_order
from finalmile.evidence.archive.service import ArchiveService
from finalmile.evidence.temperature.layouts.base import ReadOptions
from finalmile.evidence.temperature.models import TemperatureLogRow
from finalmile.evidence.temperature.service import Upload
from finalmile.orders.models import Order
from tests.conftest import read_fixture
from tests.integration.evidence.conftest import store_order

#: Free text as staff might type it: it must stay out of audit rows and logs.
REASON = "Subpoena naming Quillfeather household, Suffolk Superior Court"
REFERENCE = "SUCV2031-Quillfeather-0042"
RELEASE_REASON = "Quillfeather matter settled, counsel confirmed"
#: Orders are backdated to 2015: kept through 2025 (10 years), so due on this day.
TODAY = dt.date(2030, 1, 1)


def due_order(services: Services, sequence: int, *, changed: dt.datetime) -> Order:
    """A stored order with a temperature log, last changed at ``changed`` (long past)."""
    order = store_order(services, sequence)
    upload = Upload(
        content=read_fixture("temperature", "generic_celsius.csv"),
        layout="generic",
        options=ReadOptions(zone=ZoneInfo("America/New_York")),
    )
    services.temperature.import_log(
        order_id=order.order_id, connector=None, upload=upload, actor="test"
    )
    with services.sessions() as session, session.begin():
        session.execute(update(Order).where(col(Order.id) == order.id).values(updated_at=changed))
    return order


def logs_of(services: Services, order: Order) -> int:
    with services.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(TemperatureLogRow)
                .where(col(TemperatureLogRow.order_pk) == order.id)
            )
            or 0
        )


def actions(services: Services, order: Order) -> list[str]:
    assert order.id is not None
    with services.sessions() as session:
        return [e.action for e in history(session, entity="order", entity_id=order.id)]


def hold(
    archive: ArchiveService, order: Order, actor: str = "compliance:rgray"
) -> holds.HoldRecord:
    return archive.place_hold(
        order_id=order.order_id, connector=None, reason=REASON, reference=REFERENCE, actor=actor
    )


@pytest.fixture
def other_process(settings: Settings) -> Iterator[Services]:
    """A second set of services on the same database: its own engine and connections."""
    built = build_services(settings)
    yield built
    built.close()


def test_a_hold_keeps_the_evidence_through_purge_until_released(services: Services) -> None:
    held = due_order(services, 81, changed=dt.datetime(2015, 6, 1, 12, tzinfo=dt.UTC))
    free = due_order(services, 82, changed=dt.datetime(2015, 7, 1, 12, tzinfo=dt.UTC))
    archive = services.archive

    placed = hold(archive, held)
    listed = archive.past_retention(today=TODAY)
    outcomes = archive.purge(actor="test", today=TODAY)

    since = placed.placed_at.astimezone(archive.zone).date().isoformat()
    assert [(e.order_id, e.held_since) for e in listed] == [
        (held.order_id, placed.placed_at),
        (free.order_id, None),
    ]
    assert [(o.order_id, o.purged, o.reason) for o in outcomes] == [
        (held.order_id, False, f"legal hold since {since}"),
        (free.order_id, True, None),
    ]
    assert (logs_of(services, held), logs_of(services, free)) == (1, 0)

    released = archive.release_hold(
        order_id=held.order_id, connector=None, reason=RELEASE_REASON, actor="compliance:tlee"
    )
    after = archive.purge(actor="test", today=TODAY)

    assert [(o.order_id, o.purged) for o in after] == [(held.order_id, True)]
    assert logs_of(services, held) == 0
    assert actions(services, held)[-4:] == [
        "legal_hold_placed",
        "evidence_kept_legal_hold",
        "legal_hold_released",
        "evidence_purged",
    ]
    assert (released.active, released.released_by, released.release_reason) == (
        False,
        "compliance:tlee",
        RELEASE_REASON,
    )
    assert archive.list_holds() == []
    (history_row,) = archive.list_holds(include_released=True)
    assert (history_row.placed_by, history_row.reason, history_row.reference) == (
        "compliance:rgray",
        REASON,
        REFERENCE,
    )
    with services.sessions() as session:
        stored = session.scalars(select(LegalHold)).one()
        details = json.dumps([e.detail for e in session.scalars(select(AuditEvent))])
    columns = [stored.reason_encrypted, stored.reference_encrypted, stored.release_reason_encrypted]
    assert all(c is not None and b"Quillfeather" not in c for c in columns)
    assert "Quillfeather" not in details and f'"hold_id": {placed.hold_id}' in details


def test_placing_and_releasing_say_what_is_wrong(services: Services) -> None:
    order = store_order(services, 83)
    archive = services.archive

    def error(call: Callable[[], object]) -> InputError | ConflictError:
        with pytest.raises((InputError, ConflictError)) as caught:
            call()
        return caught.value

    placed = hold(archive, order)
    again = error(lambda: hold(archive, order, actor="compliance:other"))
    blank = error(
        lambda: archive.release_hold(order_id=order.order_id, connector=None, reason=" ", actor="x")
    )
    archive.release_hold(order_id=order.order_id, connector=None, reason="done", actor="x")
    not_held = error(
        lambda: archive.release_hold(order_id=order.order_id, connector=None, reason="r", actor="x")
    )
    too_long = error(
        lambda: archive.place_hold(
            order_id=order.order_id, connector=None, reason="r", reference="x" * 201, actor="x"
        )
    )

    since = placed.placed_at.astimezone(archive.zone).isoformat(timespec="minutes")
    assert isinstance(again, ConflictError) and isinstance(not_held, ConflictError)
    assert (again.code, again.location) == ("already_held", "order_id")
    assert str(again) == (
        f"order_id: order {order.order_id!r} is already on legal hold since {since} "
        "by compliance:rgray"
    )
    assert (blank.code, blank.location, blank.message) == (
        "required",
        "reason",
        "a reason is required",
    )
    assert (not_held.code, not_held.message) == (
        "not_held",
        f"order {order.order_id!r} is not on legal hold",
    )
    assert (too_long.code, too_long.location) == ("too_long", "reference")
    assert [h.active for h in archive.list_holds(include_released=True)] == [False]


def test_a_hold_placed_after_the_listing_is_honoured(
    services: Services, other_process: Services
) -> None:
    order = due_order(services, 84, changed=dt.datetime(2015, 6, 1, 12, tzinfo=dt.UTC))
    archive = services.archive

    (entry,) = archive.past_retention(today=TODAY)  # the purge's listing: not held yet
    hold(other_process.archive, order)  # another connection, committed meanwhile
    outcome = archive.purge_one(entry, actor="test", today=TODAY)

    assert entry.held_since is None
    assert outcome.reason is not None and outcome.reason.startswith("legal hold since")
    assert (outcome.purged, logs_of(services, order)) == (False, 1)


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``call`` in a thread; its result (or exception) lands in the returned list."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(call())
        except Exception as exc:  # handed to the test to assert on
            result.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_a_purge_waits_for_a_hold_being_placed_and_keeps_the_evidence(
    services: Services, other_process: Services
) -> None:
    order = due_order(services, 85, changed=dt.datetime(2015, 6, 1, 12, tzinfo=dt.UTC))
    archive = services.archive
    (entry,) = archive.past_retention(today=TODAY)
    placer = other_process.archive

    with transaction(other_process.sessions) as session:
        locked = holds.lock_order(session, entry_pk(order))
        holds.place(
            session,
            order=locked,
            reason=REASON,
            reference=None,
            actor="compliance:rgray",
            vault=placer.vault,
            at=dt.datetime.now(dt.UTC),
            zone=placer.zone,
        )
        purge, result = in_thread(lambda: archive.purge_one(entry, actor="test", today=TODAY))
        time.sleep(0.5)
        assert purge.is_alive()  # waiting for the order's row (SQLite: the write lock)
    purge.join(30)

    (outcome,) = result
    assert (outcome.purged, outcome.reason.startswith("legal hold since")) == (False, True)
    assert logs_of(services, order) == 1


def test_a_hold_waits_for_a_purge_in_progress_and_is_refused(
    services: Services, other_process: Services
) -> None:
    order = due_order(services, 86, changed=dt.datetime(2015, 6, 1, 12, tzinfo=dt.UTC))
    archive = services.archive

    with transaction(services.sessions) as session:
        purged = purge_order(
            session, order_pk=entry_pk(order), years=10, today=TODAY, zone=archive.zone, actor="t"
        )
        placing, result = in_thread(lambda: hold(other_process.archive, order))
        time.sleep(0.5)
        assert placing.is_alive()
    placing.join(30)

    (refused,) = result
    assert purged.purged and isinstance(refused, ConflictError) and refused.code == "purged"
    assert "there is nothing left to hold" in str(refused)
    assert archive.list_holds(include_released=True) == []


def entry_pk(order: Order) -> int:
    assert order.id is not None
    return order.id
