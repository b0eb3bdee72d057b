"""Migration 0017 sets every stored order to its true status from the evidence already stored,
with one history entry per order that moved, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from finalmile.db import alembic_config
from tests.conftest import BACKENDS, POSTGRES_URL

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=BACKENDS)
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema yet) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/old.db"
        return
    assert POSTGRES_URL is not None
    schema = f"finalmile_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _insert(connection: sa.Connection, table: str, **values: Any) -> int:
    columns = ", ".join(values)
    names = ", ".join(f":{name}" for name in values)
    returning = " RETURNING id" if "id" not in values and table != "tracking_state" else ""
    result = connection.execute(
        sa.text(f"INSERT INTO {table} ({columns}) VALUES ({names}){returning}"), values
    )
    return int(result.scalar_one()) if returning else 0


def _order(connection: sa.Connection, order_id: str, *, status: str = "received") -> int:
    return _insert(
        connection,
        "dispatch_order",
        connector="default",
        order_id=order_id,
        status=status,
        version=1,
        requires_signature=False,
        content_sha256="0" * 64,
        phi_encrypted=b"x",
        created_at=T0,
        updated_at=T0,
    )


def _decision(connection: sa.Connection, order_pk: int, delivery_type: str) -> int:
    return _insert(
        connection,
        "delivery_decision",
        order_pk=order_pk,
        order_version=1,
        site="main",
        delivery_type=delivery_type,
        decision_encrypted=b"x",
        created_at=T0 + dt.timedelta(minutes=1),
    )


def _shipment(
    connection: sa.Connection, order_pk: int, *, state: str = "purchased", tracked: str | None
) -> None:
    pk = _insert(
        connection,
        "shipment",
        key=f"shp_{order_pk}_{state}",
        order_pk=order_pk,
        order_id=f"O{order_pk}",
        account="easypost",
        carrier_type="easypost",
        state=state,
        options="{}",
        attempts=1,
        created_at=T0,
        updated_at=T0,
        purchased_at=T0 + dt.timedelta(minutes=2),
    )
    if tracked is not None:
        _insert(
            connection,
            "tracking_state",
            shipment_pk=pk,
            order_pk=order_pk,
            status=tracked,
            detail="other",
            status_at=T0 + dt.timedelta(hours=3),
            updated_at=T0 + dt.timedelta(hours=3),
        )


def _confirmed(connection: sa.Connection, order_pk: int) -> None:
    _insert(
        connection,
        "outbox_event",
        key=f"delivery_confirmed:{order_pk}",
        topic="order.delivery_confirmed",
        connector="default",
        order_id=f"O{order_pk}",
        payload="{}",
        status="delivered",
        attempts=1,
        done_targets="[]",
        next_attempt_at=T0,
        budget_started_at=T0,
        created_at=T0,
        updated_at=T0,
    )


def test_migration_sets_stored_orders_to_their_true_status(blank_url: str) -> None:
    config = alembic_config(blank_url)
    command.upgrade(config, "0016")
    engine = sa.create_engine(blank_url)
    with engine.begin() as connection:
        pks = {
            "new": _order(connection, "NEW"),
            "held": _order(connection, "HELD"),
            "ready": _order(connection, "READY"),
            "labelled": _order(connection, "LABELLED"),
            "moving": _order(connection, "MOVING"),
            "failed": _order(connection, "FAILED"),
            "billed": _order(connection, "BILLED"),
            "voided": _order(connection, "VOIDED"),
            "cancelled": _order(connection, "CANCELLED", status="cancelled"),
        }
        _decision(connection, pks["held"], "hold")
        for name in ("ready", "labelled", "moving", "failed", "billed", "voided"):
            _decision(connection, pks[name], "carrier")
        _shipment(connection, pks["labelled"], tracked=None)
        _shipment(connection, pks["moving"], tracked="out_for_delivery")
        _shipment(connection, pks["failed"], tracked="failure")
        _shipment(connection, pks["billed"], tracked="delivered")
        _shipment(connection, pks["voided"], state="voided", tracked="in_transit")
        _confirmed(connection, pks["billed"])
    command.upgrade(config, "head")

    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, status, billing_status, status_at FROM dispatch_order")
        ).all()
        moves = connection.execute(
            sa.text(
                "SELECT entity_id, from_status, to_status, actor FROM audit_event "
                "WHERE entity = 'order' AND action = 'status'"
            )
        ).all()
    engine.dispose()
    by_pk = {row.id: row for row in rows}
    assert {name: by_pk[pk].status for name, pk in pks.items()} == {
        "new": "received",
        "held": "held",
        "ready": "ready",
        "labelled": "dispatched",
        "moving": "out_for_delivery",
        "failed": "failed_attempt",
        "billed": "delivered",
        "voided": "ready",
        "cancelled": "cancelled",
    }
    assert {name for name, pk in pks.items() if by_pk[pk].billing_status == "confirmed"} == {
        "billed"
    }
    assert all(row.status_at is not None for row in rows)
    moved = {int(m.entity_id): (m.from_status, m.to_status, m.actor) for m in moves}
    assert moved == {
        by_pk[pk].id: ("received", by_pk[pk].status, "migration:0017")
        for name, pk in pks.items()
        if name not in ("new", "cancelled")
    }
