"""``finalmile custody``: show and verify an order's chain of custody."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from finalmile.cli.context import load_settings, open_services
from finalmile.cli.exits import fail
from finalmile.errors import FinalmileError
from finalmile.orders import find_order
from finalmile.tracking import CustodyEvent, chain, verify_chain

app = typer.Typer(help="Chain of custody (hash-linked handoffs per order).", no_args_is_help=True)
Connector = Annotated[str | None, typer.Option(help="When the order id exists for several PMSs")]


def _events(order_id: str, connector: str | None) -> list[CustodyEvent]:
    """The order's custody events, oldest first; exit 1 naming the problem if it is not found."""
    with open_services(load_settings()) as services, services.sessions() as session:
        try:
            order = find_order(session=session, order_id=order_id, connector=connector)
        except FinalmileError as exc:
            raise fail(str(exc)) from None
        assert order.id is not None
        return chain(session, order.id)


@app.command("verify")
def verify(order_id: str, connector: Connector = None) -> None:
    """Check every link and hash; exit 1 naming the first bad event if the chain was altered."""
    events = _events(order_id, connector)
    check = verify_chain(events)
    if not check.ok:
        bad = next(e for e in events if e.seq == check.first_bad_seq)
        raise fail(
            f"{order_id}: custody chain BROKEN at event {bad.seq} ({bad.kind}, "
            f"{bad.at.isoformat()}): {check.reason}"
        )
    if not events:
        typer.echo(f"{order_id}: no custody events yet")
        return
    typer.echo(f"{order_id}: custody chain OK, {check.events} events, head {check.head_hash}")


@app.command("show")
def show(order_id: str, connector: Connector = None) -> None:
    """Print the chain, one JSON line per event, oldest first."""
    events = _events(order_id, connector)
    for event in events:
        line = {
            "seq": event.seq,
            "kind": event.kind,
            "actor": event.actor,
            "at": event.at.isoformat(),
            "detail": event.detail,
            "hash": event.hash,
        }
        typer.echo(json.dumps(line))
