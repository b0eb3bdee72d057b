"""One order status across delivery types: ``status_at`` and ``billing_status`` on orders, roles
on API keys, the exceptions queue's table, and
every stored order set to its true status from the evidence already recorded (its newest
decision, its live shipment and that shipment's tracking status, its billing confirmation),
with one history entry per order that moved.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from finalmile.db_types import BigId, UtcDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = "migration:0017"
_TRACKED = {
    "pre_transit": "dispatched",
    "unknown": "dispatched",
    "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "failure": "failed_attempt",
    "returned": "returned",
    "cancelled": "ready",
}
_BATCH = 1000

_orders = sa.table(
    "dispatch_order",
    sa.column("id", sa.BigInteger),
    sa.column("status", sa.String),
    sa.column("version", sa.Integer),
    sa.column("status_at", UtcDateTime),
    sa.column("billing_status", sa.String),
    sa.column("created_at", UtcDateTime),
    sa.column("updated_at", UtcDateTime),
)
_decisions = sa.table(
    "delivery_decision",
    sa.column("id", sa.BigInteger),
    sa.column("order_pk", sa.BigInteger),
    sa.column("order_version", sa.Integer),
    sa.column("delivery_type", sa.String),
    sa.column("created_at", UtcDateTime),
)
_shipments = sa.table(
    "shipment",
    sa.column("id", sa.BigInteger),
    sa.column("key", sa.String),
    sa.column("order_pk", sa.BigInteger),
    sa.column("state", sa.String),
    sa.column("purchased_at", UtcDateTime),
    sa.column("created_at", UtcDateTime),
)
_tracking = sa.table(
    "tracking_state",
    sa.column("shipment_pk", sa.BigInteger),
    sa.column("status", sa.String),
    sa.column("status_at", UtcDateTime),
)
_outbox = sa.table("outbox_event", sa.column("key", sa.String))
_audit = sa.table(
    "audit_event",
    sa.column("at", UtcDateTime),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("action", sa.String),
    sa.column("actor", sa.String),
    sa.column("from_status", sa.String),
    sa.column("to_status", sa.String),
    sa.column("detail", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("dispatch_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_at", UtcDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "billing_status",
                sa.String(length=16),
                nullable=False,
                server_default="not_ready",
            )
        )
        batch_op.create_index("ix_dispatch_order_billing_status", ["billing_status"])
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("roles", sa.String(length=200), nullable=False, server_default="")
        )
    _create_exceptions_table()
    bind = op.get_bind()
    confirmed = sa.exists().where(
        _outbox.c.key == sa.literal("delivery_confirmed:") + sa.cast(_orders.c.id, sa.String)
    )
    bind.execute(_orders.update().where(confirmed).values(billing_status="confirmed"))
    after = 0
    while True:
        rows = bind.execute(
            sa.select(
                _orders.c.id,
                _orders.c.status,
                _orders.c.version,
                _orders.c.created_at,
                _orders.c.updated_at,
            )
            .where(_orders.c.id > after)
            .order_by(_orders.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        _derive(bind, rows)
        after = rows[-1].id


def _create_exceptions_table() -> None:
    op.create_table(
        "order_exception",
        sa.Column("id", BigId, nullable=False),
        sa.Column("order_pk", BigId, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["order_pk"], ["dispatch_order.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    open_only = sa.text("resolved_at IS NULL")
    with op.batch_alter_table("order_exception", schema=None) as batch_op:
        batch_op.create_index("ix_order_exception_opened_at", ["opened_at"])
        batch_op.create_index("ix_order_exception_resolved_at", ["resolved_at"])
        batch_op.create_index(
            "uq_order_exception_open",
            ["order_pk", "kind"],
            unique=True,
            sqlite_where=open_only,
            postgresql_where=open_only,
        )


def _derive(bind: sa.Connection, rows: Sequence[Any]) -> None:
    pks = [row.id for row in rows]
    decisions: dict[int, Any] = {}
    for decision in bind.execute(
        sa.select(_decisions).where(_decisions.c.order_pk.in_(pks)).order_by(_decisions.c.id)
    ):
        decisions[decision.order_pk] = decision  # the newest wins
    live = {
        shipment.order_pk: shipment
        for shipment in bind.execute(
            sa.select(_shipments, _tracking.c.status.label("tracked"), _tracking.c.status_at)
            .outerjoin(_tracking, _tracking.c.shipment_pk == _shipments.c.id)
            .where(_shipments.c.order_pk.in_(pks), _shipments.c.state == "purchased")
        )
    }
    statuses: list[dict[str, Any]] = []
    events = []
    for row in rows:
        status, at, reason, evidence = _true_status(row, decisions.get(row.id), live.get(row.id))
        statuses.append({"pk": row.id, "new_status": status, "new_status_at": at})
        if status != row.status:
            events.append(
                {
                    "at": at,
                    "entity": "order",
                    "entity_id": str(row.id),
                    "action": "status",
                    "actor": ACTOR,
                    "from_status": row.status,
                    "to_status": status,
                    "detail": {"reason": reason, **evidence},
                }
            )
    bind.execute(  # one statement for the batch, not one round trip per order
        _orders.update()
        .where(_orders.c.id == sa.bindparam("pk"))
        .values(status=sa.bindparam("new_status"), status_at=sa.bindparam("new_status_at")),
        statuses,
    )
    if events:
        bind.execute(_audit.insert(), events)


def _true_status(
    row: Any, decision: Any | None, shipment: Any | None
) -> tuple[str, dt.datetime, str, dict[str, Any]]:
    """The order's status, since when, why, and the evidence, from what is stored."""
    if row.status == "cancelled":
        return "cancelled", row.updated_at, "cancelled", {}
    if shipment is not None:
        evidence = {"shipment": shipment.key}
        if shipment.tracked is None:
            at = shipment.purchased_at or shipment.created_at
            return "dispatched", at, "dispatched (from stored records)", evidence
        status = _TRACKED.get(shipment.tracked, "dispatched")
        evidence["tracking_status"] = shipment.tracked
        return status, shipment.status_at, f"{status} (from stored tracking)", evidence
    if decision is not None and decision.order_version == row.version:
        status = "held" if decision.delivery_type == "hold" else "ready"
        evidence = {"decision_id": decision.id}
        return status, decision.created_at, f"{status} (from the stored decision)", evidence
    return "received", row.created_at, "received", {}


def downgrade() -> None:
    op.drop_table("order_exception")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("roles")
    op.execute(
        "UPDATE dispatch_order SET status = 'received' "
        "WHERE status NOT IN ('received', 'cancelled')"
    )
    with op.batch_alter_table("dispatch_order", schema=None) as batch_op:
        batch_op.drop_index("ix_dispatch_order_billing_status")
        batch_op.drop_column("billing_status")
        batch_op.drop_column("status_at")
