"""``/console/billing``: delivered orders of a period, confirmed or not, and why not; the
period as CSV (``/console/billing.csv``) for the billing team's spreadsheet.

An order is confirmed once its delivery confirmation was issued to the PMS (its billing status);
the page shows when, the outbox key the PMS receives as its idempotency key, and whether the PMS
has it yet. An unconfirmed delivery lists what is missing: the proof of delivery's fields, a
temperature log that did not pass, a dead-lettered write-back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from finalmile.audit import AuditEvent
from finalmile.auth import Role
from finalmile.billing import confirm_key
from finalmile.config import Settings
from finalmile.console.session import UserDep, require_roles
from finalmile.console.templating import SECURITY_HEADERS, render
from finalmile.csv_cells import spreadsheet_text
from finalmile.deps import SessionDep, provided
from finalmile.errors import InputError
from finalmile.evidence import temperature_verdict
from finalmile.orders import BillingStatus, Order, OrderStatus
from finalmile.outbox import OutboxEvent, OutboxStatus
from finalmile.tracking import proof_view
from finalmile.vault import Vault

router = APIRouter(include_in_schema=False)
SettingsDep = Annotated[Settings, Depends(provided(Settings))]
VaultDep = Annotated[Vault, Depends(provided(Vault))]
#: Who sees the billing page (admin too).
BILLING_ROLES = (Role.BILLING, Role.DISPATCHER, Role.PHARMACIST)
COLUMNS = (
    "order_id",
    "connector",
    "delivered_at",
    "billing_status",
    "confirmed_at",
    "idempotency_key",
    "pms_received",
    "missing",
)
_MAX_DAYS = 92


@dataclass(frozen=True)
class BillingRow:
    """One delivered order, from billing's point of view (no patient data)."""

    order_id: str
    connector: str
    delivered_at: dt.datetime | None
    confirmed: bool
    confirmed_at: dt.datetime | None
    key: str | None
    pms_received: bool
    missing: list[str]

    def cells(self) -> list[str]:
        """The row as CSV cells, each safe to open in a spreadsheet."""
        return [
            spreadsheet_text(self.order_id),
            spreadsheet_text(self.connector),
            self.delivered_at.isoformat() if self.delivered_at else "",
            BillingStatus.CONFIRMED.value if self.confirmed else BillingStatus.NOT_READY.value,
            self.confirmed_at.isoformat() if self.confirmed_at else "",
            spreadsheet_text(self.key),
            "yes" if self.pms_received else "no",
            spreadsheet_text("; ".join(self.missing)),
        ]


def period(start: dt.date | None, end: dt.date | None, zone: ZoneInfo) -> tuple[dt.date, dt.date]:
    """The period asked for, at most 92 days. Default: from 6 days before today to a week after
    it, so a delivery a carrier dates ahead of this clock (its own clock, a time zone) shows.

    Raises:
        InputError: ``end`` is before ``start``, or the period is longer than 92 days.
    """
    today = dt.datetime.now(zone).date()
    end = end or today + dt.timedelta(days=7)
    start = start or today - dt.timedelta(days=6)
    if end < start:
        raise InputError("the period ends before it starts", location="end")
    if (end - start).days >= _MAX_DAYS:
        raise InputError(f"a period is at most {_MAX_DAYS} days", location="start")
    return start, end


def billing_rows(
    session: Session, vault: Vault, *, start: dt.date, end: dt.date, zone: ZoneInfo
) -> list[BillingRow]:
    """Orders delivered from ``start`` to ``end`` (days in ``zone``), oldest first."""
    low = dt.datetime.combine(start, dt.time(), zone).astimezone(dt.UTC)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    orders = session.scalars(
        select(Order)
        .where(
            col(Order.status) == OrderStatus.DELIVERED.value,
            col(Order.status_at) >= low,
            col(Order.status_at) < high,
        )
        .order_by(col(Order.status_at))
    )
    return [_row(session, vault, order) for order in orders]


def _row(session: Session, vault: Vault, order: Order) -> BillingRow:
    assert order.id is not None
    key = confirm_key(order.id)
    confirmed = order.billing_status is BillingStatus.CONFIRMED
    outbox = session.scalars(select(OutboxEvent).where(col(OutboxEvent.order_id) == order.order_id))
    rows = [row for row in outbox if row.connector == order.connector]
    confirmation = next((row for row in rows if row.key == key), None)
    missing: list[str] = []
    confirmed_at = None
    if confirmed:
        confirmed_at = session.scalar(
            select(col(AuditEvent.at))
            .where(
                col(AuditEvent.entity) == "order",
                col(AuditEvent.entity_id) == str(order.id),
                col(AuditEvent.action) == "billing",
            )
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        )
    else:
        pod = proof_view(session, order_pk=order.id, vault=vault)
        missing += [f"POD {gap.field}: {gap.reason}" for gap in pod.check.missing]
        verdict = temperature_verdict(session, order.id)
        if verdict is not None and verdict.value != "pass":
            missing.append(f"temperature log: {verdict.value}")
    missing += [
        f"write-back {row.topic} dead-lettered" for row in rows if row.status is OutboxStatus.DEAD
    ]
    return BillingRow(
        order_id=order.order_id,
        connector=order.connector,
        delivered_at=order.status_at,
        confirmed=confirmed,
        confirmed_at=confirmed_at,
        key=f"{order.connector}:{key}" if confirmed else None,
        pms_received=confirmation is not None and confirmation.status is OutboxStatus.DELIVERED,
        missing=missing,
    )


@dataclass(frozen=True)
class Period:
    """The billing period asked for and its delivered orders."""

    start: dt.date
    end: dt.date
    rows: list[BillingRow]


def billed_period(
    *,
    user: UserDep,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Period:
    """The period's delivered orders, for a user allowed to see billing."""
    require_roles(user, *BILLING_ROLES)
    zone = ZoneInfo(settings.timezone)
    start, end = period(start, end, zone)
    return Period(start, end, billing_rows(session, vault, start=start, end=end, zone=zone))


PeriodDep = Annotated[Period, Depends(billed_period)]


@router.get("/console/billing", response_class=HTMLResponse)
def billing_page(request: Request, user: UserDep, found: PeriodDep) -> HTMLResponse:
    """Delivered orders of the period: confirmed, and not confirmed with what is missing."""
    return render(
        request,
        "billing.html",
        user=user,
        nav="billing",
        start=found.start,
        end=found.end,
        confirmed=[row for row in found.rows if row.confirmed],
        waiting=[row for row in found.rows if not row.confirmed],
    )


@router.get("/console/billing.csv")
def billing_csv(found: PeriodDep) -> Response:
    """The period's delivered orders as CSV (every cell safe to open in a spreadsheet)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in found.rows:
        writer.writerow(row.cells())
    name = f"finalmile-billing-{found.start.isoformat()}-{found.end.isoformat()}.csv"
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
