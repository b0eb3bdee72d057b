"""``finalmile outbox``: effects waiting for, delivered to, or dead-lettered by the PMS."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.db_types import utcnow
from finalmile.errors import FinalmileError
from finalmile.outbox import OutboxStatus

app = typer.Typer(
    help="The outbox of write-back effects: list, show, retry, replay.", no_args_is_help=True
)


@app.command("list")
def list_(
    status: Annotated[OutboxStatus | None, typer.Option(help="Only rows with this status")] = None,
    connector: Annotated[str | None, typer.Option(help="Only this connector")] = None,
    order: Annotated[str | None, typer.Option(help="Only this order id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
) -> None:
    """Newest rows: id, created, connector, order, topic, status, attempts, next attempt, error."""
    with open_services(load_settings()) as services:
        rows = services.outbox.search(
            status=status, connector=connector, order_id=order, limit=limit
        )
    for row in rows:
        due = row.next_attempt_at.isoformat() if row.status is OutboxStatus.PENDING else "-"
        typer.echo(
            f"{row.id}\t{row.created_at.isoformat()}\t{row.connector}\t{row.order_id}\t"
            f"{row.topic}\t{row.status.value}\t{row.attempts}\t{due}\t{row.last_error or '-'}"
        )


@app.command("show")
def show(event_id: int) -> None:
    """One row as JSON: its payload, state and every delivery attempt."""
    with open_services(load_settings()) as services:
        try:
            row, attempts = services.outbox.get(event_id)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    data = row.model_dump(mode="json", exclude={"lease_owner"})
    data["attempt_log"] = [a.model_dump(mode="json", exclude={"event_pk"}) for a in attempts]
    typer.echo(json.dumps(data, indent=2))


@app.command("retry")
def retry(event_id: int) -> None:
    """Make a pending or dead row due now with a fresh budget (targets done stay done)."""
    _restart(event_id, replay=False)


@app.command("replay")
def replay(event_id: int) -> None:
    """Send a row to every target again, delivered or not (receivers dedupe on its key)."""
    _restart(event_id, replay=True)


def _restart(event_id: int, *, replay: bool) -> None:
    with open_services(load_settings()) as services:
        try:
            if replay:
                row = services.outbox.replay(event_id, now=utcnow())
            else:
                row = services.outbox.retry(event_id, now=utcnow())
        except FinalmileError as exc:
            raise fail(str(exc)) from None
    typer.echo(json.dumps({"id": row.id, "status": row.status.value, "topic": row.topic}))
